package origin

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"segue/catalog"
)

// Events is the store of play events (catalog.PlayEvent) in the catalog
// database: what the recommender learns from.
type Events struct{ db *sql.DB }

// NewEvents returns the event store of a catalog opened by OpenCatalog.
func NewEvents(db *sql.DB) *Events { return &Events{db: db} }

// MaxEventBatch is the most events one POST /api/v1/events may carry.
const MaxEventBatch = 500

// Add stores evs for listener (which overrides each event's own) in one
// transaction and returns how many were new: an event whose ID is already
// stored is ignored, so a resent batch counts once. An event without an
// ID gets one derived from its fields (eventID). Any invalid event refuses
// the whole batch with an error wrapping catalog.ErrBadEvent, and so does
// one whose At lies outside years 0 to 9999 (what RFC 3339 can write).
func (e *Events) Add(ctx context.Context, listener string, evs []catalog.PlayEvent) (int, error) {
	for i := range evs {
		if listener != "" {
			evs[i].Listener = listener
		}
		if evs[i].Listener == "" {
			return 0, fmt.Errorf("event %d: %w: no listener", i+1, catalog.ErrBadEvent)
		}
		if err := evs[i].Validate(); err != nil {
			return 0, fmt.Errorf("event %d: %w", i+1, err)
		}
		if y := evs[i].At.Year(); y < 0 || y > 9999 {
			// RFC 3339, which export writes and import reads, has
			// four-digit years: such an event would stop every export
			return 0, fmt.Errorf("event %d: %w: \"at\" is in year %d: want a time in years 0 to 9999", i+1, catalog.ErrBadEvent, y)
		}
		if evs[i].ID == "" {
			evs[i].ID = eventID(evs[i])
		}
	}
	added := 0
	err := catalogTx(ctx, e.db, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO events
			(id, listener, track_id, played_ms, completed, position_ms, at, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, ev := range evs {
			res, err := st.ExecContext(ctx, ev.ID, ev.Listener, ev.TrackID, ev.PlayedMS, ev.Completed, ev.PositionMS, ev.At.UnixMilli(), ev.Session)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store play events: %w", err)
	}
	return added, nil
}

// eventID derives a stable ID from an event's fields, so importing the
// same file twice adds nothing the second time.
func eventID(ev catalog.PlayEvent) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", ev.Listener, ev.TrackID, ev.At.UnixMilli(), ev.Session))
	return "x" + hex.EncodeToString(sum[:12])
}

// Import reads JSON Lines (one catalog.PlayEvent per line, blank lines
// skipped) and adds them in batches of MaxEventBatch. It returns how many
// lines it read and how many events were new. A bad line (not JSON, not a
// play event, longer than 1 MiB) stops the import with an error naming the
// line and wrapping catalog.ErrBadEvent; the events before it are kept.
func (e *Events) Import(ctx context.Context, r io.Reader) (read, added int, err error) {
	return e.ImportReporting(ctx, r, nil)
}

// ImportReport is how many events ImportReporting reads between two
// reports: a file of a million plays took a minute to import with nothing
// said, and this is a report every second or so.
const ImportReport = 10000

// ImportReporting is Import that calls progress (nil: none) with the
// events read and added so far each time another ImportReport of them
// are stored. When ctx ends (Ctrl-C) it stops between two lines, stores
// the events it read that are not stored yet (one transaction, whole or
// not at all) and returns ctx's error: what was read is kept, and a
// second import of the same file adds only the rest.
func (e *Events) ImportReporting(ctx context.Context, r io.Reader, progress func(read, added int)) (read, added int, err error) {
	lines, scanErr, quit := scanLines(r)
	defer close(quit)
	var batch []catalog.PlayEvent
	reported := 0
	flush := func() error {
		// a stop waits for this batch: ctx may have ended already
		n, err := e.Add(context.WithoutCancel(ctx), "", batch)
		added += n
		batch = batch[:0]
		if progress != nil && err == nil && read/ImportReport > reported {
			reported = read / ImportReport
			progress(read, added)
		}
		return err
	}
	// bad stops at a bad line, keeping the events before it (the batch
	// not yet flushed too), so that a fixed file imported again adds the rest
	bad := func(err error) (int, int, error) {
		if ferr := flush(); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return read, added, err
	}
	line := 0
	for {
		var text string
		var more bool
		select {
		case <-ctx.Done():
			if ferr := flush(); ferr != nil {
				return read, added, errors.Join(ctx.Err(), ferr)
			}
			return read, added, ctx.Err()
		case text, more = <-lines:
		}
		if !more {
			break
		}
		line++
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		var ev catalog.PlayEvent
		if err := decodeOne(strings.NewReader(text), &ev); err != nil {
			return bad(fmt.Errorf("line %d: %w: %v (want one JSON object a line with listener, track_id, played_ms, completed, at, session)", line, catalog.ErrBadEvent, err))
		}
		if ev.Listener == "" {
			return bad(fmt.Errorf("line %d: %w: no listener", line, catalog.ErrBadEvent))
		}
		if err := ev.Validate(); err != nil {
			return bad(fmt.Errorf("line %d: %w", line, err))
		}
		read++
		if batch = append(batch, ev); len(batch) == MaxEventBatch {
			if err := flush(); err != nil {
				return read, added, err
			}
		}
	}
	if err := *scanErr; errors.Is(err, bufio.ErrTooLong) {
		return bad(fmt.Errorf("line %d: %w: longer than 1 MiB (want one JSON object a line)", line+1, catalog.ErrBadEvent))
	} else if err != nil {
		return bad(fmt.Errorf("line %d: %w", line+1, err))
	}
	if len(batch) > 0 {
		err = flush()
	}
	return read, added, err
}

// scanLines reads r's lines (up to 1 MiB each) on a goroutine of its own,
// so that an import waiting for more of a pipe (standard input) still
// stops when told: lines gives them in order and is closed at the end of
// r, after which scanErr holds what ended it (nil at EOF). Closing quit
// stops the goroutine once its read in progress returns.
func scanLines(r io.Reader) (lines <-chan string, scanErr *error, quit chan<- struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	out := make(chan string, 64)
	stop := make(chan struct{})
	var serr error
	go func() {
		defer close(out)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-stop:
				return
			}
		}
		serr = sc.Err() // read after out is closed
	}()
	return out, &serr, stop
}

// Export writes every event (or only listener's, when not empty) as JSON
// Lines in time order, the format Import reads. A listener the origin does
// not know (see KnownListener) is ErrNotFound: an export of a mistyped ID
// was empty, as a known listener's with no plays is.
func (e *Events) Export(ctx context.Context, w io.Writer, listener string) (int, error) {
	if listener != "" {
		known, err := e.KnownListener(ctx, listener)
		if err != nil {
			return 0, err
		}
		if !known {
			return 0, fmt.Errorf("listener %q: %w", listener, ErrNotFound)
		}
	}
	n := 0
	err := e.Each(ctx, listener, func(ev catalog.PlayEvent) error {
		n++
		return json.NewEncoder(w).Encode(ev)
	})
	return n, err
}

// Each calls fn with every event (or listener's) in time order, until
// ctx ends (then its error).
func (e *Events) Each(ctx context.Context, listener string, fn func(catalog.PlayEvent) error) error {
	rows, err := e.db.QueryContext(ctx, `SELECT id, listener, track_id, played_ms, completed, position_ms, at, session
		FROM events WHERE ?1 = '' OR listener = ?1 ORDER BY at, id`, listener)
	if err != nil {
		return fmt.Errorf("read play events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev catalog.PlayEvent
		var at int64
		if err := rows.Scan(&ev.ID, &ev.Listener, &ev.TrackID, &ev.PlayedMS, &ev.Completed, &ev.PositionMS, &at, &ev.Session); err != nil {
			return fmt.Errorf("read play events: %w", err)
		}
		ev.At = time.UnixMilli(at).UTC()
		if err := ctx.Err(); err != nil { // stopped between two events, never within one
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return rows.Err()
}

// KnownListener reports whether listener is one whose plays this origin
// keeps: LocalOwner (an open origin's), a token's ID (revoked ones too), a
// Subsonic user's ID, or any listener with stored events (an import names
// its own).
func (e *Events) KnownListener(ctx context.Context, listener string) (bool, error) {
	if listener == LocalOwner {
		return true, nil
	}
	var known bool
	err := e.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE listener = ?1)
		OR EXISTS (SELECT 1 FROM tokens WHERE id = ?1) OR EXISTS (SELECT 1 FROM subsonic_users WHERE id = ?1)`, listener).Scan(&known)
	if err != nil {
		return false, fmt.Errorf("read listeners: %w", err)
	}
	return known, nil
}
