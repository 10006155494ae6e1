package cli

import (
	"fmt"
	"io"
)

// report writes a command's text to w and keeps the first write error
// (err), so that a report a full disk or a closed file swallowed fails
// the command (exit 1) as a listing's does: cache stats exited 0 having
// printed nothing.
type report struct {
	w   io.Writer
	err error
}

// printf writes as fmt.Fprintf does, once no write has failed.
func (r *report) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}
