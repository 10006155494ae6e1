package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"segue/cache"
	"segue/catalog"
)

// brokenProxy stands between segue and an origin and, by mode, answers
// every request with an HTML error page ("html"), with the origin's answer
// cut in half under the origin's headers ("truncated"), or passes it
// through ("ok").
type brokenProxy struct {
	mode atomic.Value // string
	srv  *httptest.Server
}

func newBrokenProxy(t *testing.T, origin string) *brokenProxy {
	t.Helper()
	target, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	p := &brokenProxy{}
	p.mode.Store("ok")
	pass := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p.mode.Load().(string) {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body><h1>Welcome to the hotel network</h1></body></html>")
		case "truncated":
			rec := httptest.NewRecorder()
			pass.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			b := rec.Body.Bytes()
			w.Write(b[:len(b)/2])
		default:
			pass.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// Issue 11: the document cache keeps only answers that decode, a 304 never
// revives one that does not, a good stored copy answers while the proxy is
// broken, and cache verify drops what does not decode.
func TestBrokenProxyDocuments(t *testing.T) {
	o := newTestOrigin(t)
	originURL := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, originURL+"/api/v1/search?q=play&limit=5", &res)
	albumID := res.Albums[0].ID
	proxy := newBrokenProxy(t, originURL)
	env := clientEnv(t, proxy.srv.URL)
	cachePath := filepath.Join(filepath.Dir(env[1]), "cache.db")
	albumURL := proxy.srv.URL + "/api/v1/albums/" + albumID
	library := func() (catalog.Album, string, int) {
		out, errOut, code := segue(t, append(env, "library", albumID, "--json")...)
		var al catalog.Album
		if code == 0 {
			if err := json.Unmarshal([]byte(out), &al); err != nil {
				t.Fatalf("library --json: %v\n%s", err, out)
			}
		}
		return al, errOut, code
	}
	storedDocs := func() int64 {
		c, err := cache.Open(cachePath, cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := c.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return s.Docs
	}

	for _, mode := range []string{"html", "truncated"} {
		proxy.mode.Store(mode)
		if _, errOut, code := library(); code != ExitError || !strings.Contains(errOut, "does not decode") {
			t.Errorf("library through a %s proxy: exit %d, %q; want 1 and \"does not decode\"", mode, code, errOut)
		}
		if n := storedDocs(); n != 0 {
			t.Fatalf("after a %s answer %d documents are stored, want 0", mode, n)
		}
	}
	proxy.mode.Store("ok")
	if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
		t.Fatalf("library once the proxy recovered: exit %d, %d tracks\n%s", code, len(al.Tracks), errOut)
	}

	// A good stored copy answers while the proxy is broken again, and is
	// not replaced by the broken answer.
	for _, mode := range []string{"html", "truncated", "ok"} {
		proxy.mode.Store(mode)
		if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
			t.Fatalf("library with a good stored copy through a %s proxy: exit %d, %d tracks\n%s", mode, code, len(al.Tracks), errOut)
		}
	}

	// A bad copy stored under the origin's current ETag (as earlier
	// versions stored it): the 304 its revalidation would get must not
	// revive it.
	resp, err := http.Get(albumURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c, err := cache.Open(cachePath, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bad := cache.Doc{Body: []byte(`{"id":"` + albumID + `","tracks":[{"id":`), ETag: resp.Header.Get("ETag"), ContentType: "application/json"}
	if err := c.PutDoc(albumURL, bad); err != nil {
		t.Fatal(err)
	}
	c.Close()
	albumPath := "/api/v1/albums/" + albumID
	notModified := o.access.requests(albumPath, http.StatusNotModified)[albumPath]
	if al, errOut, code := library(); code != 0 || len(al.Tracks) != 2 {
		t.Fatalf("library over a bad stored copy with a current ETag: exit %d, %d tracks\n%s", code, len(al.Tracks), errOut)
	}
	if n := o.access.requests(albumPath, http.StatusNotModified)[albumPath]; n != notModified {
		t.Errorf("the bad stored copy was revalidated (%d 304s, was %d): it must be fetched again whole", n, notModified)
	}

	// cache verify drops documents that do not decode.
	c, err = cache.Open(cachePath, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutDoc(albumURL, bad); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var r cache.VerifyReport
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "verify", "--json")...)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Bad != 1 {
		t.Fatalf("cache verify: %+v; want the one bad document dropped", r)
	}
}
