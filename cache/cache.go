// Package cache is segue's client segment cache: a disk LRU in one SQLite file
// with a hard size cap, pinning for offline use, crash safety and usage
// statistics, plus small cached documents (manifests, catalog responses,
// covers) keyed by URL with their ETag so that what was browsed once can be
// browsed offline. Several segue processes may share one file.
//
// It stores and evicts bytes; it must not fetch anything from the network
// and knows nothing of players, peers or the origin.
//
// # Layout
//
// Metadata (key, size, last access, pin flag, document headers) lives in
// the entries table and the bytes in the blobs table, so that scanning
// metadata never walks a blob's overflow chain. Triggers keep a running
// total in the totals table; nothing is SUMmed on the hot path. The file is
// created with auto_vacuum=INCREMENTAL so that freed pages can be given back
// to the filesystem. A reserve file beside it keeps room for eviction,
// clear and gc on a full disk (room.go); it is a quarter of the cap, at
// most 2 MiB, and none at all for a cap under four pages (16 KiB), so it
// never takes more than the cap allows. OpenMemory holds the same tables
// in memory when the file cannot be used.
//
// # Locks
//
// Lock order: writeMu, then SQLite's write lock (BEGIN IMMEDIATE, shared
// with other processes), then mu. Never the reverse, and never wait on
// SQLite while holding mu.
//
//   - writeMu serialises this process's write transactions, so that its
//     connections do not queue on SQLite's busy handler against each other
//     (other processes are handled by the busy timeout and retries).
//   - mu guards pending (access times and counters gathered in memory by
//     readers, written in one transaction by the flusher, by every write
//     transaction (access times only, so eviction sees them) and by Close)
//     and clock.
//
// Readers (Get, Has, GetDoc, Stats) take no write lock: in WAL mode they
// never wait for a writer, and they hold mu only to record a touch.
package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"segue/sqlite"
)

// Errors returned by the cache. Callers test them with errors.Is.
var (
	// ErrMiss means the key is not in the cache.
	ErrMiss = errors.New("not in cache")
	// ErrHashMismatch means Put was given bytes whose sha256 is not the key.
	ErrHashMismatch = errors.New("segment bytes do not match their sha256")
	// ErrFull means an entry cannot fit: pinned entries leave too little
	// room under the cap, or the entry alone is larger than the cap.
	ErrFull = errors.New("entry does not fit in the cache")
	// ErrPinFull means pinning would make pinned bytes exceed the cap.
	ErrPinFull = errors.New("pinned segments would exceed the cache size")
	// ErrDiskFull means the disk (or the file system quota) is full.
	ErrDiskFull = errors.New("disk is full")
	// ErrClosed means the cache was used after Close.
	ErrClosed = errors.New("cache is closed")
	// ErrNotCache means Open found at the path a file that is not a segue
	// cache, damaged or whole: not an SQLite file, or another program's
	// SQLite database. Open leaves it as it is.
	ErrNotCache = errors.New("not a segue cache")
)

// Defaults for Options' zero values.
const (
	DefaultMaxBytes      = 2 << 30
	DefaultFlushInterval = 30 * time.Second
)

// maxPendingTouches makes readers kick an early flush so that the map of
// pending access times stays small however fast segments are read.
const maxPendingTouches = 4096

// appID marks a file as a segue cache (PRAGMA application_id, "sgCa").
const appID = 0x73674361

// Options tune Open. Zero values take the documented defaults.
type Options struct {
	// MaxBytes is the hard cap on stored bytes (default 2 GiB). Lowering it
	// evicts at Open. The reserve file beside the cache is sized from it
	// (a quarter, at most 2 MiB; see reserveFor), never larger.
	MaxBytes int64
	// FlushInterval is how long access times and counters gathered in
	// memory wait before they are written (default 30 s), counted from the
	// first one gathered; an idle cache has no timer at all. They are also
	// written with every write (Put, Pin: eviction sees them) and on Close.
	//
	// Why 30 s (issue 14: at most 10 wake-ups a second while playing): a
	// flush is a write transaction, whose blocking system calls had Go's
	// scheduler monitor hand the processor to another thread, and start
	// one: about three wake-ups each time. At the old 3 s the interface,
	// playing from the cache, flushed every 3 s. What waits is the order
	// of eviction for another process sharing the cache and the counters
	// `segue cache stats` shows from another process (this one adds its
	// own pending ones).
	FlushInterval time.Duration
	// Logger receives warnings (file moved aside, disk full); default
	// slog.Default().
	Logger *slog.Logger
	// OnDiskFull (may be nil) is called once, with the warning, when the
	// cache first finds its disk full (at Open or at a write), so that an
	// interface can say so; it must not block.
	OnDiskFull func()
	// OnDamaged (may be nil) is called once, from the goroutine of the
	// operation, the first time an operation finds the file damaged
	// (see DamagedError), so that a caller whose reads fall back to the
	// network when the cache fails can say so; it must not block.
	OnDamaged func(*DamagedError)
	// OnBadEntry (may be nil) is called once, from the goroutine of the
	// Get or GetDoc, the first time one finds an entry's bytes damaged
	// (see BadEntryError), so that a caller that fetched it again can say
	// so; it must not block.
	OnBadEntry func(*BadEntryError)
}

// Cache is an open cache file. It is safe for concurrent use by many
// goroutines, and other processes may open the same file at the same time.
type Cache struct {
	path string
	opts Options
	db   *sql.DB
	get  *sql.Stmt // SELECT by segment hash, prepared once for the hot path

	writeMu sync.Mutex // serialises this process's write transactions

	mu      sync.Mutex // guards pending and clock
	pending pending
	clock   int64 // last access time handed out, so touches are strictly ordered

	closed   atomic.Bool
	wrote    atomic.Bool                   // a write committed since the flusher last gave free pages back
	diskWarn sync.Once                     // disk full is logged once, not per segment
	full     atomic.Bool                   // a write failed for want of disk space, or Open found none
	damage   atomic.Pointer[DamagedError]  // the first damage an operation met (Damage)
	badSeg   atomic.Pointer[BadEntryError] // the first entry Get or GetDoc found damaged (BadEntry)

	movedAside string        // the warning of Open that moved a damaged file aside (MovedAside); set before c is shared
	kick       chan struct{} // flush now: many touches are pending
	dirty      chan struct{} // something is pending: start the flush timer
	stop       chan struct{}
	done       chan struct{}
}

// pending is what readers gathered since the last flush.
type pending struct {
	touches map[int64]int64 // entry id -> last access (unix ns)
	hits    int64
	misses  int64
	bans    int64            // peers banned (AddPeerBans)
	sources map[string]int64 // bytes by source
}

func newPending() pending {
	return pending{touches: map[int64]int64{}, sources: map[string]int64{}}
}

// Open opens the cache at path, creating it and its folder when needed. A
// segue cache SQLite cannot read (corrupt pages where opening reads: the
// header, the schema, the index eviction walks; a schema newer than this
// segue knows) is moved aside to path.corrupt-<time> with one warning, and
// a fresh cache is created in its place: a damaged cache never makes Open
// fail. Damage in a page read later is a *DamagedError of the operation
// that reads it. A file that is not a segue cache (not an SQLite file, another
// program's database: a mistyped path) is left alone and Open fails with
// ErrNotCache, saying which. Open evicts down to MaxBytes when the cap was lowered. On a full
// disk it still opens (see reserveBytes), warns once and reports DiskFull.
// It fails when the folder or file cannot be opened at all (permissions, a
// read-only file system): then OpenMemory lets segue play on. Open waits
// for another process's write lock as OpenContext does, uncancelled.
func Open(path string, o Options) (*Cache, error) {
	return OpenContext(context.Background(), path, o)
}

// OpenContext is Open whose wait for another process's write lock (up to
// SQLite's busy timeout, 10 s, for each of the schema check and the
// eviction down to the cap) ends when ctx ends: it then fails with an
// error wrapping ctx's (context.Canceled), having changed nothing. ctx is
// not kept past the open.
func OpenContext(ctx context.Context, path string, o Options) (*Cache, error) {
	o = o.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open cache %s: create its folder: %w", path, err)
	}
	if err := notCache(path, nil); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	c, err := openFile(ctx, path, o)
	if err != nil && isBadFile(err) {
		// Damaged where opening reads: its header, its schema, or the
		// index start's eviction walks (which failed every command's Open
		// with "evict down to the cap: database disk image is malformed").
		if nerr := notCache(path, err); nerr != nil {
			return nil, fmt.Errorf("open cache: %w", nerr)
		}
		aside, merr := moveAside(path)
		said := ""
		switch {
		case errors.Is(merr, fs.ErrNotExist):
			// Another segue process moved it aside first, and warned.
		case merr != nil:
			return nil, fmt.Errorf("open cache %s: %v; moving the file aside failed too: %w (delete it by hand)", path, err, merr)
		case corrupt(err):
			said = fmt.Sprintf("the cache file %s is damaged (%v): moved it aside to %s and started a fresh cache "+
				"(what was pinned for offline use stays behind in it: segue offline add downloads it again)", path, innermost(err), aside)
		default:
			said = fmt.Sprintf("the cache file %s was not usable (%v): moved it aside to %s and started a fresh cache", path, err, aside)
		}
		if said != "" {
			o.Logger.Warn(said)
		}
		c, err = openFile(ctx, path, o)
		if c != nil {
			c.movedAside = said
		}
	}
	if err != nil && isDiskFull(err) {
		return nil, fmt.Errorf("open cache %s: %w (free disk space, or delete the cache with segue cache clear): %w", path, ErrDiskFull, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", path, cantUseWhy(path, err))
	}
	return c, nil
}

// openFile opens the cache file at path and starts a Cache over it.
func openFile(ctx context.Context, path string, o Options) (*Cache, error) {
	var (
		db   *sql.DB
		full atomic.Bool
	)
	// A new cache file is the user's alone, as segue's state files are:
	// its documents' keys are URLs, share links (capabilities) among
	// them. SQLite made it 0644, and makes its -wal and -shm files with
	// the mode of the file; an existing one keeps the mode it has. Any
	// other failure to create it is SQLite's to say.
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	err := withRoom(path, &full, func() (err error) { db, err = openDB(ctx, path, walLimit(o.MaxBytes)); return err })
	if err != nil {
		return nil, err
	}
	return start(ctx, path, db, o, full.Load())
}

// MemoryMaxBytes caps a cache held in memory (OpenMemory), whatever the
// configured cap, so that playing without a disk cache stays within the
// player's memory budget.
const MemoryMaxBytes = 64 << 20

// OpenMemory opens a cache held in memory, for when the cache file cannot
// be used: segments and documents are kept for this process only, up to
// MemoryMaxBytes. Path returns "".
func OpenMemory(o Options) (*Cache, error) {
	o = o.withDefaults()
	o.MaxBytes = min(o.MaxBytes, MemoryMaxBytes)
	db, err := openMemDB()
	if err != nil {
		return nil, fmt.Errorf("open a cache in memory: %w", err)
	}
	c, err := start(context.Background(), "", db, o, false)
	if err != nil {
		return nil, fmt.Errorf("open a cache in memory: %w", err)
	}
	return c, nil
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// start makes the Cache over an open db (path "" for memory), evicts down
// to the cap (its wait for the write lock ending with ctx) and starts the
// flusher.
func start(ctx context.Context, path string, db *sql.DB, o Options, full bool) (*Cache, error) {
	c := &Cache{
		path:    path,
		opts:    o,
		db:      db,
		pending: newPending(),
		kick:    make(chan struct{}, 1),
		dirty:   make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.full.Store(full)
	var err error
	c.get, err = db.Prepare(`SELECT e.id, b.data, e.crc FROM entries e JOIN blobs b ON b.id = e.id
		WHERE e.kind = 0 AND e.key = ?`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare read: %w", err)
	}
	// Enforce a lowered cap now, not at the next Put.
	if err := withRoom(path, &c.full, func() error { return c.evict(ctx) }); err != nil && !errors.Is(err, ErrFull) {
		c.get.Close()
		db.Close()
		return nil, fmt.Errorf("evict down to the cap: %w", err)
	}
	c.trimFreePages()
	if path != "" {
		// Without its reserve (a full disk took it, and there is no room
		// to make it again) the cache counts as full, so that Puts leave
		// what the reserve gave to eviction, clear and gc. A reserve
		// missing or short with room to make it is another process's
		// keepReserve under way (it writes the file in place, or makes
		// it for a smaller cap): two segue opening a new cache at once
		// both said the disk was full with gigabytes free.
		keepReserve(path, c.reserve())
		free, err := freeBytes(filepath.Dir(path))
		if err != nil {
			free = -1 // not known
		}
		noRoom := free < minFree || (!hasReserve(path, c.reserve()) && free < c.reserve()+minFree)
		if c.full.Load() || (err == nil && noRoom) {
			c.warnDiskFull(free)
		}
	}
	go c.loop()
	return c, nil
}

// evict evicts down to the cap in one write transaction.
func (c *Cache) evict(ctx context.Context) error {
	return c.writeContext(ctx, func(tx *sql.Tx) error { return c.makeRoom(tx, 0, false) })
}

// evictEach evicts down to the cap a batch of evictOldest (one write
// transaction) at a time, calling progress (when not nil) after each with
// the bytes freed so far and how many were over the cap, until done or
// ctx ends (then ctx's error).
func (c *Cache) evictEach(ctx context.Context, progress func(evicted, over int64)) error {
	var over, freed int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := 0
		err := c.write(func(tx *sql.Tx) error {
			var bytes int64
			if err := tx.QueryRow(`SELECT bytes FROM totals WHERE id = 1`).Scan(&bytes); err != nil {
				return err
			}
			need := bytes - c.opts.MaxBytes
			if over == 0 {
				over = max(need, 0)
			}
			if need <= 0 {
				return nil
			}
			f, m, err := evictOldest(tx, need)
			freed, n = freed+f, m
			return err
		})
		if err != nil {
			return fmt.Errorf("evict: %w", err)
		}
		if n == 0 { // at the cap, or only pinned entries left
			return nil
		}
		if progress != nil {
			progress(freed, max(over, freed))
		}
	}
}

// Close writes pending access times and counters, stops the flusher and
// waits for it, and closes the file. It is safe to call more than once.
func (c *Cache) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	close(c.stop)
	<-c.done
	// Access times and counters are housekeeping: a file found damaged
	// as they are written loses them, and the damage is the caller's to
	// say (Damage), not a failure of what it did.
	ferr := c.flush()
	if errors.As(c.damaged(ferr), new(*DamagedError)) {
		ferr = nil
	}
	c.trimFreePages()
	c.get.Close()
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("close cache %s: %w", c.path, err)
	}
	if ferr != nil {
		return fmt.Errorf("close cache %s: %w", c.path, ferr)
	}
	return nil
}

// MovedAside is the warning Open gave (to Options.Logger) when it moved
// a damaged file aside and started a fresh cache, or "": for a caller whose
// Logger is not what its user reads (the interface's log file).
func (c *Cache) MovedAside() string { return c.movedAside }

// Path is the file the cache lives in; "" for a cache in memory.
func (c *Cache) Path() string { return c.path }

// DiskFull reports that the disk under the cache had no room: Open found
// less than minFree bytes free, or a write failed with a full disk since.
// Reads still work; the player carries on from the network.
func (c *Cache) DiskFull() bool { return c.full.Load() }

// MaxBytes is the cap the cache was opened with.
func (c *Cache) MaxBytes() int64 { return c.opts.MaxBytes }

// loop flushes pending touches and counters FlushInterval after the first
// one (or early, when readers kick it), until Close.
func (c *Cache) loop() {
	defer close(c.done)
	t := time.NewTimer(c.opts.FlushInterval)
	t.Stop()
	var due <-chan time.Time // nil while nothing is pending
	for {
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-c.dirty:
			if due == nil {
				t.Reset(c.opts.FlushInterval)
				due = t.C
			}
			continue
		case <-due:
		case <-c.kick:
		}
		t.Stop()
		due = nil
		if err := c.damaged(c.flush()); err != nil {
			c.opts.Logger.Debug("cache: flush access times", "err", err)
			c.noted() // what failed is pending again: try at the next interval
		}
		if c.wrote.Swap(false) { // an idle cache does no I/O at all
			c.trimFreePages()
		}
	}
}

// noted tells the flusher that something is pending. Callers call it after
// they changed c.pending, outside c.mu.
func (c *Cache) noted() {
	select {
	case c.dirty <- struct{}{}:
	default:
	}
}

// write runs fn in one write transaction, after writing this process's
// pending access times in it so that eviction sees them. It retries while
// another process holds the write lock beyond the busy timeout.
func (c *Cache) write(fn func(*sql.Tx) error) error {
	return c.writeContext(context.Background(), fn)
}

// writeContext is write whose wait for the write lock ends with ctx
// (ctx's error).
func (c *Cache) writeContext(ctx context.Context, fn func(*sql.Tx) error) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		touches := c.takeTouches()
		err = sqlite.Tx(ctx, c.db, func(tx *sql.Tx) error {
			if err := applyTouches(tx, touches); err != nil {
				return err
			}
			return fn(tx)
		})
		if err != nil {
			c.restoreTouches(touches)
		} else {
			c.wrote.Store(true)
		}
		if !sqlite.Busy(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if sqlite.Busy(err) {
		return fmt.Errorf("another segue process keeps the cache busy, try again: %w", err)
	}
	return err
}

// now returns a unix-ns access time strictly after every earlier one this
// process handed out, so LRU order is exact within a process.
func (c *Cache) now() int64 {
	t := time.Now().UnixNano()
	c.mu.Lock()
	if t <= c.clock {
		t = c.clock + 1
	}
	c.clock = t
	c.mu.Unlock()
	return t
}

func sqliteCode(err error) (sqlite3.ErrNo, bool) {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code, true
	}
	return 0, false
}

// wrapWriteErr turns a failed write into an error that says what to do, and
// warns once about a full disk: the player carries on from the network.
func (c *Cache) wrapWriteErr(what string, err error) error {
	if isDiskFull(err) {
		c.warnDiskFull(-1)
		return fmt.Errorf("%s: %w (free disk space or lower cache.size): %w", what, ErrDiskFull, err)
	}
	return c.damaged(fmt.Errorf("%s: %w", what, err))
}

// warnDiskFull records that the disk is full and says so once, in one
// sentence naming the cache and what to do: free is the space Open found
// left (negative: a write failed, and the space left is not known).
func (c *Cache) warnDiskFull(free int64) {
	c.full.Store(true)
	c.diskWarn.Do(func() {
		left := ""
		if free >= 0 {
			left = fmt.Sprintf(" (%d KiB free)", free>>10)
		}
		c.opts.Logger.Warn(fmt.Sprintf("the disk holding the cache %s is full%s: new segments are not cached and play from the network; free space on that disk or lower --cache-size (cache.size in config.toml)", c.path, left))
		if c.opts.OnDiskFull != nil {
			c.opts.OnDiskFull()
		}
	})
}
