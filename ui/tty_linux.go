package ui

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// quietTerminal is a writer to a terminal that does not wake the Go
// runtime's monitor (sysmon). A write through an *os.File is a system call
// in Go's sense: when the process was idle it wakes sysmon from its deep
// sleep, and sysmon then polls every 20 µs while Go runs, about 14 context
// switches for each frame drawn once a second while playing (perf record
// -e sched:sched_wakeup -g on the TUI, 2026-12-01, docs/headless-audio.md).
// quietTerminal writes with RawSyscall instead, on its own non-blocking
// open file description of the same terminal (the one the shell shares
// stays blocking), and hands what the terminal cannot take at once (its
// buffer is full: a slow link) to the ordinary blocking writer, in order.
type quietTerminal struct {
	fd   int       // the terminal opened again, O_NONBLOCK
	slow io.Writer // the blocking writer for what fd cannot take now
}

// newQuietTerminal opens f's terminal again, non-blocking, for writing.
// Errors: f is not a terminal, or the reopening failed (no /proc).
func newQuietTerminal(f *os.File) (*quietTerminal, error) {
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return nil, fmt.Errorf("open %s quietly: not a terminal: %w", f.Name(), err)
	}
	fd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s quietly: %w", f.Name(), err)
	}
	return &quietTerminal{fd: fd, slow: f}, nil
}

// Write writes p whole: what the terminal takes now without a system call
// in Go's sense, the rest (or everything, on an error such as EIO) through
// the blocking writer, whose error it returns.
func (q *quietTerminal) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(q.fd), uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 || m == 0 {
			break // EAGAIN: full; anything else the blocking writer reports
		}
		n += int(m)
	}
	if n == len(p) {
		return n, nil
	}
	m, err := q.slow.Write(p[n:])
	return n + m, err
}

// Close closes the second open file description.
func (q *quietTerminal) Close() error {
	return unix.Close(q.fd)
}
