package exepages

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestFaultSinglePagesMapsTheTouchedPage: after DropReadOnlySinglePages,
// a fault in the executable's or a library's read-only
// segments maps the page it touched, where a drop alone leaves the
// kernel's fault-around mapping the cached neighbours (16 pages of a
// 64 KiB window). Every page touched is in the page cache: the test
// populates the mappings first, so only fault-around could map more.
func TestFaultSinglePagesMapsTheTouchedPage(t *testing.T) {
	if _, err := DropReadOnlySinglePages(); err != nil {
		t.Fatal(err)
	}
	exePath, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	page := uintptr(os.Getpagesize())
	exe, libs, biggest := readOnlyObjects(t, exePath, func(m mapping) bool {
		if !readOnlyFile(m) || m.end-m.start < 64*page {
			return false
		}
		// every page cached and mapped; one that cannot be is a RELRO part
		// (read-only now, written once) or the like
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_POPULATE_READ)
		return errno == 0
	})
	if len(exe) == 0 || len(libs) == 0 {
		t.Fatalf("read-only mappings of 64 pages or more: %d of the executable, %d of libraries", len(exe), len(libs))
	}
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer pagemap.Close()
	buf := make([]byte, biggest/page*8)
	one := make([]byte, 8)
	if _, err := DropReadOnlySinglePages(); err != nil { // registered once per process; this call only drops
		t.Fatalf("a second call: %v", err)
	}
	for name, ms := range map[string][]mapping{"the executable": exe, "libraries": libs} {
		touched := 0
		n0 := presentPages(t, pagemap, ms, buf)
		for _, m := range ms {
			for addr := m.start + 8*page; addr+8*page <= m.end && touched < 64; addr += 32 * page {
				if _, err := pagemap.ReadAt(one, int64(addr/page*8)); err != nil {
					t.Fatal(err)
				}
				if one[7]>>7 == 1 {
					continue // mapped again since the drop
				}
				if _, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, page, unix.MADV_POPULATE_READ); errno != 0 {
					t.Fatalf("madvise(MADV_POPULATE_READ) at %x: %v", addr, errno)
				}
				touched++
			}
		}
		mapped := presentPages(t, pagemap, ms, buf) - n0
		t.Logf("%s: %d faults mapped %d pages", name, touched, mapped)
		if touched < 8 || mapped > touched*3 { // other threads fault meanwhile
			t.Errorf("%s: %d faults mapped %d pages; want about one each (16 with fault-around)", name, touched, mapped)
		}
	}
}
