package exepages

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestEvictExecutableLeavesSinglePages: after EvictExecutable the test
// binary's read-only segments are mostly out of the page cache, and a
// fault in them maps one page, not the 16 of a 64 KiB folio the
// constructor's read back caches (nor the 512 of the linker's 2 MiB ones),
// which is what DropReadOnly alone leaves.
func TestEvictExecutableLeavesSinglePages(t *testing.T) {
	if StartShape().SegmentPages == 0 {
		t.Fatalf("the constructor did not run (SEGUE_EXEPAGES=%q)", os.Getenv("SEGUE_EXEPAGES"))
	}
	exePath, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var big mapping // the largest read-only mapping of the executable
	for _, m := range smaps(t) {
		if readOnlyFile(m) && m.path == exePath && m.end-m.start > big.end-big.start {
			big = m
		}
	}
	page := uintptr(os.Getpagesize())
	if big.end-big.start < 64*page {
		t.Fatalf("the executable's largest read-only mapping is %d bytes", big.end-big.start)
	}
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer pagemap.Close()
	buf := make([]byte, (big.end-big.start)/page*8)
	before, after, err := EvictExecutable()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the executable's read-only pages in the page cache: %d before, %d after", before, after)
	if before <= 0 || after < 0 || after > before/2 {
		t.Errorf("pages cached: %d before the eviction, %d after; want under half left", before, after)
	}
	// touch pages 64 KiB apart in the mapping's upper half that are not
	// mapped, each through one fault (MADV_POPULATE_READ of one page)
	present := func() int { return presentPages(t, pagemap, []mapping{big}, buf) }
	one := make([]byte, 8)
	mappedBefore := present()
	touched := 0
	for addr := (big.start + (big.end-big.start)/2) &^ (page - 1); addr+page <= big.end && touched < 32; addr += 16 * page {
		if _, err := pagemap.ReadAt(one, int64(addr/page*8)); err != nil {
			t.Fatalf("read pagemap: %v", err)
		}
		if one[7]>>7 == 1 {
			continue // mapped already
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, page, unix.MADV_POPULATE_READ); errno != 0 {
			t.Fatalf("madvise(MADV_POPULATE_READ) at %x: %v", addr, errno)
		}
		touched++
	}
	mapped := present() - mappedBefore
	t.Logf("%d faults mapped %d pages", touched, mapped)
	if touched == 0 || mapped > 2*touched {
		t.Errorf("%d faults after the eviction mapped %d pages; want about one each", touched, mapped)
	}
}
