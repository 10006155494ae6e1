package subsonic

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/origintest"
	"segue/origin/pgtest"
)

// The test library: two albums by two artists, short synthetic tracks
// (ffmpeg), one album with a folder cover. It is ingested once per test
// binary into a template data dir; each test serves its own copy.
type fixtureTrack struct {
	path, title, artist, album, genre, date string
	no                                      int
	hz                                      float64
}

var library = []fixtureTrack{
	{"Alpha Artist/First Light/01.flac", "Sunrise Over Water", "Alpha Artist", "First Light", "Ambient", "2001", 1, 220},
	{"Alpha Artist/First Light/02.flac", "Morning Tide", "Alpha Artist", "First Light", "Ambient", "2001", 2, 247},
	{"Beta Band/Night Drive/01.flac", "Moonlight Highway", "Beta Band", "Night Drive", "Rock", "2010", 1, 330},
}

const (
	alice         = "alice"
	alicePassword = "open-sesame 42"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// ingestedTemplate builds the library and ingests it, once.
func ingestedTemplate(t testing.TB) string {
	t.Helper()
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "segue-subsonic-")
		if templateErr != nil {
			return
		}
		lib := filepath.Join(templateDir, "lib")
		for _, tr := range library {
			if templateErr = writeTrack(lib, tr); templateErr != nil {
				return
			}
		}
		cover := filepath.Join(lib, "Alpha Artist/First Light/cover.jpg")
		if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=orange:s=64x64",
			"-frames:v", "1", cover).CombinedOutput(); err != nil {
			templateErr = fmt.Errorf("make cover: %v\n%s", err, out)
			return
		}
		_, templateErr = origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: filepath.Join(templateDir, "data"), Jobs: 2})
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return filepath.Join(templateDir, "data")
}

// writeTrack makes tr's file under lib: a tone of tr.hz, tagged.
func writeTrack(lib string, tr fixtureTrack) error {
	path := filepath.Join(lib, tr.path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	args := []string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("aevalsrc=0.3*sin(2*PI*%g*t)*(1+0.3*sin(2*PI*1.3*t))|0.25*sin(2*PI*%g*t):s=44100:d=4", tr.hz, tr.hz*1.5),
		"-metadata", "title=" + tr.title, "-metadata", "artist=" + tr.artist, "-metadata", "album=" + tr.album,
		"-metadata", "genre=" + tr.genre, "-metadata", "date=" + tr.date, "-metadata", fmt.Sprint("track=", tr.no), path}
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("make %s: %v\n%s (ffmpeg is required: make deps)", tr.path, err, out)
	}
	return nil
}

// fixture is an origin serving a copy of the template with the Subsonic
// API mounted and the user alice (password alicePassword).
type fixture struct {
	base   string // http://127.0.0.1:PORT
	srv    *origin.Server
	api    *API
	data   string
	apiKey string // alice's
	// aliceID is alice's user ID (random, AddUser)
	aliceID string
	// catalogURL is the origin's PostgreSQL catalog; "" for its data
	// dir's SQLite one
	catalogURL string
	tracks     map[string]catalog.Track
	albums     map[string]catalog.Album // by title
}

func newFixture(t testing.TB) *fixture { return newFixtureWith(t, origin.ServerOptions{}) }

// newFixtureWith is newFixture with the origin's options o (its DataDir
// is the copy's).
func newFixtureWith(t testing.TB, o origin.ServerOptions) *fixture {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(data, os.DirFS(ingestedTemplate(t))); err != nil {
		t.Fatal(err)
	}
	o.DataDir = data
	f := serve(t, o)
	if len(f.tracks) != len(library) {
		t.Fatalf("the fixture holds %d tracks, want %d", len(f.tracks), len(library))
	}
	return f
}

// serve runs an origin with options o (a catalog ingested already) with
// the Subsonic API mounted and the user alice added, on a loopback port,
// until t ends.
func serve(t testing.TB, o origin.ServerOptions) *fixture {
	t.Helper()
	return serveAPI(t, o, Options{ServerVersion: "test"})
}

// serveAPI is serve with the API's options opts.
func serveAPI(t testing.TB, o origin.ServerOptions, opts Options) *fixture {
	t.Helper()
	data := o.DataDir
	srv, err := origin.New(o)
	if err != nil {
		t.Fatal(err)
	}
	u, key, err := AddUser(context.Background(), srv.Catalog(), data, alice, alicePassword, false)
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(srv, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Mount(Prefix, api)
	base, _ := origintest.Serve(t, srv)
	ctx := context.Background()
	f := &fixture{base: base, srv: srv, api: api, data: data, apiKey: key, aliceID: u.ID, catalogURL: o.Catalog,
		tracks: map[string]catalog.Track{}, albums: map[string]catalog.Album{}}
	artists, err := srv.Reader().Artists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ar := range artists {
		full, err := srv.Reader().Artist(ctx, ar.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, al := range full.Albums {
			al, err = srv.Reader().Album(ctx, al.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.albums[al.Title] = al
			for _, tr := range al.Tracks {
				f.tracks[tr.Title] = tr
			}
		}
	}
	return f
}

// tokenAuth is alice's u, t and s for salt.
func tokenAuth(salt string) url.Values {
	sum := md5.Sum([]byte(alicePassword + salt))
	return url.Values{"u": {alice}, "t": {hex.EncodeToString(sum[:])}, "s": {salt}}
}

// call requests /rest/method with q (plus alice's token auth unless q has
// credentials, and c=segue-test unless q names the app) and returns the
// HTTP answer and its body.
func (f *fixture) call(t testing.TB, method string, q url.Values) (*http.Response, []byte) {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	if q.Get("u") == "" && q.Get("apiKey") == "" && q.Get("noauth") == "" {
		for k, v := range tokenAuth("c0ffee") {
			q[k] = v
		}
	}
	q.Del("noauth")
	if q.Get("c") == "" {
		q.Set("c", "segue-test")
	}
	q.Set("v", APIVersion)
	req, err := http.NewRequest("GET", f.base+Prefix+method+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return testkit.Do(t, nil, req)
}

// jsonCall calls with f=json and decodes the envelope.
func (f *fixture) jsonCall(t testing.TB, method string, q url.Values) Response {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("f", "json")
	resp, body := f.call(t, method, q)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", method, resp.StatusCode, body)
	}
	var env struct {
		R Response `json:"subsonic-response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%s: %v in %s", method, err, body)
	}
	return env.R
}

// xmlCall calls with the default format (XML) and decodes it.
func (f *fixture) xmlCall(t testing.TB, method string, q url.Values) (Response, []byte) {
	t.Helper()
	resp, body := f.call(t, method, q)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", method, resp.StatusCode, body)
	}
	var r Response
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v in %s", method, err, body)
	}
	return r, body
}

// mustOK fails unless r succeeded.
func mustOK(t testing.TB, method string, r Response) {
	t.Helper()
	if r.Status != "ok" || r.Error != nil {
		t.Fatalf("%s: status %q, error %+v", method, r.Status, r.Error)
	}
}
