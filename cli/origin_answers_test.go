package cli

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/fetch"
	"segue/net/originclient"
)

// How segue play's lines say what an origin on a bad network answered.

// retryNoteFrom is segue play's retrying line for a segment fetched, at
// UrgencyNow, through the real fetch chain from the origin at url, with
// the fetcher's timeouts (nil: its defaults).
func retryNoteFrom(t *testing.T, url string, timeouts map[catalog.Urgency]time.Duration) string {
	t.Helper()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}},
		fetch.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: time.Millisecond, Timeouts: timeouts})
	_, _, err = f.Segment(t.Context(), strings.Repeat("ab", 32), catalog.UrgencyNow)
	return retryNote(fmt.Errorf("fetch segment 9 of track t1 (retrying in 250ms): %w", err), "the origin")
}

// An origin whose catalog database restarts answers 503 with Retry-After
// and its own message (origin/unavailable.go). segue play's "retrying"
// line said of a manifest "the origin is unreachable (is it running?
// check --origin)", and of a segment "the origin failed (503 Service
// Unavailable); its log says why", dropping the origin's words. Both now
// say it cannot answer now, when to retry, and its message.
func TestBusyOriginIsSaidAsBusy(t *testing.T) {
	const msg = "the catalog database is unreachable: retry in a few seconds"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"` + msg + `"}`))
	}))
	defer srv.Close()
	c, err := originclient.New(srv.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, merr := c.Manifest(t.Context(), "t0000000000000001")
	_, cerr := c.Chunk(t.Context(), strings.Repeat("ab", 32))
	want := "the origin cannot answer now and asks to retry in 5s: " + msg
	for what, err := range map[string]error{"a manifest": merr, "a segment": cerr} {
		if s := sentence(err); !strings.Contains(s, want) || strings.Contains(s, "is it running") {
			t.Errorf("%s from a busy origin is said %q; want it to say %q", what, s, want)
		}
	}
}

// An origin that redirects /chunks to its blob store (presigned URLs)
// whose store refuses the link (403: an expired or mis-signed URL, the
// origin's clock off, its credentials revoked): segue play's retrying
// line said "the origin refused the token (set one with --token, ...)",
// sending the listener to a token that was never the problem. It now names
// the blob store and what to check.
func TestBlobStoreRefusalIsNotAboutTheToken(t *testing.T) {
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`))
	}))
	defer store.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(store.URL, "127.0.0.1", "localhost", 1)+"/blobs"+r.URL.Path+"?X-Amz-Signature=x", http.StatusTemporaryRedirect)
	}))
	defer origin.Close()
	c, err := originclient.New(origin.URL, originclient.Options{Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chunk(t.Context(), strings.Repeat("ab", 32))
	s := retryNote(err, "the origin")
	if strings.Contains(s, "token") || !strings.Contains(s, "the blob store the origin sent segue to") || !strings.Contains(s, "403 Forbidden") {
		t.Errorf("a chunk the blob store refused is said %q; want the blob store named, with its 403, not the token", s)
	}
}

// An origin (or a proxy) that announces more bytes than it sends, or a
// connection that drops mid-segment: segue play's retrying line was the
// Go chain, "fetch segment abababababab: origin: fetch chunk <64 hex>:
// unexpected EOF". It now says the answer broke off, how far, and why it
// may have, in one sentence with no hash.
func TestCutShortChunkIsOneSentence(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "30000")
		w.Write(make([]byte, 1000))
	}))
	defer srv.Close()
	got := retryNoteFrom(t, srv.URL, nil)
	want := "the origin's answer broke off after 1000 of the 30000 bytes it announced"
	if !strings.HasPrefix(got, want) || regexp.MustCompile(`[0-9a-f]{12}`).MatchString(got) {
		t.Errorf("retrying after a cut-short answer: %q\nwant it to begin %q, with no hash", got, want)
	}
}

// A network's login page answering for the origin: segue play's retrying
// line says to log in to the network, not that segments are corrupt.
func TestLoginPageIsSaid(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Please log in to the wifi</body></html>"))
	}))
	defer page.Close()
	client, err := originclient.New(page.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Chunk(t.Context(), strings.Repeat("ab", 32))
	got := retryNote(fmt.Errorf("fetch segment 9 of track t1 (retrying in 250ms): %w", err), "the origin")
	if !strings.HasPrefix(got, "a web page answered instead of the origin: log in to the network") {
		t.Errorf("retrying behind a login page: %q; want it to say a web page answered and to log in", got)
	}
}

// An origin that takes the connection and sends nothing (a hung process or
// proxy, a network that went down under an open connection): segue play's
// retrying line said "a segment did not arrive in time (is the link slower
// than the lowest quality, 96 kbit/s?)", blaming a link that carried not
// one byte. It now says nothing came; a link that brings bytes too slowly
// is still said to be slow.
func TestSilentOriginIsNotASlowLink(t *testing.T) {
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer silent.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "30000")
		for range 30 {
			if _, err := w.Write(make([]byte, 100)); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	defer slow.Close()
	for _, c := range []struct{ url, says string }{
		{silent.URL, "not a byte of a segment came in time: the network is down, or the origin (or a proxy between) does not answer"},
		{slow.URL, "a segment did not arrive in time (is the link slower than the lowest quality, 96 kbit/s?)"},
	} {
		if got := retryNoteFrom(t, c.url, map[catalog.Urgency]time.Duration{catalog.UrgencyNow: 100 * time.Millisecond}); got != c.says {
			t.Errorf("retrying on %s: %q\nwant %q", c.url, got, c.says)
		}
	}
}
