package origin

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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
	if !validHash(hash) {
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

// validHash is catalog.ValidHash without a regexp (it runs on every chunk
// request): exactly 64 lowercase hex digits.
func validHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// serveBlob answers with a blob: strong ETag (its hash), Range,
// If-None-Match -> 304 and HEAD. A small blob is read whole and kept in the
// memory cache; a plain GET of a cached blob is answered with one write and
// no file access. Anything else goes through http.ServeContent, from memory
// or from the file (with sendfile(2)). hash must be valid.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, hash, mime, cacheControl, what string) {
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", `"`+hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	if data, ok := s.mem.get(hash); ok {
		serveBytes(w, r, data)
		return
	}
	// hash is valid (checked by the caller), so this path stays in the blob
	// dir; Blobs.Path would check it again with a regexp, on the hot path.
	f, err := os.Open(filepath.Join(s.blobs.Dir, hash[:2], hash))
	if errors.Is(err, fs.ErrNotExist) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer f.Close()
	if s.mem != nil {
		if fi, err := f.Stat(); err == nil && fi.Size() <= maxCachedBlob {
			data := make([]byte, fi.Size())
			if _, err := io.ReadFull(f, data); err != nil {
				s.internal(w, r, err)
				return
			}
			s.mem.put(hash, data)
			serveBytes(w, r, data)
			return
		}
	}
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok && r.Method == http.MethodGet {
		cork(c, true)
		defer cork(c, false)
	}
	// The zero modtime leaves Last-Modified out: the ETag says it all.
	http.ServeContent(w, r, "", time.Time{}, f)
}

// serveBytes answers with data whose headers are set. A request with no
// Range and no precondition gets the bytes in one write; the others go
// through http.ServeContent.
func serveBytes(w http.ResponseWriter, r *http.Request, data []byte) {
	if r.Header.Get("Range") != "" || r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Match") != "" ||
		r.Header.Get("If-Modified-Since") != "" || r.Header.Get("If-Unmodified-Since") != "" {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return
	}
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}
