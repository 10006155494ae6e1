package ctl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// RemoteError is a failure the running instance reported; it wraps
// ErrBadRequest or ErrNotFound when Kind says so.
type RemoteError struct {
	Kind string
	Msg  string
}

func (e *RemoteError) Error() string { return e.Msg }

// Unwrap returns the sentinel Kind names, or nil.
func (e *RemoteError) Unwrap() error {
	switch e.Kind {
	case "bad_request":
		return ErrBadRequest
	case "not_found":
		return ErrNotFound
	}
	return nil
}

// maxSocketPath is the longest path a Unix socket address holds on Linux
// (sun_path's 108 bytes less the closing NUL).
const maxSocketPath = 107

// dial connects to the instance at path; ErrNoInstance when nobody serves it.
func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	// ENOTDIR: a file stands where a folder of the path should be
	// (XDG_RUNTIME_DIR set to a file), so no socket can be there either.
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("%w (nothing listens on %s): start segue or segue play first, or name another with --instance", ErrNoInstance, path)
	}
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("connect to segue: the control socket's path %s is longer than a socket's path may be (%d bytes): set XDG_RUNTIME_DIR to a shorter folder", path, maxSocketPath)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) { // the socket's own words, not the network's: "dial unix ...: connect: ..."
		return nil, fmt.Errorf("connect to segue on %s: %w", path, errno)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to segue on %s: %w", path, err)
	}
	return c, nil
}

// Running reports whether an instance answers at path.
func Running(ctx context.Context, path string) bool {
	_, err := Do(ctx, path, Request{Cmd: "status"})
	return err == nil
}

// AnswerWait is how long Do waits for an instance's answer: longer than
// the minute the instance itself gives resolving targets (open, queue add,
// radio) from the origin.
const AnswerWait = 2 * time.Minute

// stopPoll is how often Do looks whether the instance it waits for was
// stopped meanwhile.
const stopPoll = 200 * time.Millisecond

// errNoAnswer is the cause of Do's own deadline (AnswerWait), told from
// the caller's ctx ending (a signal).
var errNoAnswer = errors.New("no answer")

// Do sends r to the instance at path and returns its answer. Errors wrap
// ErrBadRequest (r is malformed: checked before connecting),
// ErrNoInstance, ErrNotFound, ErrStopped, or are the instance's other
// failures. It waits at most AnswerWait for the answer.
//
// An instance suspended in its terminal (Ctrl-Z, SIGSTOP) still holds its
// socket and the kernel completes connections to it: Do looks at its
// process first and sends nothing to a stopped one (the command would be
// carried out whenever it resumed, long after it was said to have
// failed), and gives up as soon as one it waits for is stopped.
func Do(ctx context.Context, path string, r Request) (Response, error) {
	if err := Check(r); err != nil {
		return Response{}, err
	}
	c, err := dial(ctx, path)
	if err != nil {
		return Response{}, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeoutCause(ctx, AnswerWait, errNoAnswer)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	g, err := guardStopped(c)
	if err != nil {
		return Response{}, err
	}
	resp, err := exchange(c, r)
	g.release()
	switch {
	case err == nil:
		return resp, nil
	case g.stopped.Load():
		return Response{}, g.stoppedMeanwhile()
	case context.Cause(ctx) == errNoAnswer:
		who, end := "segue", "end it"
		if g.pid > 0 {
			who, end = fmt.Sprintf("segue (process %d)", g.pid), fmt.Sprintf("end it (kill %d)", g.pid)
		}
		return Response{}, fmt.Errorf("%s did not answer within %v: it may be hung, and may still carry out the command; see segue ctl status, or %s and start it again", who, AnswerWait, end)
	}
	return Response{}, err
}

// stopGuard watches the process holding a connection's other end while a
// command waits for its answer.
type stopGuard struct {
	pid     int // 0: the kernel did not say
	stopped atomic.Bool
	done    chan struct{}
	once    sync.Once
}

// guardStopped fails, sending nothing, when the process listening at c's
// other end is stopped; else it looks again every stopPoll, closing c (so
// the wait for an answer ends) once it is, until release.
func guardStopped(c net.Conn) (*stopGuard, error) {
	g := &stopGuard{pid: connPeerPID(c), done: make(chan struct{})}
	if g.pid <= 0 {
		return g, nil
	}
	if processStopped(g.pid) {
		return nil, fmt.Errorf("%w: resume it (fg in its terminal, or kill -CONT %d) and run the command again; nothing was sent to it", stoppedErr(g.pid), g.pid)
	}
	go func() {
		tick := time.NewTicker(stopPoll)
		defer tick.Stop()
		for {
			select {
			case <-g.done:
				return
			case <-tick.C:
				if processStopped(g.pid) {
					g.stopped.Store(true)
					c.Close()
					return
				}
			}
		}
	}()
	return g, nil
}

// release stops looking.
func (g *stopGuard) release() { g.once.Do(func() { close(g.done) }) }

// stoppedMeanwhile is the error of a wait the process's stop ended.
func (g *stopGuard) stoppedMeanwhile() error {
	return fmt.Errorf("%w before it answered, so the command may be carried out when it resumes (fg in its terminal, or kill -CONT %d): see segue ctl status then", stoppedErr(g.pid), g.pid)
}

// ErrStopped: the instance's process is stopped (suspended); exit status
// 1, as ErrNoInstance.
var ErrStopped = errors.New("stopped")

func stoppedErr(pid int) error {
	return fmt.Errorf("segue (process %d) is %w (suspended: Ctrl-Z in its terminal, or SIGSTOP), so it cannot answer", pid, ErrStopped)
}

// connPeerPID is the pid of the process that listens at c's other end
// (SO_PEERCRED), or 0 when the kernel does not say.
func connPeerPID(c net.Conn) int {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0
	}
	pid := 0
	raw.Control(func(fd uintptr) {
		if cred, err := syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	return pid
}

// processStopped says whether process pid is stopped (state T, or t
// stopped by a tracer, in /proc/PID/stat; proc(5)).
func processStopped(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so the
	// state follows the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	return b[i+2] == 'T' || b[i+2] == 't'
}

func exchange(c net.Conn, r Request) (Response, error) {
	if err := json.NewEncoder(c).Encode(r); err != nil {
		return Response{}, fmt.Errorf("send to segue: %w", err)
	}
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&resp); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
			// it said only "read segue's answer: EOF"
			return Response{}, fmt.Errorf("%w (it quit, or was stopped or killed), so the command may not have been carried out: see segue ctl status", ErrGone)
		}
		return Response{}, fmt.Errorf("read segue's answer: %w", err)
	}
	if resp.Error != "" {
		return Response{}, &RemoteError{Kind: resp.Kind, Msg: resp.Error}
	}
	return resp, nil
}

// ErrGone: the instance closed the connection before it answered a
// command (it ended meanwhile); exit status 1, as ErrNoInstance.
var ErrGone = errors.New("segue ended before it answered")

// ErrLost is what Watch returns when the connection to the instance it
// watched ended without its quit line: it was killed or crashed.
var ErrLost = errors.New("lost the segue it watched: it went away without quitting (was it killed?)")

// Watch copies the instance's events, one JSON object per line, to w until
// ctx is done (then it returns nil), the instance quits as it should (it
// says so last, see Quit: nil too) or the connection is lost (ErrLost, or a
// read error wrapped saying so). Each Write is one whole line, its newline
// included; a failed Write ends it with that error.
func Watch(ctx context.Context, path string, w io.Writer) error {
	c, err := dial(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	// a stopped segue is told at once, as by Do; stopped once it answered,
	// watch waits, as for a paused one
	g, err := guardStopped(c)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(c).Encode(Request{Cmd: "watch"}); err != nil {
		return fmt.Errorf("send to segue: %w", err)
	}
	br := bufio.NewReader(c)
	var resp Response
	line, err := br.ReadBytes('\n')
	g.release()
	if err == nil {
		err = json.Unmarshal(line, &resp)
	}
	if err != nil && g.stopped.Load() {
		return g.stoppedMeanwhile()
	}
	if err != nil {
		return fmt.Errorf("read segue's answer: %w", err)
	}
	if resp.Error != "" {
		return &RemoteError{Kind: resp.Kind, Msg: resp.Error}
	}
	for {
		// a line cut short (the socket closed as ctx ended, or as the
		// instance died) is no event: w is given whole lines only
		line, err := br.ReadBytes('\n')
		if err == nil {
			var e struct{ Event string }
			if json.Unmarshal(line, &e) == nil && e.Event == Quit {
				return nil
			}
			if _, werr := w.Write(line); werr != nil {
				return werr
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return ErrLost
		}
		if err != nil {
			return fmt.Errorf("lost the segue it watched: %w", err)
		}
	}
}
