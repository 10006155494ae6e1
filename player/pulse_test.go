package player

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPulseClientConfig: the file withoutPulseSHM points libpulse at
// includes the configuration libpulse would have read (the same search
// order, with its drop-in folder in name order) and then turns shared
// memory off.
func TestPulseClientConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(dir, rel)
		must(t, os.MkdirAll(filepath.Dir(p), 0o700))
		must(t, os.WriteFile(p, []byte("# test\n"), 0o600))
		return p
	}
	system := write("etc/client.conf")
	sysB, sysA := write("etc/client.conf.d/20-b.conf"), write("etc/client.conf.d/10-a.conf")
	write("etc/client.conf.d/notes.txt")
	xdg := write("home1/.config/pulse/client.conf")
	dot := write("home2/.pulse/client.conf")
	write("home2/.config/pulse/client.conf")
	env := write("env/client.conf")
	const head, tail = "# written by segue for its ALSA output; see player/pulse.go\n", "enable-shm = no\n"
	for _, c := range []struct {
		name, configPath, home, want string
	}{
		{"system, with drop-ins in name order", "", filepath.Join(dir, "nobody"), ".include " + system + "\n.include " + sysA + "\n.include " + sysB + "\n"},
		{"~/.config/pulse", "", filepath.Join(dir, "home1"), ".include " + xdg + "\n"},
		{"~/.pulse before ~/.config/pulse", "", filepath.Join(dir, "home2"), ".include " + dot + "\n"},
		{"PULSE_CONFIG_PATH before home", filepath.Join(dir, "env"), filepath.Join(dir, "home1"), ".include " + env + "\n"},
		{"PULSE_CONFIG_PATH without the file: system", filepath.Join(dir, "none"), filepath.Join(dir, "home1"), ".include " + system + "\n.include " + sysA + "\n.include " + sysB + "\n"},
	} {
		if got := pulseClientConfig(c.configPath, c.home, system); got != head+c.want+tail {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, head+c.want+tail)
		}
	}
	if got := pulseClientConfig("", "", filepath.Join(dir, "missing")); got != head+tail {
		t.Errorf("no configuration at all: got\n%s", got)
	}
}
