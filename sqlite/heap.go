package sqlite

// The functions below are SQLite's own, compiled into the binary by
// go-sqlite3 (its amalgamation; with the libsqlite3 tag, the system's).
// sqlite3_int64 is long long.

/*
extern long long sqlite3_soft_heap_limit64(long long);
extern long long sqlite3_memory_used(void);
*/
import "C"

// HeapUsed is the bytes SQLite has allocated in this process, every
// connection's together (sqlite3_memory_used).
func HeapUsed() int64 { return int64(C.sqlite3_memory_used()) }

// LimitHeap sets SQLite's soft heap limit for the whole process
// (sqlite3_soft_heap_limit64) and returns the limit it had; 0 is no limit.
func LimitHeap(bytes int64) int64 { return int64(C.sqlite3_soft_heap_limit64(C.longlong(bytes))) }
