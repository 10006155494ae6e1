package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// sayHandler writes each warning or error record as one line a person
// reads, as segue's other warnings are: "segue: MESSAGE", then its
// details in brackets, "(path: /x/cache.db; cause: ...)". The stderr of a
// command with no log to hand its warnings to (see warnLog) showed
// records as log lines: `time=... level=WARN msg="..."`.
type sayHandler struct {
	w     io.Writer
	attrs []slog.Attr
}

func (h sayHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h sayHandler) Handle(_ context.Context, r slog.Record) error {
	var details []string
	add := func(a slog.Attr) bool {
		if !a.Equal(slog.Attr{}) {
			details = append(details, a.Key+": "+a.Value.Resolve().String())
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	line := "segue: " + r.Message
	if len(details) > 0 {
		line += " (" + strings.Join(details, "; ") + ")"
	}
	_, err := fmt.Fprintln(h.w, line)
	return err
}

func (h sayHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], as...)
	return h
}

// WithGroup keeps the handler as it is: a detail is said by its own key.
func (h sayHandler) WithGroup(string) slog.Handler { return h }
