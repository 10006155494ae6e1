// See exepages.go for what this does and why.
#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "readonly.h"

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

// drop_object is a dl_iterate_phdr callback: MADV_DONTNEED on the object's
// loaded segments that are never written (text, rodata). A writable
// segment is skipped whole: its pages are the process's own (data, and
// the RELRO part, read-only once relocated but holding the relocations),
// and MADV_DONTNEED would throw them away. The vDSO is not a file.
static int drop_object(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	unsigned long *dropped = data;
	if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso")) return 0;
	if (has_textrel(info)) return 0;
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz == 0) continue;
		// the pages wholly inside the segment: a page it shares with a
		// writable neighbour stays as it is
		unsigned long start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_filesz;
		start = (start + page - 1) & ~(page - 1);
		end &= ~(page - 1);
		if (end <= start) continue;
		if (madvise((void *)start, end - start, MADV_DONTNEED) == 0) *dropped += end - start;
	}
	return 0;
}

unsigned long segue_drop_readonly(void) {
	unsigned long dropped = 0;
	dl_iterate_phdr(drop_object, &dropped);
	return dropped;
}
