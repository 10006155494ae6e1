package origin

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"time"

	"segue/catalog"
)

// chunkCacheControl: a chunk's bytes never change under its hash, so any
// cache may keep it for a year without asking again.
const chunkCacheControl = "public, max-age=31536000, immutable"

// handleChunk serves GET /chunks/{hash} from the blob file. The hash is
// validated before anything touches the filesystem, so no path outside the
// blob dir can be named.
func (s *Server) handleChunk(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if !catalog.ValidHash(hash) {
		writeError(w, http.StatusBadRequest, "malformed chunk name: want 64 lowercase hex digits (sha256)")
		return
	}
	s.serveBlob(w, r, hash, "audio/mpeg", chunkCacheControl, "chunk "+hash)
}

// handleCover serves an album's cover image with its MIME type. The URL
// names the album, not the image, so caches revalidate now and then.
func (s *Server) handleCover(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	hash, mime, err := s.reader.Cover(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "cover of album "+id, err)
		return
	}
	if !catalog.ValidHash(hash) {
		s.internal(w, r, errors.New("album "+id+" has a malformed cover hash"))
		return
	}
	s.serveBlob(w, r, hash, mime, "public, max-age=3600", "cover of album "+id)
}

// serveBlob answers with a blob file: strong ETag (its hash), Range,
// If-None-Match -> 304, HEAD, all from http.ServeContent, which sends the
// file with sendfile(2). hash must be valid.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, hash, mime, cacheControl, what string) {
	path, err := s.blobs.Path(hash)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", `"`+hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// The zero modtime leaves Last-Modified out: the ETag says it all.
	http.ServeContent(w, r, "", time.Time{}, f)
}
