package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
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
