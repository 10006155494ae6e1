//go:build unix

package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// untilStdoutCloses returns a context cancelled with errStdoutClosed when
// the reader of stdout, a pipe or socket, goes away (segue play --json |
// head -1). Go's default for a write to such a stdout is to die of
// SIGPIPE, leaving the control socket behind, the plays unsent and the
// sound playing out its buffer; SIGPIPE is diverted instead, and a
// blocked poll of fd 1 (no wake-ups) sees the reader leave at once, not
// at the next event. A SIGPIPE from a peer's socket alone stops nothing:
// its write fails with EPIPE. The diversion lasts until the process
// exits, so that the error written last cannot kill it. Any other stdout
// (a terminal, a file, a buffer in a test) gives ctx back unchanged.
func untilStdoutCloses(ctx context.Context, stdout io.Writer) (context.Context, func()) {
	f, ok := stdout.(*os.File)
	if !ok {
		return ctx, func() {}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO && st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return ctx, func() {}
	}
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	ctx, cancel := context.WithCancelCause(ctx)
	fd := int32(f.Fd())
	go func() { // ends with the process: a poll cannot be interrupted
		fds := []unix.PollFd{{Fd: fd}} // POLLERR and POLLHUP are always reported
		for {
			if _, err := unix.Poll(fds, -1); err == unix.EINTR {
				continue
			} else if err != nil {
				return
			}
			if fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				cancel(errStdoutClosed)
			}
			if fds[0].Revents != 0 {
				return
			}
		}
	}()
	return ctx, func() { cancel(nil) }
}
