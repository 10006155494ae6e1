package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// A radio needs the origin: with it down, the answer stored from an
// earlier run stood in for it, and when that one was empty (every track
// played lately) `segue radio` said "nothing to recommend ... try another
// seed, or play more of the library first" (exit 3), and `play --radio`
// "the origin has nothing to play after" (exit 3), as if the origin had
// answered. Both must say the origin is unreachable (exit 1), as they
// do with nothing stored.
func TestEmptyStoredRadioWithTheOriginDown(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	dir, common := clientDirs(t, url, "")
	segueOK(t, append(common, "play", tracks[0].AlbumID, "--output", "wav:"+filepath.Join(dir, "a.wav"), "--fast")...)
	seed := tracks[0].ID
	// both tracks played lately: the origin's own answer is empty (stored)
	if _, errOut, code := segue(t, append(common, "radio", seed)...); code != ExitNotFound || !strings.Contains(errOut, "the origin has nothing to play after "+seed) {
		t.Fatalf("radio %s after playing the album: exit %d, %q; want %d, the origin has nothing to play after it", seed, code, errOut, ExitNotFound)
	}
	o.stop()
	for _, args := range [][]string{{"radio", seed}, {"play", "--radio", seed, "--output", "null"}} {
		_, errOut, code := segue(t, append(common, args...)...)
		if code != ExitError || !strings.Contains(errOut, "is unreachable") || strings.Contains(errOut, "try another seed") {
			t.Errorf("%s with the origin down and an empty radio stored: exit %d, %q; want %d saying the origin is unreachable",
				strings.Join(args, " "), code, errOut, ExitError)
		}
	}
}

// The interface's R had the same fault: with the origin stopped, the empty
// radio stored when R was pressed before stood in for it, and the line said
// "radio after “Solo Test”: nothing new to play". It must say that a radio
// needs the origin, as R with nothing stored does.
func TestTUIEmptyStoredRadioWithTheOriginDown(t *testing.T) {
	url, stop := serveTracks(t, []tuiTrack{{"01.flac", "Solo Test", "sine=frequency=440:duration=12:sample_rate=44100"}})
	_, d := runTUIIn(t, url, 120)
	d.wait("type to search")
	d.press("/")
	d.paste("solo")
	d.wait(`1 track · `)
	d.press("\r", "\r")
	d.wait(`▶ Solo Test`)
	d.press("R")
	d.wait(`radio after “Solo Test”: nothing new to play`)
	stop()
	d.press("R")
	d.wait(`no radio after “Solo Test”: a radio needs the origin, which did not answer`)
}

// play --radio had the fault at its refill too: with the origin down, the
// radio's start was answered by a stored copy (the radio after the seed,
// asked before), and when the queue's last track started, the empty radio
// stored for it stood in for the origin: play said "the radio has nothing
// new after ..., a radio leaves out its seed and what you played lately",
// as if the origin had answered, and exited 0. It must say what the start
// says then, that a radio needs the origin and only an empty answer stored
// here came, the origin being unreachable, and exit 1 as the start does:
// on stderr once (at the end, as the start's error), and with --json in
// the radio-ended event and the closing error event. A refill that found
// the origin unreachable with nothing stored ended with exit 0 as well:
// it is exit 1 too.
func TestStoredRadioRefillWithTheOriginDown(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	slices.SortFunc(tracks, func(a, b catalog.Track) int { return strings.Compare(a.Title, b.Title) })
	t1, t2 := tracks[0], tracks[1]
	dir, common := clientDirs(t, url, "")
	_, never := clientDirs(t, url, "") // one that never asked the radio after t2
	for _, env := range [][]string{common, never} {
		// the radio after t1 (t2), stored while nothing was played
		if out, errOut, code := segue(t, append(env, "radio", t1.ID, "--json")...); code != ExitOK || !strings.Contains(out, t2.ID) {
			t.Fatalf("radio %s: exit %d, %s%s; want %s", t1.ID, code, out, errOut, t2.ID)
		}
	}
	// both played (and cached): the radio after t2 is empty, stored too
	for _, env := range [][]string{common, never} {
		segueOK(t, append(env, "play", t1.AlbumID, "--output", "wav:"+filepath.Join(dir, "a.wav"), "--fast")...)
	}
	if _, errOut, code := segue(t, append(common, "radio", t2.ID)...); code != ExitNotFound {
		t.Fatalf("radio %s after playing the album: exit %d, %q; want %d", t2.ID, code, errOut, ExitNotFound)
	}
	o.stop()
	want := fmt.Sprintf("a radio after %q needs the origin, and only an empty answer stored here from an earlier run came: ", t2.Title)

	out, errOut, code := segue(t, append(common, "play", "--radio", t1.ID, "--output", "wav:"+filepath.Join(dir, "r.wav"), "--fast")...)
	if code != ExitError || strings.Count(errOut, want) != 1 || !strings.Contains(errOut, "is unreachable") || strings.Contains(errOut, "nothing new") {
		t.Errorf("play --radio whose refill only a stored empty radio answered: exit %d\n%s%s\nwant %d, stderr saying %s... (the origin is unreachable) once",
			code, out, errOut, ExitError, want)
	}

	out, errOut, code = segue(t, append(common, "play", "--radio", t1.ID, "--output", "wav:"+filepath.Join(dir, "j.wav"), "--fast", "--json")...)
	var ended, failed []playEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		json.Unmarshal(sc.Bytes(), &e)
		switch e.Event {
		case "radio-ended":
			ended = append(ended, e)
		case "error":
			failed = append(failed, e)
		}
	}
	if code != ExitError || len(ended) != 1 || ended[0].TrackID != t2.ID || !strings.Contains(ended[0].Message, want) ||
		len(failed) != 1 || !failed[0].Fatal || !strings.Contains(failed[0].Message, want) {
		t.Errorf("play --radio --json whose refill only a stored empty radio answered: exit %d\n%s%s\nwant %d, one radio-ended for %s and one fatal error, saying %s...",
			code, out, errOut, ExitError, t2.ID, want)
	}

	// no radio stored for t2 at all: the refill fails, the origin being
	// unreachable, which ended the queue with exit 0 too
	out, errOut, code = segue(t, append(never, "play", "--radio", t1.ID, "--output", "wav:"+filepath.Join(dir, "n.wav"), "--fast")...)
	if noMore := fmt.Sprintf("the radio has no more after %q, which ends the queue: ", t2.Title); code != ExitError ||
		strings.Count(errOut, noMore) != 1 || !strings.Contains(errOut, "is unreachable") {
		t.Errorf("play --radio whose refill found the origin down: exit %d\n%s%s\nwant %d, stderr saying %s... (the origin is unreachable) once",
			code, out, errOut, ExitError, noMore)
	}
}
