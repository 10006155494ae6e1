package ui

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// slowListing is a fakeStore whose playlist listing waits, once slow is
// set, until release is closed: an origin slow to list (a busy machine).
type slowListing struct {
	*fakeStore
	slow    *atomic.Bool
	release chan struct{}
}

func (s slowListing) Playlists(ctx context.Context) ([]catalog.Playlist, error) {
	if s.slow.Load() {
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.fakeStore.Playlists(ctx)
}

// TestPickerKeysBeforeItsListLoaded: s and enter typed fast, enter
// arriving while the picker still said "loading playlists…", took the
// row under the cursor then, "+ New playlist…", and asked for a new
// playlist's name; typed slower, the same keys added to the playlist the
// picker selects once loaded. Keys that come while it loads now wait for
// the list, as if typed after it.
func TestPickerKeysBeforeItsListLoaded(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	store := newFakeStore(cat)
	if _, err := store.CreatePlaylist(context.Background(), "Trip", nil); err != nil {
		t.Fatal(err)
	}
	slow := slowListing{fakeStore: store, slow: new(atomic.Bool), release: make(chan struct{})}
	pr, pw := io.Pipe()
	out := &testkit.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, Options{Catalog: cat, Player: pl, Playlists: slow, NoticeFor: time.Hour},
			RunOptions{Input: pr, Output: out, Width: 100, Height: 30})
	}()
	tm := &pane{t: t, in: pw, out: out}
	defer pw.Close()

	tm.wait("type to search")
	tm.press("/")
	tm.keys("polar")
	tm.wait("1 track · 0 albums · 0 artists")
	slow.slow.Store(true)
	tm.press("\r", "s")
	tm.wait("loading playlists…")
	tm.press("\r")
	close(slow.release)
	tm.wait("added “Polar Night” to “Trip”")
	if pls := store.snapshot(); len(pls) != 1 || len(pls[0].Tracks) != 1 {
		t.Fatalf("playlists after s and enter: %+v", pls)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
