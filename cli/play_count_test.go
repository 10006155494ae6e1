package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlayFinishedCountsTracksThatNeverStarted: a track whose manifest
// does not come fails without starting; the finished summary counted it in
// failed and took it off played all the same, so a queue of one track heard
// whole and one that failed so said "played": 0.
func TestPlayFinishedCountsTracksThatNeverStarted(t *testing.T) {
	o := newTestOrigin(t)
	originURL := "http://" + o.addr
	tracks := tones(t, originURL)
	good, gone := tracks[0].ID, tracks[1].ID
	target, err := url.Parse(originURL)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	// the second track's manifest is gone (its files removed on the origin)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/tracks/"+gone+"/manifest") {
			http.Error(w, `{"error":"track not found"}`, http.StatusNotFound)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	env := clientEnv(t, proxy.URL)
	wav := filepath.Join(t.TempDir(), "out.wav")
	out, errOut, code := segue(t, append(env, "play", good, gone, "--fast", "--json", "--output", "wav:"+wav)...)
	if code != ExitError {
		t.Fatalf("play exited %d, want %d\n%s", code, ExitError, errOut)
	}
	var finished struct {
		Event          string
		Played, Failed *int
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(l, `"event":"finished"`) {
			if err := json.Unmarshal([]byte(l), &finished); err != nil {
				t.Fatal(err)
			}
		}
	}
	if finished.Played == nil || finished.Failed == nil || *finished.Played != 1 || *finished.Failed != 1 {
		t.Fatalf("finished %+v, want played 1 and failed 1\n%s", finished, out)
	}
}
