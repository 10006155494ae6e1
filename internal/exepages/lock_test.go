package exepages

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDropReadOnlySinglePagesLeavesTheMmapLock: the drop takes the
// process's mmap_lock for reading not once (MADV_DONTNEED in a mapping no
// userfaultfd has armed works under the mapping's own lock), where
// registering every segment first and dropping after (as the steady drop
// did before) took it for every segment and held it for the zap, and the
// interface's other threads waited on it (docs/headless-audio.md, "One
// page a fault"). Counted by the kernel: perf stat of the tracepoint
// mmap_lock:mmap_lock_start_locking (write == 0) on the dropping thread
// alone, enabled for the call only, in a fresh process (this test binary
// run again): the registration is once per process. It needs perf
// (Debian's linux-perf, which make deps installs) and root, as make test
// runs; without them it fails saying so (a skip would hide it).
func TestDropReadOnlySinglePagesLeavesTheMmapLock(t *testing.T) {
	if dir := os.Getenv("EXEPAGES_LOCK_CHILD"); dir != "" {
		lockChild(t, dir)
		return
	}
	perf, err := exec.LookPath("perf")
	if err != nil {
		t.Fatal("no perf to count the mmap_lock's acquisitions: install Debian's linux-perf (make deps does)")
	}
	if out, err := exec.Command(perf, "stat", "-e", "mmap_lock:mmap_lock_start_locking", "-x,", "--", "true").CombinedOutput(); err != nil {
		t.Fatalf("perf cannot count the mmap_lock tracepoint here (it needs root and tracefs): %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDropReadOnlySinglePagesLeavesTheMmapLock$", "-test.v")
	cmd.Env = append(os.Environ(), "EXEPAGES_LOCK_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("the child:\n%s", out)
	if err != nil {
		t.Fatalf("the child failed: %v", err)
	}
}

// lockChild is the fresh process of TestDropReadOnlySinglePagesLeavesTheMmapLock.
func lockChild(t *testing.T, dir string) {
	runtime.LockOSThread() // perf counts this thread; the drop's cgo call runs on it
	defer runtime.UnlockOSThread()
	segments := 0
	for _, m := range smaps(t) {
		if !readOnlyFile(m) {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_POPULATE_READ); errno == 0 {
			segments++ // pages for the drop to zap
		}
	}
	ctl, ack, stat := filepath.Join(dir, "ctl"), filepath.Join(dir, "ack"), filepath.Join(dir, "stat")
	for _, f := range []string{ctl, ack} {
		if err := unix.Mkfifo(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	perf := exec.Command("perf", "stat", "-e", "mmap_lock:mmap_lock_start_locking", "--filter", "write == 0",
		"-x,", "-o", stat, "-t", strconv.Itoa(unix.Gettid()), "-D", "-1", "--control", "fifo:"+ctl+","+ack)
	var perfOut strings.Builder // "Events enabled" and the like; shown on failure
	perf.Stderr = &perfOut
	if err := perf.Start(); err != nil {
		t.Fatal(err)
	}
	defer perf.Process.Kill()
	w, err := os.OpenFile(ctl, os.O_WRONLY, 0) // waits for perf to open it
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := os.Open(ack)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	acks := bufio.NewReader(r)
	tell := func(cmd string) {
		if _, err := fmt.Fprintln(w, cmd); err != nil {
			t.Fatal(err)
		}
		if l, err := acks.ReadString('\n'); err != nil || strings.Trim(l, "\x00\n") != "ack" {
			t.Fatalf("perf answered %q, %v to %s", l, err, cmd)
		}
	}
	tell("enable")
	dropped, regErr := DropReadOnlySinglePages()
	tell("disable")
	if err := perf.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	perf.Wait()
	b, err := os.ReadFile(stat)
	if err != nil {
		t.Fatal(err)
	}
	reads := -1
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(l, ","); len(f) > 2 && f[2] == "mmap_lock:mmap_lock_start_locking" {
			reads, _ = strconv.Atoi(f[0])
		}
	}
	t.Logf("dropped %d KiB of %d read-only mappings (registration: %v); the dropping thread took the mmap_lock for reading %d times",
		dropped>>10, segments, regErr, reads)
	if regErr != nil {
		t.Fatalf("userfaultfd refused here (Linux 6.7 or later, no seccomp filter against it, is needed): %v", regErr)
	}
	if reads < 0 {
		t.Fatalf("no count in perf's output:\n%s\n%s", b, perfOut.String())
	}
	if reads > 2 { // a fault of its own may fall back to the mmap_lock
		t.Errorf("the drop took the mmap_lock for reading %d times (%d read-only mappings); want none: each madvise in an armed mapping takes it for its zap", reads, segments)
	}
}
