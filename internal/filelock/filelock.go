// Package filelock takes an exclusive lock on a file for a change that
// several segue processes may make at once to one file in the state dir (a
// load-change-save, or a rewrite beside appends). It owns nothing else.
package filelock

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// Lock takes the lock file at path (made 0600 when missing) and returns
// what lets it go. wait (may be nil) is called once, first, when another
// holds it; Lock then waits for it until ctx ends, and returns ctx's error
// then. The kernel lets the lock go when the process ends.
func Lock(ctx context.Context, path string, wait func()) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if wait != nil {
			wait()
		}
		err = retry(ctx, f)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing the file lets the lock go
}

// retry tries the lock again until it is free or ctx ends. A blocking
// flock cannot be called off: Ctrl-C went unheard until the other
// process let go.
func retry(ctx context.Context, f *os.File) error {
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
	}
}
