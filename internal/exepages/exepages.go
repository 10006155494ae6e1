// Package exepages keeps the pages of the executable and its shared
// libraries that a process maps close to what it uses. It owns three
// things: a C constructor (shape.c) that runs before Go in every process
// that links this package, and FaultSinglePages and DropReadOnly, which a
// long-running process calls, in that order, once its start is behind it. It must not touch memory the process wrote
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
// segments MADV_RANDOM (no readahead: a fault reads only its own page;
// the kernel's fault-around still maps cached neighbours, up to 64 KiB,
// until FaultSinglePages), probes the binary's folio size with one fault,
// and where it is over 64 KiB evicts the binary from the page cache and reads it back
// in 64 KiB folios (1 MiB reads, POSIX_FADV_RANDOM). SEGUE_EXEPAGES=off in
// the environment turns it off, for measuring.
package exepages

/*
#include "readonly.h"
#include "shape.h"
*/
import "C"

import (
	"fmt"
	"syscall"
)

// DropReadOnly unmaps this process's pages of the executable's and every
// shared library's read-only loaded segments (text, rodata; madvise
// MADV_DONTNEED), and returns how many bytes of mappings it advised. The
// pages stay in the page cache: what the process touches afterwards
// faults back in without I/O, so what stays mapped is what it uses. It
// takes well under a millisecond; the faults back cost a few microseconds
// each. Writable segments (data, bss, the relocated RELRO part) are never
// touched.
func DropReadOnly() int { return int(C.segue_drop_readonly()) }

// FaultSinglePages makes every later fault in the read-only segments of
// the executable and its libraries map the one page it touched: it
// registers them with a userfaultfd in asynchronous write-protect mode
// (Linux 6.7, UFFD_FEATURE_WP_ASYNC; nothing is write-protected and no
// thread serves it), which turns off the kernel's fault-around, the 64 KiB
// window of cached neighbours a fault maps besides its page. Called before
// DropReadOnly, what stays mapped is the pages the process touches, not
// their neighbourhoods; the page cache is left as it is (the libraries' is
// other processes' too). It fails where the kernel has no
// UFFD_FEATURE_WP_ASYNC or a seccomp filter refuses userfaultfd(2); the
// fault-around then stays. Once per process: the registration lasts as long
// as the process (its descriptor stays open, close-on-exec).
func FaultSinglePages() error {
	if rc := C.segue_fault_single_pages(); rc != 0 {
		return fmt.Errorf("register the read-only segments with userfaultfd (write-protect, asynchronous): %w", syscall.Errno(rc))
	}
	return nil
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
