package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// Acceptance 5: a segue cache SQLite cannot read is moved aside with one
// warning and a fresh cache takes its place: here its schema page is
// overwritten (the header, marked as segue's, kept).
func TestDamagedCacheMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	c := openAt(t, path, 1<<20, nil)
	fill(t, c, 1, 5, 1000)
	c.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4000), sqliteHeaderSz); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var log testkit.Buffer
	c = openAt(t, path, 1<<20, &log)
	defer c.Close()
	h, b := segment(1, 100)
	mustPut(t, c, h, b)
	if !strings.Contains(log.String(), "moved it aside") || strings.Count(log.String(), "level=WARN") != 1 {
		t.Fatalf("want one warning about moving the file aside, log: %q", log.String())
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "cache.db.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("moved-aside files: %v, want one", aside)
	}
	// One sentence naming both files, not key=value pairs after it.
	want := "the cache file " + path + " is damaged ("
	if got := log.String(); !strings.Contains(got, "msg="+strconv.Quote(want)[:len(want)+1]) ||
		!strings.Contains(got, "): moved it aside to "+aside[0]+" and started a fresh cache (what was pinned for offline use stays behind in it: segue offline add downloads it again)\"\n") {
		t.Errorf("log %q; want one sentence starting %q and naming %s", got, want, aside[0])
	}
}

// A file that is not a segue cache (a mistyped --cache: a text file,
// another program's SQLite database) is refused with ErrNotCache, saying
// which, and left as it was: it used to be renamed to .corrupt-TIME and a
// cache made in its place.
func TestNotCacheLeftAlone(t *testing.T) {
	for name, tc := range map[string]struct {
		make func(path string) error
		want string
	}{
		"text": {func(path string) error {
			return os.WriteFile(path, bytes.Repeat([]byte("my notes\n"), 500), 0o600)
		}, "not an SQLite file"},
		"short text": {func(path string) error { return os.WriteFile(path, []byte("x"), 0o600) }, "not an SQLite file"},
		"foreign": {func(path string) error {
			db, err := openDB(context.Background(), path+".tmp", 1<<20) // a valid SQLite file...
			if err != nil {
				return err
			}
			db.Exec(`PRAGMA application_id = 42`) // ...of another program
			db.Close()
			return os.Rename(path+".tmp", path)
		}, "another program's SQLite database"},
		"foreign, no application ID": {testkit.ForeignSQLite, "another program's SQLite database"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "notes.db")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Open(path, Options{})
			if err == nil {
				c.Close()
			}
			if !errors.Is(err, ErrNotCache) || !strings.Contains(fmt.Sprint(err), tc.want) || !strings.Contains(fmt.Sprint(err), path) {
				t.Fatalf("Open: %v; want ErrNotCache naming %s and saying %q", err, path, tc.want)
			}
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(after, before) {
				t.Fatalf("the file changed (%v)", err)
			}
			if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
				t.Fatalf("files in the folder: %v, want the one file only", names)
			}
		})
	}
}

func TestOpenLeavesGoodFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	var log testkit.Buffer
	c := openAt(t, path, 1<<20, &log)
	h, b := segment(1, 100)
	mustPut(t, c, h, b)
	c.Close()
	c = openAt(t, path, 1<<20, &log)
	defer c.Close()
	if !c.Has(h) || log.String() != "" {
		t.Fatalf("reopen lost data (%v) or warned: %q", c.Has(h), log.String())
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func fill(t *testing.T, c *Cache, seed uint64, n, size int) {
	t.Helper()
	for i := range n {
		h, b := segment(seed+uint64(i), size)
		mustPut(t, c, h, b)
	}
}

// Acceptance 6: the file shrinks after clear and after heavy eviction.
func TestFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 8<<20, nil)
	fill(t, c, 1000, 120, 64<<10) // 7.5 MiB
	c.Close()
	full := fileSize(t, path)
	if full < 7<<20 {
		t.Fatalf("filled file is %d bytes, want >= 7 MiB", full)
	}

	// Heavy eviction: the cap drops to 1 MiB.
	c = openAt(t, path, 1<<20, nil)
	if s, _ := c.Stats(); s.Bytes > 1<<20 {
		t.Fatalf("after lowering the cap: %d bytes stored", s.Bytes)
	}
	c.Close()
	evicted := fileSize(t, path)
	if evicted > 3<<20 {
		t.Fatalf("file after evicting to 1 MiB: %d bytes (was %d), want <= 3 MiB", evicted, full)
	}

	c = openAt(t, path, 8<<20, nil)
	fill(t, c, 2000, 120, 64<<10)
	if err := c.Clear(false); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Stats()
	c.Close()
	cleared := fileSize(t, path)
	if s.Entries != 0 || s.Bytes != 0 || cleared > 256<<10 {
		t.Fatalf("after clear: %d entries, %d bytes, file %d bytes; want empty and < 256 KiB", s.Entries, s.Bytes, cleared)
	}
}

func TestClearKeepPinned(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	a, ab := segment(1, 100)
	b, bb := segment(2, 100)
	mustPut(t, c, a, ab)
	mustPut(t, c, b, bb)
	if err := c.Pin(a); err != nil {
		t.Fatal(err)
	}
	if err := c.Clear(true); err != nil {
		t.Fatal(err)
	}
	if !c.Has(a) || c.Has(b) {
		t.Fatalf("after Clear(true): pinned %v unpinned %v, want true false", c.Has(a), c.Has(b))
	}
	if err := c.GC(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDropsBadBytes(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	fill(t, c, 1, 10, 500)
	bad, bb := segment(99, 500)
	mustPut(t, c, bad, bb)
	// Damage one blob and the totals behind the cache's back.
	if _, err := c.db.Exec(`UPDATE blobs SET data = zeroblob(500) WHERE id = (SELECT id FROM entries WHERE key = ?)`, bad); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Exec(`UPDATE totals SET bytes = bytes + 7`); err != nil {
		t.Fatal(err)
	}
	r, err := c.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if r.Checked != 11 || r.Bad != 1 || r.BadBytes != 500 || !r.TotalsFixed {
		t.Fatalf("verify report %+v, want 11 checked, 1 bad of 500 bytes, totals fixed", r)
	}
	if c.Has(bad) {
		t.Fatal("bad segment still stored")
	}
	checkConsistent(t, c)
}

// TestVerifyEachReportsProgress: verify says how far it is after each
// batch of 16 entries, counting to the total: 40 entries are 16, 32, 40.
func TestVerifyEachReportsProgress(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	fill(t, c, 1, 40, 100)
	var got []string
	r, err := c.VerifyEach(context.Background(), func(checked, total int64) { got = append(got, fmt.Sprintf("%d/%d", checked, total)) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"16/40", "32/40", "40/40"}; r.Checked != 40 || !slices.Equal(got, want) {
		t.Errorf("verify of 40 entries reported %v (checked %d); want %v", got, r.Checked, want)
	}
}

// Disk full on Put: an error saying so, and one warning however many Puts.
func TestDiskFullWarnsOnce(t *testing.T) {
	var log testkit.Buffer
	c := openAt(t, filepath.Join(t.TempDir(), "cache.db"), 64<<20, &log)
	defer c.Close()
	c.db.SetMaxOpenConns(1) // the page limit below is per connection
	if _, err := c.db.Exec(`PRAGMA max_page_count = 40`); err != nil {
		t.Fatal(err)
	}
	var fails int
	for i := range 20 {
		h, b := segment(uint64(i), 64<<10)
		if err := c.Put(h, b); err != nil {
			if !errors.Is(err, ErrDiskFull) {
				t.Fatalf("Put on a full disk: %v, want ErrDiskFull", err)
			}
			fails++
		}
	}
	if fails == 0 || strings.Count(log.String(), "level=WARN") != 1 || !strings.Contains(log.String(), "is full: new segments are not cached") {
		t.Fatalf("%d failed Puts, log %q; want failures and one warning", fails, log.String())
	}
	if _, err := c.Stats(); err != nil {
		t.Fatalf("the cache should still read after a full disk: %v", err)
	}
}

func TestCountersPersistAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	for range 2 {
		c := openAt(t, path, 1<<20, nil)
		c.Get("0000")
		c.AddSourceBytes(SourceOrigin, 100)
		c.AddSourceBytes(SourcePeer, 10)
		c.Close()
	}
	c := openAt(t, path, 1<<20, nil)
	defer c.Close()
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Misses != 2 || s.BytesBySource[SourceOrigin] != 200 || s.BytesBySource[SourcePeer] != 20 {
		t.Fatalf("stats %+v, want 2 misses, 200 origin bytes, 20 peer bytes", s)
	}
}

func TestClosedCache(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	c.Close()
	if _, err := c.Get("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// cache verify checks documents too: what a broken proxy left (an HTML
// page, a truncated JSON body, text stored as a cover) is dropped; JSON and
// real images stay.
func TestVerifyDropsDocsThatDoNotDecode(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	docs := map[string]struct {
		d    Doc
		good bool
	}{
		"album":     {Doc{Body: []byte(`{"id":"al1","tracks":[]}`), ContentType: "application/json"}, true},
		"cover":     {Doc{Body: png, ContentType: "image/png"}, true},
		"html":      {Doc{Body: []byte("<html><body>502 Bad Gateway</body></html>"), ContentType: "text/html"}, false},
		"truncated": {Doc{Body: []byte(`{"id":"al1","tracks":[{"id":`), ContentType: "application/json"}, false},
		"fakecover": {Doc{Body: []byte("<html>not found</html>"), ContentType: "image/jpeg"}, false},
	}
	for k, d := range docs {
		if err := c.PutDoc(k, d.d); err != nil {
			t.Fatal(err)
		}
	}
	r, err := c.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if r.Checked != 5 || r.Bad != 3 {
		t.Fatalf("verify report %+v, want 5 checked and 3 bad", r)
	}
	for k, d := range docs {
		if _, err := c.GetDoc(k); (err == nil) != d.good {
			t.Errorf("after verify, document %s: %v; want kept=%v", k, err, d.good)
		}
	}
}

// The disk-full warning is one plain sentence saying what happened and
// what to do, not a message trailed by the logger's key=value pairs.
func TestDiskFullWarningIsASentence(t *testing.T) {
	var log testkit.Buffer
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 64<<20, &log)
	defer c.Close()
	c.db.SetMaxOpenConns(1) // the page limit below is per connection
	if _, err := c.db.Exec(`PRAGMA max_page_count = 40`); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		h, b := segment(uint64(i), 64<<10)
		c.Put(h, b)
	}
	want := "the disk holding the cache " + path + " is full: new segments are not cached and play from the network; free space on that disk or lower --cache-size (cache.size in config.toml)"
	if got := log.String(); !strings.HasSuffix(strings.TrimSpace(got), "msg="+strconv.Quote(want)) {
		t.Errorf("log %q; want one warning ending in msg=%q", got, want)
	}
}

// A new cache file and its -wal and -shm files are the user's alone
// (0600), in a folder others may read (a cache path given with --cache):
// SQLite made them 0644, and document keys are URLs, share links among
// them.
func TestNewCacheFileIsTheUsers(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cache.db")
	c := openAt(t, path, 1<<20, nil)
	h, b := segment(1, 1000)
	mustPut(t, c, h, b)
	if err := c.PutDoc("http://o/p/TOKEN", Doc{Body: b}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(name), st.Mode().Perm())
		}
	}
	c.Close()
}
