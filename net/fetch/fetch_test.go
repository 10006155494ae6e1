package fetch

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/origin"
	"segue/origin/blobs"
)

// originWith starts a real origin on loopback whose blob store holds data,
// and counts the /chunks requests it answers.
func originWith(t *testing.T, data ...[]byte) (url string, hashes []string, hits *atomic.Int64, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	store := blobs.FS{Dir: filepath.Join(dataDir, origin.BlobDir)}
	for _, b := range data {
		h, err := store.Put(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hits = new(atomic.Int64)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			hits.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, hashes, hits, dataDir
}

func client(t *testing.T, url string) *originclient.Client {
	t.Helper()
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openCache(t *testing.T) *cache.Cache {
	t.Helper()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{MaxBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestMissGoesToOriginThenCache(t *testing.T) {
	url, hashes, hits, _ := originWith(t, randomBytes(50_000))
	c := openCache(t)
	f := New(c, []Tier{{Source: catalog.SourceOrigin, Remote: client(t, url)}}, Options{})
	ctx := context.Background()
	for i, want := range []catalog.Source{catalog.SourceOrigin, catalog.SourceCache} {
		data, from, err := f.Segment(ctx, hashes[0], catalog.UrgencyNow)
		if err != nil || from != want || len(data) != 50_000 {
			t.Fatalf("call %d: from %q, %d bytes, %v; want %q", i, from, len(data), err, want)
		}
	}
	if hits.Load() != 1 {
		t.Fatalf("origin answered %d chunk requests, want 1", hits.Load())
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 1 {
		t.Fatalf("cache holds %d entries, want 1", st.Entries)
	}
}

// A tier that sends wrong bytes is caught by the hash, and the chain falls
// through to the next tier; the bad bytes never reach the cache.
func TestWrongBytesAreCaughtByTheHash(t *testing.T) {
	good := randomBytes(20_000)
	url, hashes, _, _ := originWith(t, good)
	// A second origin holding a tampered file under the same name.
	badURL, _, badHits, badDir := originWith(t)
	path, _ := blobs.FS{Dir: filepath.Join(badDir, origin.BlobDir)}.Path(hashes[0])
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, randomBytes(20_000), 0o644); err != nil {
		t.Fatal(err)
	}
	c := openCache(t)
	f := New(c, []Tier{
		{Source: catalog.SourcePeer, Remote: client(t, badURL)},
		{Source: catalog.SourceOrigin, Remote: client(t, url)},
	}, Options{Attempts: 2, Backoff: 1})
	data, from, err := f.Segment(context.Background(), hashes[0], catalog.UrgencySoon)
	if err != nil || from != catalog.SourceOrigin || string(data) != string(good) {
		t.Fatalf("from %q err %v; want the origin's good bytes", from, err)
	}
	if badHits.Load() != 2 {
		t.Fatalf("bad peer asked %d times, want 2 attempts", badHits.Load())
	}
	// With only the bad tier the call gives up after its tries (3 by
	// default) with ErrCorruptSegment naming the source, so the player
	// fails the track instead of asking forever.
	before := badHits.Load()
	f = New(openCache(t), []Tier{{Source: catalog.SourcePeer, Remote: client(t, badURL)}}, Options{Backoff: 1})
	_, _, err = f.Segment(context.Background(), hashes[0], catalog.UrgencySoon)
	if !errors.Is(err, ErrHashMismatch) || !errors.Is(err, catalog.ErrCorruptSegment) || !strings.Contains(err.Error(), "peer "+badURL) {
		t.Fatalf("err = %v, want ErrHashMismatch and ErrCorruptSegment naming peer %s", err, badURL)
	}
	if n := badHits.Load() - before; n != 3 {
		t.Fatalf("the corrupting source was asked %d times, want 3", n)
	}
}

func TestConcurrentCallersShareOneDownload(t *testing.T) {
	url, hashes, hits, _ := originWith(t, randomBytes(200_000))
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, url)}}, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("origin answered %d requests for one hash, want 1", n)
	}
}

func TestUrgentSkipsPeersAndBadHashIsRefused(t *testing.T) {
	url, hashes, hits, _ := originWith(t, randomBytes(1000))
	peerURL, _, peerHits, _ := originWith(t)
	f := New(openCache(t), []Tier{
		{Source: catalog.SourcePeer, Remote: client(t, peerURL), SkipUrgent: true},
		{Source: catalog.SourceOrigin, Remote: client(t, url)},
	}, Options{})
	if _, from, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow); err != nil || from != catalog.SourceOrigin {
		t.Fatalf("from %q err %v", from, err)
	}
	if peerHits.Load() != 0 || hits.Load() != 1 {
		t.Fatalf("peer asked %d times, origin %d; want 0 and 1", peerHits.Load(), hits.Load())
	}
	if _, _, err := f.Segment(context.Background(), "../../etc/passwd", catalog.UrgencyNow); err == nil {
		t.Fatal("a malformed hash was fetched")
	}
}

// With the origin gone (connection refused) the error surfaces after the
// attempts; once the origin listens again the same Fetcher succeeds.
func TestOriginDownThenBack(t *testing.T) {
	_, hashes, _, dataDir := originWith(t, randomBytes(4000))
	down := testkit.Hold(t) // refused now, served on the same socket later
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, "http://"+down.Addr)}}, Options{Attempts: 2, Backoff: 1})
	if _, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow); !errors.Is(err, catalog.ErrUnreachable) {
		t.Fatalf("origin down: %v, want catalog.ErrUnreachable (the player then plays what is cached)", err)
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go srv.Serve(context.Background(), down.Listen())
	if _, from, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow); err != nil || from != catalog.SourceOrigin {
		t.Fatalf("after the origin came back: from %q err %v", from, err)
	}
}

// urgentRemote records the urgency it is asked at and never has the bytes.
type urgentRemote struct {
	mu    sync.Mutex // guards asked
	asked []catalog.Urgency
}

func (r *urgentRemote) Chunk(ctx context.Context, hash string) ([]byte, error) {
	return r.ChunkAt(ctx, hash, catalog.UrgencySoon)
}

func (r *urgentRemote) ChunkAt(_ context.Context, _ string, u catalog.Urgency) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, u)
	return nil, errors.New("no peer holds it")
}

// A tier that fails over inside itself (the peer swarm) is asked once, at
// the caller's urgency, and the chain goes on to the origin at once.
func TestTierAttemptsAndUrgency(t *testing.T) {
	url, hashes, _, _ := originWith(t, randomBytes(1000), randomBytes(1000))
	peers := &urgentRemote{}
	f := New(openCache(t), []Tier{
		{Source: catalog.SourcePeer, Remote: peers, Attempts: 1},
		{Source: catalog.SourceOrigin, Remote: client(t, url)},
	}, Options{Attempts: 3, Backoff: time.Millisecond})
	for i, u := range []catalog.Urgency{catalog.UrgencyNow, catalog.UrgencyPrefetch} {
		if _, from, err := f.Segment(context.Background(), hashes[i], u); err != nil || from != catalog.SourceOrigin {
			t.Fatalf("urgency %d: from %q, %v", u, from, err)
		}
	}
	if want := []catalog.Urgency{catalog.UrgencyNow, catalog.UrgencyPrefetch}; !slices.Equal(peers.asked, want) {
		t.Fatalf("peer tier asked at %v, want %v (once each, at the caller's urgency)", peers.asked, want)
	}
}

// blockingRemote answers nothing until its request is cancelled, and
// counts the cancellations.
type blockingRemote struct{ started, cancelled atomic.Int64 }

func (b *blockingRemote) Chunk(ctx context.Context, hash string) ([]byte, error) {
	b.started.Add(1)
	<-ctx.Done()
	b.cancelled.Add(1)
	return nil, ctx.Err()
}

// When the only caller gives up (the player abandons a download to fetch a
// lower rendition), the download itself stops instead of taking bandwidth;
// a second caller still waiting keeps it alive.
func TestAbandonedDownloadStops(t *testing.T) {
	r := &blockingRemote{}
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: r}}, Options{Attempts: 1})
	hash := strings.Repeat("ab", 32)
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { _, _, err := f.Segment(ctx1, hash, catalog.UrgencySoon); done <- err }()
	testkit.Wait(t, 10*time.Second, "the condition", func() bool { return r.started.Load() == 1 })
	go func() { _, _, err := f.Segment(ctx2, hash, catalog.UrgencySoon); done <- err }()
	testkit.Wait(t, 10*time.Second, "the condition", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.flights[hash] != nil && f.flights[hash].waiters == 2
	})
	cancel1()
	<-done
	if r.cancelled.Load() != 0 {
		t.Fatal("the download stopped while a second caller still waited")
	}
	cancel2()
	<-done
	testkit.Wait(t, 10*time.Second, "the condition", func() bool { return r.cancelled.Load() == 1 })
	if r.started.Load() != 1 {
		t.Errorf("%d downloads started, want 1 shared", r.started.Load())
	}
}

// Received tells how far a download in flight has got, from the origin
// client's reads of the body (the player's abandon rule projects the time
// to finish from it), and 0 once it is over.
func TestReceivedReportsBytesInFlight(t *testing.T) {
	blob := randomBytes(64 << 10)
	sum := sha256.Sum256(blob)
	hash := hex.EncodeToString(sum[:])
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
		w.Write(blob[:16<<10])
		w.(http.Flusher).Flush()
		<-release
		w.Write(blob[16<<10:])
	}))
	defer srv.Close()
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, srv.URL)}}, Options{Attempts: 1})
	done := make(chan error, 1)
	go func() { _, _, err := f.Segment(context.Background(), hash, catalog.UrgencySoon); done <- err }()
	testkit.Wait(t, 10*time.Second, "the condition", func() bool { return f.Received(hash) == 16<<10 })
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := f.Received(hash); got != 0 {
		t.Errorf("after the download: Received %d, want 0", got)
	}
}

// A link slower than a segment's rate: each attempt ran out of time with
// part of the segment and the next started again from nothing, so the
// segment never came (play at under 96 kbit/s stayed silent). An attempt
// that timed out while bytes came now gives the next twice its time; one
// that brought nothing gives the next ones twice the timeout, no more.
func TestSlowLinkGetsLongerAttempts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	blob, hash := hashedBlob(16 << 10)
	var slowTries atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowTries.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
		for i := 0; i < len(blob); i += 1 << 10 { // 16 KiB in about 450 ms
			if _, err := w.Write(blob[i : i+1<<10]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(28 * time.Millisecond)
		}
	}))
	defer slow.Close()
	opts := Options{Timeouts: map[catalog.Urgency]time.Duration{catalog.UrgencyNow: timeout}}
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, slow.URL)}}, opts)
	if data, _, err := f.Segment(context.Background(), hash, catalog.UrgencyNow); err != nil || !bytes.Equal(data, blob) {
		t.Fatalf("a segment over a link slower than the timeout: %d bytes, %v after %d tries; want it whole", len(data), err, slowTries.Load())
	}
	var longest atomic.Int64
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		<-r.Context().Done()
		if d := int64(time.Since(start)); d > longest.Load() {
			longest.Store(d)
		}
	}))
	defer silent.Close()
	f = New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, silent.URL)}}, opts)
	if _, _, err := f.Segment(context.Background(), hash, catalog.UrgencyNow); err == nil {
		t.Fatal("a segment from a tier that sends nothing: no error")
	}
	silent.Close() // waits for the handlers
	// doubled, the third try would wait 4x the timeout
	if d := time.Duration(longest.Load()); d >= 3*timeout {
		t.Errorf("a tier that sends nothing: a try lasted %v; want each ended at the timeout, %v", d, timeout)
	}
}

// An origin whose first byte comes after the urgency's timeout (under
// load, a proxy waking a cold replica): every try ran out of time with
// nothing, and a track waiting for the segment never started, though each
// request would have been answered. A try that got nothing now gives the
// next twice the timeout (once: a dead origin still fails in bounded time).
func TestSlowFirstByteGetsALongerTry(t *testing.T) {
	blob, hash := hashedBlob(16 << 10)
	late := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // 450 ms before the first byte, with 300 ms a try
		case <-time.After(450 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Write(blob)
	}))
	defer late.Close()
	opts := Options{Timeouts: map[catalog.Urgency]time.Duration{catalog.UrgencyNow: 300 * time.Millisecond}, Backoff: time.Millisecond}
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, late.URL)}}, opts)
	if data, _, err := f.Segment(context.Background(), hash, catalog.UrgencyNow); err != nil || !bytes.Equal(data, blob) {
		t.Fatalf("a segment whose first byte comes after the timeout: %d bytes, %v; want it whole", len(data), err)
	}
}

// hashedBlob is n random bytes and their sha256 in hex.
func hashedBlob(n int) ([]byte, string) {
	b := randomBytes(n)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// A segment is gone (catalog.ErrSegmentGone, and the player skips its
// track) only when every origin asked answered it has none: with a shared
// link's origin failing for a moment (500) and the configured origin,
// which never had it, answering 404, the 404 alone said gone and the
// track was skipped. A peer that lacks it has no say.
func TestGoneOnlyWhenNoOriginHasIt(t *testing.T) {
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error":"answered %d"}`, code)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	failing, lacking := status(http.StatusInternalServerError), status(http.StatusNotFound)
	_, hash := hashedBlob(1 << 10)
	for _, c := range []struct {
		name  string
		tiers []Tier
		gone  bool
	}{
		{"one origin fails, another lacks it", []Tier{{Source: catalog.SourceOrigin, Remote: client(t, failing)}, {Source: catalog.SourceOrigin, Remote: client(t, lacking)}}, false},
		{"both origins lack it", []Tier{{Source: catalog.SourceOrigin, Remote: client(t, lacking)}, {Source: catalog.SourceOrigin, Remote: client(t, lacking)}}, true},
		{"a peer fails, the origin lacks it", []Tier{{Source: catalog.SourcePeer, Remote: client(t, failing), Attempts: 1}, {Source: catalog.SourceOrigin, Remote: client(t, lacking)}}, true},
	} {
		f := New(openCache(t), c.tiers, Options{Backoff: time.Millisecond})
		_, _, err := f.Segment(context.Background(), hash, catalog.UrgencySoon)
		if gone := errors.Is(err, catalog.ErrSegmentGone); err == nil || gone != c.gone {
			t.Errorf("%s: %v; want an error, gone %v", c.name, err, c.gone)
		}
	}
}
