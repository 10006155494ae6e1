package origin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// loadConns is how many connections the load test holds open at once
// (issue 17: "memory under 500 concurrent connections stays bounded").
const loadConns = 500

// Memory bounds of an origin with the default options under loadConns
// connections asking for documents (the large manifest among them) and
// segments. What the origin holds: at most maxDocsInFlight documents (here
// up to 1.3 MB, held twice while read from SQLite: 32 x 2.6 = 85 MB), per
// connection its goroutine and buffers (about 10 KiB: 5 MB), the blob
// memory cache (what /chunks served, here 8 segments, under 1 MB; at most
// defaultMemoryCache), and CatalogConns SQLite connections (each up to 2
// MiB of page cache). loadMaxHeap is that, about 95 MB, plus headroom for
// the garbage of the answers already sent; the GC trace's heap at the
// start of a collection is compared with it. loadMaxPrivate adds the
// runtime, goroutine stacks and SQLite's own memory, and is compared with
// the process's private resident memory (RssAnon). The whole RSS (VmHWM,
// reported) also counts the binary and the catalog file as each SQLite
// connection maps it (mmap): page cache the kernel can drop, counted once
// per connection, so it grows with the catalog (4 x 35 MB for 20,000
// tracks). Before the bounds (issue 17) the same load took the heap to
// 187 MB and the RSS to 653 MB.
const (
	loadMaxHeap    = 128 << 20
	loadMaxPrivate = 160 << 20
)

var (
	// loadMaxCatalogFDs: each SQLite connection holds the database and
	// its WAL open, and the process one -shm descriptor.
	loadMaxCatalogFDs = 2*CatalogConns() + 1
	// loadMaxFDs: one socket per connection plus the catalog, the
	// listener, a few blobs being sent and the process's own (stdio).
	loadMaxFDs = loadConns + loadMaxCatalogFDs + 64
)

// loadWorld is an origin data dir for the load test: lots of tracks to
// search, one three-hour track whose manifest is large (three renditions
// of 4320 segments, 1.3 MB of JSON), and a few segment blobs.
type loadWorld struct {
	dir      string
	words    []string // words in titles, for queries
	albumID  string
	trackID  string // the large manifest's track
	manifest int    // its size in bytes
	chunks   []string
}

func newLoadWorld(t testing.TB, tracks int) *loadWorld {
	t.Helper()
	f := newFixture(t)
	w := &loadWorld{dir: f.dir}
	r := rand.New(rand.NewPCG(17, 500))
	for i := range 200 {
		w.words = append(w.words, benchWord(i))
	}
	title := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = w.words[r.IntN(len(w.words))]
		}
		return strings.Join(ws, " ")
	}
	for a := range max(1, tracks/10) {
		name := title(2) + " " + strconv.Itoa(a)
		ar := f.artist(name)
		albumTitle := title(2)
		al := f.album(ar, name, albumTitle, 1990+a%30, nil)
		w.albumID = al
		for n := range 10 {
			w.trackID, _ = f.track(ar, name, al, albumTitle, title(3)+" "+strconv.Itoa(n), 1, n+1, seg(fmt.Sprint("load", a, n), 512))
		}
	}
	for i := range 8 {
		h, err := f.blobs.Put(context.Background(), seg(fmt.Sprint("chunk", i), 40_000+i*10_000))
		if err != nil {
			t.Fatal(err)
		}
		w.chunks = append(w.chunks, h)
	}
	// Three hours in 2.5 s segments, three renditions.
	m := catalog.Manifest{TrackID: w.trackID, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: 96, StartSkip: catalog.StartSkip}
	for _, rn := range []struct {
		name string
		kbps int
	}{{catalog.RenditionLow, 96}, {catalog.RenditionNormal, 160}, {catalog.RenditionHigh, 320}} {
		rend := catalog.Rendition{Name: rn.name, Codec: "mp3", Bitrate: rn.kbps}
		for i := range 3 * 3600 * 10 / 25 {
			rend.Segments = append(rend.Segments, catalog.Segment{Hash: fmt.Sprintf("%064x", i*7+rn.kbps), Size: int64(rn.kbps * 2500 / 8), Frames: 96})
		}
		m.Renditions = append(m.Renditions, rend)
	}
	m.TotalSamples = int64(len(m.Renditions[0].Segments) * 96 * catalog.SamplesPerFrame)
	mj, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	w.manifest = len(mj)
	f.exec(`UPDATE tracks SET manifest = ? WHERE id = ?`, string(mj), w.trackID)
	return w
}

// urls returns the request mix one client walks through, starting at its
// own offset: a search, the large manifest, a segment, an album, the
// artists list, a track.
func (w *loadWorld) urls(base string, client int) []string {
	q := w.words[client%len(w.words)]
	if client%3 == 0 {
		q = string([]rune(q)[:2]) // a prefix, as typed
	}
	us := []string{
		base + "/api/v1/search?q=" + url.QueryEscape(q),
		base + "/api/v1/tracks/" + w.trackID + "/manifest",
		base + "/chunks/" + w.chunks[client%len(w.chunks)],
		base + "/api/v1/albums/" + w.albumID,
		base + "/api/v1/artists",
		base + "/api/v1/tracks/" + w.trackID,
	}
	k := client % len(us)
	return append(us[k:], us[:k]...)
}

// loadResult is what one load run measured.
type loadResult struct {
	requests, errors int
	firstErr         string
	latency          map[string][]time.Duration // by route kind
	peakRSS          int64                      // VmHWM of the origin process
	peakAnon         int64                      // most RssAnon seen (RSS less the binary and the mapped catalog)
	peakHeap         int64                      // largest heap at the start of a GC (gctrace)
	peakFDs          int                        // most descriptors seen open
	peakCatalogFDs   int                        // of which the catalog's
	afterFDs         int                        // descriptors once the clients left
	afterCatalogFDs  int
	conns            int // connections the clients opened
}

// originProc is a real `segue origin serve` process.
type originProc struct {
	cmd    *exec.Cmd
	base   string
	mu     sync.Mutex // guards heap
	heap   int64      // largest heap (MB) at a GC start seen in gctrace
	stderr chan struct{}
}

var gcTrace = regexp.MustCompile(`gc \d+ @.*?, (\d+)->(\d+)->(\d+) MB`)

// startOriginServe starts `segue origin serve` on a free loopback port with
// the runtime's GC trace on stderr (the heap without touching the origin).
func startOriginServe(t testing.TB, dataDir string) *originProc {
	t.Helper()
	bin := testkit.Binary(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "origin", "serve", "--data", dataDir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1", "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_STATE_HOME="+home, "XDG_CACHE_HOME="+home)
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &originProc{cmd: cmd, stderr: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(p.stderr)
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
			if m := gcTrace.FindStringSubmatch(line); m != nil {
				start, _ := strconv.ParseInt(m[1], 10, 64)
				p.mu.Lock()
				p.heap = max(p.heap, start)
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		<-p.stderr
	})
	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.stderr:
		t.Fatal("segue origin serve ended before serving")
	case <-time.After(60 * time.Second):
		t.Fatal("segue origin serve did not report its address in 60 s")
	}
	return p
}

var servingRE = regexp.MustCompile(`origin serving.* addr=(\S+)`)

// fds counts the process's open descriptors and those on the catalog.
func (p *originProc) fds() (all, catalogFDs int) {
	dir := fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && strings.Contains(l, CatalogFile) {
			catalogFDs++
		}
	}
	return len(ents), catalogFDs
}

// status returns a size field of the process's /proc status (VmHWM, the
// high-water resident set; RssAnon, its private memory), in bytes.
func (p *originProc) status(field string) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// runLoad opens loadConns keep-alive connections to p at once (one client
// each) and has each make perConn requests from w's mix, all clients
// starting together. It fails the test after a generous deadline rather
// than hang (bounded in time).
func runLoad(t testing.TB, p *originProc, w *loadWorld, perConn int) loadResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res := loadResult{latency: map[string][]time.Duration{}}
	var mu sync.Mutex // guards res
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // descriptors while the load runs
		defer close(sampled)
		for {
			all, cat := p.fds()
			anon := p.status("RssAnon")
			mu.Lock()
			res.peakFDs, res.peakCatalogFDs = max(res.peakFDs, all), max(res.peakCatalogFDs, cat)
			res.peakAnon = max(res.peakAnon, anon)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var transports []*http.Transport
	for c := range loadConns {
		tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}
		transports = append(transports, tr)
		client := &http.Client{Transport: tr}
		us := w.urls(p.base, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range perConn {
				u := us[i%len(us)]
				t0 := time.Now()
				status, err := fetch(ctx, client, u)
				d := time.Since(t0)
				mu.Lock()
				res.requests++
				kind := routeKind(u)
				res.latency[kind] = append(res.latency[kind], d)
				if err != nil || status != http.StatusOK {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("GET %s: %d %v", u, status, err)
					}
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	<-sampled
	if ctx.Err() != nil {
		t.Fatalf("load of %d connections x %d requests did not finish in 10 minutes", loadConns, perConn)
	}
	res.peakRSS = p.status("VmHWM")
	p.mu.Lock()
	res.peakHeap = p.heap << 20
	p.mu.Unlock()
	for _, tr := range transports {
		tr.CloseIdleConnections()
	}
	// The sockets close on the origin's side soon after the clients'.
	deadline := time.Now().Add(60 * time.Second)
	for {
		res.afterFDs, res.afterCatalogFDs = p.fds()
		if res.afterFDs < 64 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return res
}

// fetch GETs u and reads the whole body.
func fetch(ctx context.Context, c *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// routeKind names a URL's route for the latency table.
func routeKind(u string) string {
	switch {
	case strings.Contains(u, "/search"):
		return "search"
	case strings.HasSuffix(u, "/manifest"):
		return "manifest"
	case strings.Contains(u, "/chunks/"):
		return "chunks"
	}
	return "api"
}

// percentile returns the p-th percentile (0-100) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// check fails t when a bound does not hold.
func (r loadResult) check(t testing.TB) {
	t.Helper()
	if r.errors > 0 {
		t.Errorf("%d of %d requests failed; first: %s", r.errors, r.requests, r.firstErr)
	}
	if r.peakHeap > loadMaxHeap {
		t.Errorf("origin peak heap %d MB under %d connections; want at most %d MB", r.peakHeap>>20, loadConns, loadMaxHeap>>20)
	}
	if r.peakAnon > loadMaxPrivate {
		t.Errorf("origin private memory (RssAnon) %d MB under %d connections; want at most %d MB", r.peakAnon>>20, loadConns, loadMaxPrivate>>20)
	}
	if r.peakCatalogFDs > loadMaxCatalogFDs || r.afterCatalogFDs > loadMaxCatalogFDs {
		t.Errorf("catalog descriptors: %d at the peak, %d after; want at most %d (%d SQLite connections)", r.peakCatalogFDs, r.afterCatalogFDs, loadMaxCatalogFDs, CatalogConns())
	}
	if r.afterFDs >= 64 {
		t.Errorf("origin descriptors after the clients left: %d; want their sockets closed (under 64)", r.afterFDs)
	}
	if r.peakFDs > loadMaxFDs {
		t.Errorf("origin descriptors: %d at the peak; want at most %d", r.peakFDs, loadMaxFDs)
	}
}

func (r loadResult) log(t testing.TB) {
	t.Helper()
	t.Logf("%d connections, %d requests, %d errors; origin peak RSS %d MB (private %d MB), peak heap (gctrace) %d MB, descriptors peak %d (catalog %d), after %d (catalog %d)",
		loadConns, r.requests, r.errors, r.peakRSS>>20, r.peakAnon>>20, r.peakHeap>>20, r.peakFDs, r.peakCatalogFDs, r.afterFDs, r.afterCatalogFDs)
	for _, k := range []string{"search", "manifest", "chunks", "api"} {
		t.Logf("  %-8s n=%-5d p50 %7.1f ms  p99 %7.1f ms", k, len(r.latency[k]),
			float64(percentile(r.latency[k], 50).Microseconds())/1000, float64(percentile(r.latency[k], 99).Microseconds())/1000)
	}
}

// TestOriginUnderLoad holds 500 connections open to a real `segue origin
// serve` at once, each asking for a search, a 1.3 MB manifest, a segment
// and catalog documents, and checks the bounds: every request answered
// 200, the origin's peak heap at most loadMaxHeap and its private memory
// at most loadMaxPrivate, its catalog descriptors
// at most loadMaxCatalogFDs (the SQLite pool) and all its descriptors at
// most loadMaxFDs. The short version (here) makes 6 requests per
// connection; BenchmarkOriginLoad (make bench-load) makes more and reports
// the numbers.
func TestOriginUnderLoad(t *testing.T) {
	w := newLoadWorld(t, 2000)
	p := startOriginServe(t, w.dir)
	r := runLoad(t, p, w, 6)
	r.log(t)
	r.check(t)
}

// BenchmarkOriginLoad is TestOriginUnderLoad with 30 requests per
// connection (15,000 in all) on a catalog of 20,000 tracks; it reports
// the origin's peak RSS and heap, its descriptors, latency percentiles
// and errors, and fails when a bound does not hold.
func BenchmarkOriginLoad(b *testing.B) {
	w := newLoadWorld(b, 20000)
	for range b.N {
		p := startOriginServe(b, w.dir)
		r := runLoad(b, p, w, 30)
		r.log(b)
		r.check(b)
		var all []time.Duration
		for _, ds := range r.latency {
			all = append(all, ds...)
		}
		b.ReportMetric(float64(r.peakRSS>>20), "peak-RSS-MB")
		b.ReportMetric(float64(r.peakAnon>>20), "peak-private-MB")
		b.ReportMetric(float64(r.peakHeap>>20), "peak-heap-MB")
		b.ReportMetric(float64(r.peakFDs), "peak-fds")
		b.ReportMetric(float64(r.peakCatalogFDs), "peak-catalog-fds")
		b.ReportMetric(float64(percentile(all, 50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(all, 99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(r.errors), "errors")
	}
	b.ReportMetric(0, "ns/op")
}
