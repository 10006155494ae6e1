package player

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// counterFD is an eventfd or timerfd (an 8-byte count) that Go waits on in
// its network poller: the ALSA writer's room, the MP3 decoder's progress,
// the play head's clock.
type counterFD struct {
	f  *os.File
	rc syscall.RawConn
}

// newCounterFD takes ownership of fd, which must be non-blocking.
func newCounterFD(fd int, name string) (*counterFD, error) {
	f := os.NewFile(uintptr(fd), name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &counterFD{f: f, rc: rc}, nil
}

// wait sleeps until the count is non-zero and reads it (resetting it). The
// read is a raw system call: one through the runtime would wake Go's
// scheduler monitor each time (issue 14, docs/headless-audio.md).
func (c *counterFD) wait() error {
	return c.rc.Read(func(fd uintptr) bool {
		var v uint64
		_, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&v)), 8)
		return e != unix.EAGAIN
	})
}
