package peer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"segue/cache"
	"segue/catalog"
)

// Holder is the local segment cache as the peer endpoint reads it;
// *cache.Cache satisfies it.
type Holder interface {
	Get(hash string) ([]byte, error)
}

// Dropper is a Holder that can forget a segment whose stored bytes are not
// its hash's (disk corruption); *cache.Cache satisfies it. The endpoint
// drops such a segment so that it is fetched again, not served again.
type Dropper interface {
	Drop(hash string) error
}

// Defaults of ServerOptions.
const (
	// DefaultMaxUploads is how many peers are served at once (Spotify: 4).
	DefaultMaxUploads = 4
	// DefaultUploadRate caps the bytes per second sent to all peers together
	// (2 MiB/s: 50 listeners of the 320k rendition).
	DefaultUploadRate = 2 << 20
)

// ServerOptions configure NewServer. Zero values take the documented defaults.
type ServerOptions struct {
	// Store holds the segments served (required). Nothing else is served:
	// a peer never fetches on another's behalf.
	Store Holder
	// MaxUploads is how many requests are answered at once; more are told
	// 503 at once so the asker tries another source (default 4).
	MaxUploads int
	// UploadRate caps bytes per second over all uploads (default 2 MiB/s).
	UploadRate int64
	// Gauge, when set, is the local player's buffer: while it is low the
	// endpoint answers 503 so the player keeps the bandwidth.
	Gauge *Gauge
	// Logger receives one line per upload and refusals (default: discard).
	Logger *slog.Logger
}

// Server is the peer endpoint: GET /chunks/{sha256} answered from the local
// cache only, with bytes whose sha256 is checked first (a segment gone bad
// on disk is answered 404, as not held, and dropped from a Dropper store), to at most MaxUploads peers at once, under an upload rate
// cap, and not while the local player's buffer is low. Serve runs it until
// its context ends; Uploaded counts what it sent.
type Server struct {
	opts    ServerOptions
	slots   chan struct{} // one per upload in progress
	limit   *rate.Limiter // bytes over all uploads
	sent    atomic.Int64
	handler http.Handler
}

// uploadPiece is how many bytes are written per rate-limiter wait.
const uploadPiece = 16 << 10

// pieceStall is how long one piece may take to leave once the rate cap
// lets it go: 16 KiB in 5 s is below the lowest rendition's rate, so a
// listener that slow (or gone: asleep, stopped, unplugged) has its upload
// cut and the slot goes to another.
const pieceStall = 5 * time.Second

// NewServer returns a peer endpoint over o.Store.
func NewServer(o ServerOptions) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("peer endpoint: no segment store given")
	}
	if o.MaxUploads <= 0 {
		o.MaxUploads = DefaultMaxUploads
	}
	if o.UploadRate <= 0 {
		o.UploadRate = DefaultUploadRate
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: o, slots: make(chan struct{}, o.MaxUploads),
		limit: rate.NewLimiter(rate.Limit(o.UploadRate), max(uploadPiece, int(o.UploadRate/10)))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /chunks/{hash}", s.handleChunk)
	s.handler = mux
	return s, nil
}

// Handler returns the endpoint's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Uploaded is how many segment bytes the endpoint has sent.
func (s *Server) Uploaded() int64 { return s.sent.Load() }

// refuse answers 503 with a Retry-After, which askers treat as "busy".
func refuse(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	http.Error(w, why, http.StatusServiceUnavailable)
}

func (s *Server) handleChunk(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if !catalog.ValidHash(hash) {
		http.Error(w, "malformed chunk name: want 64 lowercase hex digits (sha256)", http.StatusBadRequest)
		return
	}
	if s.opts.Gauge.Low() {
		refuse(w, "busy: the local player's buffer is low")
		return
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		refuse(w, "busy: serving "+strconv.Itoa(s.opts.MaxUploads)+" peers already")
		return
	}
	data, err := s.opts.Store.Get(hash)
	if err != nil {
		var bad *cache.BadEntryError
		if errors.As(err, &bad) { // the cache found the damage and dropped it
			s.saidBad(hash, "dropped", true)
		}
		http.Error(w, "not held here", http.StatusNotFound)
		return
	}
	// A cache gone bad on disk served its wrong bytes, and every listener
	// banned this honest peer for them: check before sending.
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
		s.dropBad(hash, len(data))
		http.Error(w, "not held here", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "audio/mpeg")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	start := time.Now()
	rc := http.NewResponseController(w)
	for off := 0; off < len(data); off += uploadPiece {
		piece := data[off:min(off+uploadPiece, len(data))]
		if err := s.limit.WaitN(r.Context(), len(piece)); err != nil {
			return // the asker went away
		}
		// Without a deadline a listener that stopped reading held the slot
		// as long as its connection lived: its kernel keeps answering with
		// a zero window, and the write waits on.
		if err := rc.SetWriteDeadline(time.Now().Add(pieceStall)); err != nil {
			s.opts.Logger.Debug("peer upload: no write deadline", "err", err)
		}
		n, err := w.Write(piece)
		s.sent.Add(int64(n))
		if err != nil {
			s.opts.Logger.Debug("peer upload cut", "hash", hash, "to", r.RemoteAddr, "sent", off+n, "err", err)
			return
		}
	}
	s.opts.Logger.Debug("peer upload", "hash", hash, "bytes", len(data), "to", r.RemoteAddr, "took", time.Since(start))
}

// dropBad forgets a stored segment whose bytes are not its hash's, and
// says so in the log: the cache file is damaged.
func (s *Server) dropBad(hash string, size int) {
	attrs := []any{"bytes", size}
	if d, ok := s.opts.Store.(Dropper); ok {
		if err := d.Drop(hash); err != nil {
			attrs = append(attrs, "drop_failed", err)
		} else {
			attrs = append(attrs, "dropped", true)
		}
	}
	s.saidBad(hash, attrs...)
}

// saidBad logs that the stored segment hash was found damaged and not
// served, with attrs.
func (s *Server) saidBad(hash string, attrs ...any) {
	s.opts.Logger.Warn("peer endpoint: a cached segment's bytes are damaged (the cache file is: segue cache verify checks and mends the rest); it was not served",
		append([]any{"hash", hash}, attrs...)...)
}

// Serve answers peers on ln until ctx ends, then lets uploads in flight
// finish for up to 5 s. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve peers on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-errc
	return err
}

// Gauge is the local player's buffer as the peer layer sees it: how much
// audio is fetched ahead of the play head. A nil *Gauge is never low.
type Gauge struct {
	low   time.Duration
	mu    sync.Mutex // guards ahead and idle
	ahead time.Duration
	idle  bool
}

// DefaultLowWater is the buffer under which uploads stop (two segments).
const DefaultLowWater = 5 * time.Second

// NewGauge returns a gauge that is low below lowWater (default
// DefaultLowWater) while something plays; it starts idle.
func NewGauge(lowWater time.Duration) *Gauge {
	if lowWater <= 0 {
		lowWater = DefaultLowWater
	}
	return &Gauge{low: lowWater, idle: true}
}

// Set records the audio buffered ahead of the play head while playing.
func (g *Gauge) Set(ahead time.Duration) {
	g.mu.Lock()
	g.ahead, g.idle = ahead, false
	g.mu.Unlock()
}

// Idle records that nothing plays: the gauge is not low.
func (g *Gauge) Idle() {
	g.mu.Lock()
	g.idle = true
	g.mu.Unlock()
}

// Low reports whether the player is playing with less than the low water
// mark buffered.
func (g *Gauge) Low() bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.idle && g.ahead < g.low
}

// Ahead is the buffered audio (a day when idle or nil: nothing is urgent).
func (g *Gauge) Ahead() time.Duration {
	if g == nil {
		return 24 * time.Hour
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.idle {
		return 24 * time.Hour
	}
	return g.ahead
}
