package origin

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"strings"
	"time"

	"segue/catalog"
	"segue/origin/blobs"
)

// ErrMigrateVerify is wrapped when a migrated copy differs from its source:
// a blob whose bytes do not hash to its key, or a table whose rows differ.
var ErrMigrateVerify = errors.New("copy does not match the source")

// ErrMigrateTargetHolds is wrapped when the target catalog holds tracks
// the source does not: another origin's catalog, or tracks an ingest put
// there. Migrate copies into an empty catalog or its own partial copy.
var ErrMigrateTargetHolds = errors.New("the target catalog holds tracks of another catalog")

// MigrateOptions configure Migrate.
type MigrateOptions struct {
	// From is the data dir of a single-machine origin (catalog.db, blobs/);
	// required. Its catalog is brought to this segue's schema first.
	From string
	// ToCatalog is the PostgreSQL catalog to copy into (postgres://...);
	// required. Rows it already holds are kept (a run resumes), rows it
	// holds that the source does not fail the verification.
	ToCatalog string
	// ToBlobs is the blob store to copy segments and covers into; nil
	// leaves them where they are (From/blobs).
	ToBlobs blobs.Store
	// Progress, when set, is called at the start and end of each stage and
	// every migrateBatch (500) blobs or rows within it.
	Progress func(MigrateProgress)
}

// MigrateProgress tells how far Migrate is.
type MigrateProgress struct {
	// Stage is "target blobs" (the blobs ToBlobs holds already, listed
	// first: at 0 and every 10,000 with Total -1, not known yet, and at
	// the end with Total = Done), "blobs" (copied: reported at 0, every
	// 500 blobs and at the end), a table name (its rows copied: at 0,
	// every batch of 500 and at the end) or "verify " and a table name
	// (its rows compared: at 0, every 500 and at the end).
	Stage string
	Done  int // blobs or rows handled in this stage so far
	Total int // blobs or rows in this stage; -1 while not known
}

// MigrateSummary is what one Migrate run did.
type MigrateSummary struct {
	BlobsCopied  int            `json:"blobs_copied"`  // stored into ToBlobs by this run
	BlobsPresent int            `json:"blobs_present"` // already there (an earlier run)
	Rows         map[string]int `json:"rows"`          // rows of each table, equal in both catalogs
	// SubsonicKey is the source data dir's subsonic.key when it has one:
	// the catalog's Subsonic passwords are sealed with it, so every origin
	// serving the new catalog needs a copy in its data dir (set by the
	// command, which says so).
	SubsonicKey string `json:"subsonic_key,omitempty"`
}

// migrateTables are the catalog's tables in foreign-key order, with their
// columns in the SQLite catalog and in PostgreSQL (the same but for the
// search row key) and the columns that order a table's rows. The tracker's
// peers and peer_tracks are not copied: an announce lives 90 s, and peers
// announce again to the migrated origin. catalog_changed, one row, is not
// copied as it is but moved on (see markMigrated).
var migrateTables = []struct{ table, from, to, order string }{
	{"artists", "rowid, id, name, sort_key", "", "id"},
	{"albums", "rowid, id, title, artist_id, year, cover_hash, cover_mime, sort_key, compilation", "", "id"},
	{"tracks", "rowid, id, path, title, artist_id, album_id, track_no, disc_no, year, genre, duration_ms, file_size, file_mtime, " +
		"manifest, sort_key, album_group, album_artist, compilation, tags_version, artist_tag, album_tag, cover_hash, cover_mime, " +
		"artist_sort, album_sort, album_artist_sort, library, added_at, high_bytes", "", "id"},
	{"segments", "track_id, rendition, idx, hash, size", "", "track_id, rendition, idx"},
	{"search", "id, kind, ref_id, title, artist, album", "rowid, kind, ref_id, title, artist, album", "kind, ref_id"},
	{"tokens", "rowid, id, name, secret_sha, created_at, revoked_at", "", "id"},
	{"playlists", "id, owner, name, created_at, updated_at, share_token", "", "id"},
	{"playlist_tracks", "playlist_id, pos, track_id", "", "playlist_id, pos"},
	{"events", "id, listener, track_id, played_ms, completed, position_ms, at, session", "", "id"},
	{"track_features", "track_id, file_mtime, tempo, centroid, flatness, rolloff, rms_db, crest_db, fingerprint, recording", "", "track_id"},
	{"subsonic_users", "name, id, pass_sealed, api_key_sha, created_at, name_key", "", "name"},
	{"stars", "owner, item_id, starred_at", "", "owner, item_id"},
	{"play_queues", "owner, track_ids, current_id, position_ms, changed_at, changed_by", "", "owner"},
	{"bookmarks", "owner, track_id, position_ms, comment, created_at, changed_at", "", "owner, track_id"},
	{"ratings", "owner, item_id, rating, rated_at", "", "owner, item_id"},
}

// identityTables are the PostgreSQL tables whose rowid is an identity: after
// copying rows with their SQLite rowids, its sequence moves past them.
var identityTables = []string{"artists", "albums", "tracks", "tokens"}

// migrateBatch is how many rows one INSERT of Migrate carries.
const migrateBatch = 500

// Migrate copies a single-machine origin into PostgreSQL (and its blobs
// into another store): blobs first, each hashed before it is stored and
// read back after, then the catalog table by table. Every step skips what
// the target already holds, so a run that stopped (interrupted, a network
// error) is resumed by running it again. It ends by comparing every
// table's rows in both catalogs (ErrMigrateVerify when they differ).
func Migrate(ctx context.Context, o MigrateOptions) (MigrateSummary, error) {
	sum := MigrateSummary{Rows: map[string]int{}}
	if o.From == "" || !IsPostgresURL(o.ToCatalog) {
		return sum, fmt.Errorf("migrate: want a data dir to copy from and a postgres:// catalog to copy to")
	}
	src, err := OpenCatalog(o.From)
	if err != nil {
		return sum, fmt.Errorf("migrate: open %s: %w", o.From, err)
	}
	defer src.Close()
	dst, err := openPostgres(ctx, o.ToCatalog)
	if err != nil {
		return sum, fmt.Errorf("migrate: %w", err)
	}
	defer dst.Close()
	// Checked before anything is copied: into a catalog of other tracks
	// the artists and albums went in, then every run failed on the
	// tracks' foreign keys, saying to run it again.
	if n, example, err := foreignTracks(ctx, src, dst); err != nil {
		return sum, fmt.Errorf("migrate: %w", err)
	} else if n > 0 {
		return sum, fmt.Errorf("migrate: %w: %s holds %s that %s does not (%s among them); migrate copies an origin into an empty database, "+
			"or goes on with its own copy there: create a new database (createdb NAME) and give it as --to-catalog, "+
			"or add the music of %s to this catalog with segue origin ingest MUSIC_FOLDER --catalog URL",
			ErrMigrateTargetHolds, CatalogName(o.ToCatalog, ""), catalog.Count(n, "track"), o.From, example, o.From)
	}
	progress := o.Progress
	if progress == nil {
		progress = func(MigrateProgress) {}
	}
	if o.ToBlobs != nil {
		from := blobs.FS{Dir: filepath.Join(o.From, BlobDir)}
		if err := copyBlobs(ctx, src, from, o.ToBlobs, &sum, progress); err != nil {
			return sum, fmt.Errorf("migrate blobs: %w", err)
		}
	}
	// Each table says how far it is as it goes: a large library's segments
	// table took minutes with nothing said, and so did its verification.
	totals := map[string]int{}
	for _, t := range migrateTables {
		var total int
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table).Scan(&total); err != nil {
			return sum, fmt.Errorf("migrate table %s: %w", t.table, err)
		}
		totals[t.table] = total
		progress(MigrateProgress{Stage: t.table, Total: total})
		n, inserted, err := copyTable(ctx, src, dst, t.table, t.from, cmp.Or(t.to, t.from), func(done int) {
			progress(MigrateProgress{Stage: t.table, Done: done, Total: total})
		})
		if inserted > 0 && musicTables[t.table] {
			// Also when the copy stopped (interrupted) after some batches
			// went in: those rows are the target's now.
			if merr := markChanged(context.WithoutCancel(ctx), dst, time.Now(), true); merr != nil && err == nil {
				err = merr
			}
		}
		if err != nil {
			return sum, fmt.Errorf("migrate table %s: %w", t.table, err)
		}
		progress(MigrateProgress{Stage: t.table, Done: n, Total: n})
	}
	if err := markMigrated(ctx, src, dst); err != nil {
		return sum, fmt.Errorf("migrate: %w", err)
	}
	for _, t := range identityTables {
		if _, err := dst.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'rowid'), coalesce(max(rowid), 0) + 1, false) FROM `+t); err != nil {
			return sum, fmt.Errorf("migrate: move the rowid sequence of %s: %w", t, err)
		}
	}
	for _, t := range migrateTables {
		progress(MigrateProgress{Stage: "verify " + t.table, Total: totals[t.table]})
		n, err := verifyTable(ctx, src, dst, t.table, t.from, cmp.Or(t.to, t.from), t.order, func(done int) {
			progress(MigrateProgress{Stage: "verify " + t.table, Done: done, Total: totals[t.table]})
		})
		if errors.Is(err, ErrMigrateVerify) {
			// rows written to the source after its table was copied (an
			// origin still serving it records plays) said "did the target
			// hold another catalog?"
			var now int
			if cerr := src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table).Scan(&now); cerr == nil && now != totals[t.table] {
				return sum, fmt.Errorf("migrate: verify %s: %w: the source changed while migrate ran (%d rows when copied, %d now): "+
					"stop segue origin serve, ingest and the other origin commands on %s, then run the same command again",
					t.table, ErrMigrateVerify, totals[t.table], now, o.From)
			}
		}
		if err != nil {
			return sum, fmt.Errorf("migrate: verify %s: %w", t.table, err)
		}
		sum.Rows[t.table] = n
		progress(MigrateProgress{Stage: "verify " + t.table, Done: n, Total: n})
	}
	return sum, nil
}

// copyBlobs stores every blob the source catalog references into to,
// unless to holds it already: hashed on the way in, read back and hashed
// on the way out.
func copyBlobs(ctx context.Context, src *sql.DB, from blobs.Reader, to blobs.Store, sum *MigrateSummary, progress func(MigrateProgress)) error {
	live, err := liveBlobs(ctx, src)
	if err != nil {
		return err
	}
	// Listing what the target holds (a resumed run) walks all of it: a
	// store of millions took minutes with nothing said.
	have := map[string]bool{}
	progress(MigrateProgress{Stage: "target blobs", Total: -1})
	n, err := walkBlobs(ctx, to, func(h string) { have[h] = true }, func(n int) {
		progress(MigrateProgress{Stage: "target blobs", Done: n, Total: -1})
	})
	if err != nil {
		return fmt.Errorf("list the target store: %w", err)
	}
	progress(MigrateProgress{Stage: "target blobs", Done: n, Total: n})
	// at the tables' cadence: a report every 100 blobs was ten thousand
	// lines for a store of a million
	progress(MigrateProgress{Stage: "blobs", Total: len(live)})
	for i, h := range live {
		if have[h] {
			sum.BlobsPresent++
		} else if err := copyBlob(ctx, from, to, h); err != nil {
			return err
		} else {
			sum.BlobsCopied++
		}
		if (i+1)%migrateBatch == 0 || i+1 == len(live) {
			progress(MigrateProgress{Stage: "blobs", Done: i + 1, Total: len(live)})
		}
	}
	return nil
}

// liveBlobs lists the blobs a catalog references (segments and covers).
func liveBlobs(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT hash FROM segments UNION SELECT cover_hash FROM albums WHERE cover_hash IS NOT NULL
		UNION SELECT cover_hash FROM tracks WHERE cover_hash IS NOT NULL ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list referenced blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, strings.ToLower(h))
	}
	return out, rows.Err()
}

// copyBlob copies one blob, refusing one whose bytes do not hash to h on
// either side.
func copyBlob(ctx context.Context, from blobs.Reader, to blobs.Store, h string) error {
	data, err := readBlob(ctx, from, h)
	if err != nil {
		return fmt.Errorf("read blob %s: %w", h, err)
	}
	if got := blobs.Hash(data); got != h {
		return fmt.Errorf("blob %s in the source: %w (its bytes hash to %s); run segue origin ingest on the source to rebuild it", h, ErrMigrateVerify, got)
	}
	if _, err := to.Put(ctx, data); err != nil {
		return fmt.Errorf("store blob %s: %w", h, err)
	}
	back, err := readBlob(ctx, to, h)
	if err != nil {
		return fmt.Errorf("read back blob %s: %w", h, err)
	}
	if !bytes.Equal(back, data) {
		return fmt.Errorf("blob %s in the target: %w", h, ErrMigrateVerify)
	}
	return nil
}

func readBlob(ctx context.Context, r blobs.Reader, h string) ([]byte, error) {
	b, err := r.Open(ctx, h)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return io.ReadAll(b)
}

// musicTables are the tables whose rows are the catalog's music, what
// Reader.Changed tells clients about: rows migrated into them move it on.
var musicTables = map[string]bool{"artists": true, "albums": true, "tracks": true, "segments": true, "search": true}

// markMigrated brings the target's catalog_changed up to the source's, never
// back: a catalog copied whole last changed when its source did. Rows
// copied into a target that had answered clients before (an origin served
// on the new catalog ahead of the migration, its record then the time the
// schema was made) moved it on already, so a Subsonic client holding that
// record (getIndexes' lastModified, as ifModifiedSince) is not told that
// nothing changed when the whole library arrived.
func markMigrated(ctx context.Context, src, dst *sql.DB) error {
	var at int64
	if err := src.QueryRowContext(ctx, `SELECT at FROM catalog_changed`).Scan(&at); err != nil {
		return fmt.Errorf("read when the source catalog changed: %w", err)
	}
	return markChanged(ctx, dst, time.UnixMilli(at), false)
}

// copyTable inserts the rows of table (columns from in the source, to in
// the target) that the target lacks, a batch per transaction, calling
// copied with the rows handled after each full batch, and returns how many
// rows the source holds and how many of them it inserted (the others the
// target held already: a run resumed).
func copyTable(ctx context.Context, src, dst *sql.DB, table, from, to string, copied func(done int)) (n, inserted int, err error) {
	rows, err := src.QueryContext(ctx, `SELECT `+from+` FROM `+table)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	ncol := len(strings.Split(to, ","))
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", ncol), ",") + ")"
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		q := `INSERT INTO ` + table + ` (` + to + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+",", len(batch)/ncol), ",") + ` ON CONFLICT DO NOTHING`
		var added int64
		err := catalogTx(ctx, dst, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, q, batch...)
			if err == nil {
				added, err = res.RowsAffected()
			}
			return err
		})
		batch = batch[:0]
		if err == nil {
			inserted += int(added)
		}
		return err
	}
	for rows.Next() {
		vals, err := scanValues(rows, ncol)
		if err != nil {
			return n, inserted, err
		}
		batch = append(batch, vals...)
		n++
		if n%migrateBatch == 0 {
			if err := flush(); err != nil {
				return n, inserted, fmt.Errorf("rows up to %d: %w", n, err)
			}
			copied(n)
		}
	}
	if err := rows.Err(); err != nil {
		return n, inserted, err
	}
	if err := flush(); err != nil {
		return n, inserted, fmt.Errorf("rows up to %d: %w", n, err)
	}
	return n, inserted, nil
}

// scanValues scans a row of n columns as they come.
func scanValues(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

// verifyTable compares the rows of table in src (columns from) and dst
// (columns to), in order, by a hash of each side, and returns how many
// rows the source has. It reads both sides together and calls step (nil:
// none) with the rows read so far every migrateBatch (500) of them: the
// check of a table of millions took minutes with nothing said.
func verifyTable(ctx context.Context, src, dst *sql.DB, table, from, to, order string, step func(done int)) (int, error) {
	a, err := openDigest(ctx, src, `SELECT `+from+` FROM `+table+` ORDER BY `+order)
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	defer a.rows.Close()
	b, err := openDigest(ctx, dst, `SELECT `+to+` FROM `+table+` ORDER BY `+order)
	if err != nil {
		return 0, fmt.Errorf("read the target: %w", err)
	}
	defer b.rows.Close()
	for {
		moreA, err := a.next()
		if err != nil {
			return 0, fmt.Errorf("read the source: %w", err)
		}
		moreB, err := b.next()
		if err != nil {
			return 0, fmt.Errorf("read the target: %w", err)
		}
		if !moreA && !moreB {
			break
		}
		if done := max(a.n, b.n); step != nil && done%migrateBatch == 0 {
			step(done)
		}
	}
	if !bytes.Equal(a.h.Sum(nil), b.h.Sum(nil)) {
		return a.n, fmt.Errorf("%w: %d rows in the source, %d in the target, and their contents differ (did an origin still serving the source change it while migrate ran, or did the target hold another catalog?)", ErrMigrateVerify, a.n, b.n)
	}
	return a.n, nil
}

// tableDigest hashes rows one at a time, each value written with its Go
// type's plain form (text and bytes alike as bytes), so both engines
// agree.
type tableDigest struct {
	rows *sql.Rows
	cols int
	h    hash.Hash
	n    int // rows hashed
}

// openDigest runs q for a tableDigest; the caller closes its rows.
func openDigest(ctx context.Context, db *sql.DB, q string) (*tableDigest, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	return &tableDigest{rows: rows, cols: len(cols), h: sha256.New()}, nil
}

// next hashes the next row and reports whether there was one.
func (d *tableDigest) next() (bool, error) {
	if !d.rows.Next() {
		return false, d.rows.Err()
	}
	vals, err := scanValues(d.rows, d.cols)
	if err != nil {
		return false, err
	}
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(d.h, "%q|", v)
		case nil:
			d.h.Write([]byte("NULL|"))
		default:
			fmt.Fprintf(d.h, "%q|", fmt.Sprint(v))
		}
	}
	d.h.Write([]byte{'\n'})
	d.n++
	return true, nil
}

// foreignTracks counts the tracks of dst that src does not hold (by ID),
// naming the first as "TITLE (ID)".
func foreignTracks(ctx context.Context, src, dst *sql.DB) (n int, example string, err error) {
	have := map[string]bool{}
	rows, err := src.QueryContext(ctx, `SELECT id FROM tracks`)
	if err != nil {
		return 0, "", fmt.Errorf("read the source's tracks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, "", fmt.Errorf("read the source's tracks: %w", err)
		}
		have[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, "", fmt.Errorf("read the source's tracks: %w", err)
	}
	theirs, err := dst.QueryContext(ctx, `SELECT id, title FROM tracks ORDER BY id`)
	if err != nil {
		return 0, "", fmt.Errorf("read the target's tracks: %w", err)
	}
	defer theirs.Close()
	for theirs.Next() {
		var id, title string
		if err := theirs.Scan(&id, &title); err != nil {
			return 0, "", fmt.Errorf("read the target's tracks: %w", err)
		}
		if !have[id] {
			if n == 0 {
				example = fmt.Sprintf("%q (%s)", title, id)
			}
			n++
		}
	}
	return n, example, theirs.Err()
}
