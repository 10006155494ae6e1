package cli

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"segue/cache"
	"segue/catalog"
	"segue/net/fetch"
	"segue/offline"
	"segue/player"
	"segue/ui"
)

// tuiPins pins through the same code as segue offline add.
type tuiPins struct {
	a       *app
	c       *cache.Cache
	quality string

	mu     sync.Mutex // serializes downloads and changes to the offline list; guards closed
	closed bool
	wg     sync.WaitGroup // the background follow
}

// errPinsClosed answers a pin asked for while the interface shuts down.
var errPinsClosed = errors.New("the interface is closing")

// close waits for a running download (whose context the caller has
// cancelled) and refuses new ones, so the cache can be closed after it.
func (p *tuiPins) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}

// follow makes the pins follow their collections on the origin (renamed,
// edited playlists) in the background, as segue offline list does; close
// waits for it.
func (p *tuiPins) follow(ctx context.Context, log *slog.Logger) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed {
			return
		}
		unlock, err := offline.Lock(ctx, p.a.cfg.StateDir, nil) // nothing may be written to the terminal
		if err != nil {
			log.Warn("pins did not follow the origin", "err", err)
			return
		}
		defer unlock()
		l, err := p.a.loadPins(true)
		if err == nil {
			_, err = p.a.syncPins(ctx, p.c, l, nil)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("pins did not follow the origin", "err", err)
		}
	}()
}

// Pinned lists the refs of the offline list that name something on the
// configured source: a pin by ID made against another origin is left out
// (the same ID here is another album or playlist, which the interface
// marked pinned and, offline, listed from documents it does not have).
func (p *tuiPins) Pinned() ([]string, error) {
	l, err := p.a.loadPins(false)
	if err != nil {
		return nil, err
	}
	here := p.a.sourceURL()
	refs := []string{}
	for _, c := range l.Collections {
		if !pinnedElsewhere(c, here) {
			refs = append(refs, c.Ref)
		}
	}
	return refs, nil
}

// Pin downloads and pins ref, reporting progress. A ref pinned already
// (pin.Follow: a playlist edited here) keeps the quality it was pinned at,
// by segue offline add --quality too.
func (p *tuiPins) Pin(ctx context.Context, ref string, progress func(done, total int64)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPinsClosed
	}
	quality := p.quality
	if l, err := p.a.loadPins(false); err == nil {
		if old, ok := l.Find(pinKey(ref)); ok && old.Quality != "" {
			quality = old.Quality
		}
	}
	_, err := p.a.pinRef(ctx, p.c, ref, quality, pinReport{bytes: func(offline.Collection) offline.Progress { return progress }})
	return err
}

// Unpin drops ref from the offline list and unpins what nothing else holds.
func (p *tuiPins) Unpin(ref string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPinsClosed
	}
	return p.a.unpinRef(p.c, ref)
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
	_ ui.Opener             = (*resolver)(nil)
	_ player.ManifestSource = (*resolver)(nil)
	_ fetch.Remote          = (*resolver)(nil)
)
