package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
)

// scaleSetup is issue 18's deployment on loopback: MinIO holding the
// blobs, PostgreSQL (a cluster of the test's own, pgtest.Start) holding the
// catalog, two "segue origin serve" replicas (real processes of the segue
// binary, each with a data dir of its own) over both, nginx in front with
// the configuration "segue origin proxy-config" prints.
type scaleSetup struct {
	minio    *miniotest.Server
	postgres *pgtest.Cluster
	replicas []*replicaProc
	proxy    *nginxProc
	album    catalog.Album
	manifest map[string]catalog.Manifest // by track ID
	samples  int64                       // the album's total_samples summed
}

// newScaleSetup ingests a two-track album (secs seconds each) into MinIO
// and PostgreSQL, from a data dir no replica uses, and starts two replicas
// and nginx.
func newScaleSetup(t *testing.T, secs int) *scaleSetup {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	nginxBinary(t)
	s := &scaleSetup{minio: miniotest.Run(t), postgres: pgtest.Start(t)}
	catalogURL := s.postgres.Database(t)
	config, _ := ingestEnv(t)
	lib := t.TempDir()
	for i, hz := range []int{440, 660} {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", fmt.Sprintf("sine=frequency=%d:duration=%d:sample_rate=44100", hz, secs), "-ac", "2",
			"-metadata", fmt.Sprintf("title=Scale %d", hz), "-metadata", "artist=Scale Band",
			"-metadata", "album=Scale Album", "-metadata", "track="+strconv.Itoa(i+1),
			filepath.Join(lib, fmt.Sprintf("%02d.flac", i+1)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make track: %v\n%s", err, out)
		}
	}
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64",
		"-frames:v", "1", filepath.Join(lib, "cover.png")).CombinedOutput(); err != nil {
		t.Fatalf("make cover: %v\n%s", err, out)
	}
	blobsURL := "s3://segue-scale/blobs?endpoint=" + s.minio.Endpoint
	if _, errOut, code := segue(t, "--config", config, "origin", "ingest", lib, "--catalog", catalogURL, "--blobs", blobsURL); code != ExitOK {
		t.Fatalf("ingest into MinIO and PostgreSQL: exit %d\n%s", code, errOut)
	}
	bin := segueBinary(t)
	var ups []string
	for range 2 {
		r := startReplica(t, bin, config, catalogURL, blobsURL)
		s.replicas = append(s.replicas, r)
		ups = append(ups, r.addr)
	}
	s.proxy = startProxy(t, ups...)

	var res catalog.SearchResult
	getJSON(t, s.proxy.url+"/api/v1/search?q=scale&limit=5", &res)
	if len(res.Albums) != 1 {
		t.Fatalf("search through nginx found %d albums, want 1", len(res.Albums))
	}
	getJSON(t, s.proxy.url+"/api/v1/albums/"+res.Albums[0].ID, &s.album)
	s.manifest = map[string]catalog.Manifest{}
	for _, tr := range s.album.Tracks {
		var m catalog.Manifest
		getJSON(t, s.proxy.url+"/api/v1/tracks/"+tr.ID+"/manifest", &m)
		s.manifest[tr.ID] = m
		s.samples += m.TotalSamples
	}
	return s
}

// segments returns the album's segment hashes of one rendition, in order.
func (s *scaleSetup) segments(t *testing.T, rendition string) []string {
	t.Helper()
	var hashes []string
	for _, tr := range s.album.Tracks {
		m := s.manifest[tr.ID]
		found := false
		for _, r := range m.Renditions {
			if r.Name == rendition {
				found = true
				for _, seg := range r.Segments {
					hashes = append(hashes, seg.Hash)
				}
			}
		}
		if !found {
			t.Fatalf("track %s has no %s rendition", tr.ID, rendition)
		}
	}
	return hashes
}

// TestScaleOutThroughNginx is issue 18's acceptance 2 and 3: an album
// ingested into MinIO and PostgreSQL, two replicas over both, nginx in
// front.
//
//  0. A peer announced through nginx is found by each lookup through it,
//     and the lookups went round-robin to both replicas (the tracker is in
//     the shared catalog).
//  1. A client plays the album in real time through nginx while one replica
//     is killed mid-playback: every sample arrives (the sum of
//     total_samples), no stall, nginx retried the dead replica's requests
//     on the other one, and every segment answer after the kill was 200.
//  2. A second client (fresh cache) plays it: every segment fetch is an
//     nginx cache hit (access log); Range on a cached and an uncached
//     segment answers 206 with the right bytes; the cover is cached.
//  3. MinIO is stopped for 10 s: a third client (fresh cache) plays the
//     whole album from nginx's cache meanwhile (and the cover); a fourth asking for another
//     rendition (not cached) gets errors and retries, an uncached segment
//     is a 5xx nobody caches, and once MinIO is back the fourth client
//     finishes sample-exact and the segment is served.
//  4. PostgreSQL is stopped, with the replica busy until then, and
//     started again on the same port: meanwhile a search through nginx is
//     a 503 with Retry-After (passed on, not retried) and a cached segment
//     still a 200 HIT; once it is back the replica that runs on, never
//     restarted, answers searches at once: 200 with the album.
func TestScaleOutThroughNginx(t *testing.T) {
	s := newScaleSetup(t, 8)
	nginx := s.proxy

	// 0. The peer tracker is in the catalog: an announce made through
	// nginx is found by every lookup through nginx, whichever replica
	// answers it.
	track := s.album.Tracks[0].ID
	ann, _ := json.Marshal(catalog.PeerAnnounce{ID: "scale-peer", Addr: "127.0.0.1:7999", Tracks: []string{track}})
	resp, err := http.Post(nginx.url+"/api/v1/peers/announce", "application/json", bytes.NewReader(ann))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("announce through nginx: %s", resp.Status)
	}
	before := len(nginx.access(t))
	for i := range 6 {
		var peers catalog.PeerList
		getJSON(t, nginx.url+"/api/v1/peers?track="+track, &peers)
		if len(peers.Peers) != 1 || peers.Peers[0].ID != "scale-peer" {
			t.Errorf("lookup %d through nginx: %+v; want the peer announced through it", i+1, peers.Peers)
		}
	}
	answered := map[string]int{}
	for _, l := range nginx.access(t)[before:] {
		answered[l.Upstream]++
	}
	if answered[s.replicas[0].addr] == 0 || answered[s.replicas[1].addr] == 0 {
		t.Errorf("the tracker lookups were answered by %v; want both replicas (round-robin)", answered)
	}

	// 1. Real-time playback with a 4 s read-ahead, so most segments are
	// fetched after the kill.
	before = len(nginx.access(t))
	a := startPlay(t, nginx.url, s.album.ID, "high", 4, false)
	a.next(t, "progress")
	killedAt := len(nginx.access(t))
	dead, live := s.replicas[0], s.replicas[1]
	dead.kill(t)
	a.wait(t)
	if got := wavFrames(t, a.wav); got != s.samples {
		t.Errorf("client 1 wrote %d samples with a replica killed, want the album's total_samples %d", got, s.samples)
	}
	if n := a.count("stall"); n != 0 {
		t.Errorf("client 1 stalled %d times with a replica killed; want none", n)
	}
	lines := nginx.access(t)
	servedByDead := false
	for _, l := range lines[before:killedAt] {
		servedByDead = servedByDead || l.Upstream == dead.addr
	}
	if !servedByDead {
		t.Errorf("no request reached replica %s before it was killed: round-robin over both replicas expected", dead.addr)
	}
	after := chunkLines(lines[killedAt:])
	if len(after) == 0 {
		t.Fatal("no segment was fetched after the kill: the fault tested nothing")
	}
	failedOver := false
	for _, l := range lines[killedAt:] {
		// 499: the client closed a request itself (its last play event
		// is cut off when `segue play` exits), not an answer it got.
		if l.Status >= 400 && l.Status != 499 {
			t.Errorf("after the kill nginx answered %s with %d (upstreams %s)", l.URI, l.Status, l.Upstream)
		}
		failedOver = failedOver || strings.HasPrefix(l.Upstream, dead.addr+", "+live.addr)
	}
	t.Logf("after the kill: %d requests, %d of them segments", len(lines)-killedAt, len(after))
	if !failedOver {
		t.Errorf("no request after the kill was retried from %s on %s (passive failover)", dead.addr, live.addr)
	}

	// 2. A second client: every segment from nginx's cache.
	high := s.segments(t, "high")
	before = len(nginx.access(t))
	b := startPlay(t, nginx.url, s.album.ID, "high", 2, true)
	b.wait(t)
	if got := wavFrames(t, b.wav); got != s.samples {
		t.Errorf("client 2 wrote %d samples, want %d", got, s.samples)
	}
	hits := chunkLines(nginx.access(t)[before:])
	if len(hits) < len(high) {
		t.Errorf("client 2 fetched %d segments through nginx, want all %d", len(hits), len(high))
	}
	for _, l := range hits {
		if l.Cache != "HIT" || l.Status != http.StatusOK {
			t.Errorf("client 2: %s was %d %q in nginx's log, want 200 HIT", l.URI, l.Status, l.Cache)
		}
	}
	status, cache, whole := get(t, nginx.url+"/chunks/"+high[0], "")
	if status != http.StatusOK || cache != "HIT" {
		t.Errorf("GET a played segment: %d, X-Cache-Status %q; want 200 HIT", status, cache)
	}
	status, cache, part := get(t, nginx.url+"/chunks/"+high[0], "bytes=100-199")
	if status != http.StatusPartialContent || cache != "HIT" || !bytes.Equal(part, whole[100:200]) {
		t.Errorf("Range bytes=100-199 of a cached segment: %d %q, %d bytes (equal: %v); want 206 HIT with bytes 100-199",
			status, cache, len(part), bytes.Equal(part, whole[100:200]))
	}
	normal := s.segments(t, "normal")
	status, cache, part = get(t, nginx.url+"/chunks/"+normal[0], "bytes=0-99")
	_, _, normalWhole := get(t, nginx.url+"/chunks/"+normal[0], "")
	if status != http.StatusPartialContent || cache != "MISS" || !bytes.Equal(part, normalWhole[:100]) {
		t.Errorf("Range bytes=0-99 of an uncached segment: %d %q, %d bytes; want 206 MISS with bytes 0-99", status, cache, len(part))
	}

	cover := nginx.url + "/api/v1/albums/" + s.album.ID + "/cover"
	for i, want := range []string{"MISS", "HIT"} {
		if status, cache, body := get(t, cover, ""); status != http.StatusOK || cache != want || len(body) == 0 {
			t.Errorf("GET the cover (%d): %d %q, %d bytes; want 200 %s with the image", i+1, status, cache, len(body), want)
		}
	}

	// 3. The blob store goes away for 10 s.
	low := s.segments(t, "low")
	s.minio.Stop()
	down := time.Now()
	c := startPlay(t, nginx.url, s.album.ID, "high", 2, true)
	d := startPlay(t, nginx.url, s.album.Tracks[0].ID, "low", 2, true)
	c.wait(t)
	if got := wavFrames(t, c.wav); got != s.samples {
		t.Errorf("client 3 wrote %d samples from nginx's cache with MinIO down, want %d", got, s.samples)
	}
	if status, cache, _ := get(t, cover, ""); status != http.StatusOK || cache != "HIT" {
		t.Errorf("the cover with MinIO down: %d %q; want 200 HIT", status, cache)
	}
	d.next(t, "error") // a segment of the uncached rendition failed; the player retries
	status, cache, _ = get(t, nginx.url+"/chunks/"+low[len(low)-1], "")
	if status < 500 {
		t.Errorf("an uncached segment with MinIO down: %d %q; want a 5xx", status, cache)
	}
	<-time.After(10*time.Second - time.Since(down)) // the outage lasts 10 s
	s.minio.Start()
	d.wait(t)
	if got, want := wavFrames(t, d.wav), s.manifest[s.album.Tracks[0].ID].TotalSamples; got != want {
		t.Errorf("client 4 wrote %d samples after MinIO came back, want %d", got, want)
	}
	status, cache, _ = get(t, nginx.url+"/chunks/"+low[len(low)-1], "")
	if status != http.StatusOK || cache != "MISS" {
		t.Errorf("the segment that failed during the outage, after it: %d %q; want 200 MISS (the failure was not cached)", status, cache)
	}

	// 4. PostgreSQL restarts under the replica that runs on, busy up to
	// the stop: requests at once leave several of its pooled connections
	// just used (pgx pings one before reuse only after a second idle).
	search := nginx.url + "/api/v1/search?q=scale&limit=5"
	var busy sync.WaitGroup
	for range origin.PostgresConns() {
		busy.Go(func() {
			resp, err := http.Get(nginx.url + "/api/v1/albums/" + s.album.ID)
			if err != nil {
				t.Errorf("GET the album before PostgreSQL stops: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET the album before PostgreSQL stops: %s; want 200", resp.Status)
			}
		})
	}
	busy.Wait()
	s.postgres.Stop(t)
	req, err := http.NewRequest(http.MethodGet, search, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := testkit.Do(t, nil, req)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("search through nginx with PostgreSQL down: %d, Retry-After %q, %s; want 503 with Retry-After",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if status, cache, _ := get(t, nginx.url+"/chunks/"+high[1], ""); status != http.StatusOK || cache != "HIT" {
		t.Errorf("a cached segment with PostgreSQL down: %d %q; want 200 HIT", status, cache)
	}
	s.postgres.Start(t)
	for i := range 3 {
		req, err := http.NewRequest(http.MethodGet, search, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := testkit.Do(t, nil, req)
		var res catalog.SearchResult
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &res) != nil || len(res.Albums) != 1 {
			t.Errorf("search %d through nginx after PostgreSQL came back: %d %s; want 200 with the album", i+1, resp.StatusCode, body)
		}
	}
}
