// See exepages.go for what this does and why.
#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "readonly.h"

#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15) // Linux 6.7; Debian 12's headers are 6.1's
#endif

// has_textrel reports whether the object has text relocations: the loader
// wrote into its read-only segments, so their pages are the process's own.
static int has_textrel(struct dl_phdr_info *info) {
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_DYNAMIC) continue;
		for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL))) return 1;
	}
	return 0;
}

// SEGUE_DROP_MAX is how many segments segue_drop_single_pages advises at most
// (a process here loads about 40 objects with 2 read-only segments each).
#define SEGUE_DROP_MAX 512

struct span { unsigned long start, end; };

struct spans { struct span s[SEGUE_DROP_MAX]; int n; };

// collect_object is a dl_iterate_phdr callback: the object's loaded
// segments that are never written (text, rodata). A writable segment is
// skipped whole: its pages are the process's own (data, and the RELRO
// part, read-only once relocated but holding the relocations), and
// MADV_DONTNEED would throw them away. The vDSO is not a file.
static int collect_object(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	struct spans *sp = data;
	if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso")) return 0;
	if (has_textrel(info)) return 0;
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum && sp->n < SEGUE_DROP_MAX; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz == 0) continue;
		// the pages wholly inside the segment: a page it shares with a
		// writable neighbour stays as it is
		unsigned long start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_filesz;
		start = (start + page - 1) & ~(page - 1);
		end &= ~(page - 1);
		if (end > start) sp->s[sp->n++] = (struct span){start, end};
	}
	return 0;
}

// The segments are collected first and advised after: the program headers
// dl_iterate_phdr hands over are in each object's first read-only page, so
// advising while walking them faulted every object's first folio back
// (16-64 KiB of each of some 40 libraries). Not for two threads at once.
static struct spans sp; // bss: 8 KiB, not on a thread's stack

// The kernel maps a file fault's cached neighbours with it (fault-around,
// 64 KiB), except in a mapping registered with a userfaultfd for
// write-protect or minor faults (uffd_disable_fault_around). Asynchronous
// write-protect (Linux 6.7) may register any mapping, needs no thread to
// serve it, and with nothing write-protected changes nothing else;
// UFFD_USER_MODE_ONLY is what an unprivileged process may open
// (vm.unprivileged_userfaultfd=0). A private file mapping is VM_MAYWRITE,
// as registering wants. The descriptor stays open: closing it would
// unregister.
static int uffd = -1; // once registered, for the life of the process

// uffd_open returns a userfaultfd in asynchronous write-protect mode, or
// -errno.
static int uffd_open(void) {
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0) return -errno;
	struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_WP_ASYNC};
	if (ioctl(fd, UFFDIO_API, &api) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

// uffd_register registers one span for write-protect faults: 0 or errno.
static int uffd_register(int fd, const struct span *s) {
	struct uffdio_register reg = {.range = {s->start, s->end - s->start}, .mode = UFFDIO_REGISTER_MODE_WP};
	return ioctl(fd, UFFDIO_REGISTER, &reg) == 0 ? 0 : errno;
}

// segue_drop_single_pages drops each read-only segment (MADV_DONTNEED) and
// then registers it, segment by segment. The order matters: madvise works
// under the VMA's own lock only in a mapping no userfaultfd has armed
// (try_vma_read_lock in mm/madvise.c); in an armed one it takes the
// process's mmap_lock for reading for the whole zap, and the mmap,
// mprotect and thread starts of other threads wait on it (16 MiB zapped
// under load: 168-220 ms, see docs/headless-audio.md, "The drop and
// the mmap_lock"). A fault between a segment's drop and its registration
// (a few microseconds) maps its fault-around window once. Already registered
// (a second call), it only drops. Where userfaultfd is refused, *err is
// the errno and the segments are dropped all the same; else *err is 0.
// Returns the bytes dropped.
unsigned long segue_drop_single_pages(int *err) {
	*err = 0;
	int fd = uffd;
	if (fd < 0) {
		fd = uffd_open();
		if (fd < 0) {
			*err = -fd;
			fd = -1;
		}
	}
	int registering = fd >= 0 && uffd < 0;
	sp.n = 0;
	dl_iterate_phdr(collect_object, &sp);
	unsigned long dropped = 0;
	for (int i = 0; i < sp.n; i++) {
		if (madvise((void *)sp.s[i].start, sp.s[i].end - sp.s[i].start, MADV_DONTNEED) == 0) dropped += sp.s[i].end - sp.s[i].start;
		if (registering) {
			int e = uffd_register(fd, &sp.s[i]);
			if (e != 0) {
				*err = e;
				close(fd); // unregisters what was: fault-around for all, as before
				registering = 0;
				fd = -1;
			}
		}
	}
	if (registering) uffd = fd;
	return dropped;
}
