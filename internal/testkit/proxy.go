package testkit

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// SlowProxy is a server on loopback that passes every request on to the
// server at base, holding those slow says yes to for delay first (a busy
// machine's slow answer: it comes, late). It closes with t.
func SlowProxy(t testing.TB, base string, delay time.Duration, slow func(*http.Request) bool) *httptest.Server {
	t.Helper()
	return FaultProxy(t, base, delay, func(r *http.Request) Fault {
		if slow(r) {
			return HoldHeaders
		}
		return Pass
	})
}

// Fault is what FaultProxy does to one answer of the server behind it.
type Fault int

// The faults of FaultProxy. Each but Pass and HoldHeaders sends the
// answer's status and its full Content-Length, then:
const (
	Pass       Fault = iota // passes the answer on as it is
	StallBody               // half the body, then nothing for the proxy's stall, then the rest
	ResetBody               // half the body, then a reset connection (RST)
	CutBody                 // half the body, then a closed connection (a body shorter than announced)
	WrongBytes              // a body of the right length whose bytes differ
	// HoldHeaders sends nothing, not even the status, for the proxy's
	// stall, then the whole answer (an origin slow to begin under load, a
	// proxy waiting on a cold upstream)
	HoldHeaders
	// HoldBody sends the status and headers, then no byte of the body for
	// the proxy's stall, then the whole body (a proxy that answered before
	// its upstream's body came)
	HoldBody
)

// WatchGaveUp sets gaveUp when r's client gives up on it within d (a
// request a FaultProxy stalls or holds, given up before it resumes).
func WatchGaveUp(r *http.Request, d time.Duration, gaveUp *atomic.Bool) {
	go func() {
		select {
		case <-r.Context().Done():
			gaveUp.Store(true)
		case <-time.After(d):
		}
	}()
}

// FaultProxy is a server on loopback that passes every request on to the
// server at base, doing to each answer what fault says (a network or a
// proxy between going wrong mid-answer). A stalled answer resumes after
// stall, or ends when its client gives up. It closes with t.
func FaultProxy(t testing.TB, base string, stall time.Duration, fault func(*http.Request) Fault) *httptest.Server {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := fault(r)
		if f == HoldHeaders {
			select {
			case <-time.After(stall):
			case <-r.Context().Done():
				return
			}
			f = Pass
		}
		if f == Pass {
			pass.ServeHTTP(w, r)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(resp.StatusCode)
		if f == HoldBody {
			http.NewResponseController(w).Flush()
			select {
			case <-time.After(stall):
			case <-r.Context().Done():
				return
			}
			w.Write(body)
			return
		}
		if f == WrongBytes {
			for i := range body {
				body[i] ^= 0x5a
			}
			w.Write(body)
			return
		}
		w.Write(body[:len(body)/2])
		http.NewResponseController(w).Flush()
		switch f {
		case StallBody:
			select {
			case <-time.After(stall):
			case <-r.Context().Done():
				return
			}
			w.Write(body[len(body)/2:])
		case ResetBody, CutBody:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok && f == ResetBody {
				tc.SetLinger(0)
			}
			conn.Close()
		}
	}))
	t.Cleanup(front.Close)
	return front
}
