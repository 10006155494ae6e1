package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"segue/catalog"
	"segue/config"
	"segue/origin/blobs"
	"segue/share"
)

// ServerOptions configure New. Zero values take the documented defaults.
type ServerOptions struct {
	// DataDir holds catalog.db and blobs/ (required).
	DataDir string
	// Blobs is the blob store /chunks and covers are served from (default:
	// blobs.FS in DataDir/blobs).
	Blobs blobs.Store
	// Catalog is the catalog to serve: a postgres:// URL, shared by any
	// number of replicas, or "" for catalog.db in DataDir (see
	// OpenCatalogAt).
	Catalog string
	// Addr is where ListenAndServe listens (default 127.0.0.1:7700).
	Addr string
	// RequireToken demands a bearer token even on a loopback address. Off
	// loopback tokens are always required.
	RequireToken bool
	// Logger receives the access log and lifecycle messages (default: discard).
	Logger *slog.Logger
	// MemoryCache is how many bytes of recently served blobs (segments,
	// covers) are kept in memory (default defaultMemoryCache; negative: none).
	MemoryCache int64
	// PeersAcrossTokens lets the tracker list peers announced with any
	// token; by default a client only learns of peers behind its own token.
	PeersAcrossTokens bool
	// PeerTTL is how long a peer's announce stays live (default
	// DefaultPeerTTL).
	PeerTTL time.Duration
	// TLSCert and TLSKey are PEM files of the certificate (with its chain)
	// and its key; when both are set the origin serves https only (TLS 1.2
	// at least, HTTP/2). ReloadCertificate reads them again.
	TLSCert, TLSKey string
	// PinShareURLs makes share URLs the origin hands out over its own TLS
	// carry the certificate's fingerprint (#sha256=...): for a self-signed
	// certificate, which clients cannot verify otherwise.
	PinShareURLs bool
	// PublicURL is how people reach the origin (https://music.example),
	// used for share URLs instead of the request's scheme and Host (behind
	// a reverse proxy that terminates TLS). Default: from the request.
	PublicURL string
	// TrustedProxies are the addresses whose X-Forwarded-For, -Proto and
	// -Host are believed (default: none): see realClient.
	TrustedProxies []netip.Prefix
	// HeaderTimeout bounds reading a request's head (its request line
	// and header fields), on every connection: a client that trickles
	// them (slowloris) is cut off (default 10s).
	HeaderTimeout time.Duration
	// ReadTimeout bounds reading one request, body included: a client
	// that trickles its body is cut off (default 60s).
	ReadTimeout time.Duration
	// StallTimeout cuts off a document (JSON, a page, a playlist file)
	// whose client takes none of it this long, as nginx's send_timeout
	// does between two writes (a client that stops reading holds one of
	// the maxDocsInFlight slots); a response that moves may take any time
	// (default 30s).
	StallTimeout time.Duration
	// PauseTimeout is StallTimeout for media, the answers whose
	// Content-Type is audio or an image (/chunks, a track's stream,
	// Subsonic's stream and download, covers): a player that pauses stops
	// reading once its buffer and the sockets' are full, and one that
	// reads at the audio's pace takes a 1 MiB piece in 52 s at 160 kbit/s,
	// so StallTimeout cut both, and the listener found the stream gone on
	// resuming (a browser's <audio> on the share page, a Subsonic app
	// streaming). The cost of the wait is the connection's slot (of
	// MaxConns) and its socket buffers, for a client gone as well as a
	// paused one (default 10m: a pause for a call or a coffee).
	PauseTimeout time.Duration
	// MaxConns bounds the connections served at once (default 1024; each
	// costs a descriptor and about 10 KiB of buffers and goroutine). When
	// all are taken, a newcomer closes the connection idle longest (a
	// keep-alive between requests), or waits for one to close or go idle;
	// further ones wait in the listen backlog.
	MaxConns int
	// ShutdownTimeout bounds how long in-flight requests may run after the
	// context given to Serve ends (default 10s).
	ShutdownTimeout time.Duration
	// CommandFlags name this origin's catalog in the segue origin commands
	// its log suggests, as serve was given it (" --data DIR", " --catalog
	// URL" without its password); empty for the default data dir. Without
	// them a suggested command acts on another origin's catalog.
	CommandFlags string
}

// Server serves the origin HTTP API and /chunks from one data dir.
//
// New opens the catalog; Serve runs until its context ends and then shuts
// down gracefully; Close releases the catalog. A Server serves at most one
// listener.
type Server struct {
	opts   ServerOptions
	db     *sql.DB
	reader *Reader
	// playlists is the playlist store, in the same catalog database.
	playlists *Playlists
	blobs     blobs.Store
	mem       *blobCache // nil when disabled
	files     *openFiles // the fast path's open blob files
	types     *blobTypes // blobs' types read off them, for /chunks on net/http
	covers    coverTypes // the catalog's covers, for presigned /chunks URLs
	// redirect is the blob store when it answers /chunks itself
	// (presigned URLs), else nil.
	redirect blobs.Redirector
	tracker  *Tracker
	reco     *recommender
	log      *slog.Logger
	// auth is true when requests need a bearer token. It is decided from
	// Addr in New and re-decided from the real listener in Serve.
	auth atomic.Bool
	// openProxyWarned: warnOpenBehindProxy has logged its warning
	openProxyWarned atomic.Bool
	handler         http.Handler
	// mux holds the routes; Mount adds to it.
	mux *http.ServeMux
	// mounts are the path prefixes whose handlers authenticate requests
	// themselves (see Mount).
	mounts atomic.Pointer[[]string]
	certs  *certSource // nil when serving plain http
	// authFails rate-limits refused tokens per client address.
	authFails *authLimiter
	// docs holds a token per document being answered (see docSlot).
	docs chan struct{}

	mu     sync.Mutex   // guards http, plain, split and closed
	http   *http.Server // set by Serve
	plain  *http.Server // set by Serve on an https origin: its answers to plain http
	split  *splitter    // set by Serve when /chunks has its fast path
	closed bool         // set by Close
	// serving is closed once Serve has set up its servers (tests wait for it
	// before asking about the fast path's connections).
	serving chan struct{}
}

// New opens the catalog in o.DataDir (creating an empty one when there is
// none) and builds the handler.
func New(o ServerOptions) (*Server, error) {
	if o.DataDir == "" {
		return nil, errors.New("start origin: no data dir given (use --data DIR)")
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:7700"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MemoryCache == 0 {
		o.MemoryCache = defaultMemoryCache
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 10 * time.Second
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 60 * time.Second
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 30 * time.Second
	}
	if o.PauseTimeout <= 0 {
		o.PauseTimeout = 10 * time.Minute
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 1024
	}
	if o.Blobs == nil {
		o.Blobs = blobs.FS{Dir: filepath.Join(o.DataDir, BlobDir)}
	}
	var certs *certSource
	if o.TLSCert != "" || o.TLSKey != "" {
		if o.TLSCert == "" || o.TLSKey == "" {
			return nil, errors.New("start origin: TLS needs both --tls-cert and --tls-key")
		}
		var err error
		if certs, err = newCertSource(o.TLSCert, o.TLSKey); err != nil {
			return nil, fmt.Errorf("start origin: %w", err)
		}
	}
	db, err := OpenCatalogAt(context.Background(), o.Catalog, o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start origin: %w", err)
	}
	s := &Server{
		opts:      o,
		db:        db,
		reader:    NewReader(db),
		playlists: NewPlaylists(db),
		blobs:     o.Blobs,
		log:       o.Logger,
		tracker:   NewTracker(db, o.PeerTTL, nil),
		reco:      &recommender{db: db, log: o.Logger, after: rebuildAfter},
		certs:     certs,
		authFails: newAuthLimiter(time.Now),
		serving:   make(chan struct{}),
		docs:      make(chan struct{}, maxDocsInFlight),
		files:     newOpenFiles(openBlobsFor(o.MaxConns)),
		types:     newBlobTypes(),
	}
	if o.MemoryCache > 0 {
		s.mem = newBlobCache(o.MemoryCache)
	}
	if rd, ok := o.Blobs.(blobs.Redirector); ok {
		// Whether a store redirects is how it was set up, not which blob
		// is asked for: asked once (a presign is signed here, no request).
		u, err := rd.RedirectURL(context.Background(), http.MethodGet, strings.Repeat("0", 64), blobAudio.MIME(), chunkCacheControl)
		if err != nil || u != "" {
			s.redirect = rd
		}
	}
	s.auth.Store(o.RequireToken || !IsLoopback(o.Addr))
	s.mux = s.routes()
	// jsonErrors is outside guard and authenticate, so that their refusals
	// reach a browser as pages too.
	s.handler = s.realClient(accessLog(s.log, jsonErrors(s.guard(s.authenticate(s.docSlot(s.mux))))))
	return s, nil
}

// idleTimeout is how long a keep-alive connection may wait for its next
// request.
const idleTimeout = 2 * time.Minute

// defaultMemoryCache is ServerOptions.MemoryCache's default: 64 MiB.
const defaultMemoryCache = 64 << 20

// connKey is the context key under which Serve leaves the request's TCP
// socket (*net.TCPConn, see tcpConn), so serveBlob can cork it and guard
// reset it.
type connKey struct{}

// IsLoopback reports whether addr (host:port) only accepts local
// connections. An empty host means every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RequiresToken reports whether requests must carry a bearer token.
func (s *Server) RequiresToken() bool { return s.auth.Load() }

// ReloadCertificate reads the TLS certificate and key files again (on
// SIGHUP): new connections get the new certificate, open ones keep theirs.
// On an error the old certificate stays in use. Without TLS it does nothing.
func (s *Server) ReloadCertificate() error {
	if s.certs == nil {
		return nil
	}
	if err := s.certs.Reload(); err != nil {
		return err
	}
	s.log.Info("TLS certificate reloaded", "sha256", s.certs.fingerprint())
	return nil
}

// Fingerprint returns the SHA-256 fingerprint of the certificate served
// (64 hex digits, what clients give to --pin-sha256), or "" without TLS.
func (s *Server) Fingerprint() string {
	if s.certs == nil {
		return ""
	}
	return s.certs.fingerprint()
}

// Handler returns the origin's HTTP handler (routes, auth, access log).
func (s *Server) Handler() http.Handler { return s.handler }

// Listen opens the origin's TCP listener on addr (HOST:PORT). Its
// connections get no TCP keep-alive probes, as nginx's (so_keepalive is off
// by default): the servers end idle connections (idleTimeout) and stalled
// responses (ServerOptions.StallTimeout) themselves, and Go's default sets
// four socket options on every connection it accepts. Without them a new
// connection's first request took 3% less time (BenchmarkChunksVsNginx's
// first-request p50, 5 of 6 paired runs, 2026-12-01; issue 14).
func Listen(addr string) (net.Listener, error) {
	return (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp", addr)
}

// ListenAndServe listens on the configured Addr (Listen) and serves until
// ctx ends.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Listen listens on the server's Addr, for Serve; its error says what to
// do (another program holds the port, no interface has the address).
func (s *Server) Listen() (net.Listener, error) {
	ln, err := Listen(s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (%s)", s.opts.Addr, err, config.ListenAdvice(err, "--addr"))
	}
	return ln, nil
}

// Serve accepts connections on ln until ctx ends, then stops accepting and
// lets in-flight requests finish (up to ShutdownTimeout). It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !IsLoopback(ln.Addr().String()) {
		s.auth.Store(true)
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.opts.HeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if tcp := tcpConn(c); tcp != nil {
				return context.WithValue(ctx, connKey{}, tcp) // for cork on /chunks and the reset of a stall
			}
			return ctx
		},
	}
	s.mu.Lock()
	if s.http != nil || s.closed {
		s.mu.Unlock()
		ln.Close()
		return errors.New("serve origin: the server was already started or closed")
	}
	s.http = hs
	s.mu.Unlock()

	scheme := "http"
	if s.certs != nil {
		scheme = "https"
		hs.TLSConfig = s.certs.tlsConfig()
	}
	s.log.Info("origin serving", "addr", config.ListenedAddr(s.opts.Addr, ln.Addr()), "scheme", scheme, "data", s.opts.DataDir,
		"catalog", CatalogName(s.opts.Catalog, s.opts.DataDir), "blobs", fmt.Sprint(s.blobs), "tokens", s.auth.Load(), "pause_timeout", s.opts.PauseTimeout)
	if s.auth.Load() {
		s.warnLocalOwned(ctx)
	}
	s.warnMissingBlobs(ctx)
	_, redirects := s.blobs.(blobs.Redirector)
	fastPath := s.certs == nil && !s.auth.Load() && len(s.opts.TrustedProxies) == 0 && !redirects
	if fastPath {
		ln = newRawListener(ln)
	}
	limit := newConnLimiter(ln, s.opts.MaxConns)
	hs.ConnState = limit.connState
	var httpLn net.Listener = limit
	var fast *fasthttp.Server
	if fastPath {
		sp := newSplitter(limit, s.opts.HeaderTimeout)
		defer func() {
			sp.closeFast() // those still open past ShutdownTimeout, or after a failed listener
			sp.wait()
		}()
		httpLn, fast = sp.httpLn, s.newFastServer(sp, limit)
		s.mu.Lock()
		s.split = sp
		s.mu.Unlock()
		go fast.Serve(sp.fastLn)
		sp.start(fast.ServeConn)
	}
	plainDone := make(chan struct{}) // closed when plain's Serve has returned
	var plain *http.Server           // an https origin's answers to plain http (httpsOnly)
	if s.certs != nil {
		sp := newSplitter(limit, s.opts.HeaderTimeout)
		sp.splitScheme()
		defer sp.wait()
		httpLn, plain = sp.httpLn, s.plainServer(limit)
		s.mu.Lock()
		s.plain = plain
		s.mu.Unlock()
		go func() { plain.Serve(sp.plainLn); close(plainDone) }()
		defer func() { plain.Close(); <-plainDone }() // after Shutdown, those still open past ShutdownTimeout
		sp.start(nil)
	} else {
		close(plainDone)
	}
	close(s.serving)
	errc := make(chan error, 1)
	go func() {
		if s.certs != nil {
			errc <- hs.ServeTLS(httpLn, "", "") // the certificate comes from TLSConfig.GetCertificate
			return
		}
		errc <- hs.Serve(httpLn)
	}()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) { // Close was called
			return nil
		}
		return fmt.Errorf("serve origin: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	fastDone := make(chan struct{})
	if fast != nil {
		go func() { fast.ShutdownWithContext(sctx); close(fastDone) }()
	} else {
		close(fastDone)
	}
	plainDown := make(chan struct{})
	if plain != nil {
		go func() { plain.Shutdown(sctx); close(plainDown) }()
	} else {
		close(plainDown)
	}
	err := hs.Shutdown(sctx)
	<-plainDown
	<-errc     // http.ErrServerClosed once Serve has returned
	<-fastDone // the fast path's requests ended, their lines logged
	s.log.Info("origin stopped", "addr", config.ListenedAddr(s.opts.Addr, ln.Addr()))
	if err != nil {
		return fmt.Errorf("shut down origin: %w", err)
	}
	return nil
}

// Close stops serving at once (Serve returns nil) and closes the catalog.
// For a graceful stop, end the context given to Serve first.
func (s *Server) Close() error {
	s.mu.Lock()
	hs, plain, sp := s.http, s.plain, s.split
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		return nil
	}
	if hs != nil {
		hs.Close()
	}
	if plain != nil {
		plain.Close()
	}
	if sp != nil {
		sp.closeFast()
	}
	s.reco.close()
	return s.db.Close()
}

// bearer returns the credentials of an "Authorization: Bearer X" header;
// the scheme is case-insensitive (RFC 9110, section 11.1).
func bearer(h string) (string, bool) {
	scheme, secret, _ := strings.Cut(strings.TrimSpace(h), " ")
	secret = strings.TrimSpace(secret)
	return secret, strings.EqualFold(scheme, "Bearer") && secret != ""
}

// authenticate decides who a request speaks for (see principal): everyone
// is the local owner on an open origin (see principalOf); otherwise a live bearer token names
// its owner, and a share token as bearer grants its playlist's scope only.
// GET /p/{token} needs no bearer: the token in the path is the capability.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.auth.Load() {
			s.warnOpenBehindProxy(r)
			// An open origin serves everyone as the local owner, but a
			// valid token still speaks for its owner: the playlists
			// handed to it (origin token adopt-local) were not found with
			// it, so a pin of one was "gone from the origin". Any other
			// bearer is ignored, as before.
			if secret, ok := bearer(r.Header.Get("Authorization")); ok {
				if tok, err := CheckToken(r.Context(), s.db, secret); err == nil {
					r = r.WithContext(withPrincipal(r.Context(), principal{owner: tok.ID}))
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		// A path that cleans to /p/... (//p/TOKEN, as a chat app or a
		// hand may write the link) is the share page the router
		// redirects it to: it was refused 401, saying to create a
		// bearer token, to whoever opened the link. So is /P/...
		// (redirectCapitalShare).
		if p := path.Clean(r.URL.Path); strings.HasPrefix(p, "/p/") || strings.HasPrefix(p, "/P/") || s.mounted(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		secret, ok := bearer(r.Header.Get("Authorization"))
		if q := queryShareToken(r); !ok && q != "" {
			// a share token only: a bearer token never goes in a URL
			secret, ok = q, share.ValidToken(q) && !strings.HasPrefix(q, tokenPrefix)
		}
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="segue"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is required: create one with segue origin token create NAME")
			return
		}
		tok, err := CheckToken(r.Context(), s.db, secret)
		if errors.Is(err, ErrBadToken) && share.ValidToken(secret) {
			if _, err := s.playlists.ByShare(r.Context(), secret); err == nil {
				if s.shareScope(w, r, secret) {
					next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), principal{share: secret})))
				}
				return
			}
		}
		if err != nil {
			if errors.Is(err, ErrBadToken) {
				// Only refused credentials are limited, after they are
				// checked: a valid token is served whatever else came from
				// its address (one NAT: a device with a stale token must
				// not lock the household out).
				addr := authKey{addr: clientAddr(r.RemoteAddr)}
				if wait := s.authFails.blocked(addr); wait > 0 {
					w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
					writeError(w, http.StatusTooManyRequests, fmt.Sprintf("the bearer token (or share link) is unknown or revoked, and %s ones came from this address: check it, then retry in %d s (a valid token is not kept waiting)", catalog.TooManyRefused, int(wait.Seconds())+1))
					return
				}
				s.authFails.failed(addr)
				w.Header().Set("WWW-Authenticate", `Bearer realm="segue", error="invalid_token"`)
				writeError(w, http.StatusUnauthorized, "the bearer token (or share link) is unknown or revoked")
				return
			}
			s.internal(w, r, fmt.Errorf("check token: %w", err))
			return
		}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), principal{owner: tok.ID})))
	})
}
