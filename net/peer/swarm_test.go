package peer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
)

func randomSegment(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

func openCache(t *testing.T) *cache.Cache {
	t.Helper()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// realPeer runs a peer endpoint over a real cache holding segs on loopback.
func realPeer(t *testing.T, o ServerOptions, segs ...[]byte) (addr string, srv *Server) {
	t.Helper()
	if o.Store == nil {
		c := openCache(t)
		for _, s := range segs {
			sum := sha256.Sum256(s)
			if err := c.Put(hex.EncodeToString(sum[:]), s); err != nil {
				t.Fatal(err)
			}
		}
		o.Store = c
	}
	srv, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String(), srv
}

// scriptedPeer is a peer endpoint that misbehaves as told, counting requests.
func scriptedPeer(t *testing.T, h http.HandlerFunc) (addr string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	return strings.TrimPrefix(ts.URL, "http://"), hits
}

// poisoned answers every chunk with random bytes of the right length.
func poisoned(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b := make([]byte, size)
		rand.Read(b)
		w.Write(b)
	}
}

// dies sends half of data, then drops the connection (a peer killed
// mid-transfer).
func dies(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// fixed is a Discovery that always names the same peers.
type fixed []string

func (f fixed) Peers(context.Context, string) ([]string, error) { return f, nil }

// swarmFor returns a swarm that knows seg belongs to track "t1" and finds
// peers through disc, counting bans.
func swarmFor(t *testing.T, seg []byte, hash string, disc ...Discovery) (*Swarm, *atomic.Int64) {
	t.Helper()
	bans := new(atomic.Int64)
	s := NewSwarm(SwarmOptions{Discovery: disc, OnBan: func(string) { bans.Add(1) }})
	s.Learn(&catalog.Manifest{TrackID: "t1", Renditions: []catalog.Rendition{{Name: "normal",
		Segments: []catalog.Segment{{Hash: hash, Size: int64(len(seg)), Frames: 1}}}}})
	return s, bans
}

func TestSwarmSkipsPoisonedAndDeadPeers(t *testing.T) {
	seg, hash := randomSegment(t, 120_000)
	good, _ := realPeer(t, ServerOptions{}, seg)
	bad, badHits := scriptedPeer(t, poisoned(len(seg)))
	dead, deadHits := scriptedPeer(t, dies(seg))
	s, bans := swarmFor(t, seg, hash, fixed{bad, dead, good})

	data, err := s.ChunkAt(context.Background(), hash, catalog.UrgencySoon)
	if err != nil || string(data) != string(seg) {
		t.Fatalf("ChunkAt: %d bytes, %v; want the segment", len(data), err)
	}
	if badHits.Load() != 1 || deadHits.Load() != 1 || bans.Load() != 1 {
		t.Fatalf("poisoned asked %d, dead asked %d, bans %d; want 1, 1, 1", badHits.Load(), deadHits.Load(), bans.Load())
	}
	// The poisoned peer is banned and the dead one cooling: neither is asked again.
	if _, err := s.ChunkAt(context.Background(), hash, catalog.UrgencySoon); err != nil {
		t.Fatal(err)
	}
	if badHits.Load() != 1 || deadHits.Load() != 1 {
		t.Fatalf("after the ban: poisoned asked %d, dead %d times; want 1 and 1", badHits.Load(), deadHits.Load())
	}
	for _, st := range s.Policy().Stats() {
		switch st.Addr {
		case bad:
			if st.BadSegments != 1 || st.BannedUntil.IsZero() {
				t.Errorf("poisoned peer stats %+v: want 1 bad segment and a ban", st)
			}
		case dead:
			if st.Failures != 1 {
				t.Errorf("dead peer stats %+v: want 1 failure", st)
			}
		case good:
			if st.Segments != 2 || st.Bytes != 240_000 {
				t.Errorf("good peer stats %+v: want 2 segments, 240000 bytes", st)
			}
		}
	}
}

func TestSwarmNoPeerAnswersAtOnce(t *testing.T) {
	seg, hash := randomSegment(t, 1000)
	empty, _ := realPeer(t, ServerOptions{}) // holds nothing: 404
	s, _ := swarmFor(t, seg, hash, fixed{empty})
	if _, err := s.ChunkAt(context.Background(), hash, catalog.UrgencySoon); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("err = %v, want ErrNoPeer", err)
	}
	// A miss is not a fault: the peer is still ranked.
	if got := s.Policy().Rank([]string{empty}, 1000, catalog.UrgencySoon, time.Now()); len(got) != 1 {
		t.Fatalf("after a 404 the peer is ranked %v", got)
	}
	// The play head never waits on an unmeasured peer; an unknown segment has no track.
	if _, err := s.ChunkAt(context.Background(), hash, catalog.UrgencyNow); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("urgent: err = %v, want ErrNoPeer", err)
	}
	_, other := randomSegment(t, 10)
	if _, err := s.ChunkAt(context.Background(), other, catalog.UrgencySoon); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("unknown segment: err = %v, want ErrNoPeer", err)
	}
}

// A peer that stalls is hedged: the next peer is asked after HedgeAfter and
// its answer wins.
func TestSwarmHedgesASlowPeer(t *testing.T) {
	seg, hash := randomSegment(t, 50_000)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow, _ := scriptedPeer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	good, _ := realPeer(t, ServerOptions{}, seg)
	s, _ := swarmFor(t, seg, hash, fixed{slow, good})
	data, err := s.ChunkAt(context.Background(), hash, catalog.UrgencySoon)
	if err != nil || string(data) != string(seg) {
		t.Fatalf("ChunkAt: %d bytes, %v", len(data), err)
	}
}

// blockingStore holds every Get until released, to fill upload slots.
type blockingStore struct {
	data    []byte
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) Get(string) ([]byte, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.data, nil
}

func TestServerLimitsUploadsAndYieldsToThePlayer(t *testing.T) {
	seg, hash := randomSegment(t, 1000)
	st := &blockingStore{data: seg, entered: make(chan struct{}, 8), release: make(chan struct{})}
	gauge := NewGauge(5 * time.Second)
	addr, srv := realPeer(t, ServerOptions{Store: st, Gauge: gauge})
	get := func() int {
		resp, err := http.Get("http://" + addr + "/chunks/" + hash)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	codes := make(chan int, DefaultMaxUploads)
	for range DefaultMaxUploads {
		go func() { codes <- get() }()
	}
	for range DefaultMaxUploads {
		<-st.entered // four uploads hold a slot each
	}
	if c := get(); c != http.StatusServiceUnavailable {
		t.Errorf("fifth peer got %d, want 503", c)
	}
	close(st.release)
	for range DefaultMaxUploads {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("an upload got %d, want 200", c)
		}
	}
	if srv.Uploaded() != 4*int64(len(seg)) {
		t.Errorf("Uploaded = %d, want %d", srv.Uploaded(), 4*len(seg))
	}
	gauge.Set(time.Second) // the local player has 1 s buffered: no uploads
	if c := get(); c != http.StatusServiceUnavailable {
		t.Errorf("with the player's buffer low got %d, want 503", c)
	}
	gauge.Set(10 * time.Second)
	if c := get(); c != http.StatusOK {
		t.Errorf("with the buffer full again got %d, want 200", c)
	}
	for _, bad := range []string{"../../etc/passwd", strings.Repeat("A", 64)} {
		resp, err := http.Get("http://" + addr + "/chunks/" + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound {
			t.Errorf("chunk %q: %d, want 400", bad, resp.StatusCode)
		}
	}
}

// FullTracks announces a track once every segment position is held in
// some rendition (one played at auto quality starts low and climbs: before,
// it was announced only when one rendition was held whole, which such a
// play never leaves), and re-checks a full track only after fullRecheck.
func TestFullTracks(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	s := NewSwarm(SwarmOptions{Now: func() time.Time { return now }})
	h := func(i int) string { return strings.Repeat(strconv.Itoa(i), 64) }
	s.Learn(&catalog.Manifest{TrackID: "t1", Renditions: []catalog.Rendition{
		{Name: "low", Segments: []catalog.Segment{{Hash: h(1)}, {Hash: h(2)}, {Hash: h(3)}}},
		{Name: "high", Segments: []catalog.Segment{{Hash: h(4)}, {Hash: h(5)}, {Hash: h(6)}}},
	}})
	held := map[string]bool{h(1): true, h(5): true} // the third position in neither
	has := func(hash string) bool { return held[hash] }
	if got := s.FullTracks(has); len(got) != 0 {
		t.Fatalf("partly held track announced: %v", got)
	}
	held[h(6)] = true // low's first segment, high's others: an auto-quality play
	if got := s.FullTracks(has); len(got) != 1 || got[0] != "t1" {
		t.Fatalf("FullTracks = %v, want [t1]", got)
	}
	delete(held, h(6)) // evicted
	if got := s.FullTracks(has); len(got) != 1 {
		t.Fatalf("within the recheck interval FullTracks = %v, want [t1] unchanged", got)
	}
	now = now.Add(fullRecheck)
	if got := s.FullTracks(has); len(got) != 0 {
		t.Fatalf("after the recheck interval FullTracks = %v, want none", got)
	}
	// Renditions of different lengths (not cut at the same frames) are not
	// mixed: one of them must be held whole.
	s.Learn(&catalog.Manifest{TrackID: "t2", Renditions: []catalog.Rendition{
		{Name: "a", Segments: []catalog.Segment{{Hash: h(7)}, {Hash: h(8)}}},
		{Name: "b", Segments: []catalog.Segment{{Hash: h(9)}, {Hash: h(0)}, {Hash: h(11)}}},
	}})
	held = map[string]bool{h(7): true, h(0): true, h(11): true} // a position-wise mix
	if got := s.FullTracks(has); slices.Contains(got, "t2") {
		t.Fatalf("track of unaligned renditions announced from a mix: %v", got)
	}
	held[h(8)] = true
	if got := s.FullTracks(has); !slices.Contains(got, "t2") {
		t.Fatalf("FullTracks = %v, want t2 (rendition a whole)", got)
	}
}

// FuzzEndpointPath: whatever path a peer asks for, the endpoint answers
// 400, 404 or 200 with the segment, never anything from outside the cache.
func FuzzEndpointPath(f *testing.F) {
	seg := []byte("segment bytes")
	sum := sha256.Sum256(seg)
	hash := hex.EncodeToString(sum[:])
	f.Add("/chunks/" + hash)
	f.Add("/chunks/../../etc/passwd")
	f.Add("/chunks/" + strings.ToUpper(hash))
	f.Add("/chunks/")
	srv, err := NewServer(ServerOptions{Store: mapStore{hash: seg}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string) {
		req, err := http.NewRequest(http.MethodGet, "http://peer"+path, nil)
		if err != nil {
			return // not a request line a client could send
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if rec.Body.String() != string(seg) {
				t.Fatalf("GET %q answered 200 with %q", path, rec.Body.String())
			}
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		default:
			t.Fatalf("GET %q answered %d", path, rec.Code)
		}
	})
}

// mapStore is a Holder over a map.
type mapStore map[string][]byte

func (m mapStore) Get(hash string) ([]byte, error) {
	if b, ok := m[hash]; ok {
		return b, nil
	}
	return nil, cache.ErrMiss
}

// A request the asker gives up on (the player skipped the track, so the
// fetch chain cancels the download) is not the peer's failure. The swarm
// counted it as one and cooled the peer 5 s, doubling with each skip, so
// a listener skipping through a queue sent the next segments to the origin
// while a good peer sat idle.
func TestCancelledRequestDoesNotCoolThePeer(t *testing.T) {
	seg, hash := randomSegment(t, 256<<10)
	addr, _ := realPeer(t, ServerOptions{UploadRate: 64 << 10}, seg) // 4 s for the segment
	s, _ := swarmFor(t, seg, hash, fixed{addr})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	if _, err := s.ChunkAt(ctx, hash, catalog.UrgencyPrefetch); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("cancelled request: %v, want ErrNoPeer", err)
	}
	if st := s.Policy().Stats(); len(st) != 1 || st[0].Failures != 0 {
		t.Errorf("after a cancelled request the peer's stats are %+v; want no failure", st)
	}
	if got := s.Policy().Rank([]string{addr}, int64(len(seg)), catalog.UrgencySoon, time.Now()); len(got) != 1 {
		t.Errorf("after a cancelled request the peer is not ranked (%v): it is cooling for the asker's own cancellation", got)
	}
}

// A listener that stops reading mid-upload (its machine went to sleep, its
// process was stopped) held one of the endpoint's upload slots for as long
// as its connection stayed open: the kernel still answers for it with a
// zero window, so the write never failed. MaxUploads such listeners and
// the endpoint answered every other peer 503 for good. A real endpoint on
// loopback with one slot, a listener that asks for an 8 MiB segment and
// reads nothing: the next peer is served within a few seconds.
func TestStalledListenerFreesItsUploadSlot(t *testing.T) {
	seg, hash := randomSegment(t, 8<<20) // more than the socket buffers hold
	addr, _ := realPeer(t, ServerOptions{MaxUploads: 1, UploadRate: 1 << 30}, seg)
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	stalled, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := stalled.Write([]byte("GET /chunks/" + hash + " HTTP/1.1\r\nHost: peer\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // its upload has the slot
	start := time.Now()
	for {
		resp, err := http.Get("http://" + addr + "/chunks/" + hash)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && n == int64(len(seg)) {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("the endpoint still answers %s after %s, its one slot held by a listener that reads nothing", resp.Status, time.Since(start).Round(time.Second))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("served again after %s", time.Since(start).Round(100*time.Millisecond))
}

// manyManifests makes n manifests of three renditions of ten segments,
// with hashes of their own.
func manyManifests(n int) []*catalog.Manifest {
	ms := make([]*catalog.Manifest, n)
	for i := range ms {
		m := &catalog.Manifest{TrackID: "t" + strconv.Itoa(i)}
		for _, name := range []string{"low", "normal", "high"} {
			r := catalog.Rendition{Name: name}
			for j := range 10 {
				sum := sha256.Sum256([]byte(m.TrackID + name + strconv.Itoa(j)))
				r.Segments = append(r.Segments, catalog.Segment{Hash: hex.EncodeToString(sum[:]), Size: 1000})
			}
			m.Renditions = append(m.Renditions, r)
		}
		ms[i] = m
	}
	return ms
}

// The swarm kept every manifest it learned, and every segment's hash, for
// the whole session: a listener going through thousands of tracks grew
// without end. Now it keeps the segments of the recent tracks only, and
// the manifests of those and of the tracks held in full.
func TestSwarmForgetsTracksPastTheRecentOnes(t *testing.T) {
	s := NewSwarm(SwarmOptions{})
	ms := manyManifests(2000)
	for _, m := range ms {
		s.Learn(m)
	}
	held := map[string]bool{}
	for _, m := range ms[:10] { // the first ten tracks are held in full
		for _, seg := range m.Renditions[1].Segments {
			held[seg.Hash] = true
		}
	}
	if got := s.FullTracks(func(h string) bool { return held[h] }); len(got) != 10 {
		t.Fatalf("FullTracks = %d tracks, want the 10 held in full", len(got))
	}
	const most = 100 // tracks: the recent ones, with room
	if len(s.segs) > most*30 || len(s.tracks) > most+10 {
		t.Errorf("after 2000 tracks the swarm keeps %d segments and %d manifests; want at most %d and %d",
			len(s.segs), len(s.tracks), most*30, most+10)
	}
	last, first := ms[len(ms)-1], ms[0]
	if s.segs[last.Renditions[2].Segments[9].Hash].track != last.TrackID {
		t.Errorf("the last track's segments are forgotten")
	}
	if _, ok := s.segs[first.Renditions[0].Segments[0].Hash]; ok {
		t.Errorf("the first track's segments are still known after 1999 others")
	}
	if _, ok := s.tracks[first.TrackID]; !ok {
		t.Errorf("the first track, held in full, is no longer announced")
	}
}

// The cached manifests a peer loads at the start (Hold) are kept for
// announcing only, and only those held in full.
func TestSwarmHoldsOnlyFullTracks(t *testing.T) {
	s := NewSwarm(SwarmOptions{})
	ms := manyManifests(1000)
	held := map[string]bool{}
	for i, m := range ms {
		s.Hold(m)
		if i%10 == 0 {
			for _, seg := range m.Renditions[0].Segments {
				held[seg.Hash] = true
			}
		}
	}
	if got := s.FullTracks(func(h string) bool { return held[h] }); len(got) != 100 {
		t.Fatalf("FullTracks = %d tracks, want the 100 held in full", len(got))
	}
	if len(s.segs) != 0 || len(s.tracks) != 100 {
		t.Errorf("the swarm keeps %d segments and %d manifests of 1000 cached ones, 100 held in full; want none and 100", len(s.segs), len(s.tracks))
	}
}

// A segment whose bytes went bad in the endpoint's own cache file (a
// failing disk) was sent as it was, and the asker banned this honest peer.
// A real cache on disk with one segment overwritten in the SQLite file: the
// endpoint answers it 404 (not held), drops it from the cache and says so
// in its log, and still serves the good one.
func TestEndpointChecksTheBytesItSends(t *testing.T) {
	good, goodHash := randomSegment(t, 100<<10)
	bad, badHash := randomSegment(t, 100<<10)
	c := openCache(t)
	for h, b := range map[string][]byte{goodHash: good, badHash: bad} {
		if err := c.Put(h, b); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite3", c.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE blobs SET data = randomblob(length(data)) WHERE id = (SELECT id FROM entries WHERE key = ?)`, badHash); err != nil {
		t.Fatal(err)
	}
	var log testkit.Buffer
	addr, _ := realPeer(t, ServerOptions{Store: c, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	get := func(hash string) (int, []byte) {
		resp, err := http.Get("http://" + addr + "/chunks/" + hash)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := get(badHash); code != http.StatusNotFound {
		t.Errorf("the damaged segment: %d with %d bytes, want 404", code, len(b))
	}
	if c.Has(badHash) {
		t.Errorf("the damaged segment is still in the cache")
	}
	if !strings.Contains(log.String(), "a cached segment's bytes are damaged") || !strings.Contains(log.String(), badHash) {
		t.Errorf("the endpoint's log does not name the damaged segment:\n%s", log.String())
	}
	if code, b := get(goodHash); code != http.StatusOK || !bytes.Equal(b, good) {
		t.Errorf("the good segment: %d with %d bytes, want 200 with its %d", code, len(b), len(good))
	}
	if st, err := c.Stats(); err != nil || st.Segments != 1 {
		t.Errorf("the cache's stats after the drop: %+v, %v; want 1 segment", st, err)
	}
}
