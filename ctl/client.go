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
	"path/filepath"
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
		err := fmt.Errorf("%w (nothing listens on %s): start segue or segue play first, or name another with --instance", ErrNoInstance, path)
		if other, dir := elsewhere(ctx, path); other != "" {
			err = fmt.Errorf("%w; one listens on %s: give segue ctl the XDG_RUNTIME_DIR=%s it was started with (cron and ssh commands may not set it as a desktop session does)", err, other, dir)
		}
		return nil, err
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

// elsewhere is the socket of the same name as path that a segue answers
// in another runtime directory, and that directory: the login session's
// /run/user/UID, RuntimeDir's fallback under the temporary directory, or
// $XDG_RUNTIME_DIR, which a script run from cron or over ssh may have
// otherwise than the segue it drives ("" when none answers).
func elsewhere(ctx context.Context, path string) (socket, dir string) {
	here := filepath.Dir(filepath.Dir(path)) // DIR of DIR/segue/ctl.sock
	for _, d := range []string{os.Getenv("XDG_RUNTIME_DIR"), filepath.Join("/run/user", strconv.Itoa(os.Getuid())), fallbackRuntimeDir()} {
		if d == "" || !filepath.IsAbs(d) || filepath.Clean(d) == filepath.Clean(here) {
			continue
		}
		p := filepath.Join(d, "segue", filepath.Base(path))
		var dl net.Dialer
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := dl.DialContext(dctx, "unix", p)
		cancel()
		if err == nil {
			c.Close()
			return p, d
		}
	}
	return "", ""
}

// Running reports whether an instance answers at path.
func Running(ctx context.Context, path string) bool {
	_, err := Do(ctx, path, Request{Cmd: "status"})
	return err == nil
}

// AnswerWait is how long Do waits for an instance's answer to a command
// it carries out at once (status, pause, seek, queue list...), and Watch
// for its first line: such a command takes a healthy instance
// milliseconds (the player's lock held for a copy of its queue), so 5 s
// is room for one on a loaded machine. One that does not answer in it is
// taken for hung (ErrNotAnswering): segue ctl status, a status bar's, run
// every few seconds, waited 2 minutes.
const AnswerWait = 5 * time.Second

// ResolveTimeout bounds how long the instance resolves a command's
// targets (open, queue add and next, radio) from the origin: an album of
// hundreds of tracks from a slow origin, one request a track ID.
const ResolveTimeout = time.Minute

// ResolveWait is how long Do waits for the answer to a command that
// resolves targets: the instance's ResolveTimeout and AnswerWait for the
// rest. Do asks such an instance for its status first (within
// AnswerWait), so a hung one is told in seconds there too.
const ResolveWait = ResolveTimeout + AnswerWait

// resolves says whether r makes the instance resolve targets from the
// origin, which takes it up to ResolveTimeout.
func resolves(r Request) bool {
	switch r.Cmd {
	case "open", "radio":
		return true
	case "queue":
		return len(r.Args) > 0 && (r.Args[0] == "add" || r.Args[0] == "next")
	}
	return false
}

// StartWait is how long Do waits for an instance still starting: it
// holds the socket from before it has its queue (the first batch of a
// radio, asked of the origin) and its sound device, and answers once it
// has them. It is the 2 minutes every command waited before AnswerWait.
const StartWait = 2 * time.Minute

// starting is what the socket's lock file holds from Listen to Serve.
const starting = "starting\n"

// isStarting says whether the instance holding the socket at path has not
// begun answering yet (its lock file says starting; see Listen).
func isStarting(path string) bool {
	b, err := os.ReadFile(path + ".lock")
	return err == nil && string(b) == starting
}

// stopPoll is how often Do looks whether the instance it waits for was
// stopped meanwhile.
const stopPoll = 200 * time.Millisecond

// errNoAnswer is the cause of Do's own deadline, told from the caller's
// ctx ending (a signal).
var errNoAnswer = errors.New("no answer")

// ErrNotAnswering: the instance's process holds the socket but did not
// answer within AnswerWait (or ResolveWait): it is hung, or too busy;
// exit status 1, as ErrNoInstance.
var ErrNotAnswering = errors.New("is not answering")

// Do sends r to the instance at path and returns its answer. Errors wrap
// ErrBadRequest (r is malformed: checked before connecting),
// ErrNoInstance, ErrNotFound, ErrStopped, ErrNotAnswering, or are the
// instance's other failures. It waits at most AnswerWait for the answer,
// ResolveWait for a command that resolves targets (see resolves), which it
// sends only once the instance answered a status within AnswerWait; and
// StartWait while the instance is still starting (see isStarting).
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
	if !resolves(r) {
		return do(ctx, path, r, AnswerWait, "")
	}
	what := r.Cmd
	if r.Cmd == "queue" {
		what += " " + r.Args[0] // add, next
	}
	if _, err := do(ctx, path, Request{Cmd: "status"}, AnswerWait, what); err != nil {
		return Response{}, err
	}
	return do(ctx, path, r, ResolveWait, "")
}

// do is Do's exchange, waiting at most wait for the answer; probe names
// the command a status was asked before (then nothing else was sent).
func do(ctx context.Context, path string, r Request, wait time.Duration, probe string) (Response, error) {
	c, err := dial(ctx, path)
	if err != nil {
		return Response{}, err
	}
	defer c.Close()
	start := isStarting(path)
	if start {
		wait = max(wait, StartWait)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, wait, errNoAnswer)
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
		return Response{}, notAnswering(g.pid, path, wait, start, probe)
	}
	return Response{}, err
}

// notAnswering is the error of an instance (process pid, 0 when the
// kernel did not say) on path that did not answer within wait, starting
// when it had not begun answering (see isStarting); probe is
// the command not sent for it ("" when the command itself was sent,
// "watch" for a watch).
func notAnswering(pid int, path string, wait time.Duration, starting bool, probe string) error {
	who, end := "segue", "end it"
	if pid > 0 {
		who, end = fmt.Sprintf("segue (process %d)", pid), fmt.Sprintf("end it (kill %d; kill -KILL %d if it stays)", pid, pid)
	}
	var sent string
	switch probe {
	case "":
		sent = "it may still carry out the command when it recovers"
	case "watch":
		sent = "nothing was watched"
	default:
		sent = fmt.Sprintf("it was asked only its status, so the %s was not sent", probe)
	}
	why := fmt.Sprintf("no answer within %v", wait)
	if starting {
		why = fmt.Sprintf("it has not finished starting within %v", wait)
	}
	return fmt.Errorf("%s on %s %w: %s, so it may be hung; %s. Try again in a while, or %s and start it again",
		who, path, ErrNotAnswering, why, sent, end)
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
// included; a failed Write ends it with that error. It waits for the
// instance's first line as Do waits for an answer (AnswerWait, StartWait
// while it starts), then for events as long as it takes.
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
	// its first line comes at once from a healthy segue: wait for it as
	// Do waits for an answer (a hung one held watch for ever)
	wait, start := AnswerWait, isStarting(path)
	if start {
		wait = StartWait
	}
	c.SetReadDeadline(time.Now().Add(wait))
	line, err := br.ReadBytes('\n')
	c.SetReadDeadline(time.Time{})
	g.release()
	if err == nil {
		err = json.Unmarshal(line, &resp)
	}
	if err != nil && g.stopped.Load() {
		return g.stoppedMeanwhile()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return notAnswering(g.pid, path, wait, start, "watch")
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
