package origin

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
)

// running is an origin serving on a real loopback listener.
type running struct {
	srv  *Server
	base string
	stop func() error // cancels Serve and returns its error
}

func startServer(t testing.TB, o ServerOptions, network string) *running {
	t.Helper()
	ln, err := net.Listen("tcp", network)
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, o, ln)
}

// serveOn is startServer on a listener of the test's.
func serveOn(t testing.TB, o ServerOptions, ln net.Listener) *running {
	t.Helper()
	srv, err := New(o)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	select { // so that fastConns sees the fast path from the first request
	case <-srv.serving:
	case err := <-done:
		done <- err // for stop
	}
	port := ln.Addr().(*net.TCPAddr).Port
	r := &running{srv: srv, base: "http://127.0.0.1:" + itoa(port)}
	var stopped bool
	var stopErr error
	r.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-done
		}
		return stopErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		srv.Close()
	})
	return r
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// noRedirect shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get performs a request and returns the response with its body read.
func get(t testing.TB, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, body := testkit.Do(t, noRedirect, req)
	return resp, body
}

// getJSON GETs url, expects status want and decodes the body into v.
func getJSON(t testing.TB, url string, want int, v any) {
	t.Helper()
	resp, body := get(t, "GET", url, nil)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s; want %d", url, resp.StatusCode, body, want)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q; want JSON", url, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// wantError checks a JSON error answer.
func wantError(t testing.TB, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d %s; want %d", resp.Request.Method, resp.Request.URL, resp.StatusCode, body, status)
	}
	var e catalog.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("%s %s: error body %q is not {\"error\": ...} (%v)", resp.Request.Method, resp.Request.URL, body, errors.Join(err))
	}
}
