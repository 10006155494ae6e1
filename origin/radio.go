package origin

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"segue/catalog"
	"segue/origin/reco"
)

// rebuildAfter is how old a model may get before a request starts a
// rebuild in the background (when events or tracks changed since).
const rebuildAfter = 30 * time.Second

// recentPlays is how many of the listener's last plays a radio leaves out.
const recentPlays = 50

// recommender keeps the current reco.Model of a catalog. Requests read the
// model without waiting; a stale one is rebuilt by one goroutine at a time
// while the old one keeps answering.
type recommender struct {
	db  *sql.DB
	log *slog.Logger
	// after is how old a model may get before a rebuild (rebuildAfter).
	after time.Duration

	model atomic.Pointer[builtModel]
	mu    sync.Mutex // guards building and closed; held while the first model is built
	// building is true while a rebuild goroutine runs.
	building, closed bool
	wg               sync.WaitGroup // the rebuild goroutine
}

type builtModel struct {
	m     *reco.Model
	stamp string // what the model was built from (see stamp)
	at    time.Time
}

// get returns the current model: the first call builds it; later calls
// start a background rebuild when it is stale.
func (r *recommender) get(ctx context.Context) (*reco.Model, error) {
	if cur := r.model.Load(); cur != nil {
		if time.Since(cur.at) > r.after {
			r.mu.Lock()
			if !r.building && !r.closed {
				r.building = true
				r.wg.Add(1)
				go r.rebuild(cur.stamp)
			}
			r.mu.Unlock()
		}
		return cur.m, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur := r.model.Load(); cur != nil {
		return cur.m, nil
	}
	b, err := r.build(ctx)
	if err != nil {
		return nil, err
	}
	r.model.Store(b)
	return b.m, nil
}

func (r *recommender) rebuild(old string) {
	defer r.wg.Done()
	defer func() { r.mu.Lock(); r.building = false; r.mu.Unlock() }()
	ctx := context.Background()
	if st, err := r.stamp(ctx); err == nil && st == old {
		r.model.Store(&builtModel{m: r.model.Load().m, stamp: old, at: time.Now()})
		return
	}
	b, err := r.build(ctx)
	if err != nil {
		r.log.Warn("rebuild recommender", "err", err)
		return
	}
	r.model.Store(b)
}

// close waits for a rebuild in progress; none starts after.
func (r *recommender) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wg.Wait()
}

// stamp summarizes what a model is built from: the number of events and
// the latest, and the number of tracks.
func (r *recommender) stamp(ctx context.Context) (string, error) {
	var events, last, tracks int64
	err := r.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events), (SELECT coalesce(max(at), 0) FROM events),
		(SELECT count(*) FROM tracks)`).Scan(&events, &last, &tracks)
	return fmt.Sprint(events, last, tracks), err
}

func (r *recommender) build(ctx context.Context) (*builtModel, error) {
	start := time.Now()
	st, err := r.stamp(ctx)
	if err != nil {
		return nil, fmt.Errorf("build recommender: %w", err)
	}
	tracks, err := recoTracks(ctx, r.db)
	if err != nil {
		return nil, fmt.Errorf("build recommender: %w", err)
	}
	var plays []catalog.PlayEvent
	if err := NewEvents(r.db).Each(ctx, "", func(ev catalog.PlayEvent) error { plays = append(plays, ev); return nil }); err != nil {
		return nil, fmt.Errorf("build recommender: %w", err)
	}
	m := reco.Build(tracks, plays, reco.Options{})
	r.log.Info("recommender built", "tracks", len(tracks), "events", len(plays), "took_ms", time.Since(start).Milliseconds())
	return &builtModel{m: m, stamp: st, at: time.Now()}, nil
}

// recoTracks reads what the recommender knows of every track. A tag the
// file did not have is left empty (reco.Track's "" is unknown): the
// Unknown Artist every file without an artist tag is filed under, and the
// Unknown Album of an artist's files without an album tag (its album group
// is the artist's, see albumGroup), made a library of untagged files one
// artist's and one album's: their cold start was a likeness of tags they
// do not have, and the rule of 2 tracks of an artist in any 10 cut a radio
// of 20 to 2.
func recoTracks(ctx context.Context, db *sql.DB) ([]reco.Track, error) {
	rows, err := db.QueryContext(ctx, `SELECT t.id, t.artist_id, t.album_id, t.album_group, t.year, t.disc_no, t.track_no,
		f.tempo, f.centroid, f.flatness, f.rolloff, f.rms_db, f.crest_db, f.recording
		FROM tracks t LEFT JOIN track_features f ON f.track_id = t.id ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reco.Track
	for rows.Next() {
		var t reco.Track
		var f [6]sql.NullFloat64
		var recording sql.NullString
		var group string
		if err := rows.Scan(&t.ID, &t.Artist, &t.Album, &group, &t.Year, &t.Disc, &t.No,
			&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &recording); err != nil {
			return nil, err
		}
		if t.Artist == unknownArtistID {
			t.Artist = ""
		}
		if strings.HasPrefix(group, albumGroupOfArtist) {
			t.Album = ""
		}
		if f[0].Valid {
			t.Features = []float64{f[0].Float64, f[1].Float64, f[2].Float64, f[3].Float64, f[4].Float64, f[5].Float64}
		}
		t.Fingerprint = recording.String
		out = append(out, t)
	}
	return out, rows.Err()
}

// unknownArtistID is the ID of the Unknown Artist (ensureArtist's), and
// albumGroupOfArtist starts the album group of the tracks without an
// album tag (albumGroup's).
var (
	unknownArtistID    = catalog.NewID(catalog.PrefixArtist, catalog.NameKey(unknownArtist))
	albumGroupOfArtist = "artist" + groupSep
)

// errEmptySeed is a seed that exists and holds no tracks (an empty
// playlist): there is nothing to start a radio from. It is a kind of
// ErrNotFound (404), said as itself: it was "seed ... not found".
var errEmptySeed = fmt.Errorf("%w: it holds no tracks to start a radio from", ErrNotFound)

// seedTracks resolves a radio seed to its tracks: a track, an album, an
// artist or one of owner's playlists (by ID prefix); errEmptySeed when it
// holds none.
func (s *Server) seedTracks(ctx context.Context, owner, seed string) ([]string, error) {
	var tracks []catalog.Track
	var err error
	switch {
	case strings.HasPrefix(seed, catalog.PrefixPlaylist):
		var pl catalog.Playlist
		pl, err = s.playlists.Get(ctx, owner, seed)
		tracks = pl.Tracks
	case strings.HasPrefix(seed, catalog.PrefixAlbum):
		var al catalog.Album
		al, err = s.reader.Album(ctx, seed)
		tracks = al.Tracks
	case strings.HasPrefix(seed, catalog.PrefixArtist):
		tracks, err = s.reader.tracks(ctx, ` WHERE t.artist_id = ?`, seed)
		if err == nil && len(tracks) == 0 {
			// no tracks: an artist ID nothing has is not found (it was
			// said to hold no tracks, as if the artist were there)
			_, err = s.reader.Artist(ctx, seed)
		}
	default:
		var t catalog.Track
		t, err = s.reader.Track(ctx, seed)
		tracks = []catalog.Track{t}
	}
	if err != nil {
		return nil, err
	}
	if len(tracks) == 0 {
		return nil, fmt.Errorf("seed %s: %w", seed, errEmptySeed)
	}
	ids := make([]string, len(tracks))
	for i, t := range tracks {
		ids[i] = t.ID
	}
	return ids, nil
}

// recentTracks returns the tracks listener played last, newest first.
func (s *Server) recentTracks(ctx context.Context, listener string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT track_id FROM events WHERE listener = ? ORDER BY at DESC LIMIT ?`, listener, recentPlays)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
