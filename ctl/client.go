package ctl

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
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

// Do sends r to the instance at path and returns its answer. Errors wrap
// ErrBadRequest (r is malformed: checked before connecting),
// ErrNoInstance, ErrNotFound, or are the instance's other failures.
func Do(ctx context.Context, path string, r Request) (Response, error) {
	if err := Check(r); err != nil {
		return Response{}, err
	}
	c, err := dial(ctx, path)
	if err != nil {
		return Response{}, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	resp, err := exchange(c, r)
	if err != nil {
		return Response{}, err
	}
	return resp, nil
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
	if err := json.NewEncoder(c).Encode(Request{Cmd: "watch"}); err != nil {
		return fmt.Errorf("send to segue: %w", err)
	}
	br := bufio.NewReader(c)
	var resp Response
	line, err := br.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &resp)
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
