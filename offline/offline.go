// Package offline keeps the collections (playlists, albums, tracks) a
// listener pinned for offline play: which segments and documents each one
// holds, in a JSON file in the state dir, and the download that pins them in
// the cache. It does not talk to the origin itself: the caller resolves a
// collection into its segments and documents and hands in a fetcher.
package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"segue/catalog"
	"segue/internal/atomicfile"
	"segue/internal/filelock"
)

// FileName is the list's file inside the state dir.
const FileName = "offline.json"

// Collection is one pinned playlist, album or track.
type Collection struct {
	Ref string `json:"ref"` // what the user named: ID or share URL
	// Origin is the base URL of the source the pin was made against (a
	// segue origin's as its client normalises it, a share link's origin,
	// or a Subsonic server's subsonic+http(s)://USER@HOST form, never a
	// password): an ID means something only there. Empty in lists saved
	// before segue kept it; the CLI fills it in when it loads them.
	Origin  string    `json:"origin"`
	Kind    string    `json:"kind"` // playlist | album | track
	Name    string    `json:"name"`
	Quality string    `json:"quality"` // rendition name
	Tracks  []string  `json:"tracks"`  // track IDs in play order
	Hashes  []string  `json:"hashes"`  // every segment, all tracks
	Bytes   int64     `json:"bytes"`   // sum of the segments' sizes
	Docs    []string  `json:"docs"`    // document keys (manifests, covers, listings)
	Added   time.Time `json:"added"`
	// Heard is what the origin last answered for the pin when that was
	// not the collection: "gone" (no longer there), "revoked" (a share
	// link that opens nothing now) or "token" (kept for a token not
	// sent); empty when it last answered with the collection, or was
	// never asked. offline list shows it while the origin does not answer.
	Heard string `json:"heard,omitempty"`
}

// List is the set of pinned collections, keyed by Ref.
type List struct {
	path        string
	Collections []Collection `json:"collections"`
}

// Lock takes the list in stateDir for one change (load, download, save):
// a second segue changing it (offline add, offline remove, offline list
// following the origin, the interface's pins) waits for unlock, since each
// saves the list it loaded, and of two adds at once the second to finish
// dropped the first's pin. wait (may be nil) is called once when another
// holds it. The lock is on a file beside the list; the kernel lets it go
// when the process ends. The wait ends with ctx, with ctx's error. A state
// dir that is not there holds no list: there is nothing to lock (Lock
// makes no folder).
func Lock(ctx context.Context, stateDir string, wait func()) (unlock func(), err error) {
	unlock, err = filelock.Lock(ctx, filepath.Join(stateDir, FileName+".lock"), wait)
	if errors.Is(err, fs.ErrNotExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock offline list: %w", err)
	}
	return unlock, nil
}

// Load reads the list in stateDir; a missing file is an empty list.
func Load(stateDir string) (*List, error) {
	l := &List{path: filepath.Join(stateDir, FileName)}
	b, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return l, nil // nothing pinned yet, or a state dir that cannot exist (Save says so)
	}
	if err == nil {
		err = json.Unmarshal(b, l)
	}
	if err != nil {
		return nil, fmt.Errorf("read offline list %s: %w (move it aside to start over)", l.path, err)
	}
	return l, nil
}

// Save writes the list atomically (temp file + rename).
func (l *List) Save() error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	// Private like the rest of the state dir: its documents' URLs carry
	// the share links (capabilities) of pinned shared playlists.
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("save offline list: %w", err)
	}
	if err := atomicfile.Write(l.path, b); err != nil {
		return fmt.Errorf("save offline list: %w", err)
	}
	return nil
}

// Find returns the collection pinned under ref.
func (l *List) Find(ref string) (Collection, bool) {
	i := slices.IndexFunc(l.Collections, func(c Collection) bool { return c.Ref == ref })
	if i < 0 {
		return Collection{}, false
	}
	return l.Collections[i], true
}

// Put adds or replaces c.
func (l *List) Put(c Collection) {
	l.Remove(c.Ref)
	l.Collections = append(l.Collections, c)
}

// Remove drops the collection under ref and returns the keys (segments and
// documents) no other collection still holds, for the caller to unpin.
func (l *List) Remove(ref string) (orphans []string) {
	i := slices.IndexFunc(l.Collections, func(c Collection) bool { return c.Ref == ref })
	if i < 0 {
		return nil
	}
	gone := l.Collections[i]
	l.Collections = slices.Delete(l.Collections, i, i+1)
	return l.Unheld(gone.Keys())
}

// Unheld returns the keys, without repeats, that no listed collection holds.
func (l *List) Unheld(keys []string) []string {
	held := map[string]bool{}
	for _, c := range l.Collections {
		for _, k := range c.Keys() {
			held[k] = true
		}
	}
	var out []string
	for _, k := range keys {
		if !held[k] {
			out = append(out, k)
			held[k] = true
		}
	}
	return out
}

// Keys returns everything c pins: its segments and its documents.
func (c Collection) Keys() []string { return append(slices.Clone(c.Hashes), c.Docs...) }

// ErrNotKept is wrapped when a segment was downloaded but the cache did
// not keep it (its disk filled up during the download): the collection
// would not play offline.
var ErrNotKept = errors.New("the cache did not keep a downloaded segment")

// Pinner is the cache as a download uses it.
type Pinner interface {
	Pin(keys ...string) error
	Has(hash string) bool
}

// Fetcher gets one segment's verified bytes into the cache.
type Fetcher interface {
	Segment(ctx context.Context, hash string, u catalog.Urgency) ([]byte, catalog.Source, error)
}

// Progress is called after each segment of a download, never
// concurrently, with the bytes downloaded so far and the bytes the
// download fetches in all: the segments the cache did not hold when it
// began (from the sizes Download is given), not the collection's size.
// It is never called when there is nothing to fetch.
type Progress func(doneBytes, totalBytes int64)

// Workers is how many segments Download fetches at once: enough to keep a
// loopback or LAN origin busy without flooding a slow link.
const Workers = 4

// Download pins c's keys first (so the fetched segments land pinned and
// pinning beyond the cap fails before any transfer), then fetches every
// segment the cache does not hold yet, Workers at a time. sizes gives each
// hash's size for the progress report, which counts those segments alone
// (see Progress); progress may be nil. The first
// failure cancels the rest and is returned; a segment fetched that the
// cache did not keep is one (ErrNotKept, saying so when p reports a full
// disk with a DiskFull() bool method).
func Download(ctx context.Context, c Collection, sizes map[string]int64, p Pinner, f Fetcher, progress Progress) error {
	if err := p.Pin(c.Keys()...); err != nil {
		return fmt.Errorf("pin %s %q: %w", c.Kind, c.Name, err)
	}
	// Only what is fetched counts: a pin that followed a rename held every
	// segment already, and its report ran from 0% to 100% over nothing.
	var todo []string
	var total int64
	for _, h := range c.Hashes {
		if !p.Has(h) {
			todo = append(todo, h)
			total += sizes[h]
		}
	}
	if len(todo) == 0 {
		return nil
	}
	var (
		mu   sync.Mutex // guards done and serializes progress
		done int64
	)
	report := func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	if progress != nil {
		progress(0, total) // the bar shows from the start
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(Workers)
	for _, h := range todo {
		g.Go(func() error {
			if _, _, err := f.Segment(gctx, h, catalog.UrgencyPrefetch); err != nil {
				return fmt.Errorf("download %s %q: %w", c.Kind, c.Name, err)
			}
			if !p.Has(h) { // the fetcher plays on when the cache cannot store
				why := "is the disk it is on full or read-only?"
				if df, ok := p.(interface{ DiskFull() bool }); ok && df.DiskFull() {
					why = "the disk it is on is full: free some space, then add it again"
				}
				return fmt.Errorf("download %s %q: segment %.12s: %w (%s)", c.Kind, c.Name, h, ErrNotKept, why)
			}
			report(sizes[h])
			return nil
		})
	}
	return g.Wait()
}
