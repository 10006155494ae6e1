package cli

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
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
	if _, _, code := segue(t, append(common, "radio", "tnosuchtrack")...); code != ExitNotFound {
		t.Fatalf("radio of an unknown track: exit %d, want %d", code, ExitNotFound)
	}

	out, errOut, code = segue(t, append(common, "play", "--radio", t1, "--output", "wav:"+filepath.Join(dir, "r.wav"), "--fast", "--json")...)
	if code != 0 {
		t.Fatalf("play --radio: exit %d\n%s\n%s", code, out, errOut)
	}
	var played []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		json.Unmarshal(sc.Bytes(), &e)
		if e.Event == "started" || e.Event == "track-changed" {
			played = append(played, e.Track.ID)
		}
	}
	if !slices.Equal(played, []string{t2, t1}) {
		t.Fatalf("play --radio %s played %v, want [%s %s]", t1, played, t2, t1)
	}
	if _, _, code := segue(t, append(common, "play", "--radio", t1, t2)...); code != ExitUsage {
		t.Fatalf("play --radio with a target: exit %d, want %d", code, ExitUsage)
	}

	// play --radio fails as segue radio does: an unknown seed is not found
	// (3), an origin down is unreachable (1); both said "the origin has
	// nothing to play after" (3).
	if _, errOut, code := segue(t, append(common, "play", "--radio", "tnosuchtrack", "--output", "null")...); code != ExitNotFound ||
		errOut != "segue: play --radio: seed tnosuchtrack not found\n" {
		t.Errorf("play --radio of an unknown track: exit %d, %q; want %d saying the seed is not found", code, errOut, ExitNotFound)
	}
	o.stop()
	_, fresh := clientDirs(t, url, "") // nothing of it cached (the radio played above would play offline)
	if _, errOut, code := segue(t, append(fresh, "play", "--radio", t1, "--output", "null")...); code != ExitError ||
		!strings.Contains(errOut, "is unreachable") {
		t.Errorf("play --radio with the origin down: exit %d, %q; want %d saying it is unreachable", code, errOut, ExitError)
	}
}
