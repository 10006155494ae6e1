package testkit

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"
)

// SlowProxy is a server on loopback that passes every request on to the
// server at base, holding those slow says yes to for delay first (a busy
// machine's slow answer: it comes, late). It closes with t.
func SlowProxy(t testing.TB, base string, delay time.Duration, slow func(*http.Request) bool) *httptest.Server {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow(r) {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front
}
