package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/net/subsonic"
	"segue/player"
	"segue/ui"
)

func init() { register(radioCmd) }

func radioCmd(a *app) *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "radio SEED",
		Short: "List the tracks a radio from a track, album, artist or playlist would play",
		Long: `radio asks the origin what to play after SEED (a track, album, artist or
playlist ID): tracks heard in the same sessions by its listeners, or, for tracks
little played, tracks that sound alike and share album, artist or era. What you
played lately is left out, an artist has at most 2 tracks in any 10, and one
recording is never there twice. segue play --radio SEED plays it without end.`,
		Example:     `  segue radio t3f2c9a1b0d4e5f67 --limit 10`,
		Args:        cobra.ExactArgs(1),
		Annotations: ids(radioSeedIDs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !catalog.IsID(args[0]) {
				return notAnID(args[0], false)
			}
			return a.withClient(func(c source) error {
				since := standInsOf(c)
				ts, err := c.Radio(cmd.Context(), args[0], limit)
				if err != nil {
					// prefixed as its other errors are (an unknown seed said
					// "track tzzz not found ..." alone)
					return fmt.Errorf("radio %s: %w", args[0], whichNotFound(cmd.Context(), c, err, args[0]))
				}
				if len(ts) == 0 {
					// said as segue ctl radio and play --radio say it (it
					// was "radio SEED: nothing to recommend")
					return radioNothing(c, since, args[0])
				}
				if asJSON {
					return a.printJSON(ts)
				}
				return a.printTables(trackTable(ts))
			})
		},
	}
	intFlag(cmd.Flags(), &limit, "limit", 20, 1, catalog.MaxRadioLimit, fmt.Sprintf("at most `N` tracks (1-%d)", catalog.MaxRadioLimit))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// radioSeedIDs are the IDs a radio's seed completes to (tracks are too
// many to list).
const radioSeedIDs = idAlbum + "," + idArtist + "," + idPlaylist

// radioBatch is how many tracks a radio fetches at a time.
const radioBatch = 20

// radioFeeder keeps a radio going in `segue play`, once one started
// (--radio, or segue ctl radio): when the queue's last track starts
// (whoever queued it), it asks for a radio after that track and queues
// what was not queued before, so the queue ends only when the origin has
// nothing new to offer. The interface uses one to start a radio for
// segue ctl radio only: its autoplay goes on from there.
type radioFeeder struct {
	ctx context.Context // of the top-ups
	c   ui.Radio
	p   *player.Player
	// say (may be nil) tells the listener why a top-up after the track
	// playing, the queue's last, queued nothing, when the queue then ends
	// with it: play --radio, promised "without end", stopped with a
	// finished and exit 0 and not a word of why. failed is true when the
	// top-up failed for want of the origin (failure says it again).
	say func(last catalog.Track, why string, failed bool)

	mu     sync.Mutex      // guards the fields below: ctl radio and the player's events
	queued map[string]bool // the radio's tracks queued since it started
	n      int             // how many; 0 until a radio started
	// failed is why the last top-up queued nothing when the origin did
	// not answer it (unreachable, or only a stored copy stood in): the
	// error the radio's start fails with in that case; nil when it
	// answered or a top-up since queued tracks.
	failed error
}

// start plays a radio after seed now, its tracks put after the one
// playing and ahead of the rest of the queue (player.Play): it fails as
// segue radio does (an unknown seed 3, an unreachable origin 1), and with
// exit status 3 when the origin recommends nothing. Both said "the origin
// has nothing to play" (3).
func (f *radioFeeder) start(ctx context.Context, seed string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued, f.n = map[string]bool{}, 0
	since := standInsOf(f.c)
	n, _, err := f.more(ctx, seed)
	return radioErr(f.c, since, seed, n, err)
}

// failure is why the radio ended the queue for want of the origin (the
// last top-up's failed), or nil: segue play --radio ends with it, so
// that it exits as the radio's start does then (1), not 0.
func (f *radioFeeder) failure() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// radioEmptyWhy ends the error of a radio that came back empty from c. On
// segue's origin that is most often a small library whose tracks were all
// played lately, which a radio leaves out; a Subsonic server's similar songs
// come from elsewhere (Last.fm for gonic and Navidrome).
func radioEmptyWhy(c ui.Radio) string {
	if _, ok := c.(*subsonic.Client); ok {
		return ": the server's getSimilarSongs knows no track like it (gonic and Navidrome ask Last.fm, and find nothing without their Last.fm API key)"
	}
	return ": a radio leaves out its seed and what you played lately (your last 50 plays), " +
		"and no other track is known to be like it; try another seed, or play more of the library first"
}

// radioNothing is the error of a radio after seed that came back empty
// from c, the one sentence segue radio, segue ctl radio and play --radio
// say: "the origin (or the Subsonic server) has nothing to play after
// SEED" with radioEmptyWhy (exit 3), unless a copy stored here from an
// earlier run stood in for c, which did not answer (c's stand-ins counted
// past since, read before the request): a radio needs the origin (it
// leaves out what was played since), so that is exit 1 saying why, as
// with no copy stored. The stored empty answer was "nothing to recommend
// ... try another seed" (exit 3) with the origin down.
func radioNothing(c ui.Radio, since uint64, seed string) error {
	if err := radioStale(c, since, seed, true); err != nil {
		return err
	}
	who := "the origin"
	if _, ok := c.(*subsonic.Client); ok {
		who = "the Subsonic server"
	}
	return withExit(ExitNotFound, errors.New(who+" has nothing to play after "+seed+radioEmptyWhy(c)))
}

// radioStale is the error of a radio after seed (an ID, or a track's
// title quoted) that found nothing to queue when a copy stored here from
// an earlier run stood in for c, which did not answer (c's stand-ins
// counted past since): a radio needs the origin, exit 1. empty says the
// stored answer held no tracks (else it held only tracks queued already).
// It is nil when c answered itself.
func radioStale(c ui.Radio, since uint64, seed string, empty bool) error {
	s, ok := c.(source)
	if !ok || standInsOf(c) <= since {
		return nil
	}
	why := storedWhy(s)
	if why == "" {
		return nil
	}
	answer := "an empty answer stored here from an earlier run came"
	if !empty {
		answer = "an answer stored here from an earlier run came, holding no track not queued already"
	}
	return withExit(ExitError, fmt.Errorf("a radio after %s needs the origin, and only %s: %s", seed, answer, why))
}

// standInsOf returns how many stored answers stood in for c so far
// (originclient's and subsonic's StandIns), or 0 for a source that keeps
// none.
func standInsOf(c any) uint64 {
	if s, ok := c.(interface{ StandIns() uint64 }); ok {
		return s.StandIns()
	}
	return 0
}

// radioErr is how a radio's first batch fails: n tracks came after seed,
// or err.
func radioErr(c ui.Radio, since uint64, seed string, n int, err error) error {
	switch {
	case err != nil:
		return err
	case n == 0:
		return radioNothing(c, since, seed)
	}
	return nil
}

// more queues the tracks after seed not queued before and returns how
// many, and how many the radio answered; f.mu is held.
func (f *radioFeeder) more(ctx context.Context, seed string) (n, answered int, err error) {
	ts, err := f.c.Radio(ctx, seed, radioBatch)
	if c, ok := f.c.(source); ok && err != nil { // an unknown seed said as show says it
		err = whichNotFound(ctx, c, err, seed)
	}
	if err != nil {
		return 0, 0, err
	}
	var fresh []catalog.Track
	for _, t := range ts {
		if !f.queued[t.ID] {
			f.queued[t.ID] = true
			fresh = append(fresh, t)
		}
	}
	switch {
	case len(fresh) == 0:
		return 0, len(ts), nil
	case f.n == 0:
		f.p.PlayRadio(fresh...)
	default:
		f.p.AddRadio(fresh...)
	}
	f.n += len(fresh)
	return len(fresh), len(ts), nil
}

// dry says why a top-up after t, the queue's last track, queued nothing
// (n of answered; since is c's stand-ins before it asked): it ends the
// queue unless something else is queued meanwhile. A top-up that failed
// (err), or that only a copy stored here answered, is kept in f.failed
// and said as the radio's start says it: with the origin down, the empty
// radio stored for t was "nothing new after t ... try another seed",
// exit 0. f.mu is held.
func (f *radioFeeder) dry(t catalog.Track, since uint64, n, answered int, err error) {
	f.failed = nil
	if n > 0 || f.ctx == nil || f.ctx.Err() != nil { // no ctx: no top-ups (the interface's ctl radio)
		return
	}
	why := fmt.Sprintf("the radio has nothing new after %q, which ends the queue%s", t.Title, radioEmptyWhy(f.c))
	if err != nil {
		f.failed = fmt.Errorf("the radio has no more after %q, which ends the queue: %w", t.Title, err)
		why = sentence(f.failed)
	} else if stale := radioStale(f.c, since, fmt.Sprintf("%q", t.Title), answered == 0); stale != nil {
		f.failed, why = stale, stale.Error()
	}
	if f.say != nil {
		f.say(t, why, f.failed != nil)
	}
}

// observe is the feeder's watch on the player's events: once a radio
// started, the queue's last track starting asks for more. (It asked when
// the feeder's own last track started, counting only what it queued, so a
// track a script or MPRIS added or inserted moved the top-up off the
// queue's end and the radio stopped there.)
func (f *radioFeeder) observe(ev player.Event) {
	if e, ok := ev.(player.TrackEvent); ok && !e.Seek && e.Index == len(f.p.Status().Queue)-1 {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n > 0 {
			// on a failure the queue plays out; the next track start tries again
			since := standInsOf(f.c)
			n, answered, err := f.more(f.ctx, e.Track.ID)
			f.dry(e.Track, since, n, answered, err)
		}
	}
}
