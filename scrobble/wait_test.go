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
	if err := spool.Append(ev); err != nil {
		t.Fatal(err)
	}
	held, err := os.OpenFile(filepath.Join(dir, SpoolFile+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	// let go later all the same, so that code whose wait nothing ends
	// returns (and fails below) instead of hanging the test
	release := time.AfterFunc(2*time.Second, func() { held.Close() })
	defer release.Stop()

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
