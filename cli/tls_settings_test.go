package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCertificateSettingsSayWhere: an authority file or a certificate pin
// that cannot be right is a bad setting (2, with and without --json) named
// where the user set it, for every command, before anything is asked:
// config.toml's ca said "the authority file (--ca) X does not exist", a
// flag the user never gave, SEGUE_CA the same, and a bad pin from the file
// or SEGUE_PIN_SHA256 named no setting at all.
func TestCertificateSettingsSayWhere(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "typo.pem")
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withOrigin := func(origin, body string) []string {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte("origin = \""+origin+"\"\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"--config", path}
	}
	withConfig := func(body string) []string { return withOrigin("https://127.0.0.1:9", body) }
	env := clientEnv(t, "https://127.0.0.1:9")
	fp := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		env  [2]string // a variable and its value, or none
		args []string
		says string
	}{
		{"--ca that is not there", [2]string{}, append(slices.Clone(env), "--ca", none, "library"), "--ca: the authority file " + none + " does not exist (check the path)"},
		{"--ca of no certificate", [2]string{}, append(slices.Clone(env), "--ca", notes, "search", "x"), "--ca: the authority file " + notes + " holds no PEM certificate"},
		{"--pin-sha256 not hex", [2]string{}, append(slices.Clone(env), "--pin-sha256", "zz", "playlist", "list"), `--pin-sha256: certificate pin "zz": want the certificate's SHA-256 fingerprint, 64 hex digits`},
		{"SEGUE_CA that is not there", [2]string{"SEGUE_CA", none}, append(slices.Clone(env), "library"), "SEGUE_CA: the authority file " + none + " does not exist (check the path)"},
		{"SEGUE_CA a folder", [2]string{"SEGUE_CA", dir}, append(slices.Clone(env), "offline", "list"), "SEGUE_CA: the authority file " + dir + " is a folder: give a file"},
		{"SEGUE_PIN_SHA256 not hex", [2]string{"SEGUE_PIN_SHA256", "zz"}, append(slices.Clone(env), "search", "x"), `SEGUE_PIN_SHA256: certificate pin "zz"`},
		{"ca in config.toml that is not there", [2]string{}, append(withConfig("ca = \""+none+"\"\n"), "library"), "config.toml:2: ca: the authority file " + none + " does not exist (check the path)"},
		{"pin_sha256 in config.toml not hex", [2]string{}, append(withConfig("pin_sha256 = \"zz\"\n"), "library"), `config.toml:2: pin_sha256: certificate pin "zz"`},
		// A pin beside a plain http origin checked nothing, and the token
		// went unencrypted, without a word.
		{"--pin-sha256 for an http origin", [2]string{}, append(slices.Clone(env), "--origin", "http://127.0.0.1:9", "--pin-sha256", fp, "library"),
			"--pin-sha256 pins the certificate of an https origin, and the origin at 127.0.0.1:9 is plain http: begin the origin URL with https:"},
		{"SEGUE_PIN_SHA256 for an http origin", [2]string{"SEGUE_PIN_SHA256", fp}, append(slices.Clone(env), "--origin", "http://127.0.0.1:9", "search", "x"),
			"SEGUE_PIN_SHA256 pins the certificate of an https origin"},
		{"pin_sha256 in config.toml for an http origin", [2]string{}, append(withOrigin("http://127.0.0.1:9", "pin_sha256 = \""+fp+"\"\n"), "play", "t1"),
			"config.toml: pin_sha256 pins the certificate of an https origin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env[0] != "" {
				t.Setenv(c.env[0], c.env[1])
			}
			for _, run := range [][]string{c.args, append(slices.Clone(c.args), "--json")} {
				_, errOut, code := segue(t, run...)
				msg := checkFailure(t, strings.Join(run, " "), errOut, code, ExitUsage)
				if !strings.Contains(msg, c.says) || strings.Contains(msg, "(--ca)") {
					t.Errorf("segue %s: %q; want it to say %q", strings.Join(run, " "), msg, c.says)
				}
			}
		})
	}
}
