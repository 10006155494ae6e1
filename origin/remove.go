package origin

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"segue/catalog"
)

// RemoveSummary is what one RemoveFolder run did.
type RemoveSummary struct {
	Removed      int `json:"removed"`
	BlobsRemoved int `json:"blobs_removed"`
}

// NotInCatalogError is a folder RemoveFolder was given that no track of
// the catalog comes from. Folders are the folders the catalog's tracks
// come from; Unknown counts the tracks of older ingests whose folder is
// not known yet (see planLibrary).
type NotInCatalogError struct {
	Folder  string
	Folders []string
	Unknown int
}

func (e *NotInCatalogError) Error() string {
	msg := fmt.Sprintf("no track of the catalog comes from %s", e.Folder)
	if len(e.Folders) > 0 {
		msg += fmt.Sprintf("; its tracks come from %s", strings.Join(e.Folders, ", "))
	}
	if e.Unknown > 0 {
		msg += fmt.Sprintf("; %s of an older segue's ingest, with no known folder: give the folder they came from while it still holds their files", catalog.Count(e.Unknown, "track"))
	}
	if len(e.Folders) == 0 && e.Unknown == 0 { // it named no folders and left the host to wonder
		msg += ": the catalog holds no tracks, so there is nothing to take out (check --data or --catalog)"
	}
	return msg
}

// Unwrap makes the error ErrNotFound.
func (e *NotInCatalogError) Unwrap() error { return ErrNotFound }

// catalogFolders returns the folders rows come from, sorted, and how many
// rows are of older ingests, whose folder is not known.
func catalogFolders(rows []knownTrack) (folders []string, unknown int) {
	for _, k := range rows {
		if k.lib == "" {
			unknown++
		} else if !slices.Contains(folders, k.lib) {
			folders = append(folders, k.lib)
		}
	}
	slices.Sort(folders)
	return folders, unknown
}

// RemoveFolder takes out of the catalog in o.DataDir (o.Catalog, o.Blobs
// as for Ingest) every track whose file lies under folder, as an ingest of
// folder after all its files vanished would, whether or not the folder is
// still there: their rows, the albums and artists left empty and the blobs
// nothing else uses. The music files, playlists (which keep the track IDs:
// an ingest of the folder brings the tracks back under them) and play
// events stay. Tracks of older ingests with no known folder are the
// folder's when one of their files is under it, as for Ingest. It holds
// the ingest lock throughout. A folder no track comes from is a
// *NotInCatalogError and nothing changes. When ctx ends it stops between
// two tracks (each taken out in a transaction of its own) with ctx's
// error and the tracks removed so far: a second run takes out the rest,
// and the blobs nothing uses are deleted by it or by the next ingest.
func RemoveFolder(ctx context.Context, folder string, o IngestOptions) (RemoveSummary, error) {
	var sum RemoveSummary
	lib, err := filepath.Abs(folder)
	if err != nil {
		return sum, fmt.Errorf("%w %s: %w", ErrLibrary, folder, err)
	}
	if real, err := filepath.EvalSymlinks(lib); err == nil { // as ingest kept it
		lib = real
	}
	data, err := filepath.Abs(o.DataDir)
	if err != nil || o.DataDir == "" {
		return sum, fmt.Errorf("%w %q: %v", ErrDataDir, o.DataDir, err)
	}
	disk := diskRun{data: data, command: "remove"}
	db, store, done, err := openLocked(ctx, data, o)
	if err != nil {
		return sum, err
	}
	defer done()
	rows, err := knownTracks(ctx, db)
	if err != nil {
		return sum, err
	}
	var older []libraryFile // files of older ingests' rows found under lib
	for _, k := range rows {
		if _, err := os.Stat(filepath.Join(lib, filepath.FromSlash(k.path))); k.lib == "" && err == nil {
			older = append(older, libraryFile{Rel: k.path, Lib: lib})
		}
	}
	plan := planLibrary(rows, lib, older)
	if len(plan.own) == 0 {
		nf := &NotInCatalogError{Folder: lib}
		nf.Folders, nf.Unknown = catalogFolders(rows)
		return sum, nf
	}
	touched := map[string]bool{}
	paths := slices.Sorted(maps.Keys(plan.own))
	step := o.step("remove", "removed")
	if step != nil {
		step(0, len(paths), "")
	}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		k := plan.own[path]
		now, err := deleteTrack(ctx, db, k.id)
		if err != nil {
			return sum, disk.full(err)
		}
		touched[k.album] = true
		if now != "" {
			touched[now] = true
		}
		sum.Removed++
		if step != nil {
			step(sum.Removed, len(paths), path)
		}
	}
	sum.BlobsRemoved, err = settleCatalog(ctx, db, store, disk, touched, o.gcProgress())
	return sum, err
}
