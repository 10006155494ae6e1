package cli

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"segue/catalog"
	"segue/player"
)

// restoredAskers is how many of a restored queue's tracks checkRestored
// asks the origin about at once, so that a long queue does not send its
// requests all together: 1,000 tracks are 250 rounds of requests (at a
// 100 ms round trip about 25 s: arithmetic, not measured).
const restoredAskers = 4

// restoredCheck is what checkRestored found of a restored queue's
// distinct tracks: Gone were answered 404, removed from the catalog (and
// marked gone, those still queued), Present with their manifest (or its
// stored copy), Unknown not asked or not answered (the origin away, or slow
// with no stored copy, or refusing).
type restoredCheck struct {
	Gone, Present, Unknown int
	// Why is the first answer that was neither a manifest nor a 404 (the
	// origin away: catalog.ErrUnreachable), after which nothing more was
	// asked; nil when every track was answered.
	Why error
}

// checkRestored asks, through manifest (the player's: the origin's
// GET /api/v1/tracks/{id}/manifest), about each distinct track of tracks,
// a queue just restored into p, restoredAskers at a time, and marks in p
// those the origin says were removed from its catalog (player.IsGone) as
// the player marks a track found gone ahead of playing it
// (Player.MarkGone): the interface's queue and segue ctl queue list show
// them gone at start, not once playback reaches them. Only that 404 counts:
// a stored copy standing in for a slow or away origin is the track
// present, and any other failure (the origin unreachable, offline with no
// stored copy) leaves the track unknown and stops the asking, so that an
// origin away is not asked once a track; the player finds those tracks as
// it reaches them. It returns once every request has ended, ctx's end
// included.
func checkRestored(ctx context.Context, p *player.Player, tracks []catalog.Track, manifest func(ctx context.Context, id string) error) restoredCheck {
	seen := make(map[string]bool, len(tracks))
	var ids []string
	for _, t := range tracks {
		if !seen[t.ID] {
			seen[t.ID] = true
			ids = append(ids, t.ID)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu  sync.Mutex
		out restoredCheck
		wg  sync.WaitGroup
	)
	next := make(chan string)
	for range min(restoredAskers, len(ids)) {
		wg.Go(func() {
			for id := range next {
				err := manifest(ctx, id)
				gone := player.IsGone(err)
				if gone {
					p.MarkGone(id, err)
				}
				mu.Lock()
				switch {
				case err == nil:
					out.Present++
				case gone:
					out.Gone++
				case out.Why == nil && ctx.Err() == nil:
					out.Why = err
					cancel() // the rest stay unknown
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, id := range ids {
		select {
		case next <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	out.Unknown = len(ids) - out.Gone - out.Present
	return out
}

// checkRestoredInBackground runs checkRestored on the queue restored into p
// from r's origin (a Subsonic server is not asked: its manifest request
// starts the track's download, and it says no track removed) and logs
// what it found; wait waits for it once ctx ends (before the cache
// closes: the answers are stored there).
func checkRestoredInBackground(ctx context.Context, p *player.Player, r *resolver, tracks []catalog.Track, log *slog.Logger) (wait func()) {
	if r.def == nil || len(tracks) == 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		c := checkRestored(ctx, p, tracks, func(ctx context.Context, id string) error {
			_, err := r.Manifest(ctx, id)
			return err
		})
		args := []any{"gone", c.Gone, "present", c.Present, "unknown", c.Unknown, "took_ms", time.Since(start).Milliseconds()}
		if c.Why != nil {
			args = append(args, "stopped_at", c.Why.Error())
		}
		log.Info("restored queue checked against the origin", args...)
	}()
	return func() { <-done }
}
