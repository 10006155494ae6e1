package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"segue/catalog"
	"segue/mpris"
)

// mediaKeys is segue on the session bus (package mpris) with the cover
// files it hands out as mpris:artUrl; Close removes both.
type mediaKeys struct {
	*mpris.Server
	art *coverArt
}

// Close leaves the bus and removes the cover file.
func (m *mediaKeys) Close() error {
	err := m.Server.Close()
	m.art.remove()
	return err
}

// coverArt writes the playing album's cover where a desktop can read it:
// mpris:artUrl must be a URL that notification daemons open themselves, and
// the origin's cover URL needs segue's token, so segue hands out a file in
// the runtime directory instead. Only the latest cover is kept (one file per
// process), so it never grows with the library.
type coverArt struct {
	src source
	dir string // the runtime directory

	mu     sync.Mutex // guards the fields below
	path   string     // the cover file written last, "" for none
	album  string     // the album whose cover path holds
	closed bool       // set by remove
}

// url fetches t's album cover and returns its file:// URL, or "" when the
// album has none or it cannot be had (the metadata goes out without it);
// either way the cover of the track before is removed. The next track of
// the same album reuses the file, fetching and writing nothing.
func (c *coverArt) url(ctx context.Context, t catalog.Track) string {
	c.mu.Lock()
	path := c.path
	same := path != "" && t.AlbumID == c.album && !c.closed // the next track of the album: its cover is there
	c.mu.Unlock()
	if !same {
		path = c.write(ctx, t)
		if !c.keep(t.AlbumID, path) || path == "" {
			return ""
		}
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// write fetches t's album cover into the runtime directory and returns
// the file's path, "" when there is no cover to write.
func (c *coverArt) write(ctx context.Context, t catalog.Track) string {
	if t.AlbumID == "" {
		return ""
	}
	img, mime, err := c.src.Cover(ctx, t.AlbumID)
	if err != nil || len(img) == 0 {
		return ""
	}
	ext := "jpg"
	if _, sub, ok := strings.Cut(mime, "/"); ok && sub != "jpeg" {
		ext = sub
	}
	name := fmt.Sprintf("segue-cover-%d-%s.%s", os.Getpid(), url.PathEscape(t.AlbumID), ext)
	path := filepath.Join(c.dir, name)
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return ""
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, img, 0o600); err != nil {
		os.Remove(tmp)
		return ""
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return ""
	}
	return path
}

// keep makes path, album's cover, the one kept ("" none), removing the one before it;
// after remove it removes path too and returns false.
func (c *coverArt) keep(album, path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.path != "" && c.path != path {
		os.Remove(c.path)
	}
	if c.closed {
		if path != "" {
			os.Remove(path)
		}
		return false
	}
	c.path, c.album = path, album
	return true
}

// remove deletes the cover kept and any written later.
func (c *coverArt) remove() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.path != "" {
		os.Remove(c.path)
	}
}
