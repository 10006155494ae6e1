package mpris

import (
	"context"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/player"
)

// Close waits for the cover lookups (Options.Art) it started: each runs
// in a goroutine of its own that Close cancels. Before, Close returned
// with a lookup still running, which then used what the caller had
// closed after Close (cli's cover source, its cache) and announced its
// Metadata on a closed connection.
func TestCloseWaitsForTheCoverLookup(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", testkit.SessionBus(t, t.TempDir()))
	p := player.New(player.Options{})
	p.Add(catalog.Track{ID: "t1", Title: "One", AlbumID: "a1"})
	asked := make(chan struct{})
	release := make(chan struct{})
	s, err := Open(Options{Player: p, Art: func(ctx context.Context, t catalog.Track) string {
		close(asked)
		<-ctx.Done()
		<-release // the lookup's own cleanup, after its context ended
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	<-asked
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while the cover lookup it started was still running")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}
