package cache

import (
	"context"
	"errors"
	"testing"
)

// stopAfterFirst is a progress callback that ends ctx at its first call,
// as Ctrl-C during the first step would, and counts its calls.
func stopAfterFirst(cancel context.CancelFunc, calls *int) func(done, total int64) {
	return func(int64, int64) {
		*calls++
		cancel()
	}
}

// entryCount is how many entries c holds.
func entryCount(t *testing.T, c *Cache) int64 {
	t.Helper()
	var n int64
	if err := c.db.QueryRow(`SELECT count(*) FROM entries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStepsStopWhenTold: VerifyEach, ClearEach and GCEach stopped after
// their first step return ctx's error having done that step only, and
// leave the cache consistent (totals agree with the rows).
func TestStepsStopWhenTold(t *testing.T) {
	t.Run("verify", func(t *testing.T) {
		c, _ := openTemp(t, 1<<20)
		fill(t, c, 1, 40, 100)
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		r, err := c.VerifyEach(ctx, stopAfterFirst(cancel, &calls))
		if !errors.Is(err, context.Canceled) || calls != 1 || r.Checked != 16 {
			t.Errorf("verify stopped after its first batch: %v, %d reports, %d checked; want context.Canceled, 1, 16", err, calls, r.Checked)
		}
		checkConsistent(t, c)
	})
	t.Run("clear", func(t *testing.T) {
		c, _ := openTemp(t, 1<<20)
		fill(t, c, 1, 3*clearBatch, 100)
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		err := c.ClearEach(ctx, false, stopAfterFirst(cancel, &calls))
		if n := entryCount(t, c); !errors.Is(err, context.Canceled) || calls != 1 || n != 2*clearBatch {
			t.Errorf("clear stopped after its first step: %v, %d reports, %d entries left; want context.Canceled, 1, %d", err, calls, n, 2*clearBatch)
		}
		checkConsistent(t, c)
		if err := c.ClearEach(context.Background(), false, nil); err != nil || entryCount(t, c) != 0 {
			t.Errorf("clear run again: %v, %d entries left; want none", err, entryCount(t, c))
		}
		checkConsistent(t, c)
	})
	t.Run("gc", func(t *testing.T) {
		c, _ := openTemp(t, 1<<20)
		fill(t, c, 1, 200, 1000)
		c.opts.MaxBytes = 10_000 // lowered while it runs: 190 entries over
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		err := c.GCEach(ctx, stopAfterFirst(cancel, &calls))
		if n := entryCount(t, c); !errors.Is(err, context.Canceled) || calls != 1 || n != 200-64 {
			t.Errorf("gc stopped after its first step: %v, %d reports, %d entries left; want context.Canceled, 1, %d", err, calls, n, 200-64)
		}
		checkConsistent(t, c)
	})
}
