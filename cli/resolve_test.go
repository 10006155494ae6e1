package cli

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// TestAPIURLGetsTheTokenOfItsOwnOrigin: a target that is an API URL of
// another origin is asked without the configured origin's bearer token
// (segue play http://other/api/v1/tracks/ID sent it to whatever host the
// URL named); the configured origin's own API URLs still carry it, under
// a path too.
func TestAPIURLGetsTheTokenOfItsOwnOrigin(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"track not found"}`))
	}))
	defer srv.Close()
	const track = "t0123456789abcdef"
	for _, c := range []struct {
		origin, target, want string
	}{
		{"http://127.0.0.1:9", srv.URL + "/api/v1/tracks/" + track, "/api/v1/tracks/" + track + " "},
		{srv.URL, srv.URL + "/api/v1/tracks/" + track, "/api/v1/tracks/" + track + " Bearer sgo_secret"},
		{srv.URL + "/music", srv.URL + "/music/api/v1/tracks/" + track, "/music/api/v1/tracks/" + track + " Bearer sgo_secret"},
	} {
		mu.Lock()
		auth = nil
		mu.Unlock()
		env := clientEnv(t, c.origin)
		segue(t, append(env, "--token", "sgo_secret", "play", c.target, "--output", "null")...)
		mu.Lock()
		got := slices.Clone(auth)
		mu.Unlock()
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("origin %s, play %s: the request was %q, want %q", c.origin, c.target, got, c.want)
		}
	}
}
