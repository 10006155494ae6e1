package origin

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"segue/origin/blobs"
)

// blobType is what a stored blob holds, told by its first bytes (see
// sniffBlob): the blob store is content-addressed and keeps no type, and
// /chunks/{hash} serves audio segments and cover images alike (a cover's
// hash is a chunk name too).
type blobType uint8

const (
	blobAudio blobType = iota // an audio segment: MP3 frames (the default)
	blobJPEG
	blobPNG
	blobGIF
	blobWebP
)

// blobMIMEs are the Content-Type of each blobType; fastMIMEs the same, as
// the fast path sets them.
var (
	blobMIMEs = [...]string{blobAudio: "audio/mpeg", blobJPEG: "image/jpeg", blobPNG: "image/png", blobGIF: "image/gif", blobWebP: "image/webp"}
	fastMIMEs = func() (b [len(blobMIMEs)][]byte) {
		for i, m := range blobMIMEs {
			b[i] = []byte(m)
		}
		return b
	}()
)

// MIME is the Content-Type a blob of type t is served with.
func (t blobType) MIME() string { return blobMIMEs[t] }

// sniffHead is how many first bytes sniffBlob looks at.
const sniffHead = 12

// sniffBlob tells a blob's type from its first bytes (up to sniffHead; a
// shorter blob gives fewer): the signatures of the image formats a cover
// may have (ingest stores JPEG and PNG), otherwise an audio segment. No
// MP3 frame can be taken for an image: a frame starts with its sync bits,
// 0xFF then 0xE0-0xFF, and ID3 with "ID3". It allocates nothing.
func sniffBlob(head []byte) blobType {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return blobJPEG
	case len(head) >= 8 && string(head[:8]) == "\x89PNG\r\n\x1a\n":
		return blobPNG
	case len(head) >= 6 && (string(head[:6]) == "GIF87a" || string(head[:6]) == "GIF89a"):
		return blobGIF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return blobWebP
	}
	return blobAudio
}

// sniffOpened returns the type of the opened blob b and the blob to serve
// from its start: b itself when it reads at an offset (io.ReaderAt: a
// file, one pread(2)); otherwise b's first bytes are read and b comes back
// wrapped (headReader) so that they are served from memory, and a store
// that reads as it streams (S3: a seek back to the start costs another
// request) is never asked for them again.
func sniffOpened(b blobs.Blob) (blobs.Blob, blobType, error) {
	var head [sniffHead]byte
	want := head[:min(int64(len(head)), b.Size)]
	if ra, ok := b.ReadSeekCloser.(io.ReaderAt); ok {
		n, err := ra.ReadAt(want, 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return b, blobAudio, fmt.Errorf("read the first bytes of a blob for its type: %w", err)
		}
		return b, sniffBlob(head[:n]), nil
	}
	n, err := io.ReadFull(b, want)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return b, blobAudio, fmt.Errorf("read the first bytes of a blob for its type: %w", err)
	}
	h := &headReader{ReadSeekCloser: b.ReadSeekCloser, size: b.Size, head: append([]byte(nil), want[:n]...), pos: int64(n)}
	return blobs.Blob{ReadSeekCloser: h, Size: b.Size}, sniffBlob(want[:n]), nil
}

// headReader is an opened blob whose first bytes (head) were read from
// it: reads within them are answered from head, and the blob itself is
// sought only when a read starts anywhere but where it stands (pos).
type headReader struct {
	io.ReadSeekCloser // the blob, at pos
	size              int64
	head              []byte
	off, pos          int64 // where the next Read starts; where the blob stands
}

func (h *headReader) Read(p []byte) (int, error) {
	if h.off < int64(len(h.head)) && h.pos == int64(len(h.head)) {
		n := copy(p, h.head[h.off:])
		h.off += int64(n)
		return n, nil
	}
	if h.off != h.pos {
		if _, err := h.ReadSeekCloser.Seek(h.off, io.SeekStart); err != nil {
			return 0, err
		}
		h.pos = h.off
	}
	n, err := h.ReadSeekCloser.Read(p)
	h.off += int64(n)
	h.pos = h.off
	return n, err
}

func (h *headReader) Seek(offset int64, whence int) (int64, error) {
	off, err := blobs.SeekOffset(h.off, h.size, offset, whence)
	if err == nil {
		h.off = off
	}
	return off, err
}

// maxBlobTypes bounds blobTypes: it keeps the types of at least
// maxBlobTypes/2 blobs, the most recently asked for, in about 100 bytes
// each.
const maxBlobTypes = 1 << 15

// blobTypes keeps the types of blobs read off them (sniffOpened), so that
// /chunks on net/http reads a blob's first bytes once, not on every
// request, as the fast path keeps a blob's type with its open files. A
// blob's bytes never change under its hash, so an entry is never stale.
// It holds two generations of at most maxBlobTypes/2 entries each: when
// the newer is full it becomes the older and the older is dropped; an
// entry found in the older moves to the newer.
type blobTypes struct {
	mu       sync.Mutex
	new, old map[string]blobType
}

func newBlobTypes() *blobTypes { return &blobTypes{new: map[string]blobType{}} }

// get returns the type kept for hash.
func (t *blobTypes) get(hash string) (blobType, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if typ, ok := t.new[hash]; ok {
		return typ, true
	}
	typ, ok := t.old[hash]
	if ok {
		t.putLocked(hash, typ)
	}
	return typ, ok
}

// put keeps typ as hash's type.
func (t *blobTypes) put(hash string, typ blobType) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.putLocked(hash, typ)
}

func (t *blobTypes) putLocked(hash string, typ blobType) {
	if len(t.new) >= maxBlobTypes/2 {
		t.old, t.new = t.new, make(map[string]blobType, maxBlobTypes/2)
	}
	t.new[hash] = typ
}

// openedType returns the type of the opened blob hash, from s.types when
// it was read before, and the blob to serve from its start (see
// sniffOpened).
func (s *Server) openedType(hash string, b blobs.Blob) (blobs.Blob, blobType, error) {
	if typ, ok := s.types.get(hash); ok {
		return b, typ, nil
	}
	b, typ, err := sniffOpened(b)
	if err != nil {
		return b, typ, fmt.Errorf("blob %s: %w", hash, err)
	}
	s.types.put(hash, typ)
	return b, typ, nil
}
