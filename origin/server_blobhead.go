package origin

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"segue/origin/blobs"
)

// blobHeaders sets the headers every answer with blob hash carries, GET or
// HEAD: its Content-Type (mime), cacheControl, its hash as a strong ETag.
func blobHeaders(h http.Header, hash, mime, cacheControl string) {
	h.Set("Content-Type", mime)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", `"`+hash+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
}

// headBlob answers a HEAD of blob hash of type mime as serveBlob answers
// it, the same status and headers (Range and preconditions included),
// from the blob store's Stat alone: a HEAD needs the blob's size, not its
// bytes, and an S3 store opened for it began to send the object (a GET)
// only to have it closed unread. serveBlob calls it when the memory cache
// does not hold the blob and its type is known (a cover's, or one read
// off it before), so nothing has to be read off the blob.
func (s *Server) headBlob(w http.ResponseWriter, r *http.Request, hash, mime, cacheControl, what string) {
	size, ok, err := s.blobs.Stat(r.Context(), hash)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	h := w.Header()
	blobHeaders(h, hash, mime, cacheControl)
	if !plain(r) {
		// ServeContent only seeks a HEAD's content (for its size and
		// range), it never reads it.
		http.ServeContent(w, r, "", time.Time{}, &unreadBlob{size: size})
		return
	}
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
}

// errUnreadBlob is what reading an unreadBlob gives.
var errUnreadBlob = errors.New("a HEAD reads no bytes of a blob")

// unreadBlob is a blob of size bytes that seeks and is never read: the
// content of a HEAD's http.ServeContent.
type unreadBlob struct {
	size, off int64
}

var _ io.ReadSeeker = (*unreadBlob)(nil)

func (b *unreadBlob) Read([]byte) (int, error) { return 0, errUnreadBlob }

func (b *unreadBlob) Seek(offset int64, whence int) (int64, error) {
	off, err := blobs.SeekOffset(b.off, b.size, offset, whence)
	if err == nil {
		b.off = off
	}
	return off, err
}
