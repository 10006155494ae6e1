package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestWarningsAreSentences: the cache's warnings on stderr (a cache that
// cannot be used, a damaged file moved aside, a full disk) and a state dir
// that cannot be written were log records, `time=2026-… level=WARN
// msg="the cache cannot be used (…)"`, where segue's other warnings are
// one line, "segue: …".
func TestWarningsAreSentences(t *testing.T) {
	// search goes on without the cache (offline list, which only reads one,
	// refuses such a --cache: TestReadingCommandsMakeNoGivenCache)
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "cache.db")
	_, errOut, code := segue(t, append(env, "--cache", missing, "search", "play")...)
	first, _, _ := strings.Cut(errOut, "\n")
	want := "segue: the cache cannot be used (--cache: the folder " + filepath.Dir(missing) + " does not exist (make it, or check the path)): going on without a disk cache, which keeps nothing for later or offline play"
	if code != 0 || first != want {
		t.Errorf("search with --cache in a missing folder: exit %d, stderr %q; want 0, first line %q", code, errOut, want)
	}
	// the cache's own warnings carry details: said after the sentence
	var buf bytes.Buffer
	a := &app{stderr: &buf}
	a.warnLog(nil).Warn("cache file was not usable; moved it aside and started a fresh cache", "path", "/c/cache.db", "cause", errors.New("file is not a database"))
	a.warnLog(nil).Info("not shown")
	if got, want := buf.String(), "segue: cache file was not usable; moved it aside and started a fresh cache (path: /c/cache.db; cause: file is not a database)\n"; got != want {
		t.Errorf("a warning with details: %q; want %q", got, want)
	}
	if l := slog.New(sayHandler{w: &buf}).With("path", "/x"); !l.Enabled(nil, slog.LevelWarn) || l.Enabled(nil, slog.LevelInfo) {
		t.Error("sayHandler: want warnings and errors only")
	}
}
