package subsonic_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
)

// answering is a client of a Subsonic server on loopback that answers
// ping as API 1.16.1 does and every other call with answer.
func answering(t *testing.T, answer http.HandlerFunc) *subsonic.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/rest/ping") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1"}}`)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return client(t, subsonictest.Server{Base: srv.URL, User: "ann", Password: "pw"}, subsonic.Options{})
}

// TestBusyOrFailingServer: a Subsonic server's 429 or 503 is
// catalog.ErrUnreachable and, with Retry-After in seconds or as a date, a
// catalog.RetryLater of that wait, as the origin's 503 is; another 5xx is
// ErrUnreachable with no wait; each says so in a sentence. They were
// "HTTP 503 Service Unavailable", neither unreachable nor a wait.
func TestBusyOrFailingServer(t *testing.T) {
	for _, tc := range []struct {
		name, retryAfter string
		code             int
		wait             time.Duration
		says             string
	}{
		{"503 seconds", "7", http.StatusServiceUnavailable, 7 * time.Second, "the server is busy (HTTP 503 Service Unavailable): try again in 7s"},
		{"429 seconds", "3", http.StatusTooManyRequests, 3 * time.Second, "the server is busy (HTTP 429 Too Many Requests): try again in 3s"},
		// a date long past asks for no wait (originclient.ParseRetryAfter)
		{"503 date past", "Wed, 21 Oct 2015 07:28:00 GMT", http.StatusServiceUnavailable, 0, "the server is busy (HTTP 503 Service Unavailable): try again later"},
		{"503 none", "", http.StatusServiceUnavailable, 0, "the server is busy (HTTP 503 Service Unavailable): try again later"},
		{"500", "", http.StatusInternalServerError, 0, "the server failed (HTTP 500 Internal Server Error); its log says why"},
		{"502", "", http.StatusBadGateway, 0, "the proxy in front of the server cannot reach it (HTTP 502 Bad Gateway): is the server running?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := answering(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				http.Error(w, "busy", tc.code)
			})
			_, err := c.Search(t.Context(), "tone", 10)
			if !errors.Is(err, catalog.ErrUnreachable) {
				t.Fatalf("Search: %v; want catalog.ErrUnreachable", err)
			}
			wait, ok := catalog.RetryAfter(err)
			if wait != tc.wait || ok != (tc.wait > 0) {
				t.Errorf("RetryAfter = %v, %v; want %v", wait, ok, tc.wait)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.HasPrefix(err.Error(), "subsonic server ") {
				t.Errorf("Search: %q; want it to say %q", err, tc.says)
			}
		})
	}
}

// TestBodyCutShort: an answer that ends before its Content-Length is
// catalog.ErrUnreachable, said as the origin's is (CutShortError) naming
// the server; it was neither.
func TestBodyCutShort(t *testing.T) {
	c := answering(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"subsonic-response":{"status":"ok",`)
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	_, err := c.Search(t.Context(), "tone", 10)
	const says = "search3: its answer broke off after 36 of the 1000 bytes it announced (the connection dropped, or a proxy between sends a wrong length)"
	if !errors.Is(err, catalog.ErrUnreachable) || err == nil || !strings.HasSuffix(err.Error(), says) {
		t.Fatalf("Search: %v; want catalog.ErrUnreachable saying %q", err, says)
	}
}

// TestSubsonicErrors: each of the API's error codes in a 200 answer is
// said as one sentence with what to do, and matches its sentinel, in the
// Subsonic server's words: error 70 said "not found on the origin". It is
// originclient.ErrNotFound too, which callers test for (exit 3).
func TestSubsonicErrors(t *testing.T) {
	for _, tc := range []struct {
		code int
		is   error
		says string
	}{
		{0, subsonic.ErrUnsupported, "search3: the Subsonic server does not support this (msg)"},
		{10, nil, "search3: the server says a parameter is missing (msg): segue asked it wrongly, please report it"},
		{20, nil, "search3: the server wants a newer client (msg): update segue"},
		{30, subsonic.ErrUnsupported, "search3: the Subsonic server does not support this (msg)"},
		{40, subsonic.ErrUnauthorized, "the Subsonic server refused the user name or password (msg): check the password file or the config"},
		{41, subsonic.ErrUnauthorized, "the Subsonic server refused the user name or password (msg): check the password file or the config"},
		{50, nil, "search3: the server does not allow ann this (msg): ask its admin for the right, or use a user that has it"},
		{60, nil, "search3: the server's trial period is over (msg): its admin must license it"},
		{70, subsonic.ErrNotFound, "search3: not found on the Subsonic server (msg)"}, // exit 3; Album etc. name the kind, ID and server (notFound)
		{99, nil, "search3: msg (Subsonic error 99)"},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			c := answering(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"subsonic-response":{"status":"failed","version":"1.16.1","error":{"code":%d,"message":"msg"}}}`, tc.code)
			})
			_, err := c.Search(t.Context(), "tone", 10)
			if err == nil || !strings.HasSuffix(err.Error(), tc.says) {
				t.Fatalf("Search, error %d: %v; want it to end %q", tc.code, err, tc.says)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Search, error %d: %v; want %v", tc.code, err, tc.is)
			}
			if errors.Is(err, originclient.ErrNotFound) != (tc.code == 70) {
				t.Errorf("Search, error %d: %v: errors.Is(originclient.ErrNotFound) = %v", tc.code, err, !(tc.code == 70))
			}
			if strings.Contains(err.Error(), "origin") {
				t.Errorf("Search, error %d: %q speaks of an origin; the source is a Subsonic server", tc.code, err)
			}
			if errors.Is(err, catalog.ErrUnreachable) {
				t.Errorf("Search, error %d: %v is catalog.ErrUnreachable; the server answered", tc.code, err)
			}
		})
	}
}

// TestUnreachableServerSays: a Subsonic server that refuses connections is
// catalog.ErrUnreachable and originclient.ErrOffline (the player plays
// what the cache holds; the screens say it is not available offline), said
// as the Subsonic server's: it said "the origin is unreachable".
func TestUnreachableServerSays(t *testing.T) {
	addr := testkit.RefusedAddr(t)
	c, err := subsonic.New("subsonic+http://ann@"+addr, subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(t.Context(), "tone", 10)
	if !errors.Is(err, catalog.ErrUnreachable) || !errors.Is(err, originclient.ErrOffline) {
		t.Fatalf("Search of a refusing server: %v; want catalog.ErrUnreachable and originclient.ErrOffline", err)
	}
	if says := "subsonic server " + addr + ": ping: the Subsonic server is unreachable"; err.Error() != says {
		t.Errorf("Search of a refusing server says %q; want %q", err, says)
	}
	if strings.Contains(err.Error(), "origin") {
		t.Errorf("Search of a refusing server: %q speaks of an origin; the source is a Subsonic server", err)
	}
}

// TestStoredAnswerForBusyServer: a real gonic behind a proxy that answers
// 503 with Retry-After: the stored listing answers; it failed with "HTTP
// 503 Service Unavailable".
func TestStoredAnswerForBusyServer(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	target, err := url.Parse(s.Base)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	var busy atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if busy.Load() {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	s.Base = front.URL
	c := client(t, s, subsonic.Options{Store: openStore(t)})
	artists, err := c.Artists(t.Context())
	if err != nil || len(artists) != 3 {
		t.Fatalf("Artists = %+v, %v; want 3", artists, err)
	}
	busy.Store(true)
	again, err := c.Artists(t.Context())
	if err != nil || len(again) != 3 {
		t.Fatalf("Artists, server busy: %+v, %v; want the stored 3", again, err)
	}
	_, err = c.Search(t.Context(), "tone", 10)
	if after, ok := catalog.RetryAfter(err); !errors.Is(err, catalog.ErrUnreachable) || after != 5*time.Second || !ok {
		t.Errorf("Search, server busy: %v; want catalog.ErrUnreachable asking for 5s", err)
	}
}

// TestShareOfAServerWithoutCreateShare: gonic and supysonic offer no
// createShare; playlist share says so in one sentence with where to share
// from, and is ErrUnsupported (exit 1).
func TestShareOfAServerWithoutCreateShare(t *testing.T) {
	for _, s := range servers(t) {
		t.Run(s.Name, func(t *testing.T) {
			c := client(t, s, subsonic.Options{})
			ctx := t.Context()
			res, err := c.Search(ctx, "breeze", 1)
			if err != nil || len(res.Tracks) != 1 {
				t.Fatalf("search breeze: %+v, %v", res, err)
			}
			pl, err := c.CreatePlaylist(ctx, "to share", []string{res.Tracks[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			l, err := c.SharePlaylist(ctx, pl.ID)
			want := "share " + pl.ID + ": the Subsonic server does not support this: " + strings.TrimPrefix(s.Base, "http://") + " offers no createShare; share the playlist from the Subsonic server's own web interface, " +
				"or ingest the music into a segue origin (segue origin ingest) and share it there"
			if !errors.Is(err, subsonic.ErrUnsupported) || err.Error() != want {
				t.Fatalf("SharePlaylist = %+v, %v; want %q", l, err, want)
			}
		})
	}
}

// TestShareOfAServersOwnPage: a server whose createShare answers a page
// of its own (Navidrome's /share/ID) has that URL printed as it is.
func TestShareOfAServersOwnPage(t *testing.T) {
	const page = "https://music.example/share/Xy12"
	var asked url.Values
	c := answering(t, func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"subsonic-response":{"status":"ok","version":"1.16.1","shares":{"share":[{"id":"Xy12","url":%q,"username":"ann","created":"2026-12-05T07:00:00Z","visitCount":0}]}}}`, page)
	})
	l, err := c.SharePlaylist(t.Context(), "pl_7")
	if err != nil || l.String() != page {
		t.Fatalf("SharePlaylist = %q, %v; want %q", l.String(), err, page)
	}
	if asked.Get("id") != "7" {
		t.Errorf("createShare asked with id %q; want the server's 7", asked.Get("id"))
	}
}

// TestBusyStream: a stream answered 503 with Retry-After is a
// catalog.RetryLater (the player waits as asked, then plays what the cache
// holds); it was "the answer is not a Subsonic JSON response", a failed
// track.
func TestBusyStream(t *testing.T) {
	c := answering(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/rest/getSong") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1","song":{"id":"9","title":"Nine","duration":3,"suffix":"mp3","bitRate":128}}}`)
			return
		}
		w.Header().Set("Retry-After", "4")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	_, err := c.Manifest(t.Context(), catalog.PrefixTrack+"_9")
	if after, ok := catalog.RetryAfter(err); !ok || after != 4*time.Second || !errors.Is(err, catalog.ErrUnreachable) {
		t.Fatalf("Manifest of a busy stream: %v; want catalog.ErrUnreachable asking for 4s", err)
	}
}
