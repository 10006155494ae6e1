package scrobble

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
)

// posterFunc is a Poster whose answer the test gives.
type posterFunc func(ctx context.Context, evs []catalog.PlayEvent) error

func (f posterFunc) PostEvents(ctx context.Context, evs []catalog.PlayEvent) error {
	return f(ctx, evs)
}

// TestSenderCloseEndsSpoolWait: the last delivery attempt of Close, its
// spool held by another segue (stopped with the lock held), ends with
// Close's ctx and keeps the play spooled. Remove's wait for the lock was
// called off by nothing: the command's stop, which promises at most a
// second, waited for as long as the other held it.
func TestSenderCloseEndsSpoolWait(t *testing.T) {
	dir := t.TempDir()
	spool := OpenSpool(dir)
	ev := catalog.PlayEvent{ID: "ev1", TrackID: "t", PlayedMS: 1000, At: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)}
	if err := spool.Append(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	holdSpool(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	delivered := posterFunc(func(context.Context, []catalog.PlayEvent) error {
		cancel() // the origin took them; the stop's time runs out while Remove waits
		return nil
	})
	s := NewSender(Options{Spool: spool, Poster: delivered})
	if err := s.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with the spool held by another, ctx cancelled: %v; want context.Canceled", err)
	}
	if evs, err := spool.Pending(10); err != nil || len(evs) != 1 || evs[0].ID != ev.ID {
		t.Errorf("spool after the cancelled delivery: %v (%v); want the play still there", evs, err)
	}
}

// TestSpoolAppendEndsWaitWithCtx: an Append whose spool another segue
// holds (stopped with the lock held) ends with its ctx and spools nothing.
// Its wait was called off by nothing: the stop's last play waited for as
// long as the other held the spool.
func TestSpoolAppendEndsWaitWithCtx(t *testing.T) {
	dir := t.TempDir()
	spool := OpenSpool(dir)
	holdSpool(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ev := catalog.PlayEvent{ID: "ev1", TrackID: "t", PlayedMS: 1000, At: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)}
	if err := spool.Append(ctx, ev); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with the spool held by another, ctx cancelled: %v; want context.Canceled", err)
	}
	if evs, err := spool.Pending(10); err != nil || len(evs) != 0 {
		t.Errorf("spool after the cancelled Append: %v (%v); want nothing spooled", evs, err)
	}
}

// holdSpool takes dir's spool lock as another segue would, stopped while
// holding it; it lets go after two seconds all the same, so that code whose
// wait nothing ends returns (and fails its test) instead of hanging it.
func holdSpool(t *testing.T, dir string) {
	t.Helper()
	held, err := os.OpenFile(filepath.Join(dir, SpoolFile+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		held.Close()
		t.Fatal(err)
	}
	release := time.AfterFunc(2*time.Second, func() { held.Close() })
	t.Cleanup(func() {
		if release.Stop() {
			held.Close()
		}
	})
}
