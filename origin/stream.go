package origin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"segue/catalog"
	"segue/mp3"
)

// decoderDelay is the MP3 decoder's own delay in samples (528 + 1), which
// the LAME tag's encoder delay leaves out: catalog.StartSkip = 576 + 529.
// Source: the LAME tag specification (gabriel.mp3-tech.org/mp3infotag.html)
// and ffmpeg's mp3dec.c, which skips start_pad + 528 + 1 samples.
const decoderDelay = 529

// handleStream serves GET /api/v1/tracks/{id}/stream?quality=low|normal|high
// (default normal): one progressive MP3 that any player plays gapless, the
// rendition's segments in order after a Xing "Info" frame whose LAME tag
// carries the encoder delay and padding. Range, HEAD and If-None-Match come
// from http.ServeContent over a reader that opens one segment blob at a time,
// so no request holds the whole file.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	quality := r.URL.Query().Get("quality")
	if quality == "" {
		quality = catalog.RenditionNormal
	}
	if _, ok := catalog.Bitrates[quality]; !ok {
		writeError(w, http.StatusBadRequest, "unknown quality "+quality+": want low, normal or high")
		return
	}
	s.ServeStream(w, r, id, quality)
}

// ServeStream answers r with track id's progressive MP3 in the rendition
// quality (a catalog.RenditionNames entry), as GET
// /api/v1/tracks/{id}/stream does: Range, HEAD, ETag and If-None-Match
// included. Other APIs mounted on the origin (Subsonic's stream) call it
// after their own checks; its errors are the origin's JSON errors.
func (s *Server) ServeStream(w http.ResponseWriter, r *http.Request, id, quality string) {
	raw, err := s.reader.Manifest(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "track "+id, err)
		return
	}
	var m catalog.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		s.internal(w, r, fmt.Errorf("manifest of track %s: %w", id, err))
		return
	}
	if err := m.Validate(); err != nil {
		s.internal(w, r, fmt.Errorf("manifest of track %s: %w", id, err))
		return
	}
	var rend *catalog.Rendition
	for i := range m.Renditions {
		if m.Renditions[i].Name == quality {
			rend = &m.Renditions[i]
		}
	}
	if rend == nil {
		writeError(w, http.StatusNotFound, "track "+id+" has no "+quality+" rendition")
		return
	}
	st, err := s.newStream(r.Context(), m, *rend)
	if err != nil {
		s.internal(w, r, fmt.Errorf("stream track %s: %w", id, err))
		return
	}
	defer st.Close()
	h := w.Header()
	h.Set("Content-Type", "audio/mpeg")
	h.Set("ETag", st.etag)
	h.Set("Cache-Control", "no-cache") // the URL names the track, not the bytes
	http.ServeContent(w, r, "", time.Time{}, st)
}

// stream is an io.ReadSeeker over the info frame followed by the segment
// blobs; it keeps at most one blob file open.
type stream struct {
	info  []byte
	segs  []catalog.Segment
	open  func(hash string) (io.ReadSeekCloser, error)
	size  int64
	etag  string
	pos   int64
	cur   io.ReadSeekCloser // the open segment, or nil
	curAt int               // index of cur in segs
}

// newStream builds the info frame from the first audio frame of rend. The
// stream reads its segments from the blob store within ctx.
func (s *Server) newStream(ctx context.Context, m catalog.Manifest, rend catalog.Rendition) (*stream, error) {
	st := &stream{segs: rend.Segments, curAt: -1, open: func(hash string) (io.ReadSeekCloser, error) {
		b, err := s.blobs.Open(ctx, hash)
		if err != nil {
			return nil, err
		}
		return b.ReadSeekCloser, nil
	}}
	f, err := st.open(rend.Segments[0].Hash)
	if err != nil {
		return nil, err
	}
	var head [4]byte
	_, err = io.ReadFull(f, head[:])
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("first frame header: %w", err)
	}
	var frames, audio int64
	for _, g := range rend.Segments {
		frames += int64(g.Frames)
		audio += g.Size
	}
	st.info, err = infoFrame(head[:], m, frames, audio)
	if err != nil {
		return nil, err
	}
	st.size = int64(len(st.info)) + audio
	sum := sha256.New()
	sum.Write(st.info)
	for _, g := range rend.Segments {
		sum.Write([]byte(g.Hash))
	}
	st.etag = `"` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
	return st, nil
}

// infoFrame returns the Info frame (see mp3.InfoFrame) shaped like the audio
// frame whose header is head, with a LAME tag whose encoder delay is
// m.StartSkip-decoderDelay and whose padding makes a gapless decoder keep
// exactly m.TotalSamples.
func infoFrame(head []byte, m catalog.Manifest, frames, audioBytes int64) ([]byte, error) {
	size, err := mp3.FrameLen([]byte{head[0], head[1], head[2] &^ 2, head[3]}) // the Info frame has no padding byte
	if err != nil {
		return nil, err
	}
	delay := int64(m.StartSkip - decoderDelay)
	padding := frames*int64(m.SamplesPerFrame) - delay - m.TotalSamples
	return mp3.InfoFrame(head, mp3.Info{Frames: int(frames), Bytes: int64(size) + audioBytes, Delay: int(delay), Padding: int(padding)})
}

func (st *stream) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += st.pos
	case io.SeekEnd:
		off += st.size
	}
	if off < 0 {
		return 0, errors.New("seek before the start of the stream")
	}
	st.pos = off
	return off, nil
}

func (st *stream) Read(p []byte) (int, error) {
	if st.pos >= st.size {
		return 0, io.EOF
	}
	if st.pos < int64(len(st.info)) {
		n := copy(p, st.info[st.pos:])
		st.pos += int64(n)
		return n, nil
	}
	at, i := int64(len(st.info)), 0
	for ; at+st.segs[i].Size <= st.pos; i++ {
		at += st.segs[i].Size
	}
	if st.cur == nil || st.curAt != i {
		st.Close()
		f, err := st.open(st.segs[i].Hash)
		if err != nil {
			return 0, fmt.Errorf("segment %d: %w", i, err)
		}
		st.cur, st.curAt = f, i
	}
	want := min(int64(len(p)), at+st.segs[i].Size-st.pos)
	if _, err := st.cur.Seek(st.pos-at, io.SeekStart); err != nil {
		return 0, fmt.Errorf("segment %d: %w", i, err)
	}
	n, err := io.ReadFull(st.cur, p[:want])
	st.pos += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("segment %d is shorter than its manifest says: %w", i, io.ErrUnexpectedEOF)
	}
	return n, err
}

// Close closes the open segment file, if any.
func (st *stream) Close() error {
	if st.cur == nil {
		return nil
	}
	err := st.cur.Close()
	st.cur, st.curAt = nil, -1
	return err
}

// queryShareToken returns the share token a request for a track's stream
// or an album's cover carries in its query (?share=TOKEN): an <audio>
// element, another player or a chat app's preview cannot send an
// Authorization header. Only these URLs take it, so other routes never see a
// capability in a URL that proxies may log.
func queryShareToken(r *http.Request) string {
	p := r.URL.Path
	stream := strings.HasPrefix(p, "/api/v1/tracks/") && strings.HasSuffix(p, "/stream")
	cover := strings.HasPrefix(p, "/api/v1/albums/") && strings.HasSuffix(p, "/cover")
	if !stream && !cover {
		return ""
	}
	return r.URL.Query().Get("share")
}
