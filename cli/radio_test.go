package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestRadioCommands: on the two-track album, the radio after track 1 is
// track 2; play --radio plays it, then the radio after track 2 (track 1),
// and ends when the origin has nothing new; a seed it does not know or an
// origin down fails as segue radio does.
func TestRadioCommands(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	slices.SortFunc(tracks, func(a, b catalog.Track) int { return strings.Compare(a.Title, b.Title) })
	t1, t2 := tracks[0].ID, tracks[1].ID
	dir, common := clientDirs(t, url, "")

	out, errOut, code := segue(t, append(common, "radio", t1, "--json")...)
	var ts []catalog.Track
	if code != 0 || json.Unmarshal([]byte(out), &ts) != nil || len(ts) != 1 || ts[0].ID != t2 {
		t.Fatalf("radio %s --json: exit %d, %s (want [%s])\n%s", t1, code, out, t2, errOut)
	}
	// an unknown seed is said with the "radio SEED:" its other errors
	// begin with (it said "track tnosuchtrack not found ..." alone)
	if _, errOut, code := segue(t, append(common, "radio", "tnosuchtrack")...); code != ExitNotFound ||
		errOut != "segue: radio tnosuchtrack: track tnosuchtrack not found on the origin at "+strings.TrimPrefix(url, "http://")+idsHint+"\n" {
		t.Fatalf("radio of an unknown track: exit %d, %q; want %d saying radio tnosuchtrack: track tnosuchtrack not found", code, errOut, ExitNotFound)
	}

	out, errOut, code = segue(t, append(common, "play", "--radio", t1, "--output", "wav:"+filepath.Join(dir, "r.wav"), "--fast", "--json")...)
	if code != 0 {
		t.Fatalf("play --radio: exit %d\n%s\n%s", code, out, errOut)
	}
	var played []string
	var ended []playEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		json.Unmarshal(sc.Bytes(), &e)
		switch e.Event {
		case "started", "track-changed":
			played = append(played, e.Track.ID)
		case "radio-ended":
			ended = append(ended, e)
		}
	}
	if !slices.Equal(played, []string{t2, t1}) {
		t.Fatalf("play --radio %s played %v, want [%s %s]", t1, played, t2, t1)
	}
	// a radio "without end" that ended said nothing of why: now the top-up
	// that found nothing new says so as the last track starts, with --json
	// as an event (it was a line on stderr, which a script reading the
	// events did not see)
	want := fmt.Sprintf("the radio has nothing new after %q, which ends the queue: a radio leaves out", tracks[0].Title)
	if len(ended) != 1 || ended[0].TrackID != t1 || !strings.HasPrefix(ended[0].Message, want) || strings.Contains(errOut, want) {
		t.Errorf("play --radio --json that ran out: radio-ended events %+v, stderr %q; want one, for %s, saying %s..., and nothing on stderr", ended, errOut, t1, want)
	}
	// Both tracks are now among what this listener played lately, which a
	// radio leaves out: nothing is left, and the error says why rather than
	// only "nothing to recommend", which read as a broken recommender.
	// segue radio says it as segue ctl radio and play --radio (whose start
	// is ctl radio's) do: it said "radio T: nothing to recommend" where they
	// said "the origin has nothing to play after T", for the same answer.
	_, radioErrOut, code := segue(t, append(common, "radio", t1)...)
	want = "segue: the origin has nothing to play after " + t1 + ": a radio leaves out its seed and what you played lately"
	if code != ExitNotFound || !strings.HasPrefix(radioErrOut, want) {
		t.Errorf("radio %s after playing both tracks: exit %d, %q; want %d saying %q...", t1, code, radioErrOut, ExitNotFound, want)
	}
	if _, errOut, code := segue(t, append(common, "play", "--radio", t1, "--output", "null")...); code != ExitNotFound ||
		errOut != strings.Replace(radioErrOut, "segue: ", "segue: play --radio: ", 1) && errOut != radioErrOut {
		t.Errorf("play --radio %s after playing both tracks: exit %d, %q; want %d and the sentence segue radio says, %q", t1, code, errOut, ExitNotFound, radioErrOut)
	}
	if _, _, code := segue(t, append(common, "play", "--radio", t1, t2)...); code != ExitUsage {
		t.Fatalf("play --radio with a target: exit %d, want %d", code, ExitUsage)
	}

	// play --radio fails as segue radio does: an unknown seed is not found
	// (3), an origin down is unreachable (1); both said "the origin has
	// nothing to play after" (3).
	if _, errOut, code := segue(t, append(common, "play", "--radio", "tnosuchtrack", "--output", "null")...); code != ExitNotFound ||
		errOut != "segue: play --radio: track tnosuchtrack not found on the origin at "+strings.TrimPrefix(url, "http://")+idsHint+"\n" {
		t.Errorf("play --radio of an unknown track: exit %d, %q; want %d saying the seed is not found", code, errOut, ExitNotFound)
	}
	o.stop()
	_, fresh := clientDirs(t, url, "") // nothing of it cached (the radio played above would play offline)
	if _, errOut, code := segue(t, append(fresh, "play", "--radio", t1, "--output", "null")...); code != ExitError ||
		!strings.Contains(errOut, "is unreachable") {
		t.Errorf("play --radio with the origin down: exit %d, %q; want %d saying it is unreachable", code, errOut, ExitError)
	}
}

// TestPlayRadioSaysWhyItEndsOnStderr: without --json, play --radio says
// why the radio ends on stderr, once, as its last track starts, and
// nothing of it on stdout (TestRadioCommands has the --json event).
func TestPlayRadioSaysWhyItEndsOnStderr(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	slices.SortFunc(tracks, func(a, b catalog.Track) int { return strings.Compare(a.Title, b.Title) })
	dir, common := clientDirs(t, url, "")
	out, errOut, code := segue(t, append(common, "play", "--radio", tracks[0].ID, "--output", "wav:"+filepath.Join(dir, "r.wav"), "--fast")...)
	if code != 0 {
		t.Fatalf("play --radio: exit %d\n%s\n%s", code, out, errOut)
	}
	want := fmt.Sprintf("the radio has nothing new after %q, which ends the queue: a radio leaves out", tracks[0].Title)
	if n := strings.Count(errOut, want); n != 1 || strings.Contains(out, "nothing new") {
		t.Errorf("play --radio that ran out: said %d times on stderr %q, stdout %q; want once on stderr, saying %s..., and not on stdout", n, errOut, out, want)
	}
}

// play --radio asked for more when the last track it had queued itself
// started, so after a script added a track (segue ctl queue add) it asked
// one track early, after a track that was not the last, and never when the
// queue's real last track started: the radio stopped there. Now the
// queue's last track starting asks, whoever queued it.
func TestRadioTopsUpAtTheQueuesEnd(t *testing.T) {
	o, tracks := ctlLibrary(t)
	h := newCtlHost(t)
	playOut, playErr := h.start("--origin", "http://"+o.addr, "play", "--radio", tracks[0].ID, "--output", "null")
	defer func() {
		if t.Failed() {
			t.Logf("play's output:\n%s%s", playOut, playErr)
		}
	}()
	radios := func() int { return o.access.requests("/api/v1/radio", 200)["/api/v1/radio"] }
	playing := func(id string) func() bool {
		return func() bool {
			st := h.status()
			return st.Track != nil && st.Track.ID == id && st.PositionMS >= 1000
		}
	}
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	var queued []string
	for _, line := range strings.Split(strings.TrimSpace(h.ok("queue", "list")), "\n")[1:] {
		f := strings.Fields(line)
		queued = append(queued, f[len(f)-1])
	}
	if len(queued) != 2 || radios() != 1 {
		t.Fatalf("the radio after %s queued %v after %d radio requests; want the album's 2 other tracks after 1", tracks[0].ID, queued, radios())
	}
	h.ok("queue", "add", queued[0]) // the queue's end is now this track, not the radio's last
	h.ok("next")
	testkit.Wait(t, time.Minute, "the radio's last track to play", playing(queued[1]))
	if n := radios(); n != 1 {
		t.Errorf("the radio's last track, not the queue's, asked for more: %d radio requests, want 1", n)
	}
	h.ok("next")
	testkit.Wait(t, time.Minute, "the queue's last track to ask for more", func() bool { return radios() == 2 })
}

// play --radio SEED --enqueue with a segue running said "bad control
// command: queue add: give at least one TARGET" (exit 2): the radio's
// tracks were never fetched. Now its first batch joins the running queue.
func TestRadioEnqueues(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID)
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	out, err := h.command("--origin", url, "play", "--radio", tracks[0].ID, "--enqueue").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "added ") {
		t.Fatalf("play --radio --enqueue: %v, %s", err, out)
	}
	if st := h.status(); st.QueueLength < 2 {
		t.Errorf("after play --radio --enqueue the queue has %d tracks, want the radio's after the one playing", st.QueueLength)
	}
}

// TestTUIRadioFromEmptyPlaylist: R on a playlist with no tracks said
// "could not radio after playlist “Empty”: it is not on the origin", though
// the playlist was right there on the screen (the origin's 404 said the
// seed holds no tracks). Now it says the playlist has no tracks and how to
// add some, on the list and in the open playlist.
func TestTUIRadioFromEmptyPlaylist(t *testing.T) {
	url := tuiOrigin(t)
	s := startTUI(t, url, 80, 24) // the line fits 80 columns
	s.waitText("nothing playing")
	segueIn(t, s.dir, "--origin", url, "playlist", "create", "Empty")
	s.keys("BTab") // Playlists
	s.waitText("0 tracks")
	const says = "playlist “Empty” has no tracks to start a radio from: add some with s"
	s.keys("R")
	scr := s.waitScreen("a line about R", func(scr string) bool {
		return strings.Contains(scr, says) || strings.Contains(scr, "radio after")
	})
	if !strings.Contains(scr, says) {
		t.Fatalf("R on an empty playlist; want %q:\n%s", says, scr)
	}
	s.keys("Enter") // open it
	s.waitText("empty — press s")
	s.keys("R")
	scr = s.waitScreen("a line about R", func(scr string) bool {
		return strings.Contains(scr, says) || strings.Contains(scr, "radio after")
	})
	if !strings.Contains(scr, says) || strings.Contains(scr, "not on the origin") {
		t.Fatalf("R in an open empty playlist; want %q:\n%s", says, scr)
	}
}
