package cli

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"segue/ctl"
	"segue/internal/testkit"
)

// dbusSend runs dbus-send --print-reply on h's session bus, calling
// METHOD (of org.mpris.MediaPlayer2.Player unless it names its interface)
// on segue with args, and returns "" or the error it said.
func (h *ctlHost) dbusSend(method string, args ...string) string {
	h.t.Helper()
	if !strings.Contains(method, ".") {
		method = "org.mpris.MediaPlayer2.Player." + method
	}
	cmd := exec.Command("dbus-send", append([]string{"--session", "--print-reply", "--dest=org.mpris.MediaPlayer2.segue",
		"/org/mpris/MediaPlayer2", method}, args...)...)
	cmd.Env = append(os.Environ(), h.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

// setProp sets the Player property name to the dbus-send variant value
// (double:0.4, string:Track).
func (h *ctlHost) setProp(name, value string) string {
	return h.dbusSend("org.freedesktop.DBus.Properties.Set", "string:org.mpris.MediaPlayer2.Player", "string:"+name, "variant:"+value)
}

// TestMPRISVolumeSet: Volume set over D-Bus, by playerctl volume and by a
// raw Properties.Set, lands as the MPRIS2 spec says, read back the same by
// segue ctl status and by playerctl: below 0.0 is 0.0, above 1.0 is 1.0
// (segue's loudest), and NaN or an infinity is refused (InvalidArgs),
// leaving the volume as it was. A level past what an int holds (1e300,
// +Inf) or NaN became Go's garbage int, which the clamp made 0: silence.
func TestMPRISVolumeSet(t *testing.T) {
	h, _, _, pc := playingUnderMPRIS(t, 1)
	h.ok("pause")
	for _, c := range []struct {
		name    string
		set     func() string // what it said: "" when it was done
		refused string        // what the refusal says, "" when it is done
		want    int           // ctl status's volume after it
	}{
		{"playerctl 0.4", func() string { return pc("volume", "0.4") }, "", 40},
		{"playerctl 1.5", func() string { return pc("volume", "1.5") }, "", 100},
		{"playerctl 0.25", func() string { return pc("volume", "0.25") }, "", 25},
		{"playerctl 0", func() string { return pc("volume", "0") }, "", 0},
		{"dbus 0.555", func() string { return h.setProp("Volume", "double:0.555") }, "", 56},
		{"dbus -0.5", func() string { return h.setProp("Volume", "double:-0.5") }, "", 0},
		{"dbus 0.7", func() string { return h.setProp("Volume", "double:0.7") }, "", 70},
		{"dbus 1e300", func() string { return h.setProp("Volume", "double:1e300") }, "", 100},
		{"dbus -1e300", func() string { return h.setProp("Volume", "double:-1e300") }, "", 0},
		{"dbus 0.3", func() string { return h.setProp("Volume", "double:0.3") }, "", 30},
		{"dbus nan", func() string { return h.setProp("Volume", "double:nan") }, "Volume NaN: want a number from 0.0 to 1.0", 30},
		{"dbus inf", func() string { return h.setProp("Volume", "double:inf") }, "Volume +Inf: want a number from 0.0 to 1.0", 30},
		{"dbus -inf", func() string { return h.setProp("Volume", "double:-inf") }, "Volume -Inf: want a number from 0.0 to 1.0", 30},
		{"dbus string", func() string { return h.setProp("Volume", "string:loud") }, "Volume loud: want a number from 0.0 to 1.0", 30},
	} {
		t.Run(c.name, func(t *testing.T) {
			said := c.set()
			if c.refused == "" && said != "" || c.refused != "" && !strings.Contains(said, "InvalidArgs: "+c.refused) {
				t.Errorf("it said %q; want %q", said, c.refused)
			}
			if st := h.status(); st.Volume != c.want {
				t.Errorf("ctl status says volume %d, want %d", st.Volume, c.want)
			}
			if got, want := pc("volume"), fmt.Sprintf("%f", float64(c.want)/100); got != want {
				t.Errorf("playerctl volume says %q, want %q", got, want)
			}
		})
	}
}

// TestMPRISWritablePropertiesFollowTheSpec: Rate, Shuffle, LoopStatus, and
// the methods SetPosition and Seek, driven over D-Bus with what the MPRIS2
// spec says a player must take: Rate 0.0 pauses and other rates leave the
// one segue has (1.0); LoopStatus and Shuffle refuse what is not theirs;
// SetPosition ignores a stale track ID and a position below 0 or past the
// track's length; Seek past the start is the start and past the end is
// Next, also for offsets past what a time.Duration holds (they wrapped
// round: Seek by the largest int64 went back 1 µs, SetPosition to it went
// to 0:00), and even under repeat one, which a track's end would repeat.
// Rate was read-only (PropertyReadOnly), against the spec.
func TestMPRISWritablePropertiesFollowTheSpec(t *testing.T) {
	h, _, tracks, pc := playingUnderMPRIS(t, 3)
	track := func(i int) string { return "objpath:/org/segue/track/" + tracks[i].ID }
	us := func(d time.Duration) string { return fmt.Sprintf("int64:%d", d.Microseconds()) }
	set := func(prop, value string) func() string { return func() string { return h.setProp(prop, value) } }
	call := func(method string, args ...string) func() string {
		return func() string { return h.dbusSend(method, args...) }
	}
	playing := func(st ctl.Status) bool { return playingOn(st.State) }
	repeat := func(r string) func(ctl.Status) bool { return func(st ctl.Status) bool { return st.Repeat == r } }
	shuffle := func(on bool) func(ctl.Status) bool { return func(st ctl.Status) bool { return st.Shuffle == on } }
	at := func(i int, ms int64) func(ctl.Status) bool {
		return func(st ctl.Status) bool { return st.Track.ID == tracks[i].ID && st.PositionMS == ms }
	}
	at10 := [][]string{{"pause"}, {"seek", "0:10"}} // paused, so that positions stay put
	const loops, bools = ": want None, Track or Playlist", ": want true or false"
	for _, c := range []struct {
		name    string
		before  [][]string    // segue ctl commands first
		do      func() string // what it said: "" when it was done
		refused string        // what the refusal says, "" when it is done
		check   func(st ctl.Status) bool
		want    string
	}{
		{"Rate 1.0", nil, set("Rate", "double:1.0"), "", playing, "still playing"},
		{"Rate 2.0", nil, set("Rate", "double:2.0"), "", playing, "still playing"},
		{"Rate nan", nil, set("Rate", "double:nan"), "Rate NaN: want a number", playing, "still playing"},
		{"Rate string", nil, set("Rate", "string:fast"), "Rate fast: want a number", playing, "still playing"},
		{"Rate 0.0", nil, set("Rate", "double:0.0"), "", func(st ctl.Status) bool { return st.State == "paused" }, "paused, as Pause does"},

		{"LoopStatus Track", nil, set("LoopStatus", "string:Track"), "", repeat("one"), "repeat one"},
		{"LoopStatus track", nil, set("LoopStatus", "string:track"), "LoopStatus track" + loops, repeat("one"), "repeat one still"},
		{"LoopStatus Forever", nil, set("LoopStatus", "string:Forever"), "LoopStatus Forever" + loops, repeat("one"), "repeat one still"},
		{"LoopStatus empty", nil, set("LoopStatus", "string:"), "LoopStatus " + loops, repeat("one"), "repeat one still"},
		{"LoopStatus number", nil, set("LoopStatus", "int32:1"), "LoopStatus 1" + loops, repeat("one"), "repeat one still"},
		{"LoopStatus None", nil, set("LoopStatus", "string:None"), "", repeat("off"), "repeat off"},

		{"Shuffle true", nil, set("Shuffle", "boolean:true"), "", shuffle(true), "shuffle on"},
		{"Shuffle On", nil, set("Shuffle", "string:On"), "Shuffle On" + bools, shuffle(true), "shuffle on still"},
		{"Shuffle 0", nil, set("Shuffle", "int32:0"), "Shuffle 0" + bools, shuffle(true), "shuffle on still"},
		{"Shuffle false", nil, set("Shuffle", "boolean:false"), "", shuffle(false), "shuffle off"},

		{"SetPosition 0:30", at10, call("SetPosition", track(0), us(30*time.Second)), "", at(0, 30000), "at 0:30"},
		{"SetPosition stale track", at10, call("SetPosition", track(1), us(30*time.Second)), "", at(0, 10000), "at 0:10 still"},
		{"SetPosition NoTrack", at10, call("SetPosition", "objpath:/org/mpris/MediaPlayer2/TrackList/NoTrack", us(30*time.Second)), "", at(0, 10000), "at 0:10 still"},
		{"SetPosition -1 µs", at10, call("SetPosition", track(0), "int64:-1"), "", at(0, 10000), "at 0:10 still"},
		{"SetPosition at the end", at10, call("SetPosition", track(0), us(time.Minute)), "", at(0, 60000), "at 1:00 of track 1"},
		{"SetPosition past the end", at10, call("SetPosition", track(0), us(time.Minute+time.Millisecond)), "", at(0, 10000), "at 0:10 still"},
		{"SetPosition max int64", at10, call("SetPosition", track(0), fmt.Sprint("int64:", int64(math.MaxInt64))), "", at(0, 10000), "at 0:10 still"},

		{"Seek +5 s", at10, call("Seek", us(5*time.Second)), "", at(0, 15000), "at 0:15"},
		{"Seek -5 s", at10, call("Seek", us(-5*time.Second)), "", at(0, 5000), "at 0:05"},
		{"Seek past the start", at10, call("Seek", us(-time.Hour)), "", at(0, 0), "at 0:00 of track 1"},
		{"Seek min int64", at10, call("Seek", fmt.Sprint("int64:", int64(math.MinInt64))), "", at(0, 0), "at 0:00 of track 1"},
		{"Seek past the end", at10, call("Seek", us(time.Hour)), "", at(1, 0), "at 0:00 of track 2, as Next"},
		{"Seek max int64 under repeat one", append([][]string{{"repeat", "one"}}, at10...),
			call("Seek", fmt.Sprint("int64:", int64(math.MaxInt64))), "", at(2, 0), "at 0:00 of track 3, as Next"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range c.before {
				h.ok(args...)
			}
			said := c.do()
			if c.refused == "" && said != "" || c.refused != "" && !strings.Contains(said, "InvalidArgs: "+c.refused) {
				t.Errorf("it said %q; want %q", said, c.refused)
			}
			var st ctl.Status
			testkit.Wait(t, 10*time.Second, c.want, func() bool { st = h.status(); return st.Track != nil && c.check(st) })
		})
	}
	if got := pc("status"); got != "Paused" {
		t.Errorf("after the table playerctl status says %q, want Paused (from Rate 0.0)", got)
	}
}
