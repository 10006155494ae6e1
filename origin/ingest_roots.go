package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
// folder, or "". gone reports a folder that is not there any more (see
// folderGone): such a row is most likely this very file before its
// library moved (copied with new modification times, which takeOver does
// not take for the same file), and origin remove --folder of the old
// place is what lets it in under the same ID.
func (p libraryPlan) clash(f libraryFile, gone func(string) bool) string {
	k, ok := p.byID[catalog.NewID(catalog.PrefixTrack, f.Rel)]
	if !ok || k.lib == f.Lib {
		return ""
	}
	if k.lib != "" && gone(k.lib) {
		return fmt.Sprintf("a track from %s, a folder that is not there any more, has the same path (%s) inside its folder, "+
			"and a track's ID follows that path: if the library moved here, run segue origin remove --folder %s, "+
			"then ingest this folder again (its tracks come back under the same IDs, so playlists and plays keep them)",
			k.lib, k.path, k.lib)
	}
	from := "an earlier ingest of another folder"
	if k.lib != "" {
		from = k.lib
	}
	return fmt.Sprintf("a track from %s has the same path (%s) inside its folder, and a track's ID follows that path: "+
		"move one of the files, or ingest the folder that holds both", from, k.path)
}

// MovedFolder is a folder the catalog's tracks came from that is not there
// any more, whose files an ingest found in the folder it ingested: the
// library moved there, and Tracks of its tracks now belong to that folder
// under the IDs they had.
type MovedFolder struct {
	From   string `json:"from"`   // the folder the tracks came from (absolute)
	Tracks int    `json:"tracks"` // how many tracks the ingested folder took over
}

// folderGone returns a report of whether a folder is not there at all
// (lstat says it does not exist), each folder asked once. A folder that
// cannot be looked at (its parent unreadable) is not gone: its tracks are
// left where they are.
func folderGone() func(string) bool {
	seen := map[string]bool{}
	return func(dir string) bool {
		g, ok := seen[dir]
		if !ok {
			_, err := os.Lstat(dir)
			g = errors.Is(err, fs.ErrNotExist)
			seen[dir] = g
		}
		return g
	}
}

// takeOver hands lib the rows of folders that are not there any more
// (gone) whose file is among lib's files at the same path inside the
// folder, with the same size and modification time: the library was moved
// (mv, rsync -a or cp -a to another disk or path). Their IDs follow that
// path, so they keep them, and as unchanged files nothing is encoded
// again. A row whose folder is still there, or whose file differs (another
// file, or a copy that did not keep the times), is left as it is, a clash
// whose reason says what to do. It returns the folders taken over, by
// name, and the IDs of the rows, whose tracks.library the caller sets to
// lib.
func (p *libraryPlan) takeOver(rows []knownTrack, lib string, files []libraryFile, gone func(string) bool) ([]MovedFolder, []string) {
	byRel := make(map[string]libraryFile, len(files))
	for _, f := range files {
		byRel[f.Rel] = f
	}
	var ids []string
	count := map[string]int{}
	for _, k := range rows {
		if k.lib == "" || k.lib == lib {
			continue
		}
		if _, own := under(lib, k); own {
			continue
		}
		f, ok := byRel[k.path]
		if !ok || f.Size != k.size || f.MTime != k.mtime || !gone(k.lib) {
			continue
		}
		if _, taken := p.own[k.path]; taken {
			continue
		}
		count[k.lib]++
		k.lib = lib
		p.own[k.path] = k
		p.byID[k.id] = k
		ids = append(ids, k.id)
	}
	var moved []MovedFolder
	for _, from := range slices.Sorted(maps.Keys(count)) {
		moved = append(moved, MovedFolder{From: from, Tracks: count[from]})
	}
	return moved, ids
}

// moveRows records lib as the folder of the tracks ids (takeOver's), in
// one transaction.
func moveRows(ctx context.Context, db *sql.DB, lib string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE tracks SET library = ? WHERE id = ?`, lib, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the new folder of moved tracks: %w", err)
	}
	return nil
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
