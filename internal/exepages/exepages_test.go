package exepages

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// mapping is one line of /proc/self/smaps: its range, permissions, file
// and resident KiB.
type mapping struct {
	start, end uintptr
	perms      string
	path       string
	rssKiB     int
}

func smaps(t *testing.T) []mapping {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatalf("read smaps: %v", err)
	}
	var ms []mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			lo, hi, _ := strings.Cut(f[0], "-")
			s, _ := strconv.ParseUint(lo, 16, 64)
			e, _ := strconv.ParseUint(hi, 16, 64)
			m := mapping{start: uintptr(s), end: uintptr(e), perms: f[1]}
			if len(f) >= 6 {
				m.path = f[5]
			}
			ms = append(ms, m)
			continue
		}
		if len(f) >= 2 && f[0] == "Rss:" && len(ms) > 0 {
			ms[len(ms)-1].rssKiB, _ = strconv.Atoi(f[1])
		}
	}
	return ms
}

// readOnlyFile reports whether m maps a file readable and never written:
// what DropReadOnlySinglePages may drop.
func readOnlyFile(m mapping) bool {
	return strings.HasPrefix(m.path, "/") && m.perms[0] == 'r' && m.perms[1] != 'w'
}

// presentPages counts the pages of ms this process maps, from the present
// bit (63) of /proc/self/pagemap, into buf (8 bytes a page, allocated
// beforehand so that counting after the drop touches little code).
func presentPages(t *testing.T, pagemap *os.File, ms []mapping, buf []byte) int {
	page := uintptr(os.Getpagesize())
	n := 0
	for _, m := range ms {
		b := buf[:(m.end-m.start)/page*8]
		if _, err := pagemap.ReadAt(b, int64(m.start/page*8)); err != nil {
			t.Fatalf("read pagemap: %v", err)
		}
		for i := 7; i < len(b); i += 8 {
			n += int(b[i] >> 7)
		}
	}
	return n
}

// readOnlyObjects is this process's mappings that keep says yes to, the
// executable's (at exePath) apart from the libraries', and the size of
// the largest.
func readOnlyObjects(t *testing.T, exePath string, keep func(mapping) bool) (exe, libs []mapping, biggest uintptr) {
	for _, m := range smaps(t) {
		if !keep(m) {
			continue
		}
		if m.path == exePath {
			exe = append(exe, m)
		} else {
			libs = append(libs, m)
		}
		biggest = max(biggest, m.end-m.start)
	}
	return exe, libs, biggest
}

var written = []int{1, 2, 3} // in the data segment, written below

// TestDropReadOnlyUnmapsOnlyReadOnlyPages makes every page of the test
// binary's and its libraries' read-only mappings resident, drops them, and
// checks that most of them went while what the program wrote is intact
// and the program, its libraries and new threads still run.
func TestDropReadOnlyUnmapsOnlyReadOnlyPages(t *testing.T) {
	exePath, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	written[1] = 42
	page := uintptr(os.Getpagesize())
	exe, libs, biggest := readOnlyObjects(t, exePath, readOnlyFile)
	if len(exe) == 0 || len(libs) == 0 {
		t.Fatalf("read-only mappings: %d of the executable, %d of libraries", len(exe), len(libs))
	}
	for _, m := range append(exe[:len(exe):len(exe)], libs...) { // every page mapped
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_POPULATE_READ); errno != 0 {
			t.Fatalf("madvise(MADV_POPULATE_READ) of %s %x-%x: %v", m.path, m.start, m.end, errno)
		}
	}
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer pagemap.Close()
	buf := make([]byte, biggest/page*8)
	exeBefore, libsBefore := presentPages(t, pagemap, exe, buf), presentPages(t, pagemap, libs, buf)
	dropped, _ := DropReadOnlySinglePages() // the registration: TestFaultSinglePagesMapsTheTouchedPage
	exeAfter, libsAfter := presentPages(t, pagemap, exe, buf), presentPages(t, pagemap, libs, buf)
	t.Logf("dropped %d KiB of mappings; pages mapped: executable %d -> %d, libraries %d -> %d",
		dropped/1024, exeBefore, exeAfter, libsBefore, libsAfter)
	var size uintptr
	for _, m := range append(exe[:len(exe):len(exe)], libs...) {
		size += m.end - m.start
	}
	if uintptr(dropped) < size*9/10 || uintptr(dropped) > size {
		t.Errorf("DropReadOnlySinglePages advised %d bytes; the read-only file mappings are %d", dropped, size)
	}
	// Some come back at once: the code that counts them, and with it, where
	// the page cache holds the binary in large folios (as the linker wrote
	// it), whole folios: 147-163 of 699 pages after a copy, 307-339 as
	// linked.
	if exeAfter > exeBefore*3/4 {
		t.Errorf("the executable's read-only pages: %d mapped after the drop, %d before", exeAfter, exeBefore)
	}
	// Each library's first page (its ELF and program headers) stays
	// unmapped: the drop walked the program headers while advising and
	// faulted each back, with its folio (123 of 518 library pages mapped
	// after it then, 28 since).
	headers, seen := 0, map[string]bool{}
	for _, m := range libs {
		if seen[m.path] {
			continue
		}
		seen[m.path] = true
		headers += presentPages(t, pagemap, []mapping{{start: m.start, end: m.start + page}}, buf)
	}
	if headers > len(seen)/2 {
		t.Errorf("%d of %d libraries have their first page mapped after the drop", headers, len(seen))
	}
	if libsAfter > libsBefore/2 {
		t.Errorf("the libraries' read-only pages: %d mapped after the drop, %d before", libsAfter, libsBefore)
	}
	if written[0] != 1 || written[1] != 42 || written[2] != 3 {
		t.Errorf("data written before the drop changed: %v", written)
	}
	done := make(chan string)
	go func() { // a new thread: the C library's pthread_create, after the drop
		runtime.LockOSThread()
		host, err := os.Hostname()
		if err != nil {
			host = err.Error()
		}
		done <- host
	}()
	if h := <-done; h == "" {
		t.Error("no hostname after the drop")
	}
}

// TestStartShapeAdvisesRandom: the constructor (shape.c) ran before Go
// did: the executable's and the libraries' read-only mappings carry
// MADV_RANDOM (`rr` in smaps' VmFlags: no readahead; fault-around stays,
// see DropReadOnlySinglePages), and it told the folio size.
func TestStartShapeAdvisesRandom(t *testing.T) {
	shape := StartShape()
	t.Logf("start: %+v", shape)
	if shape.SegmentPages == 0 || shape.FolioPages < 1 {
		t.Fatalf("the constructor found no segments or no folio size: %+v", shape)
	}
	if shape.FolioPages > 16 && !shape.Reshaped {
		t.Errorf("a fault mapped %d pages and the constructor left the page cache as it was", shape.FolioPages)
	}
	exePath, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	var m mapping
	exe, libs := 0, 0
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			m = mapping{perms: f[1]}
			if len(f) >= 6 {
				m.path = f[5]
			}
			continue
		}
		if len(f) == 0 || f[0] != "VmFlags:" || !readOnlyFile(m) || slices.Contains(f[1:], "ac") {
			continue // ac: a RELRO part, read-only now but mapped writable (a writable segment)
		}
		if !slices.Contains(f[1:], "rr") {
			t.Errorf("%s %s: VmFlags %v, no rr (MADV_RANDOM)", m.path, m.perms, f[1:])
		}
		if m.path == exePath {
			exe++
		} else {
			libs++
		}
	}
	if exe == 0 || libs == 0 {
		t.Errorf("checked %d mappings of the executable and %d of libraries", exe, libs)
	}
}
