package origin

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"segue/origin/pgtest"
)

// BenchmarkSearch1MPostgres measures Reader.Search on the synthetic catalog
// of BenchmarkSearch1M (the same 1,000,000 tracks, benchRows) in
// PostgreSQL, over loopback, with the same query mix (target p95 <= 20 ms).
// It fails first if any of the mix's pages differs from SQLite's on
// BenchmarkSearch1M's catalog. The catalog is loaded with COPY into a
// fresh database, the search indexes built after the load (minutes). With
// $SEGUE_BENCH_PG (a postgres:// URL of an empty database) it is loaded
// there once and reused by later runs.
func BenchmarkSearch1MPostgres(b *testing.B) {
	url := os.Getenv("SEGUE_BENCH_PG")
	if url == "" {
		url = pgtest.Database(b)
	}
	db, err := OpenCatalogAt(context.Background(), url, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var tracks int
	if err := db.QueryRow(`SELECT count(*) FROM tracks`).Scan(&tracks); err != nil {
		b.Fatal(err)
	}
	switch tracks {
	case bench1M.tracks:
	case 0:
		start := time.Now()
		if err := copyBenchCatalog(context.Background(), db, bench1M, "rowid"); err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded %d tracks into PostgreSQL in %v", bench1M.tracks, time.Since(start).Round(time.Second))
	default:
		b.Fatalf("the benchmark's database holds %d tracks: give an empty one", tracks)
	}
	lite, err := OpenCatalog(benchCatalog(b))
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	requireSameSearches(b, NewReader(lite), NewReader(db), benchQueries(bench1M, 600))
	measureSearch(b, NewReader(db))
}

// benchCopyBatch is how many rows one COPY sends.
const benchCopyBatch = 20_000

// copyBenchCatalog loads benchRows(shape) into db with COPY, the search
// rows stored in the order of the SQL expression order: the search rows
// folded here (as foldPending would) through a staging table, since COPY
// sends tsvector input as text only there. The search table's indexes
// but its key are dropped during the load and built again from their own
// definitions.
func copyBenchCatalog(ctx context.Context, db *sql.DB, shape catalogShape, order string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*pgConn).c.Conn()
		var defs []string
		rows, err := pc.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search' AND indexname <> 'search_pkey'`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				return err
			}
			// The definition of an index on the partitioned table reads
			// "ON ONLY search", which would build it for no partition.
			names, defs = append(names, name), append(defs, strings.Replace(def, " ON ONLY ", " ON ", 1))
		}
		if rows.Err() != nil {
			return rows.Err()
		}
		for _, n := range names {
			if _, err := pc.Exec(ctx, `DROP INDEX `+n); err != nil {
				return err
			}
		}
		if _, err := pc.Exec(ctx, `CREATE UNLOGGED TABLE search_load (rowid bigint, kind text, ref_id text, title text, artist text,
			album text, ft text, fa text, fl text, doc text)`); err != nil {
			return err
		}
		type table struct {
			name string
			cols []string
			rows [][]any
		}
		tables := map[string]*table{
			"artists":     {name: "artists", cols: []string{"rowid", "id", "name"}},
			"albums":      {name: "albums", cols: []string{"rowid", "id", "title", "artist_id", "year"}},
			"tracks":      {name: "tracks", cols: []string{"rowid", "id", "path", "title", "artist_id", "album_id", "track_no", "year", "duration_ms", "disc_no", "file_size", "file_mtime", "manifest"}},
			"search_load": {name: "search_load", cols: []string{"rowid", "kind", "ref_id", "title", "artist", "album", "ft", "fa", "fl", "doc"}},
		}
		flush := func(t *table) error {
			if len(t.rows) == 0 {
				return nil
			}
			_, err := pc.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows))
			t.rows = t.rows[:0]
			return err
		}
		add := func(name string) func(...any) error {
			t := tables[name]
			return func(args ...any) error {
				switch name {
				case "tracks":
					args = append(args, 1, 0, 0, "{}")
				case "search_load":
					f := [3]string{indexText(args[3].(string), true), indexText(args[4].(string), false), indexText(args[5].(string), false)}
					args = append(args, f[0], f[1], f[2], tsvectorText(f))
				}
				t.rows = append(t.rows, args)
				if len(t.rows) < benchCopyBatch {
					return nil
				}
				return flush(t)
			}
		}
		// Artists and albums go out before the tracks that reference them.
		err = benchRows(shape, benchSink{
			artist: add("artists"),
			album: func(args ...any) error {
				if err := flush(tables["artists"]); err != nil {
					return err
				}
				return add("albums")(args...)
			},
			track: func(args ...any) error {
				if err := flush(tables["albums"]); err != nil {
					return err
				}
				return add("tracks")(args...)
			},
			search: add("search_load"),
		})
		for _, n := range []string{"artists", "albums", "tracks", "search_load"} {
			if err == nil {
				err = flush(tables[n])
			}
		}
		if err != nil {
			return fmt.Errorf("copy rows: %w", err)
		}
		// The insert's trigger writes search_terms and its counts
		// (schema step 10), sorting every posting of the load once.
		stmts := []string{`SET work_mem = '256MB'`, `INSERT INTO search (rowid, kind, ref_id, title, artist, album, ft, fa, fl, doc)
			SELECT rowid, kind, ref_id, title, artist, album, ft, fa, fl, CAST(doc AS tsvector) FROM search_load ORDER BY ` + order,
			`DROP TABLE search_load`, `SET maintenance_work_mem = '256MB'`}
		stmts = append(stmts, defs...)
		stmts = append(stmts, `VACUUM ANALYZE artists, albums, tracks, search, search_terms, search_term_counts`)
		for _, q := range stmts {
			if _, err := pc.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
}
