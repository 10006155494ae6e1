package origin

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"regexp"
	"strconv"

	"segue/catalog"
)

// Which tracks form one album (issue 10), decided by albumGroup:
//   - tracks with an album tag: the same folder (a disc folder such as "CD1"
//     or "Disc 2" counts as its parent) and album title (compared by
//     catalog.NameKey), whatever their track artists, and whether all, some
//     or none of them carry an album_artist tag;
//   - tracks without an album tag: the same artist, as "Unknown Album".
//
// The album artist of a group is its album_artist tag; else Various Artists
// when a track says compilation=1; else the one artist all its tracks share;
// else Various Artists. An album's ID derives from its album artist and
// title, so folders holding parts of one album by one album artist (or
// tagged with one) are one album, and an album keeps the ID it had before
// these rules whenever they agree; an album that falls to Various Artists
// without a tag also carries its group, so two folders of different
// compilations named alike stay two albums.

// unknownAlbum titles the album of tracks without an album tag, and
// unknownArtist names the artist of tracks without an artist tag.
const (
	unknownAlbum  = "Unknown Album"
	unknownArtist = "Unknown Artist"
)

// discFolder matches a folder that holds one disc of an album: "CD1",
// "cd 02", "Disc 2", "Disk_3 - Bonus"; the number is the disc.
var discFolder = regexp.MustCompile(`(?i)^(?:cd|dis[ck])[ ._-]*(\d{1,3})(?:\D.*)?$`)

// albumDir returns the folder that holds the album of the file at rel (a
// slash-separated path relative to the library): the file's folder, or its
// parent when that is a disc folder, with the disc number the folder names
// (0 when it names none).
func albumDir(rel string) (dir string, disc int) {
	dir = path.Dir(path.Clean(rel)) // "a/.." is no folder of its own
	if m := discFolder.FindStringSubmatch(path.Base(dir)); m != nil {
		disc, _ = strconv.Atoi(m[1])
		dir = path.Dir(dir)
	}
	return dir, disc
}

// groupSep separates the fields of an album group: the ASCII unit
// separator, which PostgreSQL's text can hold (NUL, used before schema 9,
// it cannot) and which names and tags do not carry.
const groupSep = "\x1f"

// albumGroup is the key shared by the tracks of one album (see above). It
// is stored in tracks.album_group and is never empty.
func albumGroup(rel, album, artist string) string {
	if album == "" {
		return albumGroupOfArtist + catalog.NameKey(artist)
	}
	dir, _ := albumDir(rel)
	return "dir" + groupSep + dir + groupSep + catalog.NameKey(album)
}

// albumFacts is what one track tells about its album.
type albumFacts struct {
	title, sortTag        string // title shown; the album-sort tag or ""
	albumArtistSort       string // the album_artist-sort tag or ""
	year                  int
	coverHash, coverMIME  string // "" when the track brings no cover
	artistID, albumArtist string // the track's artist ID and album_artist tag ("" none)
	compilation           bool
}

// settleAlbum decides the album of the tracks of group in the catalog other
// than exceptID, plus, when self, the track f tells of (the one being
// written, exceptID); creates the album's artist and album rows, moves the
// group's tracks onto it and drops the albums they leave when empty. It
// returns the album's ID, "" when the group has no track left.
func settleAlbum(tx *sql.Tx, group, exceptID string, f albumFacts, self bool) (string, error) {
	var n int
	var minArtist, maxArtist, tagged sql.NullString
	var comp bool
	err := tx.QueryRow(`SELECT count(DISTINCT artist_id), min(artist_id), max(artist_id), max(album_artist), coalesce(max(compilation), 0)
		FROM tracks WHERE album_group = ? AND id != ?`, group, exceptID).Scan(&n, &minArtist, &maxArtist, &tagged, &comp)
	if err != nil {
		return "", fmt.Errorf("read album group: %w", err)
	}
	if self {
		if n == 0 {
			minArtist.String, maxArtist.String = f.artistID, f.artistID
		}
		n = max(n, 1)
		if f.artistID != minArtist.String || f.artistID != maxArtist.String {
			n = 2
		}
		if f.albumArtist != "" {
			tagged.String = f.albumArtist
		}
		comp = comp || f.compilation
	} else if n == 0 {
		return "", nil
	}
	name, various := tagged.String, false
	switch {
	case name != "":
	case comp || n > 1:
		name, various = catalog.VariousArtists, true
	default:
		if err := tx.QueryRow(`SELECT name FROM artists WHERE id = ?`, minArtist.String).Scan(&name); err != nil {
			return "", fmt.Errorf("read artist of album %q: %w", f.title, err)
		}
	}
	artistID, err := ensureArtist(tx, name, f.albumArtistSort)
	if err != nil {
		return "", err
	}
	parts := []string{catalog.NameKey(name), catalog.NameKey(f.title)}
	if various {
		parts = append(parts, group)
	}
	id := catalog.NewID(catalog.PrefixAlbum, parts...)
	if err := upsertAlbum(tx, id, artistID, f, comp || various); err != nil {
		return "", err
	}
	return id, moveGroup(tx, group, id)
}

// moveGroup points every track of group at album id, handing the cover and
// year of the albums they leave to it and dropping those left empty.
func moveGroup(tx *sql.Tx, group, id string) error {
	rows, err := tx.Query(`SELECT DISTINCT album_id FROM tracks WHERE album_group = ? AND album_id != ?`, group, id)
	if err != nil {
		return fmt.Errorf("read albums of group: %w", err)
	}
	var old []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return err
		}
		old = append(old, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(old) == 0 {
		return nil
	}
	if _, err := tx.Exec(`UPDATE tracks SET album_id = ? WHERE album_group = ? AND album_id != ?`, id, group, id); err != nil {
		return fmt.Errorf("move tracks to album %s: %w", id, err)
	}
	for _, o := range old {
		if _, err := tx.Exec(`UPDATE albums SET year = CASE WHEN o.year > albums.year THEN o.year ELSE albums.year END,
				cover_hash = coalesce(albums.cover_hash, o.cover_hash), cover_mime = coalesce(albums.cover_mime, o.cover_mime)
			FROM (SELECT year, cover_hash, cover_mime FROM albums WHERE id = ?) o WHERE albums.id = ?`, o, id); err != nil {
			return fmt.Errorf("merge album %s into %s: %w", o, id, err)
		}
		if err := dropEmptyAlbum(tx, o); err != nil {
			return err
		}
	}
	return nil
}

// dropEmptyAlbum deletes album id and its search row when no track is on it.
// Its artist stays until pruneCatalog.
func dropEmptyAlbum(tx *sql.Tx, id string) error {
	_, err := tx.Exec(`DELETE FROM search WHERE rowid = (SELECT rowid*4+? FROM albums
		WHERE id = ? AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_id = ?))`, ftsAlbum, id, id)
	if err == nil {
		_, err = tx.Exec(`DELETE FROM albums WHERE id = ? AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_id = ?)`, id, id)
	}
	if err != nil {
		return fmt.Errorf("drop empty album %s: %w", id, err)
	}
	return nil
}

// chooseCovers gives every album the cover of its first track (by disc,
// track number, then path) that brought one, whatever order its tracks
// were stored in (it used to be the last stored track's), and none when
// none of them brings one (it used to keep a removed track's). Ingest runs
// it after every run, so a run that stopped half-way is finished by the
// next.
func chooseCovers(ctx context.Context, db *sql.DB) error {
	type cover struct {
		disc, track      int
		path, hash, mime string
	}
	before := func(a, b cover) bool {
		if a.disc != b.disc {
			return a.disc < b.disc
		}
		if a.track != b.track {
			return a.track < b.track
		}
		return a.path < b.path
	}
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT album_id, disc_no, track_no, path, cover_hash, cover_mime FROM tracks WHERE cover_hash IS NOT NULL`)
		if err != nil {
			return err
		}
		first := map[string]cover{}
		for rows.Next() {
			var album string
			var c cover
			var mime sql.NullString
			if err := rows.Scan(&album, &c.disc, &c.track, &c.path, &c.hash, &mime); err != nil {
				rows.Close()
				return err
			}
			c.mime = mime.String
			if f, ok := first[album]; !ok || before(c, f) {
				first[album] = c
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(`SELECT id, coalesce(cover_hash, '') FROM albums`)
		if err != nil {
			return err
		}
		var changed []string
		for rows.Next() {
			var id, hash string
			if err := rows.Scan(&id, &hash); err != nil {
				rows.Close()
				return err
			}
			if first[id].hash != hash {
				changed = append(changed, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range changed {
			c := first[id]
			hash, mime := sql.NullString{String: c.hash, Valid: c.hash != ""}, sql.NullString{String: c.mime, Valid: c.hash != ""}
			if _, err := tx.Exec(`UPDATE albums SET cover_hash = ?, cover_mime = ? WHERE id = ?`, hash, mime, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("choose album covers: %w", err)
	}
	return nil
}
