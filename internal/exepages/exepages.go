// Package exepages keeps the pages of the executable and its shared
// libraries that a process maps close to what it uses. It owns two things:
// a C constructor (shape.c) that runs before Go in every process that
// links this package, and DropReadOnly, which a long-running process calls
// once its start is behind it. It must not touch memory the process wrote
// (data, RELRO, heap).
//
// Why (docs/headless-audio.md, "The binary's pages while playing"):
// starting segue runs every package's initialisation and the first use of
// the cache, the origin client and the interface, and the kernel maps the
// file pages those touch, with their neighbours (fault-around) and whole
// large folios: 2 MiB ones for a binary the linker just wrote. They stay
// mapped, and counted in RSS, for the life of the process, though steady
// play runs in a few MiB of the binary.
//
// Before Go runs, the constructor advises every loaded object's read-only
// segments MADV_RANDOM (on Linux 6.18 a fault then maps its own folio and
// no neighbours), probes the binary's folio size with one fault, and where
// it is over 64 KiB evicts the binary from the page cache and reads it back
// in 64 KiB folios (1 MiB reads, POSIX_FADV_RANDOM). SEGUE_EXEPAGES=off in
// the environment turns it off, for measuring.
package exepages

/*
#include "readonly.h"
#include "shape.h"
*/
import "C"

import "errors"

// DropReadOnly unmaps this process's pages of the executable's and every
// shared library's read-only loaded segments (text, rodata; madvise
// MADV_DONTNEED), and returns how many bytes of mappings it advised. The
// pages stay in the page cache: what the process touches afterwards
// faults back in without I/O, so what stays mapped is what it uses. It
// takes well under a millisecond; the faults back cost a few microseconds
// each. Writable segments (data, bss, the relocated RELRO part) are never
// touched.
func DropReadOnly() int { return int(C.segue_drop_readonly()) }

// EvictExecutable unmaps this process's pages of the executable's
// read-only segments and evicts them from the page cache where no process
// maps them, so that what the process touches afterwards is read back from
// the file one 4 KiB page a fault (MADV_RANDOM, set by the constructor)
// instead of whole 64 KiB or 2 MiB folios. before and after are the
// segments' pages in the page cache before and after (-1 where cachestat
// is missing). It fails when the constructor did not run
// (SEGUE_EXEPAGES=off) or /proc/self/exe cannot be opened. It takes a few
// milliseconds; the faults afterwards are major ones, a disk read each
// (docs/headless-audio.md, "Single pages at the steady point").
// Libraries are left alone: their page cache is other processes' too.
func EvictExecutable() (before, after int, err error) {
	var b, a C.long
	if C.segue_evict_exe(&b, &a) != 0 {
		return -1, -1, errors.New("evict the executable's pages: the constructor did not run (SEGUE_EXEPAGES=off) or /proc/self/exe cannot be opened")
	}
	return int(b), int(a), nil
}

// Shape is what the C constructor found and did before Go ran.
type Shape struct {
	SegmentPages int  // pages of the executable's read-only segments
	CachedPages  int  // of them in the page cache at the start; -1 unknown (no cachestat)
	FolioPages   int  // pages one fault mapped (the probe's folio); -1 unknown
	Reshaped     bool // large folios: evicted and read back in single pages
	Prefetched   bool // the segments read with read(2) (reshaped, or a cold start)
}

// StartShape returns what the constructor found and did.
func StartShape() Shape {
	return Shape{
		SegmentPages: int(C.segue_shape_segment_pages),
		CachedPages:  int(C.segue_shape_cached_pages),
		FolioPages:   int(C.segue_shape_folio_pages),
		Reshaped:     C.segue_shape_reshaped != 0,
		Prefetched:   C.segue_shape_prefetched != 0,
	}
}
