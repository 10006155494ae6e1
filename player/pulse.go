package player

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pulseSystemConfig is where Debian's libpulse keeps the system-wide
// client.conf (its compiled-in default).
const pulseSystemConfig = "/etc/pulse/client.conf"

// withoutPulseSHM tells the PulseAudio client library, which ALSA's pulse
// plugin loads when the default device is a PulseAudio server (or
// PipeWire's), to send audio through its socket instead of shared memory,
// until the returned undo runs: the client's own configuration, then
// "enable-shm = no", in a file PULSE_CLIENTCONFIG names. libpulse reads it
// when the plugin creates its context, inside snd_pcm_open, which the ALSA
// output's writer thread calls again each time it takes the device back
// after a pause (alsa_out.c: reopen): so the variable stays set in the C
// environment (not Go's: processes segue starts do not inherit it), and
// names the file through /proc/self/fd, unlinked at once, so no file
// outlives the process.
//
// Why (issue 14): with shared memory the client copies what it sends into
// 64 KiB blocks, and the server answers each block it has played with a
// message that wakes the client's thread: 2.7 wake-ups a second at 16-bit
// stereo, measured 6.5 against 4.4 a second for that thread, and 0.3 MiB
// more resident memory. A second of audio through the socket is 176 KB to
// copy. Anything that goes wrong here leaves the client's configuration
// as it was.
func withoutPulseSHM() (undo func()) {
	if _, set := os.LookupEnv("PULSE_CLIENTCONFIG"); set {
		return func() {} // the user chose a file: leave it alone
	}
	f, err := os.CreateTemp("", "segue-pulse-*.conf")
	if err != nil {
		return func() {}
	}
	os.Remove(f.Name())
	if _, err := f.WriteString(pulseClientConfig(os.Getenv("PULSE_CONFIG_PATH"), os.Getenv("HOME"), pulseSystemConfig)); err != nil {
		f.Close()
		return func() {}
	}
	setCEnv("PULSE_CLIENTCONFIG", fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	return func() {
		setCEnv("PULSE_CLIENTCONFIG", "")
		f.Close()
	}
}

// pulseClientConfig is a client.conf that includes the file libpulse
// would read (as its pa_open_config_file finds it: $configPath/client.conf,
// else ~/.pulse/client.conf or ~/.config/pulse/client.conf, else system)
// and the *.conf files of its ".d" folder in name order, as libpulse reads
// them, then turns shared memory off.
func pulseClientConfig(configPath, home, system string) string {
	var local []string
	if configPath != "" {
		local = []string{filepath.Join(configPath, "client.conf")}
	} else if home != "" {
		local = []string{filepath.Join(home, ".pulse", "client.conf"), filepath.Join(home, ".config", "pulse", "client.conf")}
	}
	var b strings.Builder
	b.WriteString("# written by segue for its ALSA output; see player/pulse.go\n")
	for _, fn := range append(local, system) {
		if st, err := os.Stat(fn); err != nil || !st.Mode().IsRegular() {
			continue
		}
		fmt.Fprintf(&b, ".include %s\n", fn)
		drop, _ := filepath.Glob(filepath.Join(fn+".d", "*.conf"))
		slices.Sort(drop)
		for _, d := range drop {
			fmt.Fprintf(&b, ".include %s\n", d)
		}
		break
	}
	b.WriteString("enable-shm = no\n")
	return b.String()
}
