package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin/blobs/miniotest"
)

// scaleSetup is issue 18's deployment on loopback: MinIO holding the
// blobs, one catalog (SQLite) shared by two "segue origin serve" replicas
// (real processes of the segue binary), nginx in front with the
// configuration "segue origin proxy-config" prints.
type scaleSetup struct {
	minio    *miniotest.Server
	replicas []*replicaProc
	proxy    *nginxProc
	album    catalog.Album
	manifest map[string]catalog.Manifest // by track ID
	samples  int64                       // the album's total_samples summed
}

// newScaleSetup ingests a two-track album (secs seconds each) into MinIO
// and starts two replicas and nginx.
func newScaleSetup(t *testing.T, secs int) *scaleSetup {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe", "nginx")
	s := &scaleSetup{minio: miniotest.Run(t)}
	config, data := ingestEnv(t)
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
	if _, errOut, code := segue(t, "--config", config, "origin", "ingest", lib, "--blobs", blobsURL); code != ExitOK {
		t.Fatalf("ingest into MinIO: exit %d\n%s", code, errOut)
	}
	bin := segueBinary(t)
	var ups []string
	for range 2 {
		r := startReplica(t, bin, config, data, blobsURL)
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

// replicaProc is one "segue origin serve" process.
type replicaProc struct {
	addr   string
	cmd    *exec.Cmd
	exited chan error // receives once when the process ends
	log    string
}

// startReplica runs segue origin serve on a free loopback port over the
// shared data dir and blob store, and returns once it answers.
func startReplica(t testing.TB, bin, config, data, blobsURL string) *replicaProc {
	t.Helper()
	r := &replicaProc{addr: freeAddr(t), exited: make(chan error, 1), log: filepath.Join(t.TempDir(), "replica.log")}
	logf, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "--config", config, "origin", "serve", "--addr", r.addr, "--data", data, "--blobs", blobsURL)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start replica: %v", err)
	}
	go func() { r.exited <- r.cmd.Wait(); logf.Close() }()
	t.Cleanup(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		<-r.exited
	})
	waitHTTP(t, "replica "+r.addr, "http://"+r.addr+"/api/v1/artists", r.exited, r.log)
	return r
}

// kill ends the replica at once (SIGKILL: no graceful shutdown).
func (r *replicaProc) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.exited
	r.exited <- nil // for the cleanup's receive
}

// nginxProc is nginx running the configuration proxy-config printed.
type nginxProc struct {
	url    string
	run    string // its --run-dir
	exited chan error
}

// startProxy prints the configuration for upstreams with proxy-config,
// starts Debian's nginx with it on a free loopback port and returns once
// it answers.
func startProxy(t testing.TB, upstreams ...string) *nginxProc {
	t.Helper()
	p := &nginxProc{run: t.TempDir(), exited: make(chan error, 1)}
	listen := freeAddr(t)
	args := []string{"origin", "proxy-config", "--listen", listen, "--run-dir", p.run}
	for _, u := range upstreams {
		args = append(args, "--upstream", u)
	}
	if os.Getuid() == 0 { // workers would drop to nobody, who cannot enter the 0700 temp dirs
		args = append(args, "--user", "root")
	}
	var conf, errOut bytes.Buffer
	if code := run(args, &conf, &errOut); code != ExitOK {
		t.Fatalf("proxy-config: exit %d\n%s", code, errOut.String())
	}
	confPath := filepath.Join(p.run, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	errLog := filepath.Join(p.run, "error.log")
	cmd := exec.Command("nginx", "-p", p.run, "-e", errLog, "-c", confPath, "-g", "daemon off;")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-p.exited
	})
	p.url = "http://" + listen
	waitHTTP(t, "nginx", p.url+"/api/v1/artists", p.exited, errLog)
	return p
}

// accessLine is one line of the access log proxy-config's format writes.
type accessLine struct {
	URI            string `json:"uri"`
	Status         int    `json:"status"`
	Cache          string `json:"cache"`
	Upstream       string `json:"upstream"`
	UpstreamStatus string `json:"upstream_status"`
}

// access returns the access log's lines so far.
func (p *nginxProc) access(t testing.TB) []accessLine {
	t.Helper()
	f, err := os.Open(filepath.Join(p.run, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []accessLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l accessLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("nginx access log line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// chunkLines returns the /chunks lines among lines.
func chunkLines(lines []accessLine) []accessLine {
	var c []accessLine
	for _, l := range lines {
		if strings.HasPrefix(l.URI, "/chunks/") {
			c = append(c, l)
		}
	}
	return c
}

// waitHTTP polls url until it answers (any status), for up to 60 s; a
// process that exits first fails the test with its log.
func waitHTTP(t testing.TB, what, url string, exited chan error, logPath string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before it answered: %v\n%s", what, err, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s did not answer %s within 60 s: %v\n%s", what, url, err, log)
		}
	}
}

// freeAddr returns a loopback address whose port was free a moment ago
// (for processes that take an address, not a listener).
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// playClient is one `segue play` run (in this process) with its own
// config, cache and wav output, whose --json events arrive on lines.
type playClient struct {
	wav    string
	lines  chan string
	done   chan int
	stderr *testkit.Buffer
	events []playEvent // every event read so far by next or wait
}

// startPlay plays target through url with a fresh cache; buffer is the
// player's read-ahead in seconds; fast renders without real-time pacing.
func startPlay(t *testing.T, url, target, quality string, buffer float64, fast bool) *playClient {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := fmt.Sprintf("log_file = %s\n[player]\nbuffer_seconds = %g\n", strconvQuote(filepath.Join(dir, "segue.log")), buffer)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &playClient{wav: filepath.Join(dir, "out.wav"), lines: make(chan string, 4096), done: make(chan int, 1), stderr: &testkit.Buffer{}}
	args := []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "cache.db"),
		"play", target, "--quality", quality, "--json", "--output", "wav:" + c.wav}
	if fast {
		args = append(args, "--fast")
	}
	go func() { c.done <- run(args, &lineWatch{lines: c.lines}, c.stderr) }()
	return c
}

// next waits (up to 60 s) for an event of kind and returns it.
func (c *playClient) next(t *testing.T, kind string) playEvent {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l := <-c.lines:
			var e playEvent
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("--json line %q: %v", l, err)
			}
			c.events = append(c.events, e)
			if e.Event == kind {
				return e
			}
		case code := <-c.done:
			c.done <- code
			t.Fatalf("play exited %d before a %q event\n%s", code, kind, c.stderr.String())
		case <-timeout:
			t.Fatalf("no %q event within 60 s", kind)
		}
	}
}

// wait waits for the play to end successfully and reads its last events.
func (c *playClient) wait(t *testing.T) {
	t.Helper()
	select {
	case code := <-c.done:
		if code != ExitOK {
			t.Fatalf("play exited %d\n%s", code, c.stderr.String())
		}
	case <-time.After(120 * time.Second):
		t.Fatal("play did not end within 120 s")
	}
	for {
		select {
		case l := <-c.lines:
			var e playEvent
			if json.Unmarshal([]byte(l), &e) == nil {
				c.events = append(c.events, e)
			}
		default:
			return
		}
	}
}

// count returns how many events of kind were read.
func (c *playClient) count(kind string) int {
	n := 0
	for _, e := range c.events {
		if e.Event == kind {
			n++
		}
	}
	return n
}

// get fetches url with optional Range and returns status, X-Cache-Status
// and body.
func get(t *testing.T, url, byteRange string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if byteRange != "" {
		req.Header.Set("Range", byteRange)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("X-Cache-Status"), body
}

// TestScaleOutThroughNginx is issue 18's acceptance 2 and 3 (without
// PostgreSQL, which its repositories' tests cover): an album ingested into
// MinIO, two replicas over one catalog, nginx in front.
//
//  0. A peer announced through nginx is found by each lookup through it
//     (the tracker's routes go to one replica).
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
func TestScaleOutThroughNginx(t *testing.T) {
	s := newScaleSetup(t, 8)
	nginx := s.proxy

	// 0. The peer tracker lives in one replica's memory: an announce made
	// through nginx is found by every lookup through nginx.
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
	for i := range 6 {
		var peers catalog.PeerList
		getJSON(t, nginx.url+"/api/v1/peers?track="+track, &peers)
		if len(peers.Peers) != 1 || peers.Peers[0].ID != "scale-peer" {
			t.Errorf("lookup %d through nginx: %+v; want the peer announced through it (tracker routes go to one replica)", i+1, peers.Peers)
		}
	}

	// 1. Real-time playback with a 4 s read-ahead, so most segments are
	// fetched after the kill.
	before := len(nginx.access(t))
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
}
