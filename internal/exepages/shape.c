// See exepages.go ("Before Go runs") for what this does and why.
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shape.h"

struct seg {
	unsigned long start, end; // page-aligned addresses
	unsigned long off;        // file offset of start
};

static struct seg segs[SEGUE_MAX_SEGS];
static int nsegs;

// the outcome, for Go to read (shape.h)
int segue_shape_folio_pages = -1;
int segue_shape_reshaped, segue_shape_prefetched;
long segue_shape_cached_pages = -1, segue_shape_segment_pages;

// add_object is a dl_iterate_phdr callback: MADV_RANDOM on every loaded
// object's read-only segments, and the executable's (the first object)
// kept in segs.
static int add_object(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	int *n = data;
	int exe = (*n)++ == 0;
	if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso")) return 0;
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz == 0) continue;
		unsigned long start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		unsigned long end = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz + page - 1) & ~(page - 1);
		madvise((void *)start, end - start, MADV_RANDOM);
		if (exe && nsegs < SEGUE_MAX_SEGS) segs[nsegs++] = (struct seg){start, end, ph->p_offset & ~(page - 1)};
	}
	return 0;
}

// mapped counts the pages of [start, end) this process maps, from
// /proc/self/pagemap's present bit; -1 if unreadable.
static int mapped(int pm, unsigned long start, unsigned long end) {
	uint64_t buf[512];
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE), p = start / page, e = end / page;
	int n = 0;
	while (p < e) {
		size_t want = e - p < 512 ? e - p : 512;
		ssize_t got = pread(pm, buf, want * 8, (off_t)(p * 8));
		if (got <= 0) return -1;
		for (ssize_t i = 0; i < got / 8; i++) n += (int)((buf[i] >> 63) & 1);
		p += (unsigned long)got / 8;
	}
	return n;
}

// probe_folio touches one page the program has not touched yet, the
// middle of the largest segment (in the executable's pclntab, which Go
// reads anyway), and returns how many pages that one fault mapped: with
// MADV_RANDOM, the page's folio. -1 if that cannot be told.
static int probe_folio(void) {
	int big = 0;
	for (int i = 1; i < nsegs; i++)
		if (segs[i].end - segs[i].start > segs[big].end - segs[big].start) big = i;
	unsigned long mid = (segs[big].start + (segs[big].end - segs[big].start) / 2) & ~4095UL;
	unsigned long lo = mid & ~((2UL << 20) - 1), hi = lo + (2UL << 20);
	if (lo < segs[big].start) lo = segs[big].start;
	if (hi > segs[big].end) hi = segs[big].end;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) return -1;
	int before = mapped(pm, lo, hi);
	(void)*(volatile char *)mid;
	int after = mapped(pm, lo, hi);
	close(pm);
	return before < 0 || after < 0 ? -1 : after - before;
}

struct cachestat_range { uint64_t off, len; };
struct cachestat { uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; };

// cached sums cachestat(2) (Linux 6.5) over the segments: their pages in
// the page cache, and in *dirty those not written back yet. -1 without it.
static long cached(int fd, long *dirty) {
	long n = 0;
	*dirty = 0;
	for (int i = 0; i < nsegs; i++) {
		struct cachestat_range r = {segs[i].off, segs[i].end - segs[i].start};
		struct cachestat cs;
		if (syscall(451 /* cachestat */, fd, &r, &cs, 0) != 0) return -1;
		n += (long)cs.nr_cache;
		*dirty += (long)(cs.nr_dirty + cs.nr_writeback);
	}
	return n;
}

// prefetch reads the segments with read(2): what is not cached comes in
// a few large I/Os rather than a fault a page. POSIX_FADV_RANDOM makes each
// read bring what it asks and no more; the kernel here (6.18) caches 1 MiB
// reads in 64 KiB folios, so MADV_RANDOM's faults then map 64 KiB at a time.
static void prefetch(int fd) {
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	char *buf = malloc(SEGUE_PREFETCH_READ);
	if (!buf) return;
	for (int i = 0; i < nsegs; i++)
		for (unsigned long off = segs[i].off, end = segs[i].off + (segs[i].end - segs[i].start); off < end;) {
			size_t want = end - off < SEGUE_PREFETCH_READ ? end - off : SEGUE_PREFETCH_READ;
			ssize_t got = pread(fd, buf, want, (off_t)off);
			if (got <= 0) break;
			off += (unsigned long)got;
		}
	free(buf);
	segue_shape_prefetched = 1;
}

__attribute__((constructor)) static void segue_shape_pages(void) {
	const char *off = getenv("SEGUE_EXEPAGES");
	if (off && strcmp(off, "off") == 0) return; // measuring without it
	int n = 0;
	dl_iterate_phdr(add_object, &n);
	if (nsegs == 0) return;
	for (int i = 0; i < nsegs; i++) segue_shape_segment_pages += (long)((segs[i].end - segs[i].start) / (unsigned long)sysconf(_SC_PAGESIZE));
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	long dirty = 0;
	segue_shape_cached_pages = cached(fd, &dirty);
	segue_shape_folio_pages = probe_folio();
	if (segue_shape_folio_pages > SEGUE_FOLIO_PAGES_KEPT) {
		// Folios larger than the prefetch's (the linker's writes, or the
		// readahead of a run without this): evict what no process maps
		// and read it again.
		for (int i = 0; i < nsegs; i++)
			madvise((void *)segs[i].start, segs[i].end - segs[i].start, MADV_DONTNEED);
		if (dirty > 0) fdatasync(fd); // the kernel keeps dirty pages
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		segue_shape_reshaped = 1;
		prefetch(fd);
	} else if (segue_shape_cached_pages >= 0 && segue_shape_cached_pages * 2 < segue_shape_segment_pages) {
		prefetch(fd); // cold: one sequential read rather than a fault a page
	}
	close(fd);
}
