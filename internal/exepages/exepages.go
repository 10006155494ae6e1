// Package exepages keeps the pages of the executable and its shared
// libraries that a process maps close to what it uses. It owns two
// things: a C constructor (shape.c) that runs before Go in every process
// that links this package, and DropReadOnlySinglePages (the read-only
// pages unmapped and fault-around turned off), which a long-running
// process calls once its start is behind it. It must not touch memory the
// process wrote (data, RELRO, heap).
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
// until DropReadOnlySinglePages), probes the binary's folio size with one fault,
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

// DropReadOnlySinglePages unmaps this process's pages of the executable's
// and every shared library's read-only loaded segments (text, rodata;
// madvise MADV_DONTNEED). The pages stay in the page cache: what the
// process touches afterwards faults back in without I/O, so what stays
// mapped is what it uses. Writable segments (data, bss, the relocated
// RELRO part) are never touched.
//
// And it makes every later fault in those segments map the one page it
// touched: it registers them with a
// userfaultfd in asynchronous write-protect mode (Linux 6.7,
// UFFD_FEATURE_WP_ASYNC; nothing is write-protected and no thread serves
// it), which turns off the kernel's fault-around, the 64 KiB window of
// cached neighbours a fault maps besides its page. What stays mapped is
// then the pages the process touches, not their neighbourhoods; the page
// cache is left as it is (the libraries' is other processes' too).
//
// It goes a segment at a time, each dropped before it is registered:
// MADV_DONTNEED in a mapping a userfaultfd has armed takes the process's
// mmap_lock for the whole zap instead of the mapping's own lock, and
// other threads' mmap and mprotect (the Go runtime's, malloc's, a new
// thread's stack) wait on it. Registering first then dropping held it
// through 168-220 ms of the interface's drop on the loaded 2-core machine,
// and in a run at load 11 the runtime's sysmon woke some 200 times around
// it (docs/headless-audio.md, "The drop and the mmap_lock").
//
// It returns the bytes of mappings dropped and, where the registration
// failed (no UFFD_FEATURE_WP_ASYNC, or a seccomp filter refuses
// userfaultfd(2)), the error: the segments are dropped all the same and
// fault-around stays. The registration lasts as long as the process (its
// descriptor stays open, close-on-exec); a later call only drops.
func DropReadOnlySinglePages() (int, error) {
	var rc C.int
	n := int(C.segue_drop_single_pages(&rc))
	if rc != 0 {
		return n, fmt.Errorf("register the read-only segments with userfaultfd (write-protect, asynchronous): %w", syscall.Errno(rc))
	}
	return n, nil
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
