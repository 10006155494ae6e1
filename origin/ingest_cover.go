package origin

import (
	"context"
	"fmt"
	"path/filepath"
)

// coverlessTrack is an unchanged file whose track brought no cover.
type coverlessTrack struct {
	f libraryFile
	k knownTrack
}

// folderCovers gives each of tracks the cover image its folder holds now: a
// cover.jpg put beside an album after it was ingested (its files' audio and
// tags unchanged, nothing read the folder again, and the album stayed
// without a cover). It returns the albums whose tracks got one.
func (w worker) folderCovers(ctx context.Context, tracks []coverlessTrack) ([]string, error) {
	type found struct{ hash, mime string }
	byDir := map[string]found{}
	var albums []string
	for _, t := range tracks {
		dir := filepath.Dir(t.f.Abs)
		c, seen := byDir[dir]
		if !seen {
			if img, mime := folderCover(dir); img != nil {
				h, err := w.blobs.Put(ctx, img)
				if err != nil {
					return albums, fmt.Errorf("store the cover of %s: %w", dir, err)
				}
				c = found{h, mime}
			}
			byDir[dir] = c
		}
		if c.hash == "" {
			continue
		}
		if _, err := w.db.ExecContext(ctx, `UPDATE tracks SET cover_hash = ?, cover_mime = ? WHERE id = ? AND cover_hash IS NULL`,
			c.hash, c.mime, t.k.id); err != nil {
			return albums, fmt.Errorf("record the cover of %s: %w", t.f.Rel, err)
		}
		w.log.Info("folder cover", "path", t.f.Rel, "id", t.k.id)
		albums = append(albums, t.k.album)
	}
	return albums, nil
}
