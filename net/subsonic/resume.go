package subsonic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A stream cut or gone silent mid-track is asked again from where it
// stopped. Before, the download ended with the error and every later
// segment of the track failed: one dropped connection, or one that stopped
// answering without a reset (a Wi-Fi handover, a NAT that forgot it), lost
// the rest of the track, and the silent one held the play head for good.
var (
	// streamStall is how long a stream may bring no byte before it is
	// taken for dead and asked again. The download reads as fast as the
	// server sends, so silence is the server's or the network's; 5 s is
	// the swarm's longest budget for a segment (net/peer) and far longer
	// than a transcoder's pause between frames.
	streamStall = 5 * time.Second
	// streamRetries is how many requests since the last new byte may fail
	// to resume a stream, or answer and break off again before a new
	// byte, before the download fails; the first waits streamBackoff and
	// each next twice as long: 1.75 s of waiting in all.
	streamRetries = 3
	streamBackoff = 250 * time.Millisecond
)

// tailCheck is how many bytes already received are compared with a server's
// answer that starts from the beginning again (it ignored Range, as servers
// that transcode do): a transcode of the same file with the same settings
// is the same bytes, and when it is not the splice would be wrong.
const tailCheck = 4 << 10

// errBrokeOff is in the chain of a stream's error when its answer broke
// off and could not be resumed, in place of io.ErrUnexpectedEOF (notEnd).
var errBrokeOff = errors.New("the server's answer broke off before its end")

// errStreamDiffers is why a stream could not be resumed: asked again, the
// server sent other bytes than the first time.
var errStreamDiffers = errors.New("asked again, the server sent other bytes than before (a transcode that differs between requests): the rest of the track cannot be joined to what came")

// openStream sends the stream request and returns its body, which asks
// again from where it stopped when it is cut or silent for streamStall
// (resumingBody), and the answer's Content-Length (-1: not said). The
// body lives as long as bg, not ctx (the download goes on after Manifest
// returns); ctx bounds only the wait for the answer's head.
func (c *Client) openStream(ctx, bg context.Context, trackID string, kbps int) (io.ReadCloser, int64, error) {
	s, err := c.requestStream(ctx, bg, trackID, kbps, 0)
	if err != nil {
		return nil, 0, err
	}
	b := &resumingBody{c: c, bg: bg, trackID: trackID, kbps: kbps}
	b.watch = time.AfterFunc(streamStall, b.stalled)
	b.use(s)
	return b, s.size, nil
}

// stream is one answer to a stream request.
type stream struct {
	body   io.ReadCloser
	cancel context.CancelFunc // ends the request (and its connection)
	from   int64              // the offset of the body's first byte in the whole stream
	size   int64              // the whole stream's length, -1 when not said
}

// requestStream asks for the stream of trackID at kbps from the byte from
// on (a Range request when from > 0). The answer's body is not bound by
// the client's Timeout, which is for calls (2 min): a long track over a
// slow link takes longer than that to download; streamStall watches it
// instead.
func (c *Client) requestStream(ctx, bg context.Context, trackID string, kbps int, from int64) (stream, error) {
	u, err := c.songURL(ctx, "stream", trackID, url.Values{"format": {"mp3"}, "maxBitRate": {strconv.Itoa(kbps)}})
	if err != nil {
		return stream{}, err
	}
	rctx, cancel := context.WithCancel(bg)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return stream{}, err
	}
	if from > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-")
	}
	stop := context.AfterFunc(ctx, cancel) // a caller giving up before the answer ends it
	hc := *c.http
	hc.Timeout = 0
	resp, err := hc.Do(req)
	stop()
	if err != nil {
		cancel()
		return stream{}, c.netErr("stream", err)
	}
	s := stream{body: resp.Body, cancel: cancel, size: resp.ContentLength}
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode == http.StatusPartialContent && from > 0:
		s.from, s.size = contentRange(resp.Header.Get("Content-Range"))
		if s.from < 0 || s.from > from {
			resp.Body.Close()
			cancel()
			return stream{}, fmt.Errorf("stream: asked from byte %d, the server answered %q", from, resp.Header.Get("Content-Range"))
		}
	case resp.StatusCode != http.StatusOK || strings.Contains(ct, "json") || strings.Contains(ct, "xml"):
		defer resp.Body.Close()
		defer cancel()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes))
		return stream{}, c.notAudio("stream", resp, body)
	}
	return s, nil
}

// contentRange returns the first byte and the whole length of a
// Content-Range "bytes FIRST-LAST/LENGTH" (RFC 9110 14.4); -1 for what it
// does not say.
func contentRange(v string) (first, size int64) {
	first, size = -1, -1
	r, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return
	}
	span, total, _ := strings.Cut(r, "/")
	lo, _, _ := strings.Cut(span, "-")
	if n, err := strconv.ParseInt(lo, 10, 64); err == nil && n >= 0 {
		first = n
	}
	if n, err := strconv.ParseInt(total, 10, 64); err == nil && n >= 0 {
		size = n
	}
	return
}

// resumingBody reads a stream, asking for it again from where it stopped
// when its answer fails or brings no byte for streamStall: with Range, or,
// from a server that answers from the start, skipping what came already
// after checking its last tailCheck bytes are the same. It gives up after
// streamRetries failed requests in a row.
type resumingBody struct {
	c       *Client
	bg      context.Context
	trackID string
	kbps    int

	watch *time.Timer // ends the current request after streamStall without a byte

	mu  sync.Mutex // guards cur and the stall flag, shared with watch's func
	cur stream
	// silent is set when watch ended cur: its error is a stall, not a cut
	silent bool

	off     int64  // bytes read so far
	tail    []byte // the last (up to) tailCheck of them
	pending error  // an error that came with bytes, returned by the next Read
	// fails counts the requests since the last new byte: one that failed,
	// or answered and broke off before a byte past off (a transcode that
	// dies at the same place each time) counts.
	fails int
}

// use makes s the current answer and arms the stall watch.
func (b *resumingBody) use(s stream) {
	b.mu.Lock()
	b.cur, b.silent = s, false
	b.mu.Unlock()
	b.watch.Reset(streamStall)
}

// stalled ends the current request: no byte came for streamStall.
func (b *resumingBody) stalled() {
	b.mu.Lock()
	b.silent = true
	cancel := b.cur.cancel
	b.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Read reads the stream, resuming it as the type says.
func (b *resumingBody) Read(p []byte) (int, error) {
	for {
		if err := b.pending; err != nil {
			b.pending = nil
			if err = b.resume(err); err != nil {
				return 0, notEnd(err)
			}
		}
		n, err := b.cur.body.Read(p)
		if n > 0 {
			b.watch.Reset(streamStall)
			b.fails = 0
			b.off += int64(n)
			b.keep(p[:n])
			if err != nil && err != io.EOF {
				b.pending = err
			}
			return n, nil
		}
		switch {
		case err == io.EOF && (b.cur.size < 0 || b.off >= b.cur.size):
			return 0, io.EOF
		case err == io.EOF: // shorter than the server said
			err = io.ErrUnexpectedEOF
		case err == nil:
			continue
		}
		if err = b.resume(err); err != nil {
			return 0, notEnd(err)
		}
	}
}

// notEnd returns err, the reason a stream could not be resumed, without
// io.EOF or io.ErrUnexpectedEOF in its chain (a body cut short reads as
// the latter): the stream's readers take those for the track's end
// (mp3.Reader ends a file there, readBytes its last chunk) and would
// store the half that came as the whole track.
func notEnd(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%v (%w)", err, errBrokeOff)
	}
	return err
}

// keep remembers the last tailCheck bytes read.
func (b *resumingBody) keep(p []byte) {
	if len(p) >= tailCheck {
		b.tail = append(b.tail[:0], p[len(p)-tailCheck:]...)
		return
	}
	b.tail = append(b.tail, p...)
	if extra := len(b.tail) - tailCheck; extra > 0 {
		b.tail = append(b.tail[:0], b.tail[extra:]...)
	}
}

// resume ends the current answer, which failed with cause, and asks for
// the stream again from b.off, waiting streamBackoff before the first
// request since the last new byte and twice as long before each next one.
// It returns the error the read fails with when it cannot: the download
// is over (cause), the bytes differ (errStreamDiffers), or streamRetries
// requests since the last new byte failed or broke off again.
func (b *resumingBody) resume(cause error) error {
	b.watch.Stop()
	b.cur.body.Close()
	b.cur.cancel()
	if b.bg.Err() != nil { // the download was stopped (Close)
		return cause
	}
	cause = b.why(cause)
	for b.fails < streamRetries {
		select {
		case <-time.After(streamBackoff << b.fails):
		case <-b.bg.Done():
			return cause
		}
		b.fails++
		s, err := b.c.requestStream(b.bg, b.bg, b.trackID, b.kbps, b.off)
		if err != nil {
			cause = err
			continue
		}
		b.use(s)
		if err := b.skip(s.from); err != nil {
			b.watch.Stop()
			s.body.Close()
			s.cancel()
			if errors.Is(err, errStreamDiffers) {
				return fmt.Errorf("stream cut at byte %d: %w", b.off, err)
			}
			cause = b.why(err)
			continue
		}
		return nil
	}
	return fmt.Errorf("stream cut at byte %d and asked again %d times: %w", b.off, streamRetries, cause)
}

// why is err, the failure of the current answer, or that no byte came
// for streamStall when the stall watch ended it (err is then its
// cancellation: "context canceled").
func (b *resumingBody) why(err error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.silent {
		return fmt.Errorf("no byte came for %v", streamStall)
	}
	return err
}

// skip reads the current answer, which starts at byte from, up to b.off,
// checking that the bytes it shares with b.tail are the same: it fails
// with errStreamDiffers when they are not, and saying where the answer
// ended when it ends before b.off (a range other than the one asked, a
// shorter transcode, a cut).
func (b *resumingBody) skip(from int64) error {
	n := b.off - from
	if n == 0 {
		return nil
	}
	check := min(n, int64(len(b.tail)))
	r := &progress{r: b.cur.body, watch: b.watch}
	got := make([]byte, check)
	_, err := io.CopyN(io.Discard, r, n-check)
	if err == nil {
		_, err = io.ReadFull(r, got)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the answer from byte %d ended at byte %d, before byte %d", from, from+r.n, b.off)
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(got, b.tail[len(b.tail)-int(check):]) {
		return errStreamDiffers
	}
	return nil
}

// progress is a reader that pushes the stall watch back at each byte and
// counts them (n).
type progress struct {
	r     io.Reader
	watch *time.Timer
	n     int64
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.watch.Reset(streamStall)
		p.n += int64(n)
	}
	return n, err
}

// Close ends the stream.
func (b *resumingBody) Close() error {
	b.watch.Stop()
	err := b.cur.body.Close()
	b.cur.cancel()
	return err
}
