package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"segue/internal/testkit"
)

// openPTY opens a pseudo-terminal pair in raw mode: what is written to
// slave is read from master byte for byte.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := term.MakeRaw(int(s.Fd())); err != nil {
		t.Fatal(err)
	}
	return m, s
}

// countingWriter counts the writes that reach w.
type countingWriter struct {
	w     io.Writer
	calls int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.calls++
	return c.w.Write(p)
}

// TestTerminalWriterDrawsWithoutGoSystemCall: the screen's frames reach a
// terminal through raw writes, not the *os.File (a system call in Go's
// sense, which wakes the runtime's monitor: issue 14's wake-ups), and a
// frame larger than the terminal's buffer still arrives whole and in order
// through the blocking writer.
func TestTerminalWriterDrawsWithoutGoSystemCall(t *testing.T) {
	master, slave := openPTY(t)
	w, closeW := terminalWriter(slave)
	defer closeW()
	q, ok := w.(*quietTerminal)
	if !ok {
		t.Fatalf("terminalWriter(a terminal) = %T, want *quietTerminal", w)
	}
	slow := &countingWriter{w: q.slow}
	q.slow = slow

	scr := newScreen(q)
	scr.resized(20)
	scr.draw("▶ Dawn\n0:01 ━━──", true, 20)
	want := "\x1b[H\x1b[2J\x1b[1;1H\x1b[0m▶ Dawn\x1b[0m\x1b[K\x1b[2;1H\x1b[0m0:01 ━━──\x1b[0m\x1b[K"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(master, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("terminal got %q, want %q", got, want)
	}
	if slow.calls != 0 {
		t.Errorf("a %d-byte frame took %d writes through the *os.File, want 0", len(want), slow.calls)
	}

	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB: more than a pty holds
	done := make(chan error, 1)
	go func() {
		_, err := q.Write([]byte(big))
		done <- err
	}()
	back := make([]byte, len(big))
	if _, err := io.ReadFull(master, back); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, []byte(big)) {
		t.Error("a 1 MiB write arrived changed or out of order")
	}
}

// TestTerminalWriterPassesOtherWriters: what is not a terminal is written
// to as it is.
func TestTerminalWriterPassesOtherWriters(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	for _, out := range []io.Writer{f, &b} {
		w, closeW := terminalWriter(out)
		closeW()
		if w != out {
			t.Errorf("terminalWriter(%T) = %T, want it unchanged", out, w)
		}
	}
}

// TestLeavingATerminalThatTakesNothing: the screen starts and stops on a
// terminal whose reader stopped (a stalled ssh link, a pty nobody reads),
// where writing the modes held start, and the frame being written held
// stop, and so SIGTERM or q, for as long as nobody read: the interface
// played on. Once the terminal is read again it gets the modes restored,
// and only then is the writer closed.
func TestLeavingATerminalThatTakesNothing(t *testing.T) {
	master, slave := openPTY(t)
	w, closeW := terminalWriter(slave)
	// a write of more than the terminal holds, which holds its write lock
	// while nobody reads: every other write waits behind it
	go func() { _, _ = slave.Write(bytes.Repeat([]byte("x"), 1<<20)) }()
	testkit.WaitReport(t, 60*time.Second, func() bool {
		n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCINQ)
		return err == nil && n > 0
	}, func() string { return "the filling write did not start" })
	released := make(chan struct{})
	left := make(chan struct{})
	go func() {
		scr := newScreen(w)
		scr.resized(20)
		scr.start()
		scr.set("▶ Dawn\n0:01 ━━──")
		scr.stop(func() { closeW(); close(released) })
		close(left)
	}()
	testkit.WaitReport(t, 60*time.Second, isClosed(left),
		func() string { return "the screen did not stop on a terminal that takes nothing" })
	if isClosed(released)() {
		t.Fatal("the writer was released before its last write reached the terminal")
	}

	// read again: the modes restored arrive last, then the writer is released
	var got []byte
	buf := make([]byte, 64<<10)
	for !bytes.HasSuffix(got, []byte(leaveModes)) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("read the terminal: %v (got %d bytes)", err, len(got))
		}
		got = append(got[max(0, len(got)-len(leaveModes)):], buf[:n]...)
	}
	testkit.WaitReport(t, 60*time.Second, isClosed(released),
		func() string { return "the writer was not released after the terminal took the modes" })
}

// isClosed returns whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) func() bool {
	return func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
}
