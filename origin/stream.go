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
	s.ServeStreamFrom(w, r, id, quality, 0)
}

// ServeStreamFrom is ServeStream for the part of the track from offset
// (a seek: Subsonic's timeOffset) to its end. The stream starts at the
// MP3 frame before the one holding offset (renditions are encoded without
// a bit reservoir, so any frame starts a clean decode; the extra frame
// absorbs the first frame's overlap), and its Info frame's LAME tag says
// how many samples to skip: a gapless decoder (ffmpeg, mpv, foobar2000)
// starts at offset to the sample and plays TotalSamples - offset samples;
// one that ignores the tag starts up to two frames (52 ms) early. An
// offset below zero, or at or past the end of the track, is a 400 JSON
// error (ErrOffsetPastEnd); callers with their own error format check it
// first against the track's length.
func (s *Server) ServeStreamFrom(w http.ResponseWriter, r *http.Request, id, quality string, offset time.Duration) {
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
	from := offset.Milliseconds() * int64(m.SampleRate) / 1000
	if offset < 0 || from >= m.TotalSamples {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v: track %s lasts %s, start before that",
			ErrOffsetPastEnd, id, time.Duration(m.TotalSamples*int64(time.Second)/int64(m.SampleRate))))
		return
	}
	st, err := s.newStream(r.Context(), m, *rend, from)
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

// streamBytes is the length in bytes of the whole progressive stream of
// rendition name (ServeStream, from the start) whose segments hold audio
// bytes (renditionBytes; the tracks table's high_bytes for the high one):
// the Info frame, which is shaped like the rendition's frames (MPEG-1
// Layer III at catalog.Bitrates[name] kbit/s, CBR, and
// catalog.SampleRate) but never carries a padding byte (infoFrame), then
// the segments whole. 0 when audio is 0 (not known) or name is no
// rendition of the origin's.
func streamBytes(name string, audio int64) int64 {
	kbps := catalog.Bitrates[name]
	if audio <= 0 || kbps == 0 {
		return 0
	}
	return int64(mp3.Header{Kbps: kbps, SampleRate: catalog.SampleRate}.Len()) + audio
}

// renditionBytes is the sum of the sizes of rendition name's segments in
// m (what its blobs hold); 0 when m has no such rendition.
func renditionBytes(m catalog.Manifest, name string) int64 {
	r := m.Rendition(name)
	if r == nil {
		return 0
	}
	var n int64
	for _, s := range r.Segments {
		n += s.Size
	}
	return n
}

// ErrOffsetPastEnd is ServeStreamFrom's answer to an offset outside the track.
var ErrOffsetPastEnd = errors.New("stream offset outside the track")

// stream is an io.ReadSeeker over the info frame followed by the segment
// blobs, the first from its byte start on; it keeps at most one blob file
// open.
type stream struct {
	info  []byte
	segs  []catalog.Segment
	start int64 // bytes of segs[0] left out (a stream from an offset)
	open  func(hash string) (io.ReadSeekCloser, error)
	size  int64
	etag  string
	pos   int64
	cur   io.ReadSeekCloser // the open segment, or nil
	curAt int               // index of cur in segs
}

// newStream builds the stream of rend from source sample from on (0: the
// whole track; see ServeStreamFrom), its info frame shaped like the first
// audio frame it serves. The stream reads its segments from the blob store
// within ctx.
func (s *Server) newStream(ctx context.Context, m catalog.Manifest, rend catalog.Rendition, from int64) (*stream, error) {
	st := &stream{curAt: -1, open: func(hash string) (io.ReadSeekCloser, error) {
		b, err := s.blobs.Open(ctx, hash)
		if err != nil {
			return nil, err
		}
		return b.ReadSeekCloser, nil
	}}
	// skip is how many decoded samples a gapless decoder drops: the
	// manifest's StartSkip from frame 0, or up to the offset from the frame
	// before the one holding it.
	frame, skip := int64(0), int64(m.StartSkip)
	if from > 0 {
		frame = max((from+int64(m.StartSkip))/int64(m.SamplesPerFrame)-1, 0)
		skip = from + int64(m.StartSkip) - frame*int64(m.SamplesPerFrame)
	}
	seg, inSeg := 0, frame
	for inSeg >= int64(rend.Segments[seg].Frames) {
		inSeg -= int64(rend.Segments[seg].Frames)
		seg++
	}
	st.segs = rend.Segments[seg:]
	head, err := st.frameStart(int(inSeg))
	if err != nil {
		return nil, fmt.Errorf("segment %d: %w", seg, err)
	}
	frames, audio := -inSeg, -st.start
	for _, g := range st.segs {
		frames += int64(g.Frames)
		audio += g.Size
	}
	st.info, err = infoFrame(head, skip, m.TotalSamples-from, int64(m.SamplesPerFrame), frames, audio)
	if err != nil {
		return nil, err
	}
	st.size = int64(len(st.info)) + audio
	sum := sha256.New()
	sum.Write(st.info) // its frame and byte counts tell streams from offsets apart
	for _, g := range st.segs {
		sum.Write([]byte(g.Hash))
	}
	st.etag = `"` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
	return st, nil
}

// frameStart sets st.start to the byte where frame n of segs[0] begins
// and returns that frame's header.
func (st *stream) frameStart(n int) ([]byte, error) {
	f, err := st.open(st.segs[0].Hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var head [4]byte
	for i := 0; ; i++ {
		if _, err := f.Seek(st.start, io.SeekStart); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(f, head[:]); err != nil {
			return nil, fmt.Errorf("header of frame %d: %w", i, err)
		}
		if i == n {
			return head[:], nil
		}
		size, err := mp3.FrameLen(head[:])
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", i, err)
		}
		st.start += int64(size)
	}
}

// infoFrame returns the Info frame (see mp3.InfoFrame) shaped like the audio
// frame whose header is head, with a LAME tag for frames of spf samples
// whose encoder delay makes a gapless decoder drop skip samples (decoder
// delay included) and whose padding makes it keep exactly keep samples.
func infoFrame(head []byte, skip, keep, spf, frames, audioBytes int64) ([]byte, error) {
	size, err := mp3.FrameLen([]byte{head[0], head[1], head[2] &^ 2, head[3]}) // the Info frame has no padding byte
	if err != nil {
		return nil, err
	}
	delay := skip - decoderDelay
	padding := frames*spf - delay - keep
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
	for ; at+st.segSize(i) <= st.pos; i++ {
		at += st.segSize(i)
	}
	if st.cur == nil || st.curAt != i {
		st.Close()
		f, err := st.open(st.segs[i].Hash)
		if err != nil {
			return 0, fmt.Errorf("segment %d: %w", i, err)
		}
		st.cur, st.curAt = f, i
	}
	want := min(int64(len(p)), at+st.segSize(i)-st.pos)
	if _, err := st.cur.Seek(st.pos-at+st.segs[i].Size-st.segSize(i), io.SeekStart); err != nil {
		return 0, fmt.Errorf("segment %d: %w", i, err)
	}
	n, err := io.ReadFull(st.cur, p[:want])
	st.pos += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("segment %d is shorter than its manifest says: %w", i, io.ErrUnexpectedEOF)
	}
	return n, err
}

// segSize is how many bytes of segs[i] the stream serves.
func (st *stream) segSize(i int) int64 {
	if i == 0 {
		return st.segs[0].Size - st.start
	}
	return st.segs[i].Size
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
