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
					return radioNothing(c, since, args[0], "radio "+args[0]+": ", "nothing to recommend")
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
	// finished and exit 0 and not a word of why.
	say func(last catalog.Track, why string)

	mu     sync.Mutex      // guards the fields below: ctl radio and the player's events
	queued map[string]bool // the radio's tracks queued since it started
	n      int             // how many; 0 until a radio started
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
	n, err := f.more(ctx, seed)
	return radioErr(f.c, since, seed, n, err)
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
// from c: prefix+empty (exit 3, with radioEmptyWhy), unless a copy stored
// here from an earlier run stood in for c, which did not answer (c's
// stand-ins counted past since, read before the request): a radio needs
// the origin (it leaves out what was played since), so that is exit 1
// saying why, as with no copy stored. The stored empty answer was "nothing
// to recommend ... try another seed" (exit 3) with the origin down.
func radioNothing(c ui.Radio, since uint64, seed, prefix, empty string) error {
	if s, ok := c.(source); ok && standInsOf(c) > since {
		if why := storedWhy(s); why != "" {
			return withExit(ExitError, fmt.Errorf("%sa radio after %s needs the origin, and only an empty answer stored here from an earlier run came: %s", prefix, seed, why))
		}
	}
	return withExit(ExitNotFound, errors.New(prefix+empty+radioEmptyWhy(c)))
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
		return radioNothing(c, since, seed, "", "the origin has nothing to play after "+seed)
	}
	return nil
}

// more queues the tracks after seed not queued before and returns how
// many; f.mu is held.
func (f *radioFeeder) more(ctx context.Context, seed string) (int, error) {
	ts, err := f.c.Radio(ctx, seed, radioBatch)
	if c, ok := f.c.(source); ok && err != nil { // an unknown seed said as show says it
		err = whichNotFound(ctx, c, err, seed)
	}
	if err != nil {
		return 0, err
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
		return 0, nil
	case f.n == 0:
		f.p.PlayRadio(fresh...)
	default:
		f.p.AddRadio(fresh...)
	}
	f.n += len(fresh)
	return len(fresh), nil
}

// dry says why a top-up after t, the queue's last track, queued nothing
// (n): it ends the queue unless something else is queued meanwhile.
func (f *radioFeeder) dry(t catalog.Track, n int, err error) {
	switch {
	case f.say == nil || n > 0 || f.ctx.Err() != nil:
	case err != nil:
		f.say(t, fmt.Sprintf("the radio has no more after %q, which ends the queue: %s", t.Title, sentence(err)))
	default:
		f.say(t, fmt.Sprintf("the radio has nothing new after %q, which ends the queue%s", t.Title, radioEmptyWhy(f.c)))
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
			n, err := f.more(f.ctx, e.Track.ID)
			f.dry(e.Track, n, err)
		}
	}
}
