package origin

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	"segue/catalog"
)

// One catalog holds the tracks of every folder ingested into it; each
// track row keeps its folder (tracks.library: absolute, symlinks resolved)
// and its path inside it. Ingesting a folder decides only about the rows
// whose file lies under that folder: a folder ingested before, beside or
// above it keeps its tracks (ingesting ~/Podcasts once removed all of
// ~/Music's).

type knownTrack struct {
	id, album   string
	path, lib   string // tracks.path and tracks.library ("" for rows of older ingests)
	size, mtime int64
	tags        int  // tracks.tags_version
	cover       bool // the track brought a cover (tracks.cover_hash)
}

// libraryPlan is what one ingest of lib may do to the rows already there.
type libraryPlan struct {
	// own are the rows whose file lies under lib, by their path relative
	// to lib: the ones this run keeps, updates or removes.
	own map[string]knownTrack
	// byID are all rows by track ID: a file of lib with the same path
	// inside its folder as a track of another folder would take that
	// track's ID (and path), so it is skipped instead.
	byID map[string]knownTrack
	// adopt is set when the rows of older ingests (library '') turn out to
	// be lib's: one of them names a file found under lib. Before folders
	// were kept, a catalog followed the one folder last ingested, so they
	// all came from the same one.
	adopt bool
	// above is the nearest folder above lib that tracks of the catalog
	// come from, or "": a new file of lib is filed under it (file).
	above string
}

// planLibrary sorts the catalog's rows for an ingest of lib (absolute,
// symlinks resolved) whose walk found files.
func planLibrary(rows []knownTrack, lib string, files []libraryFile) libraryPlan {
	found := make(map[string]bool, len(files))
	for _, f := range files {
		found[f.Rel] = true
	}
	p := libraryPlan{own: map[string]knownTrack{}, byID: make(map[string]knownTrack, len(rows))}
	for _, k := range rows {
		if k.lib == "" && found[k.path] {
			p.adopt = true
			break
		}
	}
	for _, k := range rows {
		if k.lib == "" && p.adopt {
			k.lib = lib
		}
		if rel, ok := under(lib, k); ok {
			p.own[rel] = k
		}
		p.byID[k.id] = k
		if len(k.lib) > len(p.above) && k.lib != lib {
			if rel, err := filepath.Rel(k.lib, lib); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				p.above = k.lib
			}
		}
	}
	return p
}

// file is how the catalog holds a file of lib that it does not hold yet:
// under the folder above lib its tracks come from, when there is one, as
// an ingest of that folder would. So its ID is the one it had there: after
// origin remove --folder lib (a folder inside a library ingested whole),
// origin ingest lib brings back the IDs playlists and plays keep, and a
// later ingest of the whole library finds the file under its own path.
func (p libraryPlan) file(f libraryFile) libraryFile {
	if p.above == "" {
		return f
	}
	rel, err := filepath.Rel(p.above, f.Lib)
	if err != nil {
		return f
	}
	f.Rel, f.Lib = filepath.ToSlash(filepath.Join(rel, filepath.FromSlash(f.Rel))), p.above
	return f
}

// longTagColumns are the columns of tracks that hold a tag's text as read
// (sort_key is not one: folding may make the key of a title that fits
// longer than the title).
var longTagColumns = []string{"title", "genre", "album_artist", "artist_tag", "album_tag", "artist_sort", "album_sort", "album_artist_sort"}

// under reports whether k's file lies under lib, on whole path components,
// and its path relative to lib. A row of an older ingest not adopted has no
// known folder: it lies under none.
func under(lib string, k knownTrack) (string, bool) {
	if k.lib == "" {
		return "", false
	}
	rel, err := filepath.Rel(lib, filepath.Join(k.lib, filepath.FromSlash(k.path)))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// clash is why file f cannot be ingested because of a row of another
// folder, or "".
func (p libraryPlan) clash(f libraryFile) string {
	k, ok := p.byID[catalog.NewID(catalog.PrefixTrack, f.Rel)]
	if !ok || k.lib == f.Lib {
		return ""
	}
	from := "an earlier ingest of another folder"
	if k.lib != "" {
		from = k.lib
	}
	return fmt.Sprintf("a track from %s has the same path (%s) inside its folder, and a track's ID follows that path: "+
		"move one of the files, or ingest the folder that holds both", from, k.path)
}

// knownTracks reads every track row. A row holding a tag longer than
// catalog.MaxTagText characters, which an older segue stored whole, reads
// as tags version 0, so the next ingest reads its file's tags again and
// cuts them (length counts characters on SQLite and PostgreSQL alike).
func knownTracks(ctx context.Context, db *sql.DB) ([]knownTrack, error) {
	long := make([]string, len(longTagColumns))
	for i, c := range longTagColumns {
		long[i] = "length(" + c + ") > ?1"
	}
	rows, err := db.QueryContext(ctx, `SELECT path, library, id, album_id, file_size, file_mtime,
		CASE WHEN `+strings.Join(long, " OR ")+` THEN 0 ELSE tags_version END, cover_hash IS NOT NULL FROM tracks`, catalog.MaxTagText)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer rows.Close()
	var ks []knownTrack
	for rows.Next() {
		var k knownTrack
		if err := rows.Scan(&k.path, &k.lib, &k.id, &k.album, &k.size, &k.mtime, &k.tags, &k.cover); err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	return ks, nil
}

// adoptOlderRows records lib as the folder of the rows older ingests made.
func adoptOlderRows(ctx context.Context, db *sql.DB, lib string) error {
	if _, err := db.ExecContext(ctx, `UPDATE tracks SET library = ? WHERE library = ''`, lib); err != nil {
		return fmt.Errorf("record the folder of older tracks: %w", err)
	}
	return nil
}
