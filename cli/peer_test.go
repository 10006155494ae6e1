package cli

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/peer"
)

// swarmHost is one machine's worth of segue: its own XDG folders and cache.
type swarmHost struct {
	t     *testing.T
	bin   string
	dir   string
	cache string
}

// newSwarmHost returns a host whose cache is there, empty, as on a
// machine where segue ran: peer serve given a --cache that is not there
// makes it, but says so on stderr.
func newSwarmHost(t *testing.T, bin string) *swarmHost {
	dir := t.TempDir()
	h := &swarmHost{t: t, bin: bin, dir: dir, cache: filepath.Join(dir, "cache.db")}
	c, err := cache.Open(h.cache, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return h
}

func (h *swarmHost) command(args ...string) *exec.Cmd {
	if len(args) == 0 || args[0] != "origin" { // the origin's commands refuse the client's --cache
		args = append([]string{"--cache", h.cache}, args...)
	}
	cmd := exec.Command(h.bin, args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(h.dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(h.dir, "state"), "XDG_DATA_HOME="+filepath.Join(h.dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(h.dir, "cache"))
	return cmd
}

// run runs segue to the end and returns its stdout.
func (h *swarmHost) run(args ...string) string {
	h.t.Helper()
	var out, errOut bytes.Buffer
	cmd := h.command(args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		h.t.Fatalf("segue %s: %v\n%s\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// start runs segue in the background; it is killed at the end of the test.
func (h *swarmHost) start(args ...string) (cmd *exec.Cmd, stdout, stderr *testkit.Buffer) {
	h.t.Helper()
	stdout, stderr = &testkit.Buffer{}, &testkit.Buffer{}
	cmd = h.command(args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stdout, stderr
}

func (h *swarmHost) stats() cache.Stats {
	h.t.Helper()
	var s cache.Stats
	if err := json.Unmarshal([]byte(h.run("cache", "stats", "--json")), &s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

var (
	servingRE = regexp.MustCompile(`origin serving.* addr=(\S+)`)
	peerRE    = regexp.MustCompile(`serving the cache to peers on (\S+)`)
	chunkLog  = regexp.MustCompile(`path=/chunks/[0-9a-f]{64} status=200 bytes=(\d+)`)
)

// swarmOrigin ingests one 25 s track with real ffmpeg into a real `segue
// origin serve` process and returns its URL, the track, and the origin's
// access log (stderr).
func swarmOrigin(t *testing.T, bin string) (url string, track catalog.Track, log *testkit.Buffer) {
	url, track, log, _ = swarmOriginProcess(t, bin)
	return url, track, log
}

// swarmOriginProcess is swarmOrigin also returning the origin's process.
func swarmOriginProcess(t *testing.T, bin string) (url string, track catalog.Track, log *testkit.Buffer, proc *os.Process) {
	h := newSwarmHost(t, bin)
	data := ingestChirp(t, h)
	cmd, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	url = "http://" + servingRE.FindStringSubmatch(log.String())[1]
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=chirp", &res)
	if len(res.Tracks) != 1 {
		t.Fatalf("search found %d tracks", len(res.Tracks))
	}
	return url, res.Tracks[0], log, cmd.Process
}

// ingestChirp makes a 25 s track with real ffmpeg, ingests it into an
// origin data dir of h's and returns that dir.
func ingestChirp(t *testing.T, h *swarmHost) (data string) {
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := filepath.Join(h.dir, "lib"), filepath.Join(h.dir, "origin")
	os.MkdirAll(lib, 0o755)
	// A chirp, so that any misplaced sample shows.
	gen := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
		"aevalsrc=0.5*sin(2*PI*(200+40*t)*t)|0.5*sin(2*PI*(300+30*t)*t):s=44100:d=25",
		"-metadata", "title=Chirp", "-metadata", "artist=Swarm", "-metadata", "album=Peers",
		filepath.Join(lib, "chirp.flac"))
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("make track: %v\n%s", err, out)
	}
	h.run("origin", "ingest", lib, "--data", data)
	return data
}

// originChunkBytes sums the /chunks bytes in an access log excerpt.
func originChunkBytes(log string) int64 {
	var n int64
	for _, m := range chunkLog.FindAllStringSubmatch(log, -1) {
		b, _ := strconv.ParseInt(m[1], 10, 64)
		n += b
	}
	return n
}

// servePeer starts `segue peer serve` for h and waits until the tracker
// lists it for track.
func servePeer(t *testing.T, h *swarmHost, url, track string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd, out, _ := h.start(append([]string{"--origin", url, "peer", "serve", "--listen", "127.0.0.1:0"}, extra...)...)
	testkit.Wait(t, time.Minute, "the peer endpoint", func() bool { return peerRE.MatchString(out.String()) })
	addr := peerRE.FindStringSubmatch(out.String())[1]
	testkit.Wait(t, time.Minute, "the tracker to list "+addr, func() bool {
		var list catalog.PeerList
		getJSON(t, url+"/api/v1/peers?track="+track, &list)
		for _, p := range list.Peers {
			if p.Addr == addr {
				return true
			}
		}
		return false
	})
	return cmd, addr
}

// playEvents parses `segue play --json` output.
func playEvents(t *testing.T, out string) []playEvent {
	t.Helper()
	var evs []playEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	return evs
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) < 1000 || !bytes.Equal(x, y) {
		t.Fatalf("%s (%d bytes) and %s (%d bytes) differ: the output is not sample-exact", a, len(x), b, len(y))
	}
}

// Issue 13, acceptance 1: real segue processes with separate caches and one
// origin. A plays the track (caching it fully) and then serves its cache;
// B plays the track in real time with peers on. At least 80% of B's bytes
// come from A by B's own stats, the origin's access log shows exactly the
// rest, and B's output is sample-exact (the same wav as A's).
func TestPeerServesAPlayer(t *testing.T) {
	bin := segueBinary(t)
	url, track, originLog := swarmOrigin(t, bin)
	a, b := newSwarmHost(t, bin), newSwarmHost(t, bin)
	refWAV := filepath.Join(a.dir, "a.wav")
	a.run("--origin", url, "play", track.ID, "--quality", "normal", "--output", "wav:"+refWAV, "--fast")
	servePeer(t, a, url, track.ID)

	// The origin writes its access log in batches: A's lines first.
	aOrig := a.stats().BytesBySource[cache.SourceOrigin]
	testkit.Wait(t, time.Minute, "the origin's log to show A's origin bytes", func() bool {
		return originChunkBytes(originLog.String()) >= aOrig
	})
	before := len(originLog.String())
	bWAV := filepath.Join(b.dir, "b.wav")
	out := b.run("--origin", url, "--peer", "--peer-listen", "127.0.0.1:0", "play", track.ID,
		"--quality", "normal", "--output", "wav:"+bWAV, "--json")
	sameFile(t, refWAV, bWAV)

	st := b.stats()
	peer, orig := st.BytesBySource[cache.SourcePeer], st.BytesBySource[cache.SourceOrigin]
	share := float64(peer) / float64(peer+orig)
	t.Logf("B's bytes: %d from the peer, %d from the origin (%.1f%% from the peer)", peer, orig, 100*share)
	if share < 0.8 {
		t.Errorf("B took %.1f%% of its bytes from A, want at least 80%%", 100*share)
	}
	// The origin's log is written as requests end: wait for B's last ones.
	testkit.Wait(t, time.Minute, "the origin's log to show B's origin bytes", func() bool {
		return originChunkBytes(originLog.String()[before:]) >= orig
	})
	if got := originChunkBytes(originLog.String()[before:]); got != orig {
		t.Errorf("the origin's access log shows %d chunk bytes during B's play, B's stats %d", got, orig)
	}
	var fromPeer, stalls int
	for _, e := range playEvents(t, out) {
		if e.Event == "segment" && e.Source == "peer" {
			fromPeer++
		}
		if e.Event == "finished" && e.Stalls != nil {
			stalls = *e.Stalls
		}
	}
	if fromPeer == 0 || stalls != 0 {
		t.Errorf("B's events: %d segments from the peer, %d stalls; want some and none", fromPeer, stalls)
	}
}

// playedOnce starts swarmOrigin and plays its track in full on a fresh
// host, which caches all of it; it returns the origin's URL, the track,
// that host's cache file and the WAV it played (the reference output).
func playedOnce(t *testing.T, bin string) (url string, track catalog.Track, cacheFile, refWAV string) {
	url, track, _ = swarmOrigin(t, bin)
	a := newSwarmHost(t, bin)
	refWAV = filepath.Join(a.dir, "a.wav")
	a.run("--origin", url, "play", track.ID, "--quality", "normal", "--output", "wav:"+refWAV, "--fast")
	return url, track, a.cache, refWAV
}

// damageCache overwrites every other segment stored in the cache file at
// path with random bytes of the same length, as a failing disk might, and
// returns their hashes.
func damageCache(t *testing.T, path string) (damaged []string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key FROM entries WHERE kind = 0 AND id % 2 = 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		damaged = append(damaged, k)
	}
	rows.Close()
	if _, err := db.Exec(`UPDATE blobs SET data = randomblob(length(data))
		WHERE id IN (SELECT id FROM entries WHERE kind = 0 AND id % 2 = 0)`); err != nil {
		t.Fatal(err)
	}
	if len(damaged) == 0 {
		t.Fatal("no segment in the cache to damage")
	}
	return damaged
}

// lyingPeer is a peer that lies on purpose: it answers every segment asked
// of it with random bytes, and announces itself to the origin at url as
// holding track, again every 20 s until the test ends. It returns its
// address.
func lyingPeer(t *testing.T, url, track string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		junk := make([]byte, 8<<10)
		rand.Read(junk)
		w.Write(junk)
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	announce := func() error {
		body, _ := json.Marshal(catalog.PeerAnnounce{ID: "liar", Addr: addr, Tracks: []string{track}})
		resp, err := http.Post(url+"/api/v1/peers/announce", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("announce the lying peer: %s %s", resp.Status, msg)
		}
		return nil
	}
	if err := announce(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) }) // before srv.Close: cleanups run last first
	go func() {
		tick := time.NewTicker(20 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				announce()
			}
		}
	}()
	return addr
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// Issue 13, acceptance 2: B's only peers are a lying one (a scripted
// server answering random bytes; a real peer checks its bytes before
// sending, see TestPeerWithADamagedCacheIsNotBanned) and a slow one
// (80 KB/s) that is killed while B plays from it. B's playback has no
// stall and is bit-exact; the lying peer is banned, in B's log and B's
// stats.
func TestPeerPoisonedAndKilled(t *testing.T) {
	bin := segueBinary(t)
	url, track, played, refWAV := playedOnce(t, bin)
	killed := newSwarmHost(t, bin)
	copyFile(t, played, killed.cache)
	lyingPeer(t, url, track.ID)
	victim, _ := servePeer(t, killed, url, track.ID, "--upload-rate", "80KB")

	b := newSwarmHost(t, bin)
	bWAV := filepath.Join(b.dir, "b.wav")
	play, out, errOut := b.start("--origin", url, "--peer", "--peer-listen", "127.0.0.1:0", "play", track.ID,
		"--quality", "normal", "--output", "wav:"+bWAV, "--json")
	// Kill the slow peer once B has two segments from it: it spends about a
	// quarter of each segment's time uploading, so B may be mid-transfer;
	// either way its next request fails.
	testkit.Wait(t, time.Minute, "two segments from the slow peer", func() bool {
		return strings.Count(out.String(), `"source":"peer"`) >= 2
	})
	victim.Process.Signal(syscall.SIGKILL)
	done := make(chan error, 1)
	go func() { done <- play.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("B's play: %v\n%s\n%s", err, out.String(), errOut.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("B's play did not end\n%s", out.String())
	}
	sameFile(t, refWAV, bWAV)
	for _, e := range playEvents(t, out.String()) {
		if e.Event == "finished" && (e.Stalls == nil || *e.Stalls != 0) {
			t.Errorf("B finished with stalls: %+v", e)
		}
	}
	if st := b.stats(); st.PeerBans != 1 {
		t.Errorf("B's stats count %d peer bans, want 1", st.PeerBans)
	}
	logText, err := os.ReadFile(filepath.Join(b.dir, "state", "segue", "segue.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logText), "peer banned"); n != 1 {
		t.Errorf("B's log has %d ban lines, want 1:\n%s", n, logText)
	}
}

// A serving peer sent its cached segments unchecked, so an honest peer
// whose cache file went bad on disk sent wrong bytes, and every listener
// banned it, for its good segments too. Now the endpoint checks each
// segment's sha256 before sending, answers 404 (not held) for a bad one
// and drops it from its cache. Real segue processes: P serves a copy of
// A's cache with every other segment overwritten in the SQLite file; B
// plays from P and the origin. B's output is sample-exact, B bans nobody
// and takes P's good segments from P; P's cache no longer holds the
// damaged segments it was asked for, and its log says why.
func TestPeerWithADamagedCacheIsNotBanned(t *testing.T) {
	bin := segueBinary(t)
	url, track, played, refWAV := playedOnce(t, bin)
	p := newSwarmHost(t, bin)
	copyFile(t, played, p.cache)
	damaged := damageCache(t, p.cache)
	servePeer(t, p, url, track.ID)

	b := newSwarmHost(t, bin)
	bWAV := filepath.Join(b.dir, "b.wav")
	b.run("--origin", url, "--peer", "--peer-listen", "127.0.0.1:0", "play", track.ID,
		"--quality", "normal", "--output", "wav:"+bWAV, "--fast")
	sameFile(t, refWAV, bWAV)
	st := b.stats()
	bLog, _ := os.ReadFile(filepath.Join(b.dir, "state", "segue", "segue.log"))
	if st.PeerBans != 0 || strings.Contains(string(bLog), "peer banned") {
		t.Errorf("B banned %d peers, its only peer honest with a damaged cache; B's log:\n%s", st.PeerBans, bLog)
	}
	if st.BytesBySource[cache.SourcePeer] == 0 {
		t.Errorf("B took no bytes from the peer (%d from the origin): its good segments were not served", st.BytesBySource[cache.SourceOrigin])
	}

	db, err := sql.Open("sqlite3", p.cache)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gone := 0
	for _, h := range damaged {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM entries WHERE key = ?`, h).Scan(&n); err != nil {
			t.Fatal(err)
		}
		gone += 1 - n
	}
	pLog, _ := os.ReadFile(filepath.Join(p.dir, "state", "segue", "segue.log"))
	said := strings.Count(string(pLog), "a cached segment's bytes are damaged")
	if gone == 0 || said != gone {
		t.Errorf("P's cache dropped %d of its %d damaged segments and its log says %d times that one was bad; want some, as many as dropped:\n%s",
			gone, len(damaged), said, pLog)
	}
}

// randomHex is a fresh name for things a test creates outside the process
// (network namespaces).
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// peer serve whose tracker does not take its announces (an origin that is
// down, a token refused) printed "serving the cache to peers" and nothing
// more, though no peer could find it through the origin: the failure was
// only in the log. Now stderr says it, with and without --json.
func TestPeerServeSaysTheTrackerIsAway(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	away := "http://" + testkit.RefusedAddr(t)
	for _, asJSON := range []bool{false, true} {
		args := []string{"--origin", away, "peer", "serve", "--listen", "127.0.0.1:0"}
		if asJSON {
			args = append(args, "--json")
		}
		_, out, errOut := h.start(args...)
		testkit.Wait(t, time.Minute, "peer serve to print its address and say the tracker did not take it", func() bool {
			return out.String() != "" &&
				strings.Contains(errOut.String(), "segue: the origin's tracker did not take this peer, so other peers find it only on the LAN (--peer-lan)")
		})
		if !strings.Contains(errOut.String(), "unreachable") || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("peer serve (--json %v) stderr: %q; want one line saying the origin is unreachable", asJSON, errOut)
		}
	}
}

// play --peer whose tracker refused its announces played on saying
// nothing, as peer serve did (TestPeerServeSaysTheTrackerIsAway): other
// peers could not find it. Now it says so on stderr, once, and plays.
func TestPlayPeerSaysTheTrackerIsAway(t *testing.T) {
	target, res := searchedOrigin(t)
	pass := httputil.NewSingleHostReverseProxy(target)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/peers/announce" {
			http.Error(w, "the tracker is down for maintenance", http.StatusServiceUnavailable)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(refusing.Close)
	h := newSwarmHost(t, segueBinary(t))
	_, out, errOut := h.start("--origin", refusing.URL, "--peer", "--peer-listen", "127.0.0.1:0", "play", "--output", "null", res.Tracks[0].ID)
	testkit.Wait(t, time.Minute, "play to say the tracker did not take it", func() bool {
		return strings.Contains(errOut.String(), "segue: the origin's tracker did not take this peer, so other peers find it only on the LAN (--peer-lan)")
	})
	testkit.Wait(t, time.Minute, "play to play on", func() bool { return strings.Contains(out.String(), "▶ 1/1") })
	if n := strings.Count(errOut.String(), "\n"); n != 1 || !strings.Contains(errOut.String(), "503") {
		t.Errorf("play --peer stderr: %q; want one line naming the tracker's 503", errOut)
	}
}

// segue peer serve learned the cache's manifests once, as it started: a
// track another segue on the same cache played after that (segue play
// beside a peer serve left running for the household) was never announced
// to the tracker, so no peer was given it, until peer serve was restarted.
// Now each announce (every 30 s) takes in the manifests stored since.
func TestPeerServeAnnouncesWhatIsCachedAfterItStarted(t *testing.T) {
	bin := segueBinary(t)
	url, track, _ := swarmOrigin(t, bin)
	h := newSwarmHost(t, bin)
	_, out, _ := h.start("--origin", url, "peer", "serve", "--listen", "127.0.0.1:0")
	testkit.Wait(t, time.Minute, "the peer endpoint", func() bool { return peerRE.MatchString(out.String()) })
	addr := peerRE.FindStringSubmatch(out.String())[1]
	// At auto quality (the default), as a listener plays: the first
	// segment comes at the lowest rendition (nothing measured yet), the
	// rest higher, and such a mix is announced (it was not, when one
	// rendition had to be held whole).
	h.run("--origin", url, "play", "--output", "wav:"+filepath.Join(h.dir, "out.wav"), "--fast", track.ID)
	listed := func() bool {
		var list catalog.PeerList
		getJSON(t, url+"/api/v1/peers?track="+track.ID, &list)
		for _, p := range list.Peers {
			if p.Addr == addr {
				return true
			}
		}
		return false
	}
	// two announce intervals: the next announce after the play must carry it
	deadline := time.Now().Add(2*peer.DefaultAnnounceEvery + 5*time.Second)
	for !listed() {
		if time.Now().After(deadline) {
			t.Fatalf("the tracker does not list peer serve's %s for %s, played into its cache after it started, %s later", addr, track.ID, 2*peer.DefaultAnnounceEvery+5*time.Second)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
