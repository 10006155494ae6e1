// Package subsonictest starts real Subsonic servers for tests, on free
// loopback ports with their data in temp dirs, stopped when the test ends:
// supysonic (Debian's package, API 1.10.2: password auth) and gonic (API
// 1.15 with OpenSubsonic: token auth). gonic is built once per machine by
// `make deps` into ~/.cache/segue/bin; a missing server fails the test with
// what to run, it never skips.
package subsonictest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/internal/testkit"
)

// Server is a running server and its user.
type Server struct {
	Name     string // "supysonic" or "gonic"
	Base     string // http://127.0.0.1:PORT
	User     string
	Password string
	// Stop ends the server (for tests of a server going away); it is
	// called again, harmlessly, when the test ends.
	Stop func()
}

// URL returns the server as segue names it: subsonic+http://USER@HOST:PORT.
func (s Server) URL() string {
	return "subsonic+http://" + s.User + "@" + strings.TrimPrefix(s.Base, "http://")
}

// Track is one file of the test library.
type Track struct {
	Artist, Album, Title string
	No                   int
	Seconds              float64
	Hz                   int    // the sine's frequency, or the noise's seed
	Kind                 string // one of the Kind* constants
}

// Kinds of test files.
const (
	// KindNoiseFLAC is FLAC of pink noise: well above any asked bitrate,
	// as music is, so servers transcode it.
	KindNoiseFLAC = "noise.flac"
	// KindMP3 is a 128 kbit/s MP3 of a sine with a LAME tag: below the
	// asked 160, so gonic and supysonic send it as it is.
	KindMP3 = "mp3"
	// KindSineFLAC and KindVorbis are a sine in FLAC and in Ogg Vorbis,
	// below 160 kbit/s: gonic sends them as they are (supysonic
	// transcodes what is not MP3 when MP3 is asked).
	KindSineFLAC = "sine.flac"
	KindVorbis   = "ogg"
)

// Tracks is the library Library writes: two noise FLAC tracks on an album
// with a cover, one MP3 and, by a third artist, a sine in FLAC and in Ogg
// Vorbis.
var Tracks = []Track{
	{"Alpha Band", "First Light", "Morning Tone", 1, 3.3, 440, KindNoiseFLAC},
	{"Alpha Band", "First Light", "Evening Tone", 2, 2.7, 660, KindNoiseFLAC},
	{"Beta Duo", "Second Wind", "Breeze", 1, 2.2, 550, KindMP3},
	{"Gamma Trio", "Plain Files", "Plain Flac", 1, 2.5, 330, KindSineFLAC},
	{"Gamma Trio", "Plain Files", "Plain Vorbis", 2, 2.1, 770, KindVorbis},
}

// Path is where Library writes tr in the library lib.
func (tr Track) Path(lib string) string {
	return filepath.Join(lib, tr.Artist, tr.Album, fmt.Sprintf("%02d %s%s", tr.No, tr.Title, filepath.Ext("."+tr.Kind)))
}

// SourcePCM is what ffmpeg decodes of the file of the track titled title
// in the library lib, as 44.1 kHz stereo, cut to the length Library made
// it (Seconds at 44.1 kHz): what a gapless player plays of it, whatever
// the server sends. The cut is for the MP3, whose padding ffmpeg keeps.
func SourcePCM(t testing.TB, lib, title string) [][2]float64 {
	t.Helper()
	for _, tr := range Tracks {
		if tr.Title != title {
			continue
		}
		out, err := exec.Command("ffmpeg", "-v", "error", "-i", tr.Path(lib), "-f", "f32le", "-ac", "2", "-ar", "44100", "pipe:1").Output()
		if err != nil {
			t.Fatalf("ffmpeg decode of %s: %v", tr.Path(lib), err)
		}
		n := int(math.Round(tr.Seconds * 44100))
		if len(out)/8 < n {
			t.Fatalf("ffmpeg decodes %d samples of %s; want %d at least", len(out)/8, tr.Path(lib), n)
		}
		pcm := make([][2]float64, n)
		for i := range pcm {
			for c := range 2 {
				pcm[i][c] = float64(math.Float32frombits(binary.LittleEndian.Uint32(out[i*8+c*4:])))
			}
		}
		return pcm
	}
	t.Fatalf("no track %q in the test library", title)
	return nil
}

// Library writes Tracks with ffmpeg under a new temp dir and returns it.
func Library(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, tr := range Tracks {
		album := filepath.Join(dir, tr.Artist, tr.Album)
		if err := os.MkdirAll(album, 0o755); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf("sine=frequency=%d:duration=%g", tr.Hz, tr.Seconds)
		codec := []string{"-c:a", "flac"}
		switch tr.Kind {
		case KindNoiseFLAC:
			src = fmt.Sprintf("anoisesrc=color=pink:amplitude=0.2:seed=%d:duration=%g", tr.Hz, tr.Seconds)
		case KindMP3:
			codec = []string{"-c:a", "libmp3lame", "-b:a", "128k"}
		case KindVorbis:
			codec = []string{"-c:a", "libvorbis", "-q:a", "0"}
		}
		args := []string{"-v", "error", "-f", "lavfi", "-i", src,
			"-ac", "2", "-ar", "44100",
			"-metadata", "title=" + tr.Title, "-metadata", "artist=" + tr.Artist, "-metadata", "album_artist=" + tr.Artist,
			"-metadata", "album=" + tr.Album, "-metadata", fmt.Sprintf("track=%d", tr.No), "-metadata", "date=2021"}
		args = append(append(args, codec...), tr.Path(dir))
		run(t, "ffmpeg", args...)
	}
	run(t, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1",
		filepath.Join(dir, "Alpha Band", "First Light", "cover.jpg"))
	return dir
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// Supysonic starts supysonic over lib with user alice. Its config sits in
// the working directory it runs in (supysonic reads ./supysonic.conf); it
// transcodes with ffmpeg.
func Supysonic(t testing.TB, lib string) Server {
	t.Helper()
	if _, err := exec.LookPath("supysonic-server"); err != nil {
		t.Fatal("supysonic is not installed: run `make deps` (Debian packages supysonic, python3-waitress)")
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`[base]
database_uri = sqlite:///%[1]s/supysonic.db
[webapp]
cache_dir = %[1]s/cache
log_level = WARNING
[daemon]
socket = %[1]s/daemon.sock
run_watcher = no
[transcoding]
transcoder = ffmpeg -i %%srcpath -ab %%outratek -v 0 -f %%outfmt -
`, dir)
	if err := os.WriteFile(filepath.Join(dir, "supysonic.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) {
		cmd := exec.Command("supysonic-cli", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("supysonic-cli %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	s := Server{Name: "supysonic", User: "alice", Password: "alice's secret"}
	cli("user", "add", s.User, "-p", s.Password)
	cli("folder", "add", "music", lib)
	cli("folder", "scan", "music")
	addr := testkit.FreeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	s.Stop = start(t, dir, "supysonic-server", "-S", "waitress", "-h", host, "-p", port)
	s.Base = "http://" + addr
	waitReady(t, s)
	return s
}

// GonicBinary returns gonic: $SEGUE_GONIC, else ~/.cache/segue/bin/gonic
// (where `make deps` builds it), else gonic on PATH.
func GonicBinary() (string, error) {
	if p := os.Getenv("SEGUE_GONIC"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "segue", "bin", "gonic")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("gonic")
	if err != nil {
		return "", fmt.Errorf("no gonic binary in $SEGUE_GONIC, ~/.cache/segue/bin or PATH: run `make deps`")
	}
	return p, nil
}

// Gonic starts gonic over lib (its first user, admin, keeps gonic's
// default password) and waits for its first scan to list every track.
func Gonic(t testing.TB, lib string) Server {
	t.Helper()
	bin, err := GonicBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{"cache", "podcasts", "playlists"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr := testkit.FreeAddr(t)
	stop := start(t, dir, bin, "-listen-addr", addr, "-music-path", lib, "-db-path", filepath.Join(dir, "gonic.db"),
		"-cache-path", filepath.Join(dir, "cache"), "-podcast-path", filepath.Join(dir, "podcasts"),
		"-playlists-path", filepath.Join(dir, "playlists"), "-scan-at-start-enabled", "-http-log=false")
	s := Server{Name: "gonic", Base: "http://" + addr, User: "admin", Password: "admin", Stop: stop}
	waitReady(t, s)
	return s
}

// start runs a server in dir for the rest of t, its output in dir/server.log
// (printed when the test fails); stop ends it sooner.
func start(t testing.TB, dir, bin string, args ...string) (stop func()) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Kill()
			<-exited
		})
	}
	t.Cleanup(func() {
		stop()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s log:\n%s", filepath.Base(bin), b)
		}
	})
	return stop
}

// waitReady polls getAlbumList2 until the albums hold every track of
// Tracks (the scan is done), for at most two minutes.
func waitReady(t testing.TB, s Server) {
	t.Helper()
	u := fmt.Sprintf("%s/rest/getAlbumList2?f=json&c=test&v=1.10.2&u=%s&p=%s&type=alphabeticalByName&size=50",
		s.Base, s.User, "enc:"+fmt.Sprintf("%x", s.Password))
	deadline := time.Now().Add(2 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		if n, err := songs(u); err == nil && n >= len(Tracks) {
			return
		} else if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("%d songs", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s at %s not ready after 2 minutes: %s", s.Name, s.Base, last)
}

func songs(u string) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r struct {
		R struct {
			Status string `json:"status"`
			L      struct {
				Album []struct {
					SongCount int `json:"songCount"`
				} `json:"album"`
			} `json:"albumList2"`
		} `json:"subsonic-response"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range r.R.L.Album {
		n += a.SongCount
	}
	return n, nil
}

// query is the password-auth query every server takes, plus params.
func (s Server) query(params url.Values) string {
	v := url.Values{"f": {"json"}, "c": {"subsonictest"}, "v": {"1.10.2"}, "u": {s.User}, "p": {fmt.Sprintf("enc:%x", s.Password)}}
	for k, vs := range params {
		v[k] = vs
	}
	return v.Encode()
}

// Get calls method directly (not through segue) and returns the body of
// its "subsonic-response".
func (s Server) Get(t testing.TB, method string, params url.Values) map[string]any {
	t.Helper()
	resp, err := http.Get(s.Base + "/rest/" + method + "?" + s.query(params))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		R map[string]any `json:"subsonic-response"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s %s: %v", s.Name, method, err)
	}
	if r.R["status"] != "ok" {
		t.Fatalf("%s %s: %v", s.Name, method, r.R["error"])
	}
	return r.R
}
