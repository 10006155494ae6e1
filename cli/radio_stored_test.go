package cli

import (
	"path/filepath"
	"strings"
	"testing"
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
	if _, errOut, code := segue(t, append(common, "radio", seed)...); code != ExitNotFound || !strings.Contains(errOut, "nothing to recommend") {
		t.Fatalf("radio %s after playing the album: exit %d, %q; want %d, nothing to recommend", seed, code, errOut, ExitNotFound)
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
