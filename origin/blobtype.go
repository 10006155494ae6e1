package origin

import (
	"errors"
	"fmt"
	"io"

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

// sniffOpened returns the type of the opened blob b, leaving it at its
// start: read with ReadAt when it has it (a file: one pread(2)), otherwise
// read and sought back.
func sniffOpened(b blobs.Blob) (blobType, error) {
	var head [sniffHead]byte
	var n int
	var err error
	if ra, ok := b.ReadSeekCloser.(io.ReaderAt); ok {
		n, err = ra.ReadAt(head[:min(int64(len(head)), b.Size)], 0)
	} else {
		n, err = io.ReadFull(b, head[:min(int64(len(head)), b.Size)])
		if err == nil {
			_, err = b.Seek(0, io.SeekStart)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return blobAudio, fmt.Errorf("read the first bytes of a blob for its type: %w", err)
	}
	return sniffBlob(head[:n]), nil
}
