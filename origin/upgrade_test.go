package origin

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"segue/catalog"
	"segue/sqlite"
)

// testdata/catalog-v2.db is a catalog that segue at schema version 2 (main
// at 562dae5) made by ingesting, with real ffmpeg, a library of seven
// files: Sigur Rós/Ágætis Byrjun/01 tagged in NFD and 02 in NFC, Mix/01
// (Alpha) and Mix/02 (Beta) of album Summer Mix without album artist,
// Big/CD1/01 and Big/Disc 2/01 of Big Album (Gamma, no disc tags), and
// Epsilon/Live/01 (artist Zeta, album_artist Epsilon); then a playlist
// "road trip" of Sigur Rós/01, Mix/01 and Big/CD1/01. It was written with
// VACUUM INTO; its blobs are not kept (the upgrade does not read them).

// tableColumn reads one column of a query's rows.
func tableColumn(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	must(t, rows.Err())
	return out
}

// Acceptance 8: a catalog made by the previous schema upgrades in place;
// track IDs do not change, the playlist keeps its tracks, and the upgraded
// catalog follows issue 10's identity and grouping rules.
func TestUpgradeCatalogFromVersion2(t *testing.T) {
	data := t.TempDir()
	b, err := os.ReadFile("testdata/catalog-v2.db")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(data, CatalogFile), b, 0o644))

	old, err := sqlite.Open(filepath.Join(data, CatalogFile), sqlite.Options{}, migrations[:2]) // reads; migrates nothing
	must(t, err)
	trackIDs := tableColumn(t, old, `SELECT id || ' ' || path FROM tracks ORDER BY id`)
	playlist := tableColumn(t, old, `SELECT track_id FROM playlist_tracks ORDER BY pos`)
	var playlistID string
	must(t, old.QueryRow(`SELECT id FROM playlists`).Scan(&playlistID))
	old.Close()
	if len(trackIDs) != 7 || len(playlist) != 3 {
		t.Fatalf("fixture: %d tracks, %d playlist entries; want 7 and 3", len(trackIDs), len(playlist))
	}

	for range 2 { // the second open finds nothing to do
		db, err := OpenCatalog(data)
		must(t, err)
		var version int
		must(t, db.QueryRow(`PRAGMA user_version`).Scan(&version))
		if version != len(migrations) {
			t.Fatalf("schema version %d after open, want %d", version, len(migrations))
		}
		if got := tableColumn(t, db, `SELECT id || ' ' || path FROM tracks ORDER BY id`); !slices.Equal(got, trackIDs) {
			t.Errorf("tracks after upgrade:\n%q\nwant the same IDs and paths:\n%q", got, trackIDs)
		}
		pl, err := NewPlaylists(db).Get(context.Background(), LocalOwner, playlistID)
		must(t, err)
		var got []string
		for _, tr := range pl.Tracks {
			got = append(got, tr.ID)
		}
		if !slices.Equal(got, playlist) || pl.TrackCount != 3 {
			t.Errorf("playlist tracks after upgrade %q (count %d), want %q", got, pl.TrackCount, playlist)
		}
		checkUpgraded(t, NewReader(db))
		checkSearchRows(t, db)
		// Schema 11 gives each track the artist and album tags it shows.
		if bad := tableColumn(t, db, `SELECT t.path FROM tracks t JOIN artists ar ON ar.id = t.artist_id
				JOIN albums al ON al.id = t.album_id
			WHERE t.artist_tag != ar.name OR t.album_tag != CASE WHEN al.title = ? THEN '' ELSE al.title END`, unknownAlbum); len(bad) != 0 {
			t.Errorf("tracks whose artist_tag or album_tag is not what they show after the upgrade: %q", bad)
		}
		db.Close()
	}
}

func checkUpgraded(t *testing.T, r *Reader) {
	t.Helper()
	ctx := context.Background()
	as, err := r.Artists(ctx)
	must(t, err)
	names := artistNames(as)
	// Ordered by sort name; Sigur Rós once, Various Artists for the mix.
	if want := []string{"Alpha", "Beta", "Epsilon", "Gamma", "Sigur Rós", catalog.VariousArtists, "Zeta"}; !slices.Equal(names, want) {
		t.Errorf("artists after upgrade %q, want %q", names, want)
	}
	sigur, err := r.Artist(ctx, artistByName(t, as, "Sigur Rós").ID)
	must(t, err)
	// The NFC spelling's IDs (as ingested before) survive the merge.
	if sigur.ID != "ar77bb8cfc9e623dd7" || len(sigur.Albums) != 1 || sigur.Albums[0].ID != "al9f1273a8905ef556" || sigur.Albums[0].TrackCount != 2 {
		t.Errorf("Sigur Rós after upgrade: %+v, want ar77bb8cfc9e623dd7 with album al9f1273a8905ef556 of 2 tracks", sigur)
	}
	various, err := r.Artist(ctx, artistByName(t, as, catalog.VariousArtists).ID)
	must(t, err)
	if len(various.Albums) != 1 || various.Albums[0].Title != "Summer Mix" || various.Albums[0].TrackCount != 2 || !various.Albums[0].Compilation {
		t.Errorf("Various Artists after upgrade: %+v, want the Summer Mix compilation of 2 tracks", various.Albums)
	}
	gamma, err := r.Artist(ctx, artistByName(t, as, "Gamma").ID)
	must(t, err)
	if len(gamma.Albums) != 1 || gamma.Albums[0].Discs != 2 || gamma.Albums[0].ID != "al640300842098807a" {
		t.Errorf("Gamma after upgrade: %+v, want Big Album (same ID) on 2 discs", gamma.Albums)
	}
	for _, name := range []string{"Beta", "Zeta"} {
		a, err := r.Artist(ctx, artistByName(t, as, name).ID)
		must(t, err)
		if len(a.Albums) != 0 || len(a.AppearsOn) != 1 {
			t.Errorf("%s after upgrade: own %q, appears on %q; want none, one", name, albumSummary(a.Albums), albumSummary(a.AppearsOn))
		}
	}
}

// BenchmarkUpgradeCatalog measures the schema 3 upgrade of a catalog that
// schema 2 holds: 20,000 tracks, 10 per album folder, 2,000 artists, every
// tenth album a compilation split by artist the way the old rules split it.
func BenchmarkUpgradeCatalog(b *testing.B) {
	const tracks, perAlbum = 20_000, 10
	src := filepath.Join(b.TempDir(), CatalogFile)
	db, err := sqlite.Open(src, sqlite.Options{}, migrations[:2])
	must(b, err)
	err = sqlite.Tx(context.Background(), db, func(tx *sql.Tx) error {
		for i := range tracks {
			al := i / perAlbum
			artist := fmt.Sprintf("Artist %d", al%2000)
			if al%10 == 0 {
				artist = fmt.Sprintf("Guest %d", i%7)
			}
			album := fmt.Sprintf("Album %d", al)
			arID := catalog.NewID(catalog.PrefixArtist, artist)
			alID := catalog.NewID(catalog.PrefixAlbum, artist, album)
			path := fmt.Sprintf("%s/%s/%02d.mp3", artist, album, i%perAlbum)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO artists (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, []any{arID, artist}},
				{`INSERT INTO albums (id, title, artist_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, []any{alID, album, arID}},
				{`INSERT INTO tracks (id, path, title, artist_id, album_id, track_no, duration_ms, file_size, file_mtime, manifest)
					VALUES (?, ?, ?, ?, ?, ?, 1000, 1, 1, '{}')`, []any{catalog.NewID(catalog.PrefixTrack, path), path, fmt.Sprintf("Song %d", i), arID, alID, i%perAlbum + 1}},
				{`INSERT INTO search (kind, ref_id, title, artist, album) VALUES ('t', ?, ?, ?, ?)`, []any{path, "Song", artist, album}},
			} {
				if _, err := tx.Exec(q.sql, q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	must(b, err)
	_, err = db.Exec(`VACUUM INTO ?`, src+".v2")
	must(b, err)
	db.Close()
	v2, err := os.ReadFile(src + ".v2")
	must(b, err)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		must(b, os.WriteFile(filepath.Join(dir, CatalogFile), v2, 0o644))
		b.StartTimer()
		db, err := OpenCatalog(dir)
		must(b, err)
		db.Close()
	}
	b.ReportMetric(float64(tracks)*float64(b.N)/b.Elapsed().Seconds(), "tracks/s")
}

// testdata/v2-tags is a library of five files and the catalog segue at
// schema version 2 (main at 562dae5) made of it by ingesting it with real
// ffmpeg: Tribute/01 and 02 (Epsilon, compilation=1), Bowie/Low/01 (David
// Bowie, artist-sort "Bowie, David"), Abba/Gold/01, Cure/Wish/01 (The Cure).
// That segue read neither tag.

// Acceptance 8 with the files: the first ingest after the upgrade reads
// every file's tags once more (ffprobe only: nothing is encoded again), so
// the compilation and the sort tag the old catalog never held take effect;
// track IDs stay.
func TestIngestAfterUpgradeRereadsTags(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	must(t, os.CopyFS(lib, os.DirFS("testdata/v2-tags/library")))
	b, err := os.ReadFile("testdata/v2-tags/catalog.db")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(data, CatalogFile), b, 0o644))
	// The files as they were when that segue ingested them (git keeps no mtimes).
	old, err := sqlite.Open(filepath.Join(data, CatalogFile), sqlite.Options{}, migrations[:2])
	must(t, err)
	rows, err := old.Query(`SELECT path, file_mtime FROM tracks`)
	must(t, err)
	for rows.Next() {
		var p string
		var ns int64
		must(t, rows.Scan(&p, &ns))
		must(t, os.Chtimes(filepath.Join(lib, p), time.Unix(0, ns), time.Unix(0, ns)))
	}
	rows.Close()
	trackIDs := tableColumn(t, old, `SELECT id || ' ' || path FROM tracks ORDER BY id`)
	old.Close()

	sum := ingest(t, lib, data)
	if sum.Added != 0 || sum.Updated != 0 || sum.Unchanged != 5 || len(sum.Skipped) != 0 {
		t.Errorf("ingest after upgrade: %+v; want 5 unchanged, nothing encoded", sum)
	}
	db := openTestCatalog(t, data)
	if got := tableColumn(t, db, `SELECT id || ' ' || path FROM tracks ORDER BY id`); !slices.Equal(got, trackIDs) {
		t.Errorf("tracks %q, want the same IDs and paths %q", got, trackIDs)
	}
	if stale := tableColumn(t, db, `SELECT path FROM tracks WHERE tags_version != ?`, tagsVersion); len(stale) != 0 {
		t.Errorf("tags not re-read: %q", stale)
	}
	r := NewReader(db)
	as, err := r.Artists(context.Background())
	must(t, err)
	if got, want := artistNames(as), []string{"Abba", "David Bowie", "The Cure", "Epsilon", catalog.VariousArtists}; !slices.Equal(got, want) {
		t.Errorf("artists %q, want %q (artist-sort Bowie, David)", got, want)
	}
	va, err := r.Artist(context.Background(), artistByName(t, as, catalog.VariousArtists).ID)
	must(t, err)
	if len(va.Albums) != 1 || va.Albums[0].Title != "Tribute" || va.Albums[0].TrackCount != 2 || !va.Albums[0].Compilation {
		t.Errorf("Various Artists: %+v; want the Tribute compilation (compilation=1) of 2 tracks", va.Albums)
	}
	checkSearchRows(t, db)
}

// Schema 21 gives Subsonic users random IDs: a user made before keeps its
// ID (derived from its name, which its playlists, plays and stars are
// under) and that ID becomes its name_key, so sign-in in another case
// and the refusal of a second name in another case go on as before.
func TestUpgradeKeepsSubsonicUserIDs(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, CatalogFile)
	old, err := sqlite.Open(path, sqlite.Options{Upgrade: upgradeCatalog, Driver: searchDriver}, migrations[:20])
	must(t, err)
	id := catalog.NewID("us", "Alice")
	_, err = old.Exec(`INSERT INTO subsonic_users (name, id, pass_sealed, api_key_sha, created_at) VALUES ('Alice', ?, NULL, 'sha', 1)`, id)
	must(t, err)
	must(t, old.Close())
	db, err := OpenCatalog(data)
	must(t, err)
	defer db.Close()
	if got := tableColumn(t, db, `SELECT id || ' ' || name_key FROM subsonic_users`); !slices.Equal(got, []string{id + " " + id}) {
		t.Errorf("Alice after the upgrade (id, name_key): %q, want her ID kept and as her name_key %s", got, id)
	}
	if _, err := db.Exec(`INSERT INTO subsonic_users (name, id, pass_sealed, api_key_sha, created_at, name_key) VALUES ('alice', 'us-new', NULL, 'sha2', 2, ?)`, id); err == nil {
		t.Error("a second user with Alice's name_key was stored, want it refused as the same name")
	}
}
