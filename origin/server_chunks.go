package origin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"segue/catalog"
	"segue/origin/blobs"
)

// chunkCacheControl: a chunk's bytes never change under its hash, so any
// cache may keep it for a year without asking again.
const chunkCacheControl = "public, max-age=31536000, immutable"

// handleChunk serves GET /chunks/{hash} from the blob file. The hash is
// validated before anything touches the filesystem, so no path outside the
// blob dir can be named.
func (s *Server) handleChunk(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if !blobs.ValidHash(hash) {
		writeError(w, http.StatusBadRequest, "malformed chunk name: want 64 lowercase hex digits (sha256)")
		return
	}
	if s.redirect != nil {
		// The URL expires, so the redirect itself must not be cached.
		mime, err := s.covers.mime(r.Context(), s.reader, hash)
		if err != nil {
			// The catalog cannot say whether it is a cover: the bytes
			// are sent from here, their type read off them, so /chunks
			// does not wait on the catalog.
			if r.Context().Err() == nil {
				s.log.Warn("chunk served from the blob store, not redirected: the catalog's covers are unknown", "chunk", hash, "err", err)
			}
			s.serveBlob(w, r, hash, "", chunkCacheControl, "chunk "+hash)
			return
		}
		u, err := s.redirect.RedirectURL(r.Context(), r.Method, hash, mime, chunkCacheControl)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if u != "" {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, u, http.StatusTemporaryRedirect)
			return
		}
	}
	s.serveBlob(w, r, hash, "", chunkCacheControl, "chunk "+hash) // a cover's hash is a chunk name too
}

// coverTypes is the catalog's covers (Reader.CoverTypes) as of the
// catalog's last change (Reader.Changed), for /chunks redirected to the
// blob store: the presigned URL names the Content-Type the store answers
// with, and a cover is an image, not audio/mpeg. The blob is not read for
// it (a redirect costs the store no request); the covers are listed again
// once the catalog changed, which a check of one row tells. While the
// catalog cannot be read, the last list stands.
type coverTypes struct {
	mu     sync.Mutex
	at     time.Time         // Reader.Changed when m was listed
	m      map[string]string // the covers' types by hash
	listed bool              // m was listed once
}

// mime returns the Content-Type of blob hash: its cover type when the
// catalog has it as a cover, else audio/mpeg (a segment). It fails only
// when the catalog could not be read and was never listed.
func (c *coverTypes) mime(ctx context.Context, r *Reader, hash string) (string, error) {
	changed, err := r.Changed(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && (!c.listed || !changed.Equal(c.at)) {
		var m map[string]string
		if m, err = r.CoverTypes(ctx); err == nil {
			c.m, c.at, c.listed = m, changed, true
		}
	}
	if err != nil && !c.listed {
		return "", err
	}
	if mime, ok := c.m[hash]; ok {
		return mime, nil
	}
	return blobAudio.MIME(), nil
}

// handleCover serves an album's cover image with its MIME type. The URL
// names the album, not the image, so caches revalidate now and then.
func (s *Server) handleCover(w http.ResponseWriter, r *http.Request) {
	if id := pathID(w, r); id != "" {
		s.ServeCover(w, r, id)
	}
}

// ServeCover answers r with album id's cover image as GET
// /api/v1/albums/{id}/cover does (ETag, Range, the memory cache); 404 when
// the album is unknown or has no cover.
func (s *Server) ServeCover(w http.ResponseWriter, r *http.Request, id string) {
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

// CoverImage returns album id's cover image whole, its MIME type
// ("image/jpeg" or "image/png") and its blob hash (which names the bytes:
// a strong ETag), for an API that serves it changed (the Subsonic API's
// getCoverArt scales it); read through the memory cache as ServeCover
// reads. ErrNotFound when the album is unknown, has no cover, or its
// cover's blob is gone.
func (s *Server) CoverImage(ctx context.Context, id string) (data []byte, mime, hash string, err error) {
	hash, mime, err = s.reader.Cover(ctx, id)
	if err != nil {
		return nil, "", "", err
	}
	if !catalog.ValidHash(hash) {
		return nil, "", "", fmt.Errorf("album %s has a malformed cover hash", id)
	}
	data, b, err := s.blobBody(ctx, hash)
	if errors.Is(err, blobs.ErrNotFound) {
		return nil, "", "", fmt.Errorf("cover of album %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("read the cover of album %s: %w", id, err)
	}
	if data == nil {
		defer b.Close()
		if data, err = io.ReadAll(b.ReadSeekCloser); err != nil {
			return nil, "", "", fmt.Errorf("read the cover of album %s: %w", id, err)
		}
	}
	return data, mime, hash, nil
}

// serveBlob answers with a blob: strong ETag (its hash), Range,
// If-None-Match -> 304 and HEAD. A small blob the memory cache admits is
// read whole and kept there; a plain GET of a cached blob is answered with
// one write and no file access. A plain GET of any other blob sends its
// file with sendfile(2) right after the headers (corked into the same
// segments, as nginx's tcp_nopush does). Ranges and preconditions go
// through http.ServeContent. mime is the blob's Content-Type; "" tells it
// from the blob's first bytes (sniffBlob), read once a blob (openedType).
// hash must be valid.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, hash, mime, cacheControl, what string) {
	data, cached := s.mem.get(hash)
	if !cached && r.Method == http.MethodHead {
		if mime == "" {
			if typ, ok := s.types.get(hash); ok {
				mime = typ.MIME()
			}
		}
		if mime != "" { // nothing to read off the blob: its size will do
			s.headBlob(w, r, hash, mime, cacheControl, what)
			return
		}
	}
	var b blobs.Blob
	var err error
	if !cached {
		data, b, err = s.openBlob(r.Context(), hash)
	}
	if errors.Is(err, blobs.ErrNotFound) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if b.ReadSeekCloser != nil {
		defer b.Close()
	}
	if mime == "" && data != nil {
		mime = sniffBlob(data).MIME()
	} else if mime == "" {
		var t blobType
		if b, t, err = s.openedType(hash, b); err != nil {
			s.internal(w, r, fmt.Errorf("%s: %w", what, err))
			return
		}
		mime = t.MIME()
	}
	h := w.Header()
	blobHeaders(h, hash, mime, cacheControl)
	if data != nil {
		serveBytes(w, r, data)
		return
	}
	if !plain(r) {
		// The zero modtime leaves Last-Modified out: the ETag says it all.
		http.ServeContent(w, r, "", time.Time{}, b.ReadSeekCloser)
		return
	}
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(b.Size, 10))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		cork(c, true)
		defer cork(c, false)
	}
	w.WriteHeader(http.StatusOK)
	// b.ReadSeekCloser, not b: for the filesystem it is the *os.File, which
	// the response's ReadFrom sends with sendfile(2).
	io.Copy(w, b.ReadSeekCloser)
}

// blobBody returns the bytes of blob hash when the memory cache holds
// them or admits them now, and otherwise the opened blob, which the caller
// closes.
func (s *Server) blobBody(ctx context.Context, hash string) ([]byte, blobs.Blob, error) {
	if data, ok := s.mem.get(hash); ok {
		return data, blobs.Blob{}, nil
	}
	return s.openBlob(ctx, hash)
}

// openBlob is blobBody past the memory cache's miss: it opens blob hash
// and reads it into the cache when the cache admits it (cacheBlob).
func (s *Server) openBlob(ctx context.Context, hash string) ([]byte, blobs.Blob, error) {
	b, err := s.blobs.Open(ctx, hash)
	if err != nil {
		return nil, blobs.Blob{}, err
	}
	return s.cacheBlob(hash, b)
}

// cacheBlob reads the opened blob b whole into the memory cache and
// returns its bytes when it is small and the cache admits it; otherwise it
// returns b, which the caller closes.
func (s *Server) cacheBlob(hash string, b blobs.Blob) ([]byte, blobs.Blob, error) {
	if b.Size > maxCachedBlob || !s.mem.admit(hash, b.Size) {
		return nil, b, nil
	}
	defer b.Close()
	data := make([]byte, b.Size)
	if _, err := io.ReadFull(b, data); err != nil {
		return nil, blobs.Blob{}, fmt.Errorf("read blob %s: %w", hash, err)
	}
	s.mem.put(hash, data)
	return data, blobs.Blob{}, nil
}

// plain reports whether r asks for a whole blob with no Range and no
// precondition: the answer is then always 200 with every byte.
func plain(r *http.Request) bool {
	return r.Header.Get("Range") == "" && r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Match") == "" &&
		r.Header.Get("If-Modified-Since") == "" && r.Header.Get("If-Unmodified-Since") == ""
}

// serveBytes answers with data whose headers are set. A plain request gets
// the bytes in one write; the others go through http.ServeContent.
func serveBytes(w http.ResponseWriter, r *http.Request, data []byte) {
	if !plain(r) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return
	}
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
			cork(c, true)
			defer cork(c, false)
		}
		w.Write(data)
	}
}
