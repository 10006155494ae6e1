package origin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

// chunkLoad fetches random URLs from urls with 64 concurrent keep-alive
// clients until total requests are done; it returns requests/s and MB/s.
func chunkLoad(b *testing.B, urls []string, total int) (reqPerSec, mbPerSec float64) {
	b.Helper()
	start := time.Now()
	reqPerSec, mbPerSec = testkit.Load(b, urls, total, 64)
	if os.Getenv("SEGUE_BENCH_DEBUG") != "" {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		b.Logf("%s: %d req in %.2fs; client cpu total %v", urls[0][:22], total, time.Since(start).Seconds(), cpu)
	}
	return reqPerSec, mbPerSec
}

// oneConnLatency fetches n random URLs of urls one after another over one
// keep-alive connection and returns how long each took, request sent to
// last byte read.
func oneConnLatency(b *testing.B, urls []string, n int, seed uint64) []time.Duration {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	r := rand.New(rand.NewPCG(seed, 11))
	took := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		resp, err := c.Get(urls[r.IntN(len(urls))])
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("one-connection GET: status %d, %v", resp.StatusCode, err)
		}
		took = append(took, time.Since(t0))
	}
	return took
}

// startNginx serves blobDir under /chunks/{hash} like the origin does, on a
// free loopback port, and returns its base URL and pid; extra is more of
// the http block's configuration.
func startNginx(b *testing.B, blobDir, extra string) (string, int) {
	b.Helper()
	const bin = "/usr/sbin/nginx"
	if _, err := os.Stat(bin); err != nil {
		b.Fatal("nginx is required: run make deps (it installs nginx-light)")
	}
	addr := testkit.FreeAddr(b)
	dir := b.TempDir()
	user := ""
	if os.Getuid() == 0 { // workers would drop to nobody, who cannot read the 0700 temp dirs
		user = "user root;"
	}
	conf := fmt.Sprintf(`daemon off;
%[4]s
worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
	access_log %[1]s/access.log combined buffer=64k;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	types { }
	default_type audio/mpeg;
	%[5]s
	server {
		listen %[2]s;
		location ~ "^/chunks/([0-9a-f]{2})([0-9a-f]{62})$" {
			alias %[3]s/$1/$1$2;
			add_header Cache-Control "public, max-age=31536000, immutable";
		}
	}
}
`, dir, addr, blobDir, user, extra)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start nginx: %v", err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/chunks/" + fmt.Sprintf("%064d", 0))
		if err == nil {
			resp.Body.Close()
			return base, cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			b.Fatalf("nginx did not start on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startOriginProcess runs the origin in a child process (this test binary,
// TestOriginServerProcess), so it competes for the CPU like nginx does and
// not inside the load generator's process. It returns the base URL.
func startOriginProcess(b *testing.B, dataDir string) (string, int) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOriginServerProcess$")
	cmd.Env = append(os.Environ(), "SEGUE_BENCH_ORIGIN_DATA="+dataDir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close() // the child stops gracefully when its stdin closes
		cmd.Wait()
	})
	var addr string
	if _, err := fmt.Fscanln(stdout, &addr); err != nil {
		b.Fatalf("origin child did not report its address: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	return "http://" + addr, cmd.Process.Pid
}

// treeCPU returns the CPU time used so far by process pid and its children
// (nginx's workers), from /proc; 0 where /proc is missing.
func treeCPU(pid int) time.Duration {
	var ticks int64
	var walk func(pid int)
	walk = func(pid int) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// Fields after the ")" closing the command name: state is field 3,
		// utime and stime are fields 14 and 15.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		for _, k := range strings.Fields(string(kids)) {
			if c, err := strconv.Atoi(k); err == nil {
				walk(c)
			}
		}
	}
	walk(pid)
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// TestOriginServerProcess is the child of startOriginProcess; it does
// nothing in a normal test run. SEGUE_BENCH_ORIGIN_MEMCACHE sets its
// memory cache in bytes (-1: none), to measure where the cache pays.
func TestOriginServerProcess(t *testing.T) {
	dir := os.Getenv("SEGUE_BENCH_ORIGIN_DATA")
	if dir == "" {
		return
	}
	mem, _ := strconv.ParseInt(os.Getenv("SEGUE_BENCH_ORIGIN_MEMCACHE"), 10, 64)
	// The access log goes to a file, as nginx's does (startNginx).
	logFile, err := os.Create(filepath.Join(t.TempDir(), "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	logs := NewLogHandler(logFile)
	defer logs.Close()
	srv, err := New(ServerOptions{DataDir: dir, MemoryCache: mem, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if prof := os.Getenv("SEGUE_BENCH_ORIGIN_CPUPROFILE"); prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ln, err := Listen("127.0.0.1:0") // as origin serve listens
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(ln.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { io.Copy(io.Discard, os.Stdin); cancel() }()
	if err := srv.Serve(ctx, ln); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkChunksVsNginx serves the same blob folder from the origin and
// from nginx on loopback, each in its own process, 64 concurrent keep-alive clients each, and reports
// both throughputs and their ratio (target >= 1.0, issue 14). Segments are 40-110 KB,
// the sizes of 2.5 s at 96k-320k; the files sit in the page cache. "hot"
// is 300 segments (22 MB), which the origin's memory cache holds; "large"
// is 4.5x the default memory cache (issue 14 asks for at least 4x every
// memory cache the origin keeps), so most requests miss it.
//
// The origin keeps the files of every blob of both sets open (openFiles,
// 4026 blobs for large), so a second nginx with open_file_cache as large
// runs beside the first (its figures are nginx-ofc-*): nginx without it
// makes an open(2), fstat(2) and close(2) a request the origin does not.
// The three take turns, round by round, with the same client.
func BenchmarkChunksVsNginx(b *testing.B) {
	b.Run("hot", func(b *testing.B) { chunksVsNginx(b, 300) })
	b.Run("large", func(b *testing.B) { chunksVsNginx(b, int(defaultMemoryCache*9/2/75_000)) })
}

// nginxOpenFileCache is nginx's open_file_cache sized for every blob of
// BenchmarkChunksVsNginx's sets, its entries checked again once a minute.
const nginxOpenFileCache = "open_file_cache max=10000 inactive=60s; open_file_cache_valid 60s;"

// chunkServer is one server BenchmarkChunksVsNginx measures.
type chunkServer struct {
	name string // metric prefix
	urls []string
	pid  int

	req, mb  float64 // sums over the 64-connection rounds
	cpu      time.Duration
	lat      []time.Duration // one connection
	first    []time.Duration // of lat, each round's first request, on a new connection
	ratios   []float64       // the origin's req/s over this server's, per round
	latRatio []float64       // the origin's one-connection p50 over this server's, per round
}

func chunksVsNginx(b *testing.B, blobs int) {
	f := newFixture(b)
	r := rand.New(rand.NewPCG(5, 6))
	var hashes []string
	for i := range blobs {
		h, err := f.blobs.Put(context.Background(), seg(fmt.Sprint("bench", i), 40_000+r.IntN(70_000)))
		if err != nil {
			b.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	urls := func(base string) []string {
		u := make([]string, len(hashes))
		for i, h := range hashes {
			u[i] = base + "/chunks/" + h
		}
		return u
	}
	var servers []*chunkServer
	add := func(name, base string, pid int) {
		servers = append(servers, &chunkServer{name: name, urls: urls(base), pid: pid})
	}
	base, pid := startOriginProcess(b, f.dir)
	add("origin", base, pid)
	base, pid = startNginx(b, f.blobs.Dir, "")
	add("nginx", base, pid)
	base, pid = startNginx(b, f.blobs.Dir, nginxOpenFileCache)
	add("nginx-ofc", base, pid)
	origin := servers[0] // the ratios are of its figures over each one's

	const perRound, pairs = 10000, 5
	for _, s := range servers { // warm all: page cache, connections
		chunkLoad(b, s.urls, 2000)
	}
	b.ResetTimer()
	for range b.N {
		// Alternate short rounds and take the median ratio of each round,
		// so drift in machine load (other work on a shared box) hits all.
		for range pairs {
			reqs := make([]float64, len(servers))
			for i, s := range servers {
				c0 := treeCPU(s.pid)
				q, m := chunkLoad(b, s.urls, perRound)
				s.cpu += treeCPU(s.pid) - c0
				s.req, s.mb = s.req+q, s.mb+m
				reqs[i] = q
			}
			for i, s := range servers {
				s.ratios = append(s.ratios, reqs[0]/reqs[i])
			}
		}
	}
	// One connection, one request at a time: the latency a lone player
	// sees, 80 requests to each server in turn 200 times, who goes first
	// rotating (with 5 rounds of 200 the p50 of either moved by a quarter
	// from run to run on a shared machine; 20 of 200 still let a burst of
	// other work land on one server's rounds). With 50 rounds the p99 rested
	// on the 40 slowest of 4,000 requests, mostly the rounds' first (each on
	// a new connection), and its ratio to nginx's moved from 0.96 to 1.18
	// between runs of the same build on a quiet machine (stop 32); 200
	// rounds take about 10 s more.
	const latRounds, latPer = 200, 80
	for i := range latRounds {
		p50 := make([]time.Duration, len(servers))
		for j := range servers {
			k := (i + j) % len(servers)
			l := oneConnLatency(b, servers[k].urls, latPer, uint64(i))
			servers[k].lat = append(servers[k].lat, l...)
			servers[k].first = append(servers[k].first, l[0])
			p50[k] = median(l)
		}
		for k, s := range servers {
			s.latRatio = append(s.latRatio, float64(p50[0])/float64(p50[k]))
		}
	}
	b.StopTimer()
	rounds := float64(pairs * b.N)
	for _, s := range servers {
		slices.Sort(s.lat)
		b.ReportMetric(float64(s.lat[len(s.lat)/2].Nanoseconds())/1e3, s.name+"-1conn-p50-µs")
		b.ReportMetric(float64(s.lat[len(s.lat)*99/100].Nanoseconds())/1e3, s.name+"-1conn-p99-µs")
		// The rounds' first requests (one in latPer, each connecting
		// first) are most of the slowest 1%, so the p99 moves with their
		// p50, reported apart.
		b.ReportMetric(float64(median(s.first).Nanoseconds())/1e3, s.name+"-1conn-first-p50-µs")
		b.ReportMetric(s.req/rounds, s.name+"-req/s")
		b.ReportMetric(s.mb/rounds, s.name+"-MB/s")
		// Server CPU per request: what the ratio comes down to on a busy machine.
		b.ReportMetric(float64(s.cpu.Microseconds())/(rounds*perRound), s.name+"-cpu-µs/req")
		if s == origin {
			continue
		}
		suffix := strings.TrimPrefix(s.name, "nginx") // "" or "-ofc"
		slices.Sort(s.ratios)
		slices.Sort(s.latRatio)
		b.ReportMetric(s.ratios[len(s.ratios)/2], "ratio-median"+suffix)
		b.ReportMetric(origin.req/s.req, "ratio-mean"+suffix)
		b.ReportMetric(s.latRatio[len(s.latRatio)/2], "1conn-p50-ratio-median"+suffix)
	}
	b.ReportMetric(0, "ns/op")
}

// median returns the middle of l, which it sorts.
func median(l []time.Duration) time.Duration {
	slices.Sort(l)
	return l[len(l)/2]
}
