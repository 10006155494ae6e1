package miniotest

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// Counter is a real HTTP proxy on loopback in front of an S3 endpoint that
// counts the requests passing through it by method, so a test can see
// what a store asked of the bucket (a HEAD, not a GET). The requests go on
// unchanged, with the Host they were signed for.
type Counter struct {
	Endpoint string // http://127.0.0.1:PORT, to open a store on

	mu     sync.Mutex
	counts map[string]int // requests seen, by method; guarded by mu
}

// Count starts a Counter in front of endpoint (Start's); it closes with t.
func Count(t testing.TB, endpoint string) *Counter {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{counts: map[string]int{}}
	// NewSingleHostReverseProxy leaves the request's Host as it came: the
	// proxy's, which the signature covers.
	pass := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.counts[r.Method]++
		c.mu.Unlock()
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c.Endpoint = front.URL
	return c
}

// Take returns the requests counted since the last Take (or Count), by
// method ("GET": 2), and starts counting from zero again.
func (c *Counter) Take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := maps.Clone(c.counts)
	clear(c.counts)
	return got
}
