package ui

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/ui/action"
)

// pane drives Run through a pipe and reads what it drew.
type pane struct {
	t   *testing.T
	in  *io.PipeWriter
	out *testkit.Buffer
	all string // everything drawn so far
	at  int    // output before this offset has been looked at
}

func (tm *pane) keys(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Fatal(err)
	}
}

// press sends each key in its own write, so none is read together with
// the next (a run of runes would arrive as one paste-like message).
func (tm *pane) press(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		tm.keys(k)
	}
}

// wait waits until want is drawn after the last thing waited for.
func (tm *pane) wait(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm.all += tm.out.Take()
		out := tm.all
		if i := strings.Index(out[tm.at:], want); i >= 0 {
			tm.at += i + len(want)
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waiting for %q; drawn since the last wait:\n%s", want, out[tm.at:])
		}
		<-time.After(5 * time.Millisecond)
	}
}

// TestPlaylistShareFlow is issue 7 in the interface, through Run and its
// frame writer: create a playlist, add a track with s from search, share it
// with S (the URL goes to the clipboard as OSC 52), paste the URL after o and
// it plays; a malformed URL is one line of error; O pins with progress and
// then marks the playlist.
func TestPlaylistShareFlow(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	store := newFakeStore(cat)
	pins := &fakePinner{release: make(chan struct{})}
	pr, pw := io.Pipe()
	out := &testkit.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, Options{Catalog: cat, Player: pl, Playlists: store, Opener: store, Pinner: pins, NoticeFor: time.Hour},
			RunOptions{Input: pr, Output: out, Width: 100, Height: 30})
	}()
	tm := &pane{t: t, in: pw, out: out}
	defer pw.Close()

	tm.wait("type to search")
	tm.press("\t", "\t", "\t", "\t")
	tm.wait("none yet — N makes one")
	tm.keys("N")
	tm.wait("New playlist name:")
	tm.keys("Trip")
	tm.press("\r")
	tm.wait("created playlist “Trip”")

	tm.press("\t", "/")
	tm.keys("polar")
	tm.wait("1 track · 0 albums · 0 artists")
	tm.keys("\r") // leave the input on the first track
	tm.keys("s")  // the picker opens with Trip selected
	tm.wait("Add “Polar Night” to playlist")
	tm.wait("› Trip")
	tm.keys("\r")
	tm.wait("added “Polar Night” to “Trip”")

	tm.press("\t", "\t", "\t", "\t")
	tm.wait("1 track ")
	tm.keys("S")
	tm.wait("  shared") // the row's flag, drawn above the status line
	tm.wait("shared “Trip”: " + fakeOrigin + "/p/")
	url := fakeOrigin + "/p/tok_pl1_abcdefghijklmnopqrstu"
	if !strings.Contains(tm.all, OSC52(url)) {
		t.Fatalf("no OSC 52 with the base64 of %s in the output", url)
	}

	tm.keys("o")
	tm.wait("Open share URL or ID:")
	tm.keys("\x1b[200~" + url + "\x1b[201~")
	tm.press("\r")
	tm.wait("playing 1 track from Trip")
	tm.wait("▶ Polar Night · Aurora Lane")

	tm.keys("o")
	tm.wait("Open share URL or ID:")
	tm.keys("htp:/bad")
	tm.press("\r")
	tm.wait(`not a segue share URL: "htp:/bad": scheme htp is not http or https`)

	tm.keys("O")
	tm.wait("⇣ 50%")
	tm.wait("downloading playlist “Trip” for offline: 50%")
	close(pins.release)
	tm.wait("● offline")
	tm.wait("playlist “Trip” is available offline")

	tm.keys("q")
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end Run")
	}
	want := []action.Kind{action.Refresh, action.PlayNow}
	if got := pl.kinds(); !slices.Equal(got, want) {
		t.Errorf("player requests = %v, want %v", got, want)
	}
	if p, _ := pins.Pinned(); !slices.Equal(p, []string{"pl1"}) {
		t.Errorf("pinned = %v, want [pl1]", p)
	}
}
