//go:build !linux

package ui

import (
	"errors"
	"io"
	"os"
)

// quietTerminal writes to a terminal without waking the Go runtime's
// monitor; only on Linux (tty_linux.go).
type quietTerminal struct{ io.Writer }

func newQuietTerminal(*os.File) (*quietTerminal, error) {
	return nil, errors.New("quiet terminal writes: Linux only")
}

func (q *quietTerminal) Close() error { return nil }
