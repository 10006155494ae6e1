package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlayWithoutSoundCard: segue play --json --output alsa on a machine
// whose default ALSA device is a card that is not there. alsa-lib printed
// its own "ALSA lib confmisc.c:...: Cannot get card index" lines, raw, into
// segue's JSON log (and, once the writer thread reopened the device, onto
// stderr). Now they are records of the log, and the one error on stderr
// and in the JSON says there is no audio device, why (alsa-lib's reason),
// and what to do.
func TestPlayWithoutSoundCard(t *testing.T) {
	url, id := shortTone(t)
	dir := t.TempDir()
	conf := missingCardALSA(t, dir)
	cmd := exec.Command(segueBinary(t), "--origin", url, "play", "--json", "--output", "alsa", id)
	cmd.Env = append(os.Environ(), append(tuiEnv(dir), "ALSA_CONFIG_PATH="+conf, "PULSE_SERVER=unix:"+filepath.Join(dir, "none"))...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitError {
		t.Fatalf("segue play --output alsa with no card: %v, want exit %d\n%s%s", err, ExitError, stdout.String(), stderr.String())
	}
	const reason = "Cannot get card index for Missing"
	says := []string{"no audio device", reason, "--output null", "--output wav:FILE"}
	if strings.Contains(stderr.String(), "ALSA lib") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr is not one sentence of segue's own:\n%s", stderr.String())
	}
	for _, want := range says {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q does not say %q", stderr.String(), want)
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var ev playEvent
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &ev); err != nil || ev.Event != "error" || !strings.Contains(ev.Message, reason) {
		t.Errorf("the last line of --json is %q, want the error event saying %q", lines[len(lines)-1], reason)
	}
	log, err := os.ReadFile(filepath.Join(dir, "state", "segue", "segue.log"))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("the log has a line that is not JSON: %q", line)
			continue
		}
		found = found || rec["msg"] == "alsa-lib" && strings.Contains(rec["message"].(string), reason)
	}
	if !found {
		t.Errorf("the log has no alsa-lib record saying %q:\n%s", reason, log)
	}
}

// missingCardALSA writes an ALSA configuration (dir/alsa.conf, for
// ALSA_CONFIG_PATH) whose default device is the card "Missing", which no
// machine has: alsa.conf with its hooks reading only that definition (as
// testkit.HeadlessALSA builds its own).
func missingCardALSA(t *testing.T, dir string) string {
	t.Helper()
	own := filepath.Join(dir, "missing.conf")
	if err := os.WriteFile(own, []byte("pcm.!default { type hw; card \"Missing\" }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile("/usr/share/alsa/alsa.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := string(base)
	i, j := strings.Index(s, "files ["), strings.Index(s, "errors false")
	if i < 0 || j < i {
		t.Fatal("unexpected /usr/share/alsa/alsa.conf layout")
	}
	conf := filepath.Join(dir, "alsa.conf")
	if err := os.WriteFile(conf, []byte(s[:i]+"files [\n"+`"`+own+`"`+"\n]\n"+s[j:]), 0o600); err != nil {
		t.Fatal(err)
	}
	return conf
}
