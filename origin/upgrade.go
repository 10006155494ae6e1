package origin

import (
	"database/sql"
	"fmt"

	"segue/catalog"
)

// upgradeCatalog is the Go half of the catalog migrations
// (sqlite.Options.Upgrade): it runs inside the transaction of the schema
// step it follows.
func upgradeCatalog(tx *sql.Tx, version int) error {
	if version == 3 {
		return rederiveCatalog(tx)
	}
	return nil
}

// upgradeBatch is how many tracks rederiveCatalog reads at a time, so a
// large catalog upgrades in bounded memory.
const upgradeBatch = 500

// rederiveCatalog brings a catalog written before issue 10 to its rules:
// text in NFC, artists and albums identified by catalog.NameKey, albums
// grouped by albumGroup, discs read from disc folders, sort keys. Track IDs
// (derived from paths) and so playlists do not change; artists and albums
// merged into one keep the ID of the NFC spelling. The old schema did not
// keep whether the album artist was a tag: an album artist other than the
// track's artist can only have come from one. Sort tags and compilation=1
// were not read then: the next ingest reads every file's tags again
// (tags_version, retag.go).
func rederiveCatalog(tx *sql.Tx) error {
	for {
		recs, err := oldTracks(tx)
		if err != nil {
			return fmt.Errorf("read tracks to upgrade: %w", err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if err := placeAndWrite(tx, r, func() error { return updateTags(tx, r) }); err != nil {
				return fmt.Errorf("upgrade track %s: %w", r.Path, err)
			}
		}
	}
	if err := pruneTx(tx); err != nil {
		return fmt.Errorf("prune merged albums and artists: %w", err)
	}
	return fillSortKeys(tx)
}

// oldTracks reads the next tracks not yet upgraded (album_group unset) as
// records, their text in NFC.
func oldTracks(tx *sql.Tx) ([]*trackRecord, error) {
	rows, err := tx.Query(`SELECT t.id, t.path, t.title, ar.name, al.title, aar.name, t.track_no, t.disc_no, t.year, t.genre,
			al.cover_hash, al.cover_mime
		FROM tracks t JOIN artists ar ON ar.id = t.artist_id JOIN albums al ON al.id = t.album_id
			JOIN artists aar ON aar.id = al.artist_id
		WHERE t.album_group = '' ORDER BY t.rowid LIMIT ?`, upgradeBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []*trackRecord
	for rows.Next() {
		r := &trackRecord{}
		var albumArtist string
		var cover, mime sql.NullString
		if err := rows.Scan(&r.ID, &r.Path, &r.Title, &r.Artist, &r.Album, &albumArtist, &r.TrackNo, &r.DiscNo, &r.Year, &r.Genre,
			&cover, &mime); err != nil {
			return nil, err
		}
		r.Title, r.Artist, r.Album, r.Genre = catalog.Text(r.Title), catalog.Text(r.Artist), catalog.Text(r.Album), catalog.Text(r.Genre)
		if r.Album == unknownAlbum {
			r.Album = ""
		}
		if albumArtist = catalog.Text(albumArtist); catalog.NameKey(albumArtist) != catalog.NameKey(r.Artist) {
			r.AlbumArtist = albumArtist
		}
		r.CoverHash, r.CoverMIME = cover.String, mime.String
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

// fillSortKeys gives the artists and albums that kept their rows through
// the upgrade the sort key of their name.
func fillSortKeys(tx *sql.Tx) error {
	for _, q := range []struct{ table, name string }{{"artists", "name"}, {"albums", "title"}} {
		rows, err := tx.Query(`SELECT id, ` + q.name + ` FROM ` + q.table + ` WHERE sort_key = ''`)
		if err != nil {
			return fmt.Errorf("read %s without sort keys: %w", q.table, err)
		}
		keys := map[string]string{}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			keys[id] = catalog.SortKey(name, "")
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, k := range keys {
			if _, err := tx.Exec(`UPDATE `+q.table+` SET sort_key = ? WHERE id = ?`, k, id); err != nil {
				return fmt.Errorf("write sort key of %s: %w", id, err)
			}
		}
	}
	return nil
}
