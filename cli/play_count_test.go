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

	"segue/catalog"
)

// TestPlayFinishedCountsTracksThatNeverStarted: a track whose manifest
// does not come fails without starting; the finished summary counted it in
// failed and took it off played all the same, so a queue of one track heard
// whole and one that failed so said "played": 0.
func TestPlayFinishedCountsTracksThatNeverStarted(t *testing.T) {
	o := newTestOrigin(t)
	originURL := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, originURL+"/api/v1/search?q=tone&limit=5", &res)
	if len(res.Tracks) != 2 {
		t.Fatalf("want 2 tracks, got %d", len(res.Tracks))
	}
	good, gone := res.Tracks[0].ID, res.Tracks[1].ID
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
