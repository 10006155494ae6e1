package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/origin"
	"segue/player"
)

// testOrigin is an origin serving a two-track album made with ffmpeg on
// 127.0.0.1; it can be stopped (the origin "goes offline": connections are
// refused) and started again on the same address, which it holds meanwhile
// (testkit.Held).
type testOrigin struct {
	t      testing.TB
	data   string
	addr   string
	public string        // --public-url, "" for none
	access accessLog     // every request served, across restarts
	mu     sync.Mutex    // guards the fields below
	held   *testkit.Held // the address, from the first start to the test's end
	srv    *origin.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// playOrigin ingests the album (8 s tracks) and starts serving it.
func playOrigin(t testing.TB) (url string, stop func()) {
	o := newTestOrigin(t)
	return "http://" + o.addr, o.stop
}

func newTestOrigin(t testing.TB) *testOrigin {
	t.Helper()
	return toneOrigin(t, 440, 550)
}

// toneOrigin serves an origin whose library is the album "Play Album" by
// "Play Band" (so its album ID is the same on every such origin) of one
// 8 s sine per frequency in hz, "Tone HZ", in that order.
func toneOrigin(t testing.TB, hz ...int) *testOrigin {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := t.TempDir(), t.TempDir()
	for i, hz := range hz {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", fmt.Sprintf("sine=frequency=%d:duration=8:sample_rate=44100", hz), "-ac", "2",
			"-metadata", fmt.Sprintf("title=Tone %d", hz), "-metadata", "artist=Play Band",
			"-metadata", "album=Play Album", "-metadata", "track="+strconv.Itoa(i+1),
			filepath.Join(lib, fmt.Sprintf("%02d.flac", i+1)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make track: %v\n%s", err, out)
		}
	}
	return serveLibrary(t, lib, data)
}

// makeTone writes a stereo 44.1 kHz sine of secs seconds at path (the
// format from its extension) with tags ("title=Song", "artist=Band").
func makeTone(t testing.TB, path string, secs float64, tags ...string) {
	t.Helper()
	args := []string{"-nostdin", "-v", "error", "-y", "-f", "lavfi",
		"-i", fmt.Sprintf("sine=frequency=440:duration=%g:sample_rate=44100", secs), "-ac", "2"}
	for _, tag := range tags {
		args = append(args, "-metadata", tag)
	}
	if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
		t.Fatalf("make track %s: %v\n%s", path, err, out)
	}
}

// serveLibrary ingests the music folder lib into data and serves it.
func serveLibrary(t testing.TB, lib, data string) *testOrigin {
	t.Helper()
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: data, Jobs: 1}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	o := &testOrigin{t: t, data: data, addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	return o
}

// start serves on o.addr (the first time on a free port, then on the same).
func (o *testOrigin) start() {
	o.mu.Lock()
	defer o.mu.Unlock()
	srv, err := origin.New(origin.ServerOptions{DataDir: o.data, PublicURL: o.public, Logger: slog.New(slog.NewJSONHandler(&o.access, nil))})
	if err != nil {
		o.t.Fatal(err)
	}
	if o.held == nil {
		o.held = testkit.Hold(o.t)
		o.addr = o.held.Addr
	}
	ln := o.held.Listen()
	ctx, cancel := context.WithCancel(context.Background())
	o.srv, o.cancel = srv, cancel
	o.wg.Add(1)
	go func() { defer o.wg.Done(); _ = srv.Serve(ctx, ln) }()
}

// stop shuts the origin down, its port held until the next start;
// stopping a stopped origin does nothing.
func (o *testOrigin) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.srv == nil {
		return
	}
	o.held.Rehold() // before the listener closes: the port is never free
	o.cancel()
	o.srv.Close()
	o.wg.Wait()
	o.srv = nil
}

// accessLog keeps the origin's access log lines.
type accessLog struct {
	mu    sync.Mutex // guards lines
	lines []string
}

func (l *accessLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.Split(strings.TrimSpace(string(p)), "\n")...)
	return len(p), nil
}

// requests returns how many requests for each path the origin answered
// with status (0: any).
func (l *accessLog) requests(prefix string, status int) map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := map[string]int{}
	for _, line := range l.lines {
		var e struct {
			Msg    string `json:"msg"`
			Path   string `json:"path"`
			Status int    `json:"status"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "request" && strings.HasPrefix(e.Path, prefix) &&
			(status == 0 || e.Status == status) {
			n[e.Path]++
		}
	}
	return n
}

// getJSON decodes the 200 answer to GET url into v. Any other status
// fails t with the body: an error document ({"error": ...}) decodes into
// an empty result without complaint, so a 503 once read as "found 0
// albums".
// tones returns the two tracks of newTestOrigin's library (Tone 440 and
// Tone 550) as its search finds them, failing t unless there are two.
func tones(t testing.TB, url string) []catalog.Track {
	t.Helper()
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=tone&limit=5", &res)
	if len(res.Tracks) != 2 {
		t.Fatalf("search for tone found %d tracks, want 2", len(res.Tracks))
	}
	return res.Tracks
}

func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s; want 200", url, resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// wavFrames returns how many stereo samples a float32 WAV written by
// segue holds (its header is the 44-byte canonical one, its mark after
// the data).
func wavFrames(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || string(b[36:40]) != "data" {
		t.Fatalf("%s: not a canonical wav", path)
	}
	n := int64(binary.LittleEndian.Uint32(b[40:]))
	const mark = 26 // player's renderMark, after the data
	if n != int64(len(b)-44-mark) {
		t.Fatalf("%s: header says %d data bytes, file has %d before segue's mark", path, n, len(b)-44-mark)
	}
	return n / 8
}

func segue(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func TestPlayCommand(t *testing.T) {
	url, stop := playOrigin(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("log_file = "+strconvQuote(filepath.Join(dir, "segue.log"))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "cache.db")}
	var album catalog.Album
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	if len(res.Albums) != 1 {
		t.Fatalf("search found %d albums", len(res.Albums))
	}
	getJSON(t, url+"/api/v1/albums/"+res.Albums[0].ID, &album)
	var want int64
	for _, tr := range album.Tracks {
		var m catalog.Manifest
		getJSON(t, url+"/api/v1/tracks/"+tr.ID+"/manifest", &m)
		want += m.TotalSamples
	}

	// Acceptance 1: the album to a wav, exactly the sum of total_samples.
	wav := filepath.Join(dir, "album.wav")
	out, errOut, code := segue(t, append(common, "play", album.ID, "--output", "wav:"+wav, "--fast", "--json")...)
	if code != 0 {
		t.Fatalf("play album: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := wavFrames(t, wav); got != want {
		t.Errorf("album wav has %d samples, want the sum of total_samples %d", got, want)
	}
	var kinds []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		if e.Event == "rendition" || e.Event == "buffering" {
			continue // an ABR switch, or --fast outrunning the network: their place depends on the measurements
		}
		if e.Event == "stall" {
			t.Errorf("stall event from a --fast render (it has no listener to stall): %s", sc.Text())
		}
		if e.Event == "segment" {
			if e.Source != "origin" || e.Bytes == nil || *e.Bytes <= 0 {
				t.Errorf("segment event %s: want source origin and its bytes", sc.Text())
			}
			continue // between the others, in fetch order
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != e.Event {
			kinds = append(kinds, e.Event)
		}
	}
	if got := strings.Join(kinds, ","); got != "started,progress,track-changed,progress,finished" {
		t.Errorf("event kinds %s", got)
	}

	// A target that does not exist: exit 3.
	if _, errOut, code := segue(t, append(common, "play", "t0000000000000000", "--output", "null")...); code != ExitNotFound {
		t.Errorf("unknown track: exit %d, want %d\n%s", code, ExitNotFound, errOut)
	}

	// Acceptance 4 (offline part): with the origin down the cached track
	// plays; the uncached one fails with the offline message.
	cached, uncached := album.Tracks[0].ID, album.Tracks[1].ID
	if _, errOut, code := segue(t, append(common, "play", cached, "--quality", "high", "--output", "wav:"+filepath.Join(dir, "warm.wav"), "--fast")...); code != 0 {
		t.Fatalf("warm play: exit %d\n%s", code, errOut)
	}
	// Forget the second track's documents and segments: only the first stays cached.
	if _, errOut, code := segue(t, append(common, "cache", "clear")...); code != 0 {
		t.Fatalf("cache clear: %s", errOut)
	}
	if _, errOut, code := segue(t, append(common, "play", cached, "--quality", "high", "--output", "wav:"+filepath.Join(dir, "warm.wav"), "--fast")...); code != 0 {
		t.Fatalf("warm play: exit %d\n%s", code, errOut)
	}
	stop()
	off := filepath.Join(dir, "offline.wav")
	if _, errOut, code := segue(t, append(common, "play", cached, "--quality", "high", "--output", "wav:"+off, "--fast")...); code != 0 {
		t.Errorf("cached track with the origin down: exit %d\n%s", code, errOut)
	} else if got := wavFrames(t, off); got == 0 {
		t.Error("cached track with the origin down wrote no audio")
	}
	_, errOut, code = segue(t, append(common, "play", uncached, "--output", "null")...)
	if code == 0 || !strings.Contains(errOut, "not available offline") {
		t.Errorf("uncached track with the origin down: exit %d, stderr %q; want non-zero and \"not available offline\"", code, errOut)
	}
}

// firstAudio is an output that reports its first Write.
type firstAudio struct{ once chan struct{} }

func (o *firstAudio) Write([][2]float64) error {
	select {
	case <-o.once:
	default:
		close(o.once)
	}
	return nil
}

func (o *firstAudio) Close() error { return nil }

// firstAudioOf opens a player with o (its output: a firstAudio), plays tr
// and returns how long the first sample took to reach the output; the
// benchmark's timer runs only meanwhile. The player is closed after.
func firstAudioOf(b *testing.B, o player.Options, tr catalog.Track) time.Duration {
	b.Helper()
	out := &firstAudio{once: make(chan struct{})}
	o.Output = out
	p := player.New(o)
	if err := p.Open(); err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	go func() {
		for range p.Events() {
		}
	}()
	b.StartTimer()
	t0 := time.Now()
	p.Play(tr)
	select {
	case <-out.once:
	case <-time.After(30 * time.Second):
		b.Fatal("no audio within 30 s")
	}
	d := time.Since(t0)
	b.StopTimer()
	return d
}

// BenchmarkFirstAudioEmptyCache is the issue's "origin on loopback, empty
// cache" case with the real chain: Play -> manifest from the origin ->
// first segment through net/fetch (hash check, cache write) -> decoder ->
// first sample handed to the output. Each run gets a new, empty cache; the
// HTTP connection stays warm as it is after `segue play` resolved its
// targets. Run with -benchtime=50x.
func BenchmarkFirstAudioEmptyCache(b *testing.B) {
	url, _ := playOrigin(b)
	var res catalog.SearchResult
	getJSON(b, url+"/api/v1/search?q=tone&limit=1", &res)
	if len(res.Tracks) == 0 {
		b.Fatal("no track")
	}
	tr := res.Tracks[0]
	hc := originclient.NewHTTPClient(nil)
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		c, err := cache.Open(filepath.Join(b.TempDir(), fmt.Sprintf("c%d.db", i)), cache.Options{})
		if err != nil {
			b.Fatal(err)
		}
		client, err := originclient.New(url, originclient.Options{HTTP: hc, Docs: c})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, firstAudioOf(b, player.Options{
			Segments:  fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}),
			Manifests: &resolver{def: client, src: client},
		}, tr))
		c.Close()
	}
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// lineWatch is a stdout that hands each complete line to a channel.
type lineWatch struct {
	mu    sync.Mutex // guards buf
	buf   []byte
	lines chan string
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

// TestPlayOriginDownMidTrack is acceptance 4's first half: the origin goes
// away after playback started, playback waits on its buffer while fetching
// retries, and finishes the track once the origin is back, with every sample.
func TestPlayOriginDownMidTrack(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	// A 2 s read-ahead: most of the 8 s track is still to fetch when the
	// origin goes down.
	body := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[player]\nbuffer_seconds = 2\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=tone&limit=1", &res)
	tr := res.Tracks[0]
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+tr.ID+"/manifest", &m)

	wav := filepath.Join(dir, "out.wav")
	stdout := &lineWatch{lines: make(chan string, 1024)}
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "cache.db"),
			"play", tr.ID, "--quality", "high", "--json", "--output", "wav:" + wav}, stdout, &stderr)
	}()
	next := func(want string) string {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case l := <-stdout.lines:
				if strings.Contains(l, want) {
					return l
				}
			case code := <-done:
				t.Fatalf("play exited %d before %q\n%s", code, want, stderr.String())
			case <-timeout:
				t.Fatalf("no %q within 30 s", want)
			}
		}
	}
	next(`"event":"started"`)
	o.stop()
	next(`"event":"error"`) // a fetch failed and is retried
	o.start()
	next(`"event":"finished"`)
	if code := <-done; code != 0 {
		t.Fatalf("play exited %d\n%s", code, stderr.String())
	}
	if got := wavFrames(t, wav); got != m.TotalSamples {
		t.Errorf("wav has %d samples after the outage, want %d", got, m.TotalSamples)
	}
}

// TestPlaySaysItRetries: segue play says once a track, in words, that it
// is fetching a segment again: a link slower than the lowest rendition
// (each try timed out) and an origin answering 500 (retried for good, as
// kept) left the line "▶ 1/1 ..." and silence, saying nothing of why.
func TestPlaySaysItRetries(t *testing.T) {
	target, res := searchedOrigin(t)
	// 5 kbit/s: too slow for even the attempts a slow link gets (3, 6
	// and 12 s) to bring a segment of the lowest rendition, 30 KB
	slow := throttled(t, target, "0.005")
	for _, c := range []struct {
		name, origin, says string
	}{
		{"slow link", slow, "retrying: a segment did not arrive in time (is the link slower than the lowest quality, 96 kbit/s?)"},
		{"origin failing", failingChunks(t, target).URL, "retrying: the origin failed (500 Internal Server Error); its log says why\n"},
	} {
		h := newSwarmHost(t, segueBinary(t))
		cmd, out, _ := h.start("--origin", c.origin, "play", res.Tracks[0].ID, "--output", "null")
		testkit.Wait(t, time.Minute, c.name+": play to say it retries", func() bool { return strings.Contains(out.String(), "retrying: ") })
		cmd.Process.Kill()
		line := out.String()[strings.Index(out.String(), "  0:00 retrying: "):]
		if !strings.Contains(line, c.says) || regexp.MustCompile(`[0-9a-f]{12}`).MatchString(line) || strings.Count(out.String(), "retrying") != 1 {
			t.Errorf("%s: play said %q; want one line saying %q, with no hash", c.name, out.String(), c.says)
		}
	}
	// An origin gone mid-track (killed, restarting): the segment's real
	// failure, as the player reports it.
	closed := testkit.RefusedAddr(t)
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client, err := originclient.New("http://"+closed, originclient.Options{Docs: c})
	if err != nil {
		t.Fatal(err)
	}
	f := fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_, _, err = f.Segment(t.Context(), strings.Repeat("ab", 32), catalog.UrgencyNow)
	got := retryNote(fmt.Errorf("fetch segment 9 of track t1 (retrying in 250ms): %w", err), "the origin")
	if want := "the origin at " + closed + " is unreachable: nothing listens there (connection refused); start it (segue origin serve) or check --origin"; got != want {
		t.Errorf("retrying after the origin went: %q\nwant %q", got, want)
	}
}

// heardAudio reports whether segue play --json's output has a progress
// event past the track's start: audio of it was heard.
func heardAudio(out string) bool {
	for line := range strings.Lines(out) {
		var e struct {
			Event      string
			PositionMS int64 `json:"position_ms"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Event == "progress" && e.PositionMS > 0 {
			return true
		}
	}
	return false
}

// A run interrupted while its only track waited for segments that never
// came (the origin answering 500) said "played": 1, though nothing was
// heard. Now it says 0; one interrupted after audio was heard still says 1
// (TestPlayEndsOnSignals).
func TestInterruptedBeforeAnySoundPlayedNone(t *testing.T) {
	target, res := searchedOrigin(t)
	h := newSwarmHost(t, segueBinary(t))
	cmd, out, _ := h.start("--origin", failingChunks(t, target).URL, "play", "--json", "--output", "null", res.Tracks[0].ID)
	testkit.Wait(t, time.Minute, "play to retry a segment", func() bool { return strings.Contains(out.String(), `"event":"error"`) })
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != ExitInterrupted {
		t.Fatalf("segue play after SIGINT: %v, want exit status %d\n%s", err, ExitInterrupted, out.String())
	}
	if heardAudio(out.String()) {
		t.Fatalf("audio was heard from an origin whose segments all fail:\n%s", out.String())
	}
	var finished struct {
		Event       string
		Played      *int
		Interrupted bool
	}
	for line := range strings.Lines(out.String()) {
		if strings.Contains(line, `"event":"finished"`) && json.Unmarshal([]byte(line), &finished) != nil {
			t.Fatalf("finished event %q is not JSON", line)
		}
	}
	if !finished.Interrupted || finished.Played == nil || *finished.Played != 0 {
		t.Errorf("finished event %+v, want interrupted with played 0; output:\n%s", finished, out.String())
	}
}

// TestPlayOnALinkBelowTheLowestRate: at 64 kbit/s, below the lowest
// rendition's 96, a track plays to its end with stalls. Each 3 s try at a
// segment ended with part of it and the next started again from nothing,
// so no segment ever came and play stayed silent, retrying (fetch gives a
// try that timed out while bytes came twice the time).
func TestPlayOnALinkBelowTheLowestRate(t *testing.T) {
	target, res := searchedOrigin(t)
	h := newSwarmHost(t, segueBinary(t))
	cmd, out, stderr := h.start("--origin", throttled(t, target, "0.064"), "play", res.Tracks[0].ID, "--quality", "low", "--output", "null", "--json")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("play over 64 kbit/s: %v\n%s\n%s", err, out, stderr)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("play over 64 kbit/s did not end in 2 minutes (an 8 s track)\n%s\n%s", out, stderr)
	}
	var fin struct {
		Event          string
		Played, Failed int
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &fin); err != nil || fin.Event != "finished" || fin.Played != 1 || fin.Failed != 0 {
		t.Errorf("play over 64 kbit/s ended with %q (%v); want finished, played 1, failed 0", lines[len(lines)-1], err)
	}
}

// TestPlayJSONSegmentsCarryTookMS: every segment event of play --json has
// took_ms (README: "segment ... with source, bytes, took_ms"); it was left
// out when it was 0, so a segment from the cache (and a fast one from the
// origin) had none and a script reading e.took_ms got nothing.
func TestPlayJSONSegmentsCarryTookMS(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	track := tones(t, url)[0].ID
	dir := t.TempDir()
	sources := map[string]int{}
	for i := range 2 { // the second from the cache
		wav := filepath.Join(dir, fmt.Sprintf("%d.wav", i))
		out := segueOK(t, append(slices.Clone(env), "play", track, "--quality", "low", "--output", "wav:"+wav, "--fast", "--json")...)
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var e map[string]any
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("--json line %q: %v", sc.Text(), err)
			}
			if e["event"] != "segment" {
				continue
			}
			sources[fmt.Sprint(e["source"])]++
			if ms, ok := e["took_ms"].(float64); !ok || ms < 0 {
				t.Errorf("play %d: segment event without took_ms: %s", i+1, sc.Text())
			}
		}
	}
	if sources["cache"] == 0 || sources["origin"] == 0 {
		t.Fatalf("segments by source %v; want some from the origin, then from the cache", sources)
	}
}
