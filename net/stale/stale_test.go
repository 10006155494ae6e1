package stale

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A server that lets Wait pass is deaf for DeafFor, timed on the
// monotonic clock: the deadline was wall-clock UnixNano, so a clock set
// back kept the server deaf (its stored answers given without asking it)
// for as long as the clock went back.
func TestDeafIsTimedOnTheMonotonicClock(t *testing.T) {
	g := NewGroup()
	defer g.Close()
	got, err := First(g, context.Background(), "stored", func(ctx context.Context) (string, error) {
		<-ctx.Done() // a server that takes the request and never answers
		return "", ctx.Err()
	})
	if err != nil || got != "stored" {
		t.Fatalf("First = %q, %v; want the stored answer after Wait", got, err)
	}
	if !g.Deaf() {
		t.Fatal("Deaf is false after the server let Wait pass; want true")
	}
	// a wall-clock UnixNano is about 1.8e18; an offset since the process
	// started is at most the test run's length plus DeafFor
	till := g.deafTill.Load()
	if till <= 0 || till > int64(24*time.Hour) {
		t.Errorf("deafTill is %d; want nanoseconds on the monotonic clock since the process started", till)
	}
	if left := time.Duration(till - monoNow()); left <= 0 || left > DeafFor {
		t.Errorf("deaf for %v more; want at most DeafFor (%v)", left, DeafFor)
	}
	g.Heard()
	if g.Deaf() {
		t.Error("Deaf is true after the server answered; want false")
	}
}

// TestUnansweredSaysWhyAStoredAnswerStoodIn: a group whose server gave
// every answer has no cause; one whose server let Wait pass has ErrSlow,
// and so does an answer given while it is deaf; StoodIn records another.
func TestUnansweredSaysWhyAStoredAnswerStoodIn(t *testing.T) {
	g := NewGroup()
	defer g.Close()
	if _, err := First(g, context.Background(), "stored", func(context.Context) (string, error) { return "fresh", nil }); err != nil || g.Unanswered() != nil {
		t.Fatalf("after the server's own answer: %v, Unanswered %v; want nil", err, g.Unanswered())
	}
	got, _ := First(g, context.Background(), "stored", func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	if got != "stored" || !errors.Is(g.Unanswered(), ErrSlow) {
		t.Fatalf("after Wait passed: %q, Unanswered %v; want the stored answer and ErrSlow", got, g.Unanswered())
	}
	refused := errors.New("connection refused")
	g.StoodIn(refused)
	if g.Unanswered() != refused {
		t.Fatalf("Unanswered = %v; want the cause StoodIn recorded", g.Unanswered())
	}
}
