package origin

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"segue/catalog"
)

// tagsVersion is the version of the rules by which ingest reads a file's
// tags into the catalog. A track whose row says an older one
// (tracks.tags_version) has its tags read again on the next ingest, with
// ffprobe only: no re-encoding. 1: issue 10 (sort tags, compilation=1, the
// album_artist tag kept apart); 2: a folder's album is one whether some,
// all or none of its tracks carry an album_artist tag; 3: the artist and
// album tags are kept as written (tracks.artist_tag, album_tag), for the
// spelling shown (spelling.go); 4: the sort tags are kept too, for the
// sort keys; 5: an ID3v1 tag's Latin-1 text is read as such (id3v1.go),
// where it was "�" for each accented letter. Rows the schema 3 upgrade
// derived are 0.
const tagsVersion = 5

// tagRecord is the record of file f's tags as probed; the audio fields are
// the caller's.
func tagRecord(f libraryFile, p probe) *trackRecord {
	return &trackRecord{
		ID: catalog.NewID(catalog.PrefixTrack, f.Rel), Path: f.Rel, Library: f.Lib,
		Title: p.Title, Artist: p.Artist, Album: p.Album, AlbumArtist: p.AlbumArt, Genre: p.Genre,
		TrackNo: p.TrackNo, DiscNo: p.DiscNo, Year: p.Year,
		TitleSort: p.TitleSort, ArtistSort: p.ArtistSort, AlbumSort: p.AlbumSort, AlbumArtistSort: p.AlbumArtSort,
		Compilation: p.Compilation,
		FileSize:    f.Size, FileMTime: f.MTime,
		cut: p.Cut,
	}
}

// retag reads the tags of unchanged files whose rows predate tagsVersion
// and writes them, up to jobs files at once. It returns the albums whose
// tracks changed (for their loudness). A file ffprobe cannot read now keeps
// its row as it is. It also returns the files whose tags were cut to
// catalog.MaxTagText. progress, when not nil, is called as updateFeatures
// calls it.
func (w worker) retag(ctx context.Context, files []libraryFile, jobs int, progress func(done, total int, path string)) ([]string, []CutFile, error) {
	var mu sync.Mutex // guards touched, cut, done and progress calls
	var touched []string
	var cut []CutFile
	done := 0
	if progress != nil && len(files) > 0 {
		progress(0, len(files), "")
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, f := range files {
		g.Go(func() error {
			defer func() {
				if progress != nil {
					mu.Lock()
					defer mu.Unlock()
					done++
					progress(done, len(files), f.Rel)
				}
			}()
			p, err := probeFile(gctx, f.Abs)
			if err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				w.log.Warn("re-read tags", "path", f.Rel, "err", err)
				return nil
			}
			r := tagRecord(f, p)
			err = catalogTx(gctx, w.db, func(tx *sql.Tx) error {
				return placeAndWrite(tx, r, func() error {
					if err := updateTags(tx, r); err != nil {
						return err
					}
					_, err := tx.Exec(`UPDATE tracks SET tags_version = ?, artist_tag = ?, album_tag = ?,
						artist_sort = ?, album_sort = ?, album_artist_sort = ? WHERE id = ?`,
						tagsVersion, r.Artist, r.Album, r.ArtistSort, r.AlbumSort, r.AlbumArtistSort, r.ID)
					return err
				})
			})
			if err != nil {
				return fmt.Errorf("re-read tags of %s: %w", f.Rel, err)
			}
			w.log.Info("tags re-read", "path", f.Rel, "id", r.ID)
			mu.Lock()
			defer mu.Unlock()
			touched = append(touched, r.albumID)
			if r.leftAlbum != "" {
				touched = append(touched, r.leftAlbum)
			}
			if len(r.cut) > 0 {
				cut = append(cut, CutFile{Path: f.Rel, Tags: r.cut})
				w.log.Warn("tags cut", "path", f.Rel, "tags", r.cut, "max_chars", catalog.MaxTagText)
			}
			return nil
		})
	}
	err := g.Wait()
	return touched, cut, err
}
