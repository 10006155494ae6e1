package cli

import (
	"os"
	"runtime/debug"
	"time"

	"segue/sqlite"
)

// clientSQLiteHeap is the soft limit on SQLite's heap (every connection's
// page cache, schema and statements together, sqlite3_soft_heap_limit64)
// in a process that plays: the interface and segue play. Past it SQLite
// reuses its least recently used page-cache pages instead of allocating
// more. Without it the cache's four connections grew their page caches
// with the segment blobs they read, up to 2 MiB each: 2.2 MB at 40 s of
// play, 5.1 MB after reading 20 MB of segments with four readers. What
// play reads once (a segment) gains nothing from staying in SQLite's
// cache; the file's pages stay in the kernel's page cache.
// docs/headless-audio.md ("Anonymous memory") has the figures.
const clientSQLiteHeap = 1 << 20

// limitClientMemory bounds the memory a process that plays keeps: called
// once by the interface and segue play before they open the cache. A
// server (segue origin serve) does not call it: its catalog and cache
// connections keep SQLite's default caches.
func limitClientMemory() { sqlite.LimitHeap(clientSQLiteHeap) }

// steadyGCPercent is Go's GC percent (GOGC) once play is steady. The
// heap goal's floor is 4 MB at the default 100 (the runtime's
// defaultHeapMinimum, scaled by the percent), and steady play's live
// heap is about 1 MB: the interface's heap held 4.9 MiB resident, a
// collection every 20-25 s. At 50 the goal is 2 MB, a collection every
// 6-15 s (0.1-0.3 ms of CPU each, GODEBUG=gctrace=1), and 3.4-3.7 MiB
// resident. docs/headless-audio.md ("Anonymous memory") has the figures.
const steadyGCPercent = 50

// steadyHeap lowers Go's heap goal once play is steady (steadyGCPercent)
// and returns to the system at once what the lower goal no longer needs
// (debug.FreeOSMemory: one collection and scavenge). A GOGC the user set
// is left as it is. It returns 0 (steadyPages' drop reports pages).
func steadyHeap() int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(steadyGCPercent)
	}
	debug.FreeOSMemory()
	return 0
}

// newSteadyHeap calls steadyHeap when play is steady, as steadyPages
// drops the binary's pages.
func newSteadyHeap() *steadyPages {
	return &steadyPages{after: steadyAfter, now: time.Now, drop: steadyHeap}
}
