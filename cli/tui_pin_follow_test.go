package cli

import (
	"testing"

	"segue/offline"
)

// TestTUIPinnedPlaylistFollowsEdits: a playlist pinned with O and then
// edited in the interface (s adds a track, d removes one) kept its
// offline copy as it was pinned until the next start, while the Playlists
// screen said "● offline" of every track: with the origin down the added
// track did not play. The pin now follows each edit made here, as segue
// offline list makes it follow edits made elsewhere, at the quality it was
// pinned at.
func TestTUIPinnedPlaylistFollowsEdits(t *testing.T) {
	url := tuiOrigin(t)
	a, d := runTUIIn(t, url, 120)
	// pinned checks that the one pin holds n tracks, with their segments
	pinned := func(n int) {
		t.Helper()
		l, err := offline.Load(a.cfg.StateDir)
		if err != nil || len(l.Collections) != 1 || len(l.Collections[0].Tracks) != n || (n > 0) != (len(l.Collections[0].Hashes) > 0) {
			t.Fatalf("offline list %+v, %v; want one pin of %d tracks with their segments", l, err, n)
		}
	}

	d.newMix()
	d.press("O")
	d.wait(`playlist “Mix” is available offline`)
	pinned(0)
	// as segue offline add --quality high pins it: the pin follows at that quality
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	l.Collections[0].Quality = "high"
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}

	d.addAuroraToMix()
	d.wait("added “Aurora Test” to “Mix”; its offline copy is up to date")
	pinned(1)
	if l, _ := offline.Load(a.cfg.StateDir); l.Collections[0].Quality != "high" {
		t.Errorf("the pin followed at quality %q; want high, as it was pinned", l.Collections[0].Quality)
	}

	d.press("\t", "\t", "\t", "\t", "\r")
	d.wait(`1\. Aurora Test`)
	d.press("d")
	d.wait(`removed “Aurora Test” from “Mix”; its offline copy is up to date`)
	pinned(0)
}
