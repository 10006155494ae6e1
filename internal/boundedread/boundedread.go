// Package boundedread reads a file that must fit in memory whole (a
// config.toml, an authority bundle, a playlist file) no further than a
// bound: a mistyped path naming a film, a disk image or /dev/zero was read
// until the process died of it.
package boundedread

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge wraps the error of a file that holds more than the bound.
var ErrTooLarge = errors.New("larger than")

// TooLargeError is a file holding more than Limit bytes.
type TooLargeError struct {
	Limit int64
}

// Error says "larger than N MiB" (the bound, in MiB when whole).
func (e *TooLargeError) Error() string { return fmt.Sprintf("larger than %s", Size(e.Limit)) }

// Unwrap returns ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Size is n bytes as "N MiB" when n is whole MiB, else "N bytes".
func Size(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFile returns the bytes of the file at path as os.ReadFile does (its
// errors too, *fs.PathError), reading at most limit+1 bytes: a file that
// holds more than limit is a *TooLargeError, whatever its size says (a
// device such as /dev/zero, a pipe, a file still growing).
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, limit)
}

// Read reads r to its end as io.ReadAll does, but no further than limit+1
// bytes: more than limit is a *TooLargeError.
func Read(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}
