// Package exepages keeps the pages of the executable and its shared
// libraries that a process maps close to what it uses. It owns one thing:
// DropReadOnly, which a long-running process calls once its start is
// behind it. It must not touch memory the process wrote (data, heap).
//
// Why (docs/headless-audio.md, "RSS"): starting segue runs every package's
// initialisation and the first use of the cache, the origin client and
// the interface, and the kernel maps the file pages those touch, 64 KiB
// around each fault. They stay mapped, and counted in RSS, for the life of
// the process, though steady play runs in a few MiB of the binary.
package exepages

/*
#include "readonly.h"
*/
import "C"

// DropReadOnly unmaps this process's pages of the executable's and every
// shared library's read-only loaded segments (text, rodata; madvise
// MADV_DONTNEED), and returns how many bytes of mappings it advised. The
// pages stay in the page cache: what the process touches afterwards
// faults back in without I/O, so what stays mapped is what it uses. It
// takes well under a millisecond; the faults back cost a few microseconds
// each. Writable segments (data, bss, the relocated RELRO part) are never
// touched.
func DropReadOnly() int { return int(C.segue_drop_readonly()) }
