package origin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"segue/catalog"
	"segue/origin/blobs"
)

// Search rows written by ingest use a rowid derived from the row they index,
// rowid*4 + kind, so updating or deleting one never scans the FTS table:
// search.rowid = tracks.rowid*4+1, albums.rowid*4+2, artists.rowid*4+3.
// Columns: a track row has its title, artist and album; an album row has
// title = album = the album title and artist = the album artist; an artist
// row has title = artist = the name and an empty album.
const (
	ftsTrack  = 1
	ftsAlbum  = 2
	ftsArtist = 3
)

// trackRecord is everything ingest writes for one track. Text is NFC
// (catalog.Text); Album and AlbumArtist are "" when the file has no such tag.
type trackRecord struct {
	ID, Path              string // Path is relative to Library, with forward slashes
	Library               string // the folder ingest was given: absolute, symlinks resolved
	Title, Artist, Genre  string
	Album, AlbumArtist    string
	TrackNo, DiscNo, Year int
	// Sort tags ("" when none) and the compilation=1 tag.
	TitleSort, ArtistSort, AlbumSort, AlbumArtistSort string
	Compilation                                       bool
	DurationMS                                        int64
	FileSize, FileMTime                               int64
	Manifest                                          catalog.Manifest
	CoverHash, CoverMIME                              string // empty when the file has no cover
	albumID, artistID, group                          string
	leftAlbum                                         string   // the album the group this track left settled on ("" none)
	cut                                               []string // the tags cut to catalog.MaxTagText (probe.Cut)
}

// putTrack makes a track visible: its artists, album, row, segment
// references and search rows, in one transaction. Every blob it references
// must already be stored. A new row's added_at is now; a row already there
// (the file changed) keeps its own.
func putTrack(ctx context.Context, db *sql.DB, r *trackRecord) error {
	man, err := json.Marshal(r.Manifest)
	if err != nil {
		return fmt.Errorf("encode manifest of %s: %w", r.Path, err)
	}
	err = catalogTx(ctx, db, func(tx *sql.Tx) error {
		return placeAndWrite(tx, r, func() error {
			if _, err := tx.Exec(`INSERT INTO tracks (id, path, title, artist_id, album_id, track_no, disc_no, year, genre,
				duration_ms, file_size, file_mtime, manifest, sort_key, album_group, album_artist, compilation, tags_version,
				artist_tag, album_tag, cover_hash, cover_mime, artist_sort, album_sort, album_artist_sort, library, added_at,
				high_bytes)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET path=excluded.path, title=excluded.title, artist_id=excluded.artist_id,
				album_id=excluded.album_id, track_no=excluded.track_no, disc_no=excluded.disc_no, year=excluded.year,
				genre=excluded.genre, duration_ms=excluded.duration_ms, file_size=excluded.file_size,
				file_mtime=excluded.file_mtime, manifest=excluded.manifest, sort_key=excluded.sort_key,
				album_group=excluded.album_group, album_artist=excluded.album_artist, compilation=excluded.compilation,
				tags_version=excluded.tags_version, artist_tag=excluded.artist_tag, album_tag=excluded.album_tag,
				cover_hash=excluded.cover_hash, cover_mime=excluded.cover_mime, artist_sort=excluded.artist_sort,
				album_sort=excluded.album_sort, album_artist_sort=excluded.album_artist_sort, library=excluded.library,
				high_bytes=excluded.high_bytes`,
				r.ID, r.Path, r.Title, r.artistID, r.albumID, r.TrackNo, r.DiscNo, r.Year, r.Genre,
				r.DurationMS, r.FileSize, r.FileMTime, string(man), catalog.SortKey(r.Title, r.TitleSort),
				r.group, r.AlbumArtist, r.Compilation, tagsVersion, r.Artist, r.Album,
				sql.NullString{String: r.CoverHash, Valid: r.CoverHash != ""}, sql.NullString{String: r.CoverMIME, Valid: r.CoverHash != ""},
				r.ArtistSort, r.AlbumSort, r.AlbumArtistSort, r.Library, time.Now().UnixNano(),
				renditionBytes(r.Manifest, catalog.RenditionHigh)); err != nil {
				return fmt.Errorf("write track row: %w", err)
			}
			if _, err := tx.Exec(`DELETE FROM segments WHERE track_id = ?`, r.ID); err != nil {
				return fmt.Errorf("clear old segments: %w", err)
			}
			ins, err := tx.Prepare(`INSERT INTO segments (track_id, rendition, idx, hash, size) VALUES (?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer ins.Close()
			for _, rend := range r.Manifest.Renditions {
				for i, s := range rend.Segments {
					if _, err := ins.Exec(r.ID, rend.Name, i, s.Hash, s.Size); err != nil {
						return fmt.Errorf("write segment %s/%d: %w", rend.Name, i, err)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("record track %s: %w", r.Path, err)
	}
	return nil
}

// placeAndWrite places r (placeTrack), runs write, which stores r's track
// row, indexes the row for search and settles the album the track left when
// it moved to another album group (r.leftAlbum).
func placeAndWrite(tx *sql.Tx, r *trackRecord, write func() error) error {
	var oldGroup, oldAlbum string
	err := tx.QueryRow(`SELECT album_group, album_id FROM tracks WHERE id = ?`, r.ID).Scan(&oldGroup, &oldAlbum)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read track row: %w", err)
	}
	if err := placeTrack(tx, r); err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if err := indexTrack(tx, r); err != nil {
		return err
	}
	// A row the schema 3 upgrade has not reached yet has no group ('').
	if oldGroup != "" && oldGroup != r.group {
		r.leftAlbum, err = resettle(tx, oldGroup, oldAlbum)
		return err
	}
	return nil
}

// updateTags writes the tag columns of r's existing track row, after
// placeTrack (the columns of schema 3: the schema 3 upgrade uses it).
func updateTags(tx *sql.Tx, r *trackRecord) error {
	_, err := tx.Exec(`UPDATE tracks SET title = ?, artist_id = ?, album_id = ?, track_no = ?, disc_no = ?, year = ?,
		genre = ?, sort_key = ?, album_group = ?, album_artist = ?, compilation = ? WHERE id = ?`,
		r.Title, r.artistID, r.albumID, r.TrackNo, r.DiscNo, r.Year, r.Genre, catalog.SortKey(r.Title, r.TitleSort),
		r.group, r.AlbumArtist, r.Compilation, r.ID)
	if err != nil {
		return fmt.Errorf("write tags of track %s: %w", r.Path, err)
	}
	return nil
}

// placeTrack completes r: disc number from a disc folder when untagged,
// its album group, its artist row, and its album (settleAlbum), setting
// r.artistID, r.group and r.albumID. The track row itself is the caller's.
func placeTrack(tx *sql.Tx, r *trackRecord) error {
	if _, disc := albumDir(r.Path); r.DiscNo == 0 {
		r.DiscNo = disc
	}
	r.group = albumGroup(r.Path, r.Album, r.Artist)
	var err error
	if r.artistID, err = ensureArtist(tx, r.Artist, r.ArtistSort); err != nil {
		return err
	}
	f := albumFacts{
		title: r.Album, sortTag: r.AlbumSort, albumArtistSort: r.AlbumArtistSort, year: r.Year,
		coverHash: r.CoverHash, coverMIME: r.CoverMIME,
		artistID: r.artistID, albumArtist: r.AlbumArtist, compilation: r.Compilation,
	}
	if f.title == "" {
		f.title = unknownAlbum
	}
	r.albumID, err = settleAlbum(tx, r.group, r.ID, f, true)
	return err
}

// indexTrack writes the search row of r's track row.
func indexTrack(tx *sql.Tx, r *trackRecord) error {
	album := r.Album
	if album == "" {
		album = unknownAlbum
	}
	var rowid int64
	if err := tx.QueryRow(`SELECT rowid FROM tracks WHERE id = ?`, r.ID).Scan(&rowid); err != nil {
		return fmt.Errorf("read track rowid: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM search WHERE rowid = ?`, rowid*4+ftsTrack); err != nil {
		return fmt.Errorf("clear search row: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO search (rowid, kind, ref_id, title, artist, album) VALUES (?,?,?,?,?,?)`,
		rowid*4+ftsTrack, catalog.PrefixTrack, r.ID, r.Title, r.Artist, album); err != nil {
		return fmt.Errorf("write search row: %w", err)
	}
	return nil
}

// resettle settles the album of group after one of its tracks left it
// (deleted, or retagged into another album), dropping album when empty.
// It returns the album the rest of the group is on ("" when none is left).
func resettle(tx *sql.Tx, group, album string) (string, error) {
	var f albumFacts
	err := tx.QueryRow(`SELECT title, year FROM albums WHERE id = ?`, album).Scan(&f.title, &f.year)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read album %s: %w", album, err)
	}
	now, err := settleAlbum(tx, group, "", f, false)
	if err != nil {
		return "", err
	}
	return now, dropEmptyAlbum(tx, album)
}

// ensureArtist returns the ID of the artist named name (catalog.NameKey
// identifies it), adding the artist and its search row when new. A sort
// tag sets the artist's sort key; without one a new artist gets the key
// of its name.
func ensureArtist(tx *sql.Tx, name, sortTag string) (string, error) {
	id := catalog.NewID(catalog.PrefixArtist, catalog.NameKey(name))
	res, err := tx.Exec(`INSERT INTO artists (id, name, sort_key) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		id, name, catalog.SortKey(name, sortTag))
	if err != nil {
		return "", fmt.Errorf("write artist %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if sortTag != "" {
			if _, err := tx.Exec(`UPDATE artists SET sort_key = ? WHERE id = ?`, catalog.SortKey(name, sortTag), id); err != nil {
				return "", fmt.Errorf("write sort name of artist %q: %w", name, err)
			}
		}
		return id, nil
	}
	return id, indexArtist(tx, id)
}

// indexArtist writes the search row of artist id as its row reads.
func indexArtist(tx *sql.Tx, id string) error {
	_, err := tx.Exec(`DELETE FROM search WHERE rowid = (SELECT rowid*4+? FROM artists WHERE id = ?)`, ftsArtist, id)
	if err == nil {
		_, err = tx.Exec(`INSERT INTO search (rowid, kind, ref_id, title, artist, album)
			SELECT rowid*4+?, ?, id, name, name, '' FROM artists WHERE id = ?`, ftsArtist, catalog.PrefixArtist, id)
	}
	if err != nil {
		return fmt.Errorf("index artist %s: %w", id, err)
	}
	return nil
}

// indexAlbum writes the search row of album id as its row and its
// artist's read.
func indexAlbum(tx *sql.Tx, id string) error { return indexAlbums(tx, "a.id = ?", id) }

// indexAlbumsOf writes the search rows of the albums of artist id.
func indexAlbumsOf(tx *sql.Tx, artistID string) error {
	return indexAlbums(tx, "a.artist_id = ?", artistID)
}

// indexAlbums writes the search rows of the albums a (its one argument
// arg) selects.
func indexAlbums(tx *sql.Tx, where, arg string) error {
	_, err := tx.Exec(`DELETE FROM search WHERE rowid IN (SELECT a.rowid*4+? FROM albums a WHERE `+where+`)`, ftsAlbum, arg)
	if err == nil {
		_, err = tx.Exec(`INSERT INTO search (rowid, kind, ref_id, title, artist, album)
			SELECT a.rowid*4+?, ?, a.id, a.title, ar.name, a.title FROM albums a JOIN artists ar ON ar.id = a.artist_id
			WHERE `+where, ftsAlbum, catalog.PrefixAlbum, arg)
	}
	if err != nil {
		return fmt.Errorf("index album %s: %w", arg, err)
	}
	return nil
}

// upsertAlbum adds album id by artist artistID with its search row, or
// updates the one there: the latest year, a newer cover (a track without
// one keeps the album's; chooseCovers settles it when the ingest ends), a
// sort tag, the compilation flag.
func upsertAlbum(tx *sql.Tx, id, artistID string, f albumFacts, compilation bool) error {
	var exists bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM albums WHERE id = ?)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("look up album %q: %w", f.title, err)
	}
	cover, mime := sql.NullString{String: f.coverHash, Valid: f.coverHash != ""}, sql.NullString{String: f.coverMIME, Valid: f.coverHash != ""}
	if exists {
		sortKey := sql.NullString{String: catalog.SortKey(f.title, f.sortTag), Valid: f.sortTag != ""}
		_, err := tx.Exec(`UPDATE albums SET year = CASE WHEN year < ? THEN ? ELSE year END, cover_hash = coalesce(?, cover_hash),
			cover_mime = coalesce(?, cover_mime), sort_key = coalesce(?, sort_key), compilation = ? WHERE id = ?`,
			f.year, f.year, cover, mime, sortKey, compilation, id)
		if err != nil {
			return fmt.Errorf("update album %q: %w", f.title, err)
		}
		return nil
	}
	if _, err := tx.Exec(`INSERT INTO albums (id, title, artist_id, year, cover_hash, cover_mime, sort_key, compilation)
		VALUES (?,?,?,?,?,?,?,?)`, id, f.title, artistID, f.year, cover, mime, catalog.SortKey(f.title, f.sortTag), compilation); err != nil {
		return fmt.Errorf("write album %q: %w", f.title, err)
	}
	return indexAlbum(tx, id)
}

// deleteTrack removes a track, its segment references and its search row,
// marks the catalog changed (markChanged) and settles the album it leaves; it returns the album the rest of that
// album's tracks are on ("" when none is left). Artists stay until
// pruneCatalog.
func deleteTrack(ctx context.Context, db *sql.DB, id string) (string, error) {
	var now string
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		var rowid int64
		var group, album string
		err := tx.QueryRow(`SELECT rowid, album_group, album_id FROM tracks WHERE id = ?`, id).Scan(&rowid, &group, &album)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM search WHERE rowid = ?`, rowid*4+ftsTrack); err != nil {
			return err
		}
		if _, err = tx.Exec(`DELETE FROM tracks WHERE id = ?`, id); err != nil { // segments cascade
			return err
		}
		if err := markChanged(ctx, tx, time.Now(), false); err != nil {
			return err
		}
		now, err = resettle(tx, group, album)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("delete track %s: %w", id, err)
	}
	return now, nil
}

// pruneCatalog deletes albums without tracks, then artists with neither
// tracks nor albums, with their search rows.
func pruneCatalog(ctx context.Context, db *sql.DB) error {
	if err := catalogTx(ctx, db, pruneTx); err != nil {
		return fmt.Errorf("prune empty albums and artists: %w", err)
	}
	return nil
}

func pruneTx(tx *sql.Tx) error {
	steps := []string{
		`DELETE FROM search WHERE rowid IN (SELECT rowid*4+2 FROM albums WHERE id NOT IN (SELECT album_id FROM tracks))`,
		`DELETE FROM albums WHERE id NOT IN (SELECT album_id FROM tracks)`,
		`DELETE FROM search WHERE rowid IN (SELECT rowid*4+3 FROM artists
			WHERE id NOT IN (SELECT artist_id FROM tracks) AND id NOT IN (SELECT artist_id FROM albums))`,
		`DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM tracks) AND id NOT IN (SELECT artist_id FROM albums)`,
	}
	for _, q := range steps {
		if _, err := tx.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// updateAlbumLoudness stores album loudness in the manifest of every track
// of album. It approximates the album's integrated loudness by the
// duration-weighted power mean of its tracks' integrated loudness (exact
// gating over the concatenated audio would need another decode); the album
// peak is the highest track peak, which is exact.
func updateAlbumLoudness(ctx context.Context, db *sql.DB, albumID string) error {
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id, duration_ms, manifest FROM tracks WHERE album_id = ?`, albumID)
		if err != nil {
			return err
		}
		type tr struct {
			id  string
			dur float64
			m   catalog.Manifest
		}
		var ts []tr
		for rows.Next() {
			var t tr
			var js string
			if err := rows.Scan(&t.id, &t.dur, &js); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(js), &t.m); err != nil {
				rows.Close()
				return fmt.Errorf("decode manifest of %s: %w", t.id, err)
			}
			ts = append(ts, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ts) == 0 {
			return nil
		}
		// Tracks without a measurement (near silence, clips shorter than a
		// gating block) have no block above the absolute gate, so gating
		// over the whole album would leave them out too. An album of only
		// such tracks is unmeasured itself: its loudness is the gate.
		var power, weight float64
		peak := silenceFloor
		for _, t := range ts {
			peak = math.Max(peak, t.m.Loudness.TruePeakDBTP)
			if !t.m.Loudness.Measured() {
				continue
			}
			w := math.Max(t.dur, 1)
			power += w * math.Pow(10, t.m.Loudness.IntegratedLUFS/10)
			weight += w
		}
		lufs := catalog.GateLUFS
		if weight > 0 {
			lufs = math.Round(100*10*math.Log10(power/weight)) / 100
		}
		for _, t := range ts {
			if t.m.Loudness.AlbumLUFS == lufs && t.m.Loudness.AlbumPeakDBTP == peak {
				continue
			}
			t.m.Loudness.AlbumLUFS, t.m.Loudness.AlbumPeakDBTP = lufs, peak
			js, err := json.Marshal(t.m)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE tracks SET manifest = ? WHERE id = ?`, string(js), t.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update loudness of album %s: %w", albumID, err)
	}
	return nil
}

// walkReport is how many entries a walk sees between two reports: of the
// whole blob store (garbage collection, migrate's listing of its target)
// or of a library (its audio files): a walk of a large store or of a
// library on a network drive took minutes with nothing said, and at some
// 10,000 entries a second (an S3 listing, a cold disk) this is a line
// every second or so, while a walk of fewer ends before one is due.
const walkReport = 10000

// walkBlobs walks store and calls seen (nil: none) with how many blobs it
// has walked every walkReport of them; it returns how many there were.
func walkBlobs(ctx context.Context, store blobs.Collector, fn func(hash string), seen func(n int)) (int, error) {
	n := 0
	err := store.Walk(ctx, func(hash string) error {
		fn(hash)
		if n++; seen != nil && n%walkReport == 0 {
			seen(n)
		}
		return nil
	})
	return n, err
}

// gcProgress hears how far collectGarbage is; either func may be nil.
type gcProgress struct {
	// walked hears how many blobs of the store were walked so far (every
	// walkReport), while the blobs to remove are still being found.
	walked func(seen int)
	// removed hears done 0 with the total to remove once the store is
	// walked, then every migrateBatch (500) removed and at the end.
	removed func(done, total int, path string)
}

// collectGarbage removes every blob that no segment row and no album or
// track cover references, and returns how many it removed. Run it only
// while no other ingest writes blobs (Ingest holds the data dir lock).
// step says how far it is (see gcProgress): a large store's walk and
// removals took minutes with nothing said.
func collectGarbage(ctx context.Context, db *sql.DB, store blobs.Collector, step gcProgress) (int, error) {
	hashes, err := liveBlobs(ctx, db)
	if err != nil {
		return 0, err
	}
	live := map[string]struct{}{}
	for _, h := range hashes {
		live[h] = struct{}{}
	}
	var garbage []string
	_, err = walkBlobs(ctx, store, func(hash string) {
		if _, ok := live[hash]; !ok {
			garbage = append(garbage, hash)
		}
	}, step.walked)
	if err != nil {
		return 0, fmt.Errorf("collect unreferenced blobs: %w", err)
	}
	if step.removed != nil && len(garbage) > 0 {
		step.removed(0, len(garbage), "")
	}
	for i, hash := range garbage {
		if err := store.Remove(ctx, hash); err != nil {
			return i, fmt.Errorf("collect unreferenced blobs: %w", err)
		}
		if step.removed != nil && ((i+1)%migrateBatch == 0 || i+1 == len(garbage)) {
			step.removed(i+1, len(garbage), "")
		}
	}
	return len(garbage), nil
}
