package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"segue/cache"
	"segue/catalog"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/offline"
	"segue/player"
	"segue/share"
	"segue/ui"
)

// tuiOpener resolves what the interface's `o` is given (a share URL, an
// API URL, or a playlist, album or track ID) and remembers which origin
// each opened track came from, so its manifest and segments are asked of
// that origin even when it is not the configured one.
type tuiOpener struct {
	a    *app
	docs *cache.Cache
	def  *originclient.Client

	mu      sync.Mutex                      // guards owner and clients
	owner   map[string]*originclient.Client // track ID -> origin it came from
	clients map[string]*originclient.Client // by base URL, the configured one excluded
}

func newTUIOpener(a *app, docs *cache.Cache, def *originclient.Client) *tuiOpener {
	return &tuiOpener{a: a, docs: docs, def: def, owner: map[string]*originclient.Client{}, clients: map[string]*originclient.Client{}}
}

// plainID is what an ID looks like; anything else is taken for a URL.
var plainID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Open resolves ref into its tracks. Anything that is not a plain ID must
// be a share URL (or an API URL of an origin): a malformed one gets the
// share URL parser's reason.
func (o *tuiOpener) Open(ctx context.Context, ref string) ([]catalog.Track, error) {
	ref = strings.TrimSpace(ref)
	if !plainID.MatchString(ref) {
		if _, err := share.ParseURL(ref); err != nil && !strings.Contains(ref, "/api/") {
			return nil, err
		}
	}
	r, err := newResolver(o.a, o.docs)
	if err != nil {
		return nil, err
	}
	tracks, err := r.resolve(ctx, []string{ref}, "")
	if err != nil {
		return nil, openError(ref, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, c := range r.owner {
		if c.BaseURL() != o.def.BaseURL() {
			o.owner[id] = c
			o.clients[c.BaseURL()] = c
		}
	}
	return tracks, nil
}

// openError says in one short line why ref did not open: the status line
// has room for one, and the full error (with URLs) would cut the reason off.
func openError(ref string, err error) error {
	what, where := "open "+ref, "the origin"
	if l, perr := share.ParseURL(ref); perr == nil {
		what, where = "open shared playlist", "its origin "+strings.TrimPrefix(strings.TrimPrefix(l.Origin, "http://"), "https://")
		if errors.Is(err, originclient.ErrNotFound) || errors.Is(err, originclient.ErrUnauthorized) {
			return fmt.Errorf("%s: the link is unknown or was revoked: %w", what, originclient.ErrNotFound)
		}
	}
	switch {
	case errors.Is(err, originclient.ErrOffline):
		return fmt.Errorf("%s: %s is unreachable and it was never opened here: %w", what, where, originclient.ErrOffline)
	case errors.Is(err, originclient.ErrNotFound):
		return fmt.Errorf("%s: %w", what, originclient.ErrNotFound)
	}
	return err
}

// client returns the origin trackID came from, or the configured one.
func (o *tuiOpener) client(trackID string) *originclient.Client {
	o.mu.Lock()
	defer o.mu.Unlock()
	if c := o.owner[trackID]; c != nil {
		return c
	}
	return o.def
}

// Manifest fetches (or recalls, offline) a track's manifest from the
// origin it came from.
func (o *tuiOpener) Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error) {
	m, err := o.client(trackID).Manifest(ctx, trackID)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// errNoOtherOrigin answers a chunk request when no shared playlist of
// another origin was opened.
var errNoOtherOrigin = errors.New("no other origin known")

// Chunk asks the other origins opened links came from: segments are
// content-addressed, so whichever holds the hash may answer (the fetcher
// checks it).
func (o *tuiOpener) Chunk(ctx context.Context, hash string) ([]byte, error) {
	o.mu.Lock()
	cs := make([]*originclient.Client, 0, len(o.clients))
	for _, c := range o.clients {
		cs = append(cs, c)
	}
	o.mu.Unlock()
	err := errNoOtherOrigin
	for _, c := range cs {
		b, cerr := c.Chunk(ctx, hash)
		if cerr == nil {
			return b, nil
		}
		err = cerr
	}
	return nil, err
}

// tuiPins pins through the same code as segue offline add.
type tuiPins struct {
	a       *app
	c       *cache.Cache
	quality string

	mu     sync.Mutex // serializes downloads and changes to the offline list; guards closed
	closed bool
}

// errPinsClosed answers a pin asked for while the interface shuts down.
var errPinsClosed = errors.New("the interface is closing")

// close waits for a running download (whose context the caller has
// cancelled) and refuses new ones, so the cache can be closed after it.
func (p *tuiPins) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
}

// Pinned lists the refs of the offline list.
func (p *tuiPins) Pinned() ([]string, error) {
	l, err := offline.Load(p.a.cfg.StateDir)
	if err != nil {
		return nil, err
	}
	refs := make([]string, len(l.Collections))
	for i, c := range l.Collections {
		refs[i] = c.Ref
	}
	return refs, nil
}

// Pin downloads and pins ref, reporting progress.
func (p *tuiPins) Pin(ctx context.Context, ref string, progress func(done, total int64)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPinsClosed
	}
	_, err := p.a.pinRef(ctx, p.c, ref, p.quality, func(offline.Collection) offline.Progress { return progress })
	return err
}

// Unpin drops ref from the offline list and unpins what nothing else holds.
func (p *tuiPins) Unpin(ref string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPinsClosed
	}
	l, err := offline.Load(p.a.cfg.StateDir)
	if err != nil {
		return err
	}
	if err := p.c.Unpin(l.Remove(ref)...); err != nil {
		return err
	}
	return l.Save()
}

// offlineQuality is the rendition the interface pins: the configured one
// when it names a rendition, else normal.
func offlineQuality(q string) string {
	if catalog.Bitrates[q] > 0 {
		return q
	}
	return catalog.RenditionNormal
}

var (
	_ ui.Opener             = (*tuiOpener)(nil)
	_ player.ManifestSource = (*tuiOpener)(nil)
	_ fetch.Remote          = (*tuiOpener)(nil)
)
