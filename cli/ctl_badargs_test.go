package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"segue/catalog"
)

// TestCtlBadArgumentsSayOneSentence: every segue ctl command given a
// malformed argument, or the wrong number of them, says one sentence and
// exits 2, the same with and without --json, before any instance is
// looked for. queue remove -1 said "position \"-1\": want a whole number
// from 1 ..." where 0 and abc said "queue remove \"0\": want a position
// from 1 ..."; toggle now said "bad control command: toggle takes no
// arguments" where status x said "ctl status takes no arguments, but was
// given \"x\" ...".
func TestCtlBadArgumentsSayOneSentence(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9") // nothing is asked of an origin or an instance
	position := func(sub, pos string) string {
		return `bad control command: queue ` + sub + ` "` + pos + `": want a position from 1, as queue list shows`
	}
	const (
		volume = `": want 0-100, or +N/-N to change it`
		seek   = `": want [+-]SECONDS or [+-]MM:SS, e.g. 90, +10, -5, 1:30`
	)
	noArgs := func(verb, given string) string {
		return "ctl " + verb + ` takes no arguments, but was given "` + given + `" (usage: segue ctl ` + verb + ` [flags])`
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"queue", "remove", "-1"}, position("remove", "-1")},
		{[]string{"queue", "remove", "0"}, position("remove", "0")},
		{[]string{"queue", "remove", "abc"}, position("remove", "abc")},
		{[]string{"queue", "remove", "1.5"}, position("remove", "1.5")},
		{[]string{"queue", "remove", "+1"}, position("remove", "+1")},
		{[]string{"queue", "play", "-2"}, position("play", "-2")},
		{[]string{"queue", "play", "0"}, position("play", "0")},
		{[]string{"queue", "move", "-1", "2"}, position("move", "-1")},
		{[]string{"queue", "move", "1", "-3"}, position("move", "-3")},
		{[]string{"queue", "move", "1", "x"}, position("move", "x")},
		{[]string{"queue", "remove"}, "bad control command: queue remove takes one position N (from 1, as queue list shows)"},
		{[]string{"queue", "remove", "1", "2"}, "bad control command: queue remove takes one position N (from 1, as queue list shows)"},
		{[]string{"queue", "list", "x"}, "bad control command: queue list takes no arguments"},
		{[]string{"queue", "frob"}, `bad control command: unknown queue command "frob": want list, add, next, play, move, remove or clear`},
		{[]string{"queue"}, "ctl queue: give list|add TARGET...|next TARGET...|play N|move N TO|remove N|clear (usage: segue ctl queue list|add TARGET...|next TARGET...|play N|move N TO|remove N|clear [flags])"},
		{[]string{"volume", "150"}, `bad control command: volume "150` + volume},
		{[]string{"volume", "101"}, `bad control command: volume "101` + volume},
		{[]string{"volume", "abc"}, `bad control command: volume "abc` + volume},
		{[]string{"volume", "1.5"}, `bad control command: volume "1.5` + volume},
		{[]string{"volume", "99999999999999999999"}, `bad control command: volume "99999999999999999999` + volume},
		{[]string{"volume"}, "bad control command: volume takes one level: N from 0 to 100, or +N/-N to change it (volume 80, volume -5)"},
		{[]string{"seek", "abc"}, `bad control command: seek "abc` + seek},
		{[]string{"seek", "-"}, `bad control command: seek "-` + seek},
		{[]string{"seek", "1:60"}, `bad control command: seek "1:60` + seek},
		{[]string{"seek"}, "bad control command: seek takes one position: SECONDS or MM:SS, or +/- either to move by it (seek 1:30, seek -10)"},
		{[]string{"quality", "ultra"}, `bad control command: quality "ultra": want auto, low, normal or high`},
		{[]string{"shuffle", "yes"}, `bad control command: shuffle "yes": want on or off`},
		{[]string{"repeat", "twice"}, `bad control command: repeat "twice": want off, all or one`},
		{[]string{"radio", "zz"}, `bad control command: radio: "zz" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID; segue search WORDS, segue library and segue playlist list show the IDs there are`},
		{[]string{"open", "zz"}, `bad control command: "zz" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL; segue search WORDS, segue library and segue playlist list show the IDs there are`},
		{[]string{"toggle", "now"}, noArgs("toggle", "now")},
		{[]string{"next", "2"}, noArgs("next", "2")},
		{[]string{"status", "x"}, noArgs("status", "x")},
		{[]string{"watch", "x"}, noArgs("watch", "x")},
	} {
		usageSays(t, env, append([]string{"ctl"}, c.args...), c.says)
	}
}

// TestCtlRefusalsWithAnInstance: what only the running segue can tell
// (a position past the queue's end, a target it cannot find, a seek past
// the end of the track playing) is one sentence and exit 3, the same with
// and without --json, and changes nothing; malformed arguments say with
// an instance what they say without one (exit 2). ctl seek 5:00 of a
// 1:00 track went to its end, and so on to the next track.
func TestCtlRefusalsWithAnInstance(t *testing.T) {
	h, tracks := pausedPlay(t)
	h.ok("seek", "0:10")
	const past = ": the queue has 2 tracks (see segue ctl queue list)"
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"queue", "remove", "3"}, ExitNotFound, "ctl queue remove: there is no track at position 3" + past},
		{[]string{"queue", "remove", huge}, ExitNotFound, "ctl queue remove: there is no track at position " + huge + past},
		{[]string{"queue", "play", "9"}, ExitNotFound, "ctl queue play: there is no track at position 9" + past},
		{[]string{"queue", "move", "1", "9"}, ExitNotFound, "ctl queue move: there is no track at position 9" + past},
		{[]string{"queue", "move", "9", "1"}, ExitNotFound, "ctl queue move: there is no track at position 9" + past},
		{[]string{"seek", "5:00"}, ExitNotFound, "ctl seek: there is no position 5:00 in the track playing: it is 1:00 long (see segue ctl status)"},
		{[]string{"seek", "61"}, ExitNotFound, "ctl seek: there is no position 1:01 in the track playing: it is 1:00 long (see segue ctl status)"},
		// longer than any track, as a queue position too large for any (it was
		// refused as malformed, exit 2, where seek 999999 was exit 3)
		{[]string{"seek", huge}, ExitNotFound, "ctl seek: there is no position " + huge + " in the track playing: it is 1:00 long (see segue ctl status)"},
		{[]string{"queue", "remove", "-1"}, ExitUsage, `bad control command: queue remove "-1": want a position from 1, as queue list shows`},
		{[]string{"queue", "remove", "0"}, ExitUsage, `bad control command: queue remove "0": want a position from 1, as queue list shows`},
		{[]string{"volume", "-5x"}, ExitUsage, `bad control command: volume "-5x": want 0-100, or +N/-N to change it`},
	} {
		for _, asJSON := range []bool{false, true} {
			args := c.args
			if asJSON {
				args = append(append([]string{}, c.args...), "--json")
			}
			out, errOut, code := h.ctl(args...)
			var e struct{ Error string }
			if code != c.code || errOut != "segue: "+c.says+"\n" {
				t.Errorf("ctl %s: exit %d, %q; want exit %d, %q", strings.Join(args, " "), code, errOut, c.code, c.says)
			}
			if asJSON && (json.Unmarshal([]byte(out), &e) != nil || e.Error != c.says) {
				t.Errorf("ctl %s printed %q; want {\"error\": %q}", strings.Join(args, " "), out, c.says)
			}
		}
	}
	if st := h.status(); st.QueueLength != 2 || st.Track == nil || st.Track.ID != tracks[0].ID || st.PositionMS != 10000 || st.State != "paused" {
		t.Errorf("after the refusals: %+v; want track 1 of 2 paused at 0:10", st)
	}
	// the end itself is there, and a move past it stops at it
	for _, c := range []struct {
		arg  string
		want int64
	}{{"1:00", 60000}, {"0:10", 10000}, {"+300", 60000}, {"-" + huge, 0}, {"+" + huge, 60000}} {
		if st := h.status(); st.Track == nil || st.Track.ID != tracks[0].ID {
			t.Fatalf("before seek %s: %+v; want track 1", c.arg, st)
		}
		h.ok("seek", c.arg)
		if st := h.status(); st.PositionMS != c.want || st.Track.ID != tracks[0].ID {
			t.Errorf("seek %s: at %d ms of %s; want %d ms of track 1", c.arg, st.PositionMS, st.Track.ID, c.want)
		}
	}
}

// pausedPlay starts segue play of ctlOrigin's first two tracks, waits for
// its control socket and pauses it, so that its position holds still.
func pausedPlay(t *testing.T) (*ctlHost, []catalog.Track) {
	t.Helper()
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID)
	h.waitSocket("play's control socket to answer")
	h.ok("pause")
	return h, tracks
}
