//go:build !segue_client

package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestIngestPermissionDeniedSaysWhoAndWhat: ingest's skip reason for a
// file, a folder or a folder cover it may not read said only "cannot read:
// permission denied", leaving the host to guess which user was refused
// and what it lacks (a file's read permission, a folder's read and search
// permission, or search permission on a folder above). Each now names the
// user and the chmod that fixes it, in the text summary and in --json's
// reason (which keeps its "cannot read: permission denied" start). Root
// reads whatever the modes say, so as root the ingest runs as nobody.
func TestIngestPermissionDeniedSaysWhoAndWhat(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	dir, err := os.MkdirTemp("", "segue-ingest-perm-") // not under t.TempDir(), whose parent (0700) nobody cannot enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error { os.Chmod(p, 0o755); return nil })
		os.RemoveAll(dir)
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(dir, 0o755))
	// segue-origin, the build that ingests (segue runs it), where nobody
	// may run it
	bin := filepath.Join(dir, "segue-origin")
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(segueBinary(t)), "segue-origin")); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatalf("copy segue-origin: %v", err)
	}
	lib, data := filepath.Join(dir, "lib"), filepath.Join(dir, "data")
	for _, d := range []string{lib, data, filepath.Join(lib, "locked"), filepath.Join(lib, "closed"), filepath.Join(lib, "nox")} {
		must(os.Mkdir(d, 0o755))
	}
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=2",
		"-ac", "2", filepath.Join(lib, "one.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	song, _ := os.ReadFile(filepath.Join(lib, "one.flac"))
	for _, f := range []string{"locked/song.flac", "locked/cover.jpg", "closed/x.flac", "nox/y.flac"} {
		must(os.WriteFile(filepath.Join(lib, f), song, 0o644))
	}
	// As root the files stay root's, readable by their owner only, and
	// nobody runs the ingest; as anyone else the owner's bits are taken.
	who, cls, cred := "", "u", (*syscall.Credential)(nil)
	if os.Getuid() == 0 {
		who, cls, cred = "nobody", "o", &syscall.Credential{Uid: 65534, Gid: 65534}
		must(os.Chown(data, 65534, 65534))
		must(os.Chown(dir, 65534, 65534)) // its state dir
		must(os.Chmod(filepath.Join(lib, "locked/song.flac"), 0o600))
		must(os.Chmod(filepath.Join(lib, "locked/cover.jpg"), 0o600))
		must(os.Chmod(filepath.Join(lib, "closed"), 0o700))
		must(os.Chmod(filepath.Join(lib, "nox"), 0o744))
	} else {
		u, err := user.Current()
		must(err)
		who = u.Username
		must(os.Chmod(filepath.Join(lib, "locked/song.flac"), 0))
		must(os.Chmod(filepath.Join(lib, "locked/cover.jpg"), 0))
		must(os.Chmod(filepath.Join(lib, "closed"), 0))
		must(os.Chmod(filepath.Join(lib, "nox"), 0o644))
	}
	want := map[string][]string{ // path -> what its reason must say
		"locked/song.flac": {"cannot read: permission denied: user " + who + " cannot read it; give it read access (chmod " + cls + "+r " + filepath.Join(lib, "locked/song.flac")},
		"locked/cover.jpg": {"cannot read: permission denied: user " + who + " cannot read it, so no album cover is taken from it; give it read access (chmod " + cls + "+r " + filepath.Join(lib, "locked/cover.jpg")},
		"closed":           {"cannot read: permission denied: user " + who + " cannot list this folder; give it read and search (x) access (chmod " + cls + "+rx " + filepath.Join(lib, "closed")},
		"nox/y.flac":       {"cannot read: permission denied: user " + who + " cannot reach it: it may not search (x) the folder " + filepath.Join(lib, "nox") + " above it; give that folder search access (chmod " + cls + "+x " + filepath.Join(lib, "nox")},
	}
	run := func(args ...string) (string, string) {
		cmd := exec.Command(bin, append([]string{"origin", "ingest", lib, "--data", data, "--jobs", "1"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
			"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		cmd.Run()
		return o.String(), e.String()
	}
	out, errOut := run("--json")
	var rep ingestReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s\n%s", err, out, errOut)
	}
	got := map[string]string{}
	for _, s := range rep.Skipped {
		got[s.Path] = s.Reason
	}
	for p, says := range want {
		for _, s := range says {
			if !strings.Contains(got[p], s) {
				t.Errorf("--json reason of %s: %q\nwant it to hold %q", p, got[p], s)
			}
		}
	}
	if rep.Added != 1 {
		t.Errorf("%d added; want one.flac alone\n%s", rep.Added, out)
	}
	text, errOut := run()
	for p, says := range want {
		if !strings.Contains(text, "skipped "+p+": "+says[0]) {
			t.Errorf("summary lacks %q:\n%s\n%s", "skipped "+p+": "+says[0], text, errOut)
		}
	}
}
