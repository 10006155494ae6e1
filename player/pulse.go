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

// withoutPulseSHM runs open (which opens the ALSA device) with the
// PulseAudio client library, which ALSA's pulse plugin loads when the
// default device is a PulseAudio server (or PipeWire's), told to send
// audio through its socket instead of shared memory: the client's own
// configuration, then "enable-shm = no", in a file PULSE_CLIENTCONFIG
// names while open runs. libpulse reads it when the plugin creates its
// context, inside snd_pcm_open.
//
// Why (issue 14): with shared memory the client copies what it sends into
// 64 KiB blocks, and the server answers each block it has played with a
// message that wakes the client's thread: 2.7 wake-ups a second at 16-bit
// stereo, measured 6.5 against 4.4 a second for that thread, and 0.3 MiB
// more resident memory. A second of audio through the socket is 176 KB to
// copy. Anything that goes wrong here leaves the client's configuration
// as it was.
func withoutPulseSHM(open func()) {
	if _, set := os.LookupEnv("PULSE_CLIENTCONFIG"); set {
		open() // the user chose a file: leave it alone
		return
	}
	f, err := os.CreateTemp("", "segue-pulse-*.conf")
	if err != nil {
		open()
		return
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(pulseClientConfig(os.Getenv("PULSE_CONFIG_PATH"), os.Getenv("HOME"), pulseSystemConfig))
	if cerr := f.Close(); err != nil || cerr != nil {
		open()
		return
	}
	os.Setenv("PULSE_CLIENTCONFIG", f.Name())
	defer os.Unsetenv("PULSE_CLIENTCONFIG")
	open()
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
