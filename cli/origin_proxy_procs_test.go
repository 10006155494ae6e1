package cli

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

// The processes of the scale test and benchmark (origin replicas, nginx)
// and the segue play runs that listen through them.

// replicaProc is one "segue origin serve" process.
type replicaProc struct {
	addr   string
	cmd    *exec.Cmd
	exited chan error // receives once when the process ends
	log    string
}

// startReplica runs segue origin serve on a free loopback port over the
// shared catalog (a postgres:// URL) and blob store, with a data dir of its
// own, and returns once it answers.
func startReplica(t testing.TB, bin, config, catalogURL, blobsURL string) *replicaProc {
	t.Helper()
	r := &replicaProc{addr: testkit.FreeAddr(t), exited: make(chan error, 1), log: filepath.Join(t.TempDir(), "replica.log")}
	logf, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "--config", config, "origin", "serve", "--addr", r.addr, "--data", t.TempDir(),
		"--catalog", catalogURL, "--blobs", blobsURL)
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
	return startProxyWith(t, nil, upstreams...)
}

// startProxyWith is startProxy with more proxy-config flags (extra); with
// --tls-cert nginx serves https.
func startProxyWith(t testing.TB, extra []string, upstreams ...string) *nginxProc {
	t.Helper()
	p := &nginxProc{run: t.TempDir(), exited: make(chan error, 1)}
	listen := testkit.FreeAddr(t)
	args := append([]string{"origin", "proxy-config", "--listen", listen, "--run-dir", p.run}, extra...)
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
	cmd := exec.Command(nginxBinary(t), "-p", p.run, "-e", errLog, "-c", confPath, "-g", "daemon off;")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-p.exited
	})
	p.url = "http://" + listen
	if slices.Contains(extra, "--tls-cert") {
		p.url = "https://" + listen
	}
	waitHTTP(t, "nginx", p.url+"/api/v1/artists", p.exited, errLog)
	return p
}

// nginxBinary returns Debian's nginx: on PATH, or in /usr/sbin, which is
// not on an ordinary user's PATH.
func nginxBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	t.Fatal("nginx is required: run make deps (it installs nginx-light)")
	return ""
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
	// Whether it answers, not whom it is: what the tests check of an https
	// server goes through segue with its certificate.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer c.CloseIdleConnections()
	for {
		resp, err := c.Get(url)
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
	resp, body := testkit.Do(t, nil, req)
	return resp.StatusCode, resp.Header.Get("X-Cache-Status"), body
}
