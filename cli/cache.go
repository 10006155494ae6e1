package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"segue/cache"
	"segue/catalog"
	"segue/config"
)

func init() { register(cacheCmd) }

func cacheCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Inspect and maintain the segment cache",
		Long: `The cache keeps audio segments and browsed documents on disk, up to a hard
size cap (cache.size in config.toml, --cache-size, SEGUE_CACHE_SIZE; default
2GiB), evicting the least recently played first. Pinned (offline) segments
are never evicted. Every segue process on this machine shares it.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(cacheStatsCmd(a), cacheVerifyCmd(a), cacheClearCmd(a), cacheGCCmd(a))
	return cmd
}

// openCache opens the cache the settings name, its warnings going to log
// (nil: stderr, warnings only; the interface passes its log file, and
// a.onDiskFull hears of a full disk). A file that is not a segue cache
// fails (2, see openDiskCache). When
// the file cannot be opened at all (a read-only or missing folder,
// permissions), segue goes on without a disk cache: one warning names the
// path, the reason and what to do (cacheAdvice), kept in a.cacheWarn for the interface to show. So
// is a cap that what is pinned fills (see pinsFillCap). Ended while it
// waits for another segue's write lock (ctx, a signal), it fails, as
// openDiskCache says. With a.cacheInMemory it opens none on disk.
func (a *app) openCache(ctx context.Context, log *slog.Logger) (*cache.Cache, error) {
	if a.cacheInMemory {
		return cache.OpenMemory(a.cacheOptions(log))
	}
	c, err := a.openDiskCache(ctx, log)
	if err == nil {
		if s, serr := c.Stats(); serr == nil {
			if a.cacheWarn = pinsFillCap(s); a.cacheWarn != "" {
				a.warnLog(log).Warn(a.cacheWarn)
			}
		}
	}
	if err == nil || errors.Is(err, cache.ErrNotCache) || errors.Is(err, context.Canceled) || exitStatus(err) == ExitInterrupted {
		return c, err // a mistyped path is the user's to fix, not to play around; a stop stops
	}
	// what to do, as the cache commands say it (a mistyped folder says
	// it itself: make it, or check the path)
	advice := ""
	if exitStatus(err) == ExitError && !errors.Is(err, cache.ErrDiskFull) {
		advice = "; to keep one: " + cacheAdvice(a.cfg.Cache.Path, err)
	}
	a.cacheWarn = fmt.Sprintf("the cache cannot be used (%v): going on without a disk cache, which keeps nothing for later or offline play%s", err, advice)
	a.warnLog(log).Warn(a.cacheWarn)
	return cache.OpenMemory(a.cacheOptions(log))
}

// openDiskCache opens the cache file or fails: for the commands that
// maintain it or pin into it, where a cache in memory would be no use. A
// folder given for the file, a file that is not a segue cache (a text
// file, another program's database), or a path given (--cache,
// SEGUE_CACHE, [cache] path) whose folder does not exist is a bad setting
// (2), and the file is left as it is. Only the default cache's folder is
// made: a mistyped path made folders wherever it pointed.
//
// Opening waits for another segue's write lock on the file (up to
// SQLite's busy timeout, 10 s, at a time). Ctrl-C or SIGTERM ends that wait:
// exit 130, saying so, where the signal went unheard until the wait was
// over. When ctx ends it instead, the error wraps ctx's for the caller,
// whose own signal context it is (play), to say.
func (a *app) openDiskCache(ctx context.Context, log *slog.Logger) (*cache.Cache, error) {
	path := a.cfg.Cache.Path
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, &usageError{fmt.Errorf("the cache %s is a folder: give the cache's file (--cache, SEGUE_CACHE or [cache] path), e.g. %s", path, filepath.Join(path, "cache.db"))}
	}
	if from := a.cacheSetting(); from != "" {
		if err := checkOutputFile(from, path); err != nil {
			return nil, err
		}
	}
	sctx, stop := stopOnSignal(ctx)
	defer stop()
	c, err := cache.OpenContext(sctx, path, a.cacheOptions(log))
	if err != nil && sctx.Err() != nil && ctx.Err() == nil {
		return nil, withExit(ExitInterrupted, fmt.Errorf("opening the cache %s: interrupted; it was waiting for another segue to finish writing it, and changed nothing: run the command again once that one is done", path))
	}
	if errors.Is(err, cache.ErrNotCache) {
		example := config.Default().Cache.Path
		if example == path {
			example = filepath.Join(filepath.Dir(path), "segue-cache.db")
		}
		return nil, &usageError{fmt.Errorf("%w; give --cache (SEGUE_CACHE, [cache] path) segue's cache file or a new path, e.g. %s", err, example)}
	}
	return c, err
}

// cacheThere fails when there is no cache file at the cache's path, for
// the commands that read, tidy or empty a cache (stats, verify, gc, clear:
// what is not there has nothing to show, check, collect or clear), which
// opening would make (the file and its 2 MiB reserve), so that a mistyped
// --cache looked like an empty cache. The error says so and how segue makes one, exit 3 (a
// file named that does not exist); doing is what the command would have
// done ("show"). A path whose folder is missing, or that cannot be looked
// at, is left for openDiskCache to say what is wrong with it; the default
// cache's missing folder is no cache either. offline remove asks it of a
// cache path --cache or SEGUE_CACHE gives ("unpin").
func (a *app) cacheThere(doing string) error {
	path := a.cfg.Cache.Path
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	check := ""
	if from := a.cacheSetting(); from != "" {
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return nil
		}
		check = fmt.Sprintf("; if you meant a cache that is there, check %s", from)
	}
	return withExit(ExitNotFound, fmt.Errorf("there is no cache at %s: nothing to %s; segue makes it when it first plays, browses or pins (segue play, search, library, offline add, the interface)%s", path, doing, check))
}

// givenCacheThere is cacheThere for the commands that only read or serve
// a cache that is there (offline list and remove; peer serve, which makes
// it all the same, saying so), when its
// path was given for this run (--cache or SEGUE_CACHE): such a path that
// names no file is a mistyped one, exit 3, where opening made a new empty
// cache there, whose offline list held none of the pins and whose peer
// serve served nothing; one whose folder is not there either is the bad
// setting (2) openDiskCache says it is, where opening went on with a cache
// in memory. The default and configured paths are left to open as before
// (peer serve's first run makes the default cache; offline remove of a
// cache that was deleted takes its pins off the list); doing is as for
// cacheThere ("list").
func (a *app) givenCacheThere(doing string) error {
	from := a.cacheSetting()
	if from != "--cache" && from != "SEGUE_CACHE" {
		return nil
	}
	if err := a.cacheThere(doing); err != nil {
		return err
	}
	if _, err := os.Stat(a.cfg.Cache.Path); errors.Is(err, fs.ErrNotExist) {
		return checkOutputFile(from, a.cfg.Cache.Path)
	}
	return nil
}

// cacheSetting names the setting that gave the cache's path: --cache,
// SEGUE_CACHE or the config file's cache.path; "" for the default path.
func (a *app) cacheSetting() string {
	switch {
	case a.cacheFlag:
		return "--cache"
	case a.cfg.Cache.Path == config.Default().Cache.Path:
		return ""
	case os.Getenv("SEGUE_CACHE") != "":
		return "SEGUE_CACHE"
	}
	return "config " + a.configPath + ": cache.path"
}

func (a *app) cacheOptions(log *slog.Logger) cache.Options {
	return cache.Options{MaxBytes: int64(a.cfg.Cache.Size), Logger: a.warnLog(log), OnDiskFull: a.onDiskFull, OnDamaged: a.damageMet, OnBadEntry: a.badEntryMet}
}

// badEntryMet is the cache's OnBadEntry: a segment or document whose
// bytes were damaged on disk was dropped and is fetched again (from the
// origin or a peer; with neither it is missing as anything not cached
// is). It is said once a run, on stderr at once (the interface: on its
// status line), and changes no exit status: the command did its work.
// Before, a damaged segment was played or served to peers and nothing was
// said, and a damaged document failed the command that read it.
func (a *app) badEntryMet(be *cache.BadEntryError) {
	if a.badEntrySaid.Swap(true) {
		return
	}
	if a.onBadEntry != nil {
		a.onBadEntry(be)
		return
	}
	a.warnLog(nil).Warn(be.Plain())
}

// damageMet is the cache's OnDamaged. A command that fails of the damage
// says it as its error (the sentence DamagedError.Plain, exit 1); where
// the cache's failure was taken for a miss (a segment or document fetched
// from the network instead, a pin's state read as not pinned), the command
// went on and said nothing of it, however often it met it: a running
// play, peer serve or interface says it at once (onDamaged), any other
// command as it ends (sayDamage).
func (a *app) damageMet(de *cache.DamagedError) {
	if a.onDamaged != nil {
		a.onDamaged(de)
	}
}

// sayDamage says on stderr, once a run, that the cache file is damaged.
func (a *app) sayDamage(de *cache.DamagedError) {
	if !a.damageSaid.Swap(true) {
		a.warnLog(nil).Warn(de.Plain())
	}
}

// warnLog is log, or warnings said on stderr as sentences (sayHandler)
// when log is nil.
func (a *app) warnLog(log *slog.Logger) *slog.Logger {
	if log == nil {
		log = slog.New(sayHandler{w: a.stderr})
	}
	return log
}

// withCache runs fn on the open cache (in memory when the file cannot be
// used, see openCache) and closes it, keeping fn's error first. ctx is
// the opening's (see openDiskCache).
func (a *app) withCache(ctx context.Context, fn func(*cache.Cache) error) error {
	return a.useCache(func(log *slog.Logger) (*cache.Cache, error) { return a.openCache(ctx, log) }, fn, false)
}

// withDiskCache is withCache failing when the cache file cannot be used,
// saying what to do (exit 1), and when fn met damage in it that it took
// for a miss (offline add fetched a damaged segment again and pinned it,
// exit 0, where its bytes stayed damaged).
func (a *app) withDiskCache(ctx context.Context, fn func(*cache.Cache) error) error {
	return a.useCache(func(log *slog.Logger) (*cache.Cache, error) {
		c, err := a.openDiskCache(ctx, log)
		if err != nil && exitStatus(err) == ExitError && !errors.Is(err, cache.ErrDiskFull) { // a full disk says what to do itself
			err = fmt.Errorf("%w (%s)", err, cacheAdvice(a.cfg.Cache.Path, err))
		}
		return c, err
	}, fn, true)
}

// otherCacheFile is the way out of a cache that cannot be used.
const otherCacheFile = "give another cache file with --cache, SEGUE_CACHE or [cache] path"

// cacheAdvice says what to do about err, which keeps the cache file at
// path from being used: move a file that stands where its folder should be,
// mount a read-only file system read-write, or change the mode of the file
// or folder (the one a *cache.UnusableError names) that this user may not
// use; always also give another cache file.
func cacheAdvice(path string, err error) string {
	at, what, mode := path, "read and write it", "u+rw"
	var ue *cache.UnusableError
	if errors.As(err, &ue) {
		at = ue.Path
		if ue.Folder {
			what, mode = "make files in it", "u+rwx"
		}
	}
	switch {
	case errors.Is(err, syscall.ENOTDIR):
		for dir := filepath.Dir(path); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
				return fmt.Sprintf("%s is a file where its folder should be: move that file, or %s", dir, otherCacheFile)
			}
		}
	case errors.Is(err, syscall.EROFS):
		return "the file system there is read-only: mount it read-write, or " + otherCacheFile + " on another"
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s may not %s: run segue as a user who may, change its owner or mode (as its owner: chmod %s %s), or %s",
			currentUser(), what, mode, at, otherCacheFile)
	}
	return otherCacheFile
}

// useCache runs fn on the cache open opens and closes it. Damage fn met
// and went on from is said as a warning (see damageMet), or, when
// needFile, is the command's failure.
func (a *app) useCache(open func(*slog.Logger) (*cache.Cache, error), fn func(*cache.Cache) error, needFile bool) error {
	c, err := open(nil)
	if err != nil {
		return err
	}
	err = fn(c)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	switch de := c.Damage(); {
	case de == nil || cache.Damaged(err):
	case needFile && err == nil:
		err = de
	default:
		a.sayDamage(de) // the command went on without what the damage hid; its error, if any, is another
	}
	return err
}

func cacheStatsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show what the cache holds and where fetched bytes came from",
		Long: `stats shows the cache's size against its cap, pinned bytes, hits and misses,
and the segment bytes fetched (to play, or to pin with offline add) from the
cache, from peers and from the origin (summed over every process since the
cache was created). --json prints the same
fields in a stable form; sizes there are in bytes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.cacheThere("show"); err != nil {
				return err
			}
			return a.withDiskCache(cmd.Context(), func(c *cache.Cache) error {
				s, err := c.Stats()
				if err != nil {
					return err
				}
				if asJSON {
					return a.printJSON(s)
				}
				return a.printStats(s)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// pinsFillCap says, when the segments pinned for offline use fill the
// cache's cap (a cap lowered below them: --cache-size, [cache] size), that
// nothing else is kept and what to do; "" otherwise. Every segment played
// then failed to be stored, with one line in the log, and was downloaded
// again each time.
func pinsFillCap(s cache.Stats) string {
	if s.PinnedBytes < s.MaxBytes {
		return ""
	}
	return fmt.Sprintf("the cache's cap of %s is filled by the %s pinned for offline use: nothing else is kept in it "+
		"(raise [cache] size or --cache-size, or unpin with segue offline remove REF)", config.FormatBytes(s.MaxBytes), config.FormatBytes(s.PinnedBytes))
}

// printStats writes s as lines a person reads; the error is the write's.
func (a *app) printStats(s cache.Stats) error {
	w := &report{w: a.stdout}
	pct := func(n, of int64) float64 {
		if of == 0 {
			return 0
		}
		return 100 * float64(n) / float64(of)
	}
	w.printf("path      %s\n", s.Path)
	w.printf("stored    %s of %s (%.0f%%): %s, %s\n",
		config.FormatBytes(s.Bytes), config.FormatBytes(s.MaxBytes), pct(s.Bytes, s.MaxBytes), catalog.Count(int(s.Segments), "segment"), catalog.Count(int(s.Docs), "document"))
	w.printf("pinned    %s", config.FormatBytes(s.PinnedBytes))
	if s.PinsWaiting > 0 {
		w.printf(" (%s not downloaded yet)", catalog.Count(int(s.PinsWaiting), "more pinned segment"))
	}
	w.printf("\n")
	if full := pinsFillCap(s); full != "" {
		w.printf("          %s\n", full)
	}
	w.printf("file      %s on disk\n", config.FormatBytes(s.FileBytes))
	w.printf("lookups   %s, %s (%.1f%% hit rate)\n", catalog.Count(int(s.Hits), "hit"), catalog.Plural(int(s.Misses), "miss", "misses"), pct(s.Hits, s.Hits+s.Misses))
	// "fetched", not "played": offline add's downloads count too, and
	// after pinning alone it said "played 2.4 MiB from origin"
	w.printf("fetched   %s from cache, %s from peers, %s from origin\n",
		config.FormatBytes(s.BytesBySource[cache.SourceCache]),
		config.FormatBytes(s.BytesBySource[cache.SourcePeer]),
		config.FormatBytes(s.BytesBySource[cache.SourceOrigin]))
	if s.PeerBans > 0 {
		w.printf("peers     %d banned for sending bytes with the wrong sha256\n", s.PeerBans)
	}
	return w.err
}

func cacheVerifyCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every cached segment, check every document, drop what is damaged",
		Long: `verify reads every entry, checks each segment's bytes against its sha256,
checks that every document decodes (JSON, or an image for covers), drops
damaged entries (they are fetched again when needed) and repairs the
size totals. It is safe while segue plays.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.cacheThere("verify"); err != nil {
				return err
			}
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			// opening says its own interruption (cmd.Context(): see openDiskCache)
			return a.withDiskCache(cmd.Context(), func(c *cache.Cache) error {
				r, err := c.VerifyEach(ctx, a.stepProgress("cache verify: checking"))
				if ierr := interrupted(ctx, err, "cache verify", fmt.Sprintf("the damaged entries among the %s checked so far were dropped, the rest were not checked: run the same command again to check them all",
					catalog.Plural(int(r.Checked), "entry", "entries"))); ierr != nil {
					return ierr
				}
				if err != nil {
					return err
				}
				if asJSON {
					return a.printJSON(r)
				}
				w := &report{w: a.stdout}
				w.printf("checked %s: %d damaged (%s) dropped, %s dropped",
					catalog.Plural(int(r.Checked), "entry", "entries"), r.Bad, config.FormatBytes(r.BadBytes), catalog.Count(int(r.Orphans), "stray blob"))
				if r.TotalsFixed {
					w.printf(", size totals repaired")
				}
				w.printf("\n")
				return w.err
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// cacheChange is the --json form of clear and gc.
type cacheChange struct {
	BytesBefore       int64 `json:"bytes_before"`
	BytesAfter        int64 `json:"bytes_after"`
	FileBytesBefore   int64 `json:"file_bytes_before"`
	FileBytesAfter    int64 `json:"file_bytes_after"`
	PinnedBytesBefore int64 `json:"pinned_bytes_before"`
	PinnedBytesAfter  int64 `json:"pinned_bytes_after"`
}

// changeCmd runs op between two Stats and reports what it freed; ctx is
// the opening's (see openDiskCache).
func (a *app) changeCmd(ctx context.Context, asJSON bool, op func(*cache.Cache) error) error {
	return a.withDiskCache(ctx, func(c *cache.Cache) error {
		before, err := c.Stats()
		if err != nil {
			return err
		}
		if err := op(c); err != nil {
			return err
		}
		after, err := c.Stats()
		if err != nil {
			return err
		}
		ch := cacheChange{before.Bytes, after.Bytes, before.FileBytes, after.FileBytes, before.PinnedBytes, after.PinnedBytes}
		if asJSON {
			return a.printJSON(ch)
		}
		w := &report{w: a.stdout}
		w.printf("stored %s -> %s; file %s -> %s\n",
			config.FormatBytes(ch.BytesBefore), config.FormatBytes(ch.BytesAfter),
			config.FormatBytes(ch.FileBytesBefore), config.FormatBytes(ch.FileBytesAfter))
		if ch.PinnedBytesAfter < ch.PinnedBytesBefore {
			// clear without --keep-pinned said nothing of the offline pins it
			// emptied, which then played only with the origin up
			w.printf("pinned %s -> %s: what segue offline list shows is partial now (segue offline add REF downloads it again; clear --keep-pinned keeps it)\n",
				config.FormatBytes(ch.PinnedBytesBefore), config.FormatBytes(ch.PinnedBytesAfter))
		}
		return w.err
	})
}

func cacheClearCmd(a *app) *cobra.Command {
	var asJSON, keepPinned bool
	cmd := &cobra.Command{
		Use:   "clear",
		Short: "Empty the cache and give the space back",
		Long: `clear drops every cached segment and document and shrinks the file. With
--keep-pinned, segments pinned for offline use stay.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.cacheThere("clear"); err != nil {
				return err
			}
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			var dropped int64
			err := a.changeCmd(cmd.Context(), asJSON, func(c *cache.Cache) error {
				step := a.stepProgress("cache clear: dropping")
				return c.ClearEach(ctx, keepPinned, func(done, total int64) {
					dropped = done
					step(done, total)
				})
			})
			if ierr := interrupted(ctx, err, "cache clear", fmt.Sprintf("the %s dropped so far stay dropped, the rest are still cached: run the same command again to clear them",
				catalog.Plural(int(dropped), "entry", "entries"))); ierr != nil {
				return ierr
			}
			damaged := cache.Damaged(err)
			if damaged && keepPinned {
				return damagedCache(a.cfg.Cache.Path, err, "its pinned segments cannot be told from the rest; segue cache clear without --keep-pinned empties it and starts afresh (segue offline add downloads the pins again)")
			}
			if !errors.Is(err, cache.ErrDiskFull) && !damaged || keepPinned {
				return err
			}
			// Too full even to open, or damaged: the files go, and with
			// them the space; the next segue starts a fresh cache.
			freed, rerr := cache.Remove(a.cfg.Cache.Path)
			if rerr != nil {
				return errors.Join(err, rerr)
			}
			if asJSON {
				return a.printJSON(cacheChange{FileBytesBefore: freed})
			}
			why := "the disk was too full to open the cache"
			if damaged {
				why = fmt.Sprintf("the cache file %s was damaged (%v)", a.cfg.Cache.Path, innermost(err))
			}
			_, err = fmt.Fprintf(a.stdout, "%s: deleted its files (%s)\n", why, config.FormatBytes(freed))
			return err
		},
	}
	cmd.Flags().BoolVar(&keepPinned, "keep-pinned", false, "keep segments pinned for offline use")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// damagedCache says that the cache file at path is damaged, in SQLite's
// words (err's innermost), then todo.
func damagedCache(path string, err error, todo string) error {
	return fmt.Errorf("the cache file %s is damaged (%v): %s", path, innermost(err), todo)
}

// innermost is the error at the end of err's chain: SQLite's own words.
func innermost(err error) error {
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return err
}

func cacheGCCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Evict down to the cap and give free pages back to the filesystem",
		Long: `gc writes pending access times, evicts down to the size cap (useful after
lowering cache.size) and returns free space in the file to the filesystem.
segue does this by itself over time; gc does it now.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.cacheThere("collect"); err != nil {
				return err
			}
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			err := a.changeCmd(cmd.Context(), asJSON, func(c *cache.Cache) error { return c.GCEach(ctx, a.stepProgress("cache gc: evicting")) })
			if ierr := interrupted(ctx, err, "cache gc", "what it evicted stays evicted and the cache is whole: run the same command again to finish"); ierr != nil {
				return ierr
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
