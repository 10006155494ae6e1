package cli

import "segue/sqlite"

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
