package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/abr/abrtest"
)

// brokenProxy stands between segue and an origin and, by mode, answers
// every request with an HTML error page ("html"), with the origin's answer
// cut in half under the origin's headers ("truncated"), or passes it
// through ("ok").
type brokenProxy struct {
	mode atomic.Value // string
	srv  *httptest.Server
}

func newBrokenProxy(t *testing.T, origin string) *brokenProxy {
	t.Helper()
	target, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	p := &brokenProxy{}
	p.mode.Store("ok")
	pass := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p.mode.Load().(string) {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body><h1>Welcome to the hotel network</h1></body></html>")
		case "truncated":
			rec := httptest.NewRecorder()
			pass.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			b := rec.Body.Bytes()
			w.Write(b[:len(b)/2])
		default:
			pass.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// Issue 11: the document cache keeps only answers that decode, a 304 never
// revives one that does not, a good stored copy answers while the proxy is
// broken, and cache verify drops what does not decode.
func TestBrokenProxyDocuments(t *testing.T) {
	o := newTestOrigin(t)
	originURL := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, originURL+"/api/v1/search?q=play&limit=5", &res)
	albumID := res.Albums[0].ID
	proxy := newBrokenProxy(t, originURL)
	env := clientEnv(t, proxy.srv.URL)
	cachePath := filepath.Join(filepath.Dir(env[1]), "cache.db")
	albumURL := proxy.srv.URL + "/api/v1/albums/" + albumID
	library := func() (catalog.Album, string, int) {
		out, errOut, code := segue(t, append(env, "library", albumID, "--json")...)
		var al catalog.Album
		if code == 0 {
			if err := json.Unmarshal([]byte(out), &al); err != nil {
				t.Fatalf("library --json: %v\n%s", err, out)
			}
		}
		return al, errOut, code
	}
	storedDocs := func() int64 {
		c, err := cache.Open(cachePath, cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := c.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return s.Docs
	}

	for _, mode := range []string{"html", "truncated"} {
		proxy.mode.Store(mode)
		if _, errOut, code := library(); code != ExitError || !strings.Contains(errOut, "does not decode") {
			t.Errorf("library through a %s proxy: exit %d, %q; want 1 and \"does not decode\"", mode, code, errOut)
		}
		if n := storedDocs(); n != 0 {
			t.Fatalf("after a %s answer %d documents are stored, want 0", mode, n)
		}
	}
	proxy.mode.Store("ok")
	if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
		t.Fatalf("library once the proxy recovered: exit %d, %d tracks\n%s", code, len(al.Tracks), errOut)
	}

	// A good stored copy answers while the proxy is broken again, and is
	// not replaced by the broken answer.
	for _, mode := range []string{"html", "truncated", "ok"} {
		proxy.mode.Store(mode)
		if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
			t.Fatalf("library with a good stored copy through a %s proxy: exit %d, %d tracks\n%s", mode, code, len(al.Tracks), errOut)
		}
	}

	// A bad copy stored under the origin's current ETag (as earlier
	// versions stored it): the 304 its revalidation would get must not
	// revive it.
	resp, err := http.Get(albumURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c, err := cache.Open(cachePath, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bad := cache.Doc{Body: []byte(`{"id":"` + albumID + `","tracks":[{"id":`), ETag: resp.Header.Get("ETag"), ContentType: "application/json"}
	if err := c.PutDoc(albumURL, bad); err != nil {
		t.Fatal(err)
	}
	c.Close()
	albumPath := "/api/v1/albums/" + albumID
	notModified := o.access.requests(albumPath, http.StatusNotModified)[albumPath]
	if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
		t.Fatalf("library over a bad stored copy with a current ETag: exit %d, %d tracks\n%s", code, len(al.Tracks), errOut)
	}
	if n := o.access.requests(albumPath, http.StatusNotModified)[albumPath]; n != notModified {
		t.Errorf("the bad stored copy was revalidated (%d 304s, was %d): it must be fetched again whole", n, notModified)
	}

	// cache verify drops documents that do not decode.
	c, err = cache.Open(cachePath, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutDoc(albumURL, bad); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var r cache.VerifyReport
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "verify", "--json")...)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Bad != 1 {
		t.Fatalf("cache verify: %+v; want the one bad document dropped", r)
	}
}

// mountTmpfs mounts a tmpfs of size at dir (created) for the test; the
// test needs root, as CI has. It is unmounted at cleanup.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs at %s (the test needs root): %v\n%s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

// fillUp writes dir/filler until its file system has no room left.
func fillUp(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "filler"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for n := 1 << 20; n >= 512; n /= 2 {
		for {
			if _, err := f.Write(make([]byte, n)); err != nil {
				break
			}
		}
	}
}

func cacheFootprint(path string) int64 {
	return fileSize(path) + fileSize(path+"-wal") + fileSize(path+"-shm")
}

// Issue 11, a full cache disk never locks segue out: with the cache's
// file system full, commands and the interface start, playback goes on
// from the network with one warning, the interface says the cache is
// full, and gc with a lower --cache-size, and clear, give space back. When
// even the reserve is gone, cache clear deletes the cache's files.
func TestFullCacheDisk(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	dir := t.TempDir()
	disk := filepath.Join(dir, "cache", "segue") // where the interface's XDG_CACHE_HOME puts it
	mountTmpfs(t, disk, "8m")
	cachePath := filepath.Join(disk, "cache.db")
	env := []string{"--origin", url, "--cache", cachePath, "--cache-size", "4MiB", "--config", writeConfig(t, dir)}
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	album, track := res.Albums[0].ID, res.Tracks[0]
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+track.ID+"/manifest", &m)
	segueOK(t, append(env, "play", album, "--quality", "high", "--output", "wav:"+filepath.Join(dir, "fill.wav"), "--fast")...)
	fillUp(t, disk)

	if _, errOut, code := segue(t, append(env, "cache", "stats")...); code != 0 {
		t.Fatalf("cache stats on a full disk: exit %d\n%s", code, errOut)
	}
	wav := filepath.Join(dir, "full.wav")
	_, errOut, code := segue(t, append(env, "play", track.ID, "--quality", "low", "--output", "wav:"+wav, "--fast")...)
	if code != 0 || wavFrames(t, wav) != m.TotalSamples {
		t.Fatalf("play on a full cache disk: exit %d\n%s", code, errOut)
	}
	if n := strings.Count(errOut, "new segments are not cached"); n != 1 {
		t.Errorf("play on a full cache disk warned %d times about it, want once:\n%s", n, errOut)
	}

	s := startTUIWith(t, url, 120, 30, dir, "SEGUE_CACHE_SIZE=4MiB")
	s.waitText("cache is full")
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })

	before := cacheFootprint(cachePath)
	segueOK(t, append(env, "cache", "gc", "--cache-size", "256KiB")...)
	if after := cacheFootprint(cachePath); after >= before {
		t.Errorf("cache gc --cache-size 256KiB on a full disk: footprint %d -> %d", before, after)
	}
	fillUp(t, disk)
	segueOK(t, append(env, "cache", "clear")...)
	if after := cacheFootprint(cachePath); after > 256<<10 {
		t.Errorf("cache clear on a full disk left %d bytes", after)
	}

	// The disk fills up while the interface plays: its status line says so.
	if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
		t.Fatal(err)
	}
	s = startTUIWith(t, url, 120, 30, dir, "SEGUE_CACHE_SIZE=4MiB")
	s.waitText("nothing playing")
	fillUp(t, disk)
	s.search("tone", "Tone 440")
	s.keys("Enter")
	s.keys("Enter")
	s.waitText("cache is full")
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })

	// No reserve left (another program took the space it gave): the cache
	// cannot even open. Playback goes on without it; clear deletes it.
	os.Remove(cachePath + "-reserve")
	fillUp(t, disk)
	_, errOut, code = segue(t, append(env, "play", track.ID, "--quality", "low", "--output", "wav:"+wav, "--fast")...)
	if code != 0 || !strings.Contains(errOut, cachePath) || !strings.Contains(errOut, "without a disk cache") {
		t.Fatalf("play when the cache cannot open: exit %d, %q; want 0 and one warning naming %s", code, errOut, cachePath)
	}
	out := segueOK(t, append(env, "cache", "clear")...)
	if !strings.Contains(out, "deleted") || fileSize(cachePath) != 0 {
		t.Fatalf("cache clear on a disk too full to open the cache: %q, file %d bytes", out, fileSize(cachePath))
	}
}

// writeConfig writes a config under dir whose state and log stay in dir.
func writeConfig(t *testing.T, dir string) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.toml")
	body := "state_dir = " + strconvQuote(filepath.Join(dir, "state")) + "\nlog_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Issue 11, directories segue cannot write: a read-only cache folder, or
// one that cannot exist, plays without the disk cache after one warning
// naming the path and the reason; cache commands fail saying so. A state
// dir that cannot be written is one warning; offline add refuses before
// downloading anything; the interface shows it on its status line and
// nothing is written over it.
func TestUnusableDirs(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	dir := t.TempDir()
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	album, track := res.Albums[0].ID, res.Tracks[0]
	blocker := filepath.Join(dir, "a-file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	mountTmpfs(t, ro, "4m")
	cfg := writeConfig(t, dir)
	// makes it: the cache commands, offline list and peer serve make none
	// at a --cache that is not there (TestReadingCommandsMakeNoGivenCache)
	segueOK(t, "--origin", url, "--config", cfg, "--cache", filepath.Join(ro, "cache.db"), "search", "play")
	if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v\n%s", err, out)
	}

	// The warning says what to do as cache stats does (it said only
	// "playing without a disk cache", for search and playlist list too).
	for cachePath, reason := range map[string]string{
		filepath.Join(ro, "cache.db"):           "read-only file system",
		filepath.Join(blocker, "x", "cache.db"): "not a directory",
	} {
		env := []string{"--origin", url, "--config", cfg, "--cache", cachePath}
		advice := map[bool]string{true: "; to keep one: the file system there is read-only: mount it read-write, or give another cache file",
			false: "; to keep one: " + blocker + " is a file where its folder should be: move that file, or give another cache file"}[reason == "read-only file system"]
		wav := filepath.Join(dir, "out.wav")
		_, errOut, code := segue(t, append(env, "play", track.ID, "--output", "wav:"+wav, "--fast")...)
		if code != 0 || strings.Count(errOut, "without a disk cache") != 1 || !strings.Contains(errOut, cachePath) ||
			!strings.Contains(errOut, reason) || !strings.Contains(errOut, advice) {
			t.Errorf("play with the cache at %s: exit %d, stderr %q; want 0 and one warning naming the path, %q and %q", cachePath, code, errOut, reason, advice)
		}
		_, errOut, code = segue(t, append(env, "search", "play")...)
		if code != 0 || !strings.Contains(errOut, "going on without a disk cache") || !strings.Contains(errOut, advice) || strings.Contains(errOut, "playing") {
			t.Errorf("search with the cache at %s: exit %d, stderr %q; want 0 and a warning saying what to do, not that it plays", cachePath, code, errOut)
		}
		_, errOut, code = segue(t, append(env, "cache", "stats")...)
		if code != ExitError || !strings.Contains(errOut, cachePath) || !strings.Contains(errOut, reason) {
			t.Errorf("cache stats with the cache at %s: exit %d, %q; want 1 naming the path and %q", cachePath, code, errOut, reason)
		}
	}

	// A state dir that cannot be written.
	bad := filepath.Join(dir, "bad.toml")
	body := "state_dir = " + strconvQuote(filepath.Join(blocker, "state")) + "\nlog_file = " + strconvQuote(filepath.Join(blocker, "state", "segue.log")) + "\n"
	if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(dir, "cache.db")
	env := []string{"--origin", url, "--config", bad, "--cache", cachePath}
	chunks := len(o.access.requests("/chunks/", 0))
	_, errOut, code := segue(t, append(env, "offline", "add", album)...)
	if code != ExitError || !strings.Contains(errOut, filepath.Join(blocker, "state")) || !strings.Contains(errOut, "nothing was downloaded") {
		t.Errorf("offline add with an unwritable state dir: exit %d, %q; want 1 naming the dir", code, errOut)
	}
	if n := len(o.access.requests("/chunks/", 0)); n != chunks {
		t.Errorf("offline add with an unwritable state dir downloaded %d segments", n-chunks)
	}
	var st cache.Stats
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "stats", "--json")...)), &st); err != nil {
		t.Fatal(err)
	}
	if st.PinnedBytes != 0 || st.PinsWaiting != 0 {
		t.Errorf("offline add with an unwritable state dir left pins: %+v", st)
	}
	_, errOut, code = segue(t, append(env, "play", track.ID, "--output", "wav:"+filepath.Join(dir, "p.wav"), "--fast")...)
	if code != 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "state dir "+filepath.Join(blocker, "state")) {
		t.Errorf("play with an unwritable state dir: exit %d, stderr %q; want 0 and one warning naming the state dir", code, errOut)
	}

	s := startTUIWith(t, url, 160, 30, dir, "XDG_STATE_HOME="+filepath.Join(blocker, "state"), "XDG_CACHE_HOME="+filepath.Join(blocker, "cache"))
	s.waitText("cannot be written")
	s.search("tone", "Tone 440")
	s.keys("Enter")
	s.keys("Enter")
	s.waitText("▶ Tone 440")
	if scr := s.capture(); strings.Contains(scr, `"level"`) || strings.Contains(scr, "level=") {
		t.Fatalf("a log line was written over the interface:\n%s", scr)
	}
}

// Issue 11, config typos: each names the file, the line and the key, on
// one line, with exit status 2; a size without a unit is refused wherever
// it is written.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"[cache]\nsizee = \"5GiB\"\n":      `:2: cache.sizee: unknown setting (did you mean "size"?)`,
		"[cache]\nsize = 5\n":              `:2: cache.size: size "5" has no unit`,
		"[player]\n\nquality = \"best\"\n": `:3: player.quality: "best": want one of auto, low, normal, high`,
		"origin = [\n":                     `:1`,
	} {
		cfg := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := segue(t, "--config", cfg, "cache", "stats")
		if code != ExitUsage || !strings.Contains(errOut, "config "+cfg+want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("config %q: exit %d, stderr %q; want 2 and one line with %q", body, code, errOut, "config "+cfg+want)
		}
	}
	t.Setenv("SEGUE_CACHE_SIZE", "5")
	if _, errOut, code := segue(t, "--config", writeConfig(t, dir), "cache", "stats"); code != ExitUsage ||
		!strings.Contains(errOut, "SEGUE_CACHE_SIZE") {
		t.Errorf("SEGUE_CACHE_SIZE=5: exit %d, %q; want 2 naming the variable", code, errOut)
	}
	t.Setenv("SEGUE_CACHE_SIZE", "")
	if _, errOut, code := segue(t, "--cache-size", "5", "cache", "stats"); code != ExitUsage || !strings.Contains(errOut, "no unit") {
		t.Errorf("--cache-size 5: exit %d, %q; want 2 saying it has no unit", code, errOut)
	}
	// A cap of 0 was taken: the cache evicted every segment as it was stored.
	for _, run := range [][]string{{"--cache-size", "0B", "cache", "stats"}, {"--cache-size", "0GiB", "cache", "stats", "--json"}} {
		if _, errOut, code := segue(t, run...); code != ExitUsage || !strings.Contains(errOut, "--cache-size 0 B: want a size above 0") {
			t.Errorf("segue %s: exit %d, %q; want 2 saying the size must be above 0", strings.Join(run, " "), code, errOut)
		}
	}
	// A unitless 0 was told "write it like 0MiB, 0GB or 0B", each of which
	// is then refused as above.
	for _, run := range [][]string{{"--cache-size", "0", "cache", "stats"}, {"--cache-size", "0", "cache", "stats", "--json"},
		{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-size", "0"}} {
		if _, errOut, code := segue(t, run...); code != ExitUsage || strings.Contains(errOut, "0MiB") ||
			!strings.Contains(errOut, `size "0" has no unit: write a number with one, e.g. 500MB or 2GiB`) {
			t.Errorf("segue %s: exit %d, %q; want 2 asking for a unit without offering 0MiB", strings.Join(run, " "), code, errOut)
		}
	}
}

// Issue 11, a proxy that corrupts segments: the track whose segments fail
// their hash check fails after a bounded number of tries (3 per segment)
// with a message naming the source, and playback goes on with the next
// track, which plays whole; the run exits 1.
func TestCorruptingProxy(t *testing.T) {
	o := newTestOrigin(t)
	originURL := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, originURL+"/api/v1/search?q=play&limit=5", &res)
	var album catalog.Album
	getJSON(t, originURL+"/api/v1/albums/"+res.Albums[0].ID, &album)
	var first, second catalog.Manifest
	getJSON(t, originURL+"/api/v1/tracks/"+album.Tracks[0].ID+"/manifest", &first)
	getJSON(t, originURL+"/api/v1/tracks/"+album.Tracks[1].ID+"/manifest", &second)
	corrupt := map[string]bool{}
	for _, r := range first.Renditions {
		for _, s := range r.Segments {
			corrupt["/chunks/"+s.Hash] = true
		}
	}
	var mu sync.Mutex
	asked := map[string]int{}
	target, _ := url.Parse(originURL)
	pass := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corrupt[r.URL.Path] {
			pass.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
		rec := httptest.NewRecorder()
		pass.ServeHTTP(rec, r)
		b := rec.Body.Bytes()
		if len(b) > 0 {
			b[len(b)/2] ^= 0xff
		}
		w.WriteHeader(rec.Code)
		w.Write(b)
	}))
	t.Cleanup(proxy.Close)

	wav := filepath.Join(t.TempDir(), "out.wav")
	done := make(chan struct{})
	var out, errOut string
	var code int
	go func() {
		defer close(done)
		out, errOut, code = segue(t, append(clientEnv(t, proxy.URL), "play", album.ID, "--quality", "low", "--output", "wav:"+wav, "--fast", "--json")...)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("segue play kept retrying a corrupted segment for 2 minutes")
	}
	if code != ExitError || !strings.Contains(errOut, "origin "+proxy.URL) || !strings.Contains(errOut, "sha256") {
		t.Errorf("play through a corrupting proxy: exit %d, stderr %q; want 1 and a message naming origin %s", code, errOut, proxy.URL)
	}
	if got := wavFrames(t, wav); got != second.TotalSamples {
		t.Errorf("the next track played %d samples, want all %d\n%s", got, second.TotalSamples, out)
	}
	mu.Lock()
	defer mu.Unlock()
	for path, n := range asked {
		if n > 3 {
			t.Errorf("%s asked %d times, want at most 3", path, n)
		}
	}
}

// A user whose --origin named another program's JSON API (200 and
// {"status":"ok","version":3} to every request) got an empty playlist
// from playlist create with exit status 0, as if it was made, an empty
// album from library, and `search "": nothing found` (exit 3). An answer
// whose keys are none of the asked object's fields is now "not segue's
// API (check --origin)", exit 1, with and without --json.
func TestOriginOfAnotherAPI(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok","version":3}`)
	}))
	t.Cleanup(other.Close)
	env := clientEnv(t, other.URL)
	for _, args := range [][]string{
		{"search", "one"},
		{"library", "al0123456789abcdef"},
		{"playlist", "show", "pl0123456789abcdef"},
		{"playlist", "create", "Mix"},
		{"playlist", "rename", "pl0123456789abcdef", "Mix"},
		{"radio", "t0123456789abcdef"},
	} {
		want := "the origin's answer is not segue's API (check --origin)"
		if args[0] == "radio" { // its errors name the seed (radio SEED: ...)
			want = "radio " + args[1] + ": " + want
		}
		out, errOut, code := segue(t, append(append(env, args...), "--json")...)
		var e struct{ Error string }
		if code != ExitError || json.Unmarshal([]byte(out), &e) != nil || e.Error != want || !strings.Contains(errOut, want) {
			t.Errorf("%s --json from another program's API: exit %d, stdout %q, stderr %q; want exit 1 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
	}
}

// searchedOrigin starts newTestOrigin and returns its URL and what a
// search for "play" finds on it.
func searchedOrigin(t *testing.T) (*url.URL, catalog.SearchResult) {
	o := newTestOrigin(t)
	var res catalog.SearchResult
	getJSON(t, "http://"+o.addr+"/api/v1/search?q=play&limit=5", &res)
	target, err := url.Parse("http://" + o.addr)
	if err != nil {
		t.Fatal(err)
	}
	return target, res
}

// throttled serves target through abrtest's throttling proxy on a link of
// a constant rate (Mbit/s) and returns the proxy's URL.
func throttled(t *testing.T, target *url.URL, mbits string) string {
	trace, err := abrtest.ParseTrace(mbits, strings.NewReader("0 "+mbits+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := httptest.NewServer(abrtest.NewProxy(target, abrtest.NewLink(trace)))
	t.Cleanup(p.Close)
	return p.URL
}

// failingChunks is a proxy in front of target whose /chunks answer 500.
func failingChunks(t *testing.T, target *url.URL) *httptest.Server {
	pass := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy
}

// An origin whose /chunks failed (500 from a proxy in front of it) made
// offline add say "...: origin answered 500 Internal Server Error: oops;
// origin: no other origin known": the chain as it was, closed by the
// tier of other origins, which has nowhere to ask (and was retried with
// backoff). That tier is now passed over, and the failure is the
// sentence the API's own 500 gets.
func TestChunkFailureIsOneSentence(t *testing.T) {
	target, res := searchedOrigin(t)
	env := clientEnv(t, failingChunks(t, target).URL)
	out, errOut, code := segue(t, append(env, "offline", "add", res.Albums[0].ID, "--json")...)
	var e struct{ Error string }
	if code != ExitError || json.Unmarshal([]byte(out), &e) != nil ||
		!strings.HasSuffix(e.Error, "the origin failed (500 Internal Server Error); its log says why") || strings.Contains(errOut, "no other origin") {
		t.Errorf("offline add with /chunks failing: exit %d, %q, stderr %q; want 1, ending in the origin's 500 as one sentence", code, out, errOut)
	}
}
