package origin

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

func TestAuthLimiterBuckets(t *testing.T) {
	now := time.Unix(0, 0)
	l := newAuthLimiter(func() time.Time { return now })
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for range authBurst {
		if l.blocked(authKey{addr: a}) != 0 {
			t.Fatal("blocked within the burst")
		}
		l.failed(authKey{addr: a})
	}
	if got := l.blocked(authKey{addr: a}); got != authRefill {
		t.Fatalf("after %d failures: wait %v; want %v", authBurst, got, authRefill)
	}
	if l.blocked(authKey{addr: b}) != 0 {
		t.Fatal("another address is blocked too")
	}
	now = now.Add(authRefill / 2)
	if got := l.blocked(authKey{addr: a}); got != authRefill/2 {
		t.Fatalf("half a refill later: wait %v; want %v", got, authRefill/2)
	}
	now = now.Add(authRefill / 2)
	if got := l.blocked(authKey{addr: a}); got != 0 {
		t.Fatalf("a refill later: wait %v; want 0", got)
	}
}

// TestRefusedTokensAreRateLimited: the 11th refused token from an address
// within a minute is answered 429 with Retry-After, a valid one is not.
// One home behind one NAT is one address: a device there with a stale
// token retrying every few seconds got the owner's good token (and a
// share link's recipient) 429 for as long as it kept trying.
func TestRefusedTokensAreRateLimited(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), RequireToken: true}, "127.0.0.1:0")
	ctx := context.Background()
	owner, secret, err := CreateToken(ctx, r.srv.db, "phone")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := r.srv.playlists.Create(ctx, owner.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	link, err := r.srv.playlists.Share(ctx, owner.ID, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, tok string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", r.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	for i := range authBurst {
		if resp, _ := get("/api/v1/artists", "sgo_stale"+strconv.Itoa(i)); resp.StatusCode != 401 {
			t.Fatalf("stale token %d: %s; want 401", i, resp.Status)
		}
	}
	for range 3 {
		if resp, body := get("/api/v1/artists", secret); resp.StatusCode != 200 {
			t.Fatalf("the owner's valid token from the same address: %s %s; want 200", resp.Status, body)
		}
		resp, body := get("/api/v1/artists", "sgo_stale")
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != 429 || ra < 1 || ra > 7 || !strings.Contains(body, "unknown or revoked") {
			t.Fatalf("a refused token after %d: %s %s, Retry-After %q; want 429 saying the token is refused, and 1-7 s", authBurst, resp.Status, body, resp.Header.Get("Retry-After"))
		}
		// the link grants its playlist's tracks only: a 403 for another, not a 429
		if resp, body := get("/api/v1/tracks/t1", link); resp.StatusCode != 403 {
			t.Fatalf("a share link from the same address: %s %s; want it taken (403 for a track not in its playlist)", resp.Status, body)
		}
	}
}

// TestBadQueryEscapeIs400: a bad percent-escape is a 400 that says so (it
// was "missing search query").
func TestBadQueryEscapeIs400(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir()}, "127.0.0.1:0")
	resp, body := get(t, "GET", r.base+"/api/v1/search?q=100%zz", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "malformed query string") {
		t.Fatalf("q=100%%zz: %s %s; want 400 naming the malformed query string", resp.Status, body)
	}
}

// TestBadQuerySemicolonSaysHowToWriteIt: a raw ; in the query (q=rock;pop)
// is a 400 whose hint is how to write a ; (it said "a literal % is
// written %25", about a character the query did not have).
func TestBadQuerySemicolonSaysHowToWriteIt(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir()}, "127.0.0.1:0")
	resp, body := get(t, "GET", r.base+"/api/v1/search?q=rock;pop", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "%3B") || strings.Contains(string(body), "%25") {
		t.Fatalf("q=rock;pop: %s %s; want 400 saying a ; is written %%3B", resp.Status, body)
	}
	resp, body = get(t, "GET", r.base+"/api/v1/search?q=100%zz", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "%25") || strings.Contains(string(body), "%3B") {
		t.Fatalf("q=100%%zz: %s %s; want 400 saying a %% is written %%25", resp.Status, body)
	}
}

// TestShortBodyIs408: a body shorter than its Content-Length (the client
// stopped sending) is 408 saying so once ReadTimeout runs out; it was 400
// "malformed JSON body: read tcp 127.0.0.1:...: i/o timeout".
func TestShortBodyIs408(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), ReadTimeout: time.Second}, "127.0.0.1:0")
	for _, path := range []string{"/api/v1/playlists", "/api/v1/events"} {
		resp, body := testkit.DoRaw(t, r.base, "POST "+path+" HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"name\":", 10*time.Second)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "did not all arrive") || strings.Contains(string(body), "read tcp") {
			t.Fatalf("POST %s with a short body: %s %s; want 408 saying the body did not all arrive", path, resp.Status, body)
		}
	}
}

// TestManyRangesAreCapped: 2000 one-byte ranges get the blob once (200),
// never a reply much larger than it; a few ranges still get 206.
func TestManyRangesAreCapped(t *testing.T) {
	blob := []byte(strings.Repeat("segment bytes ", 4096))
	r, hash := serveOneBlob(t, blob)
	var parts []string
	for i := range 2000 {
		parts = append(parts, strconv.Itoa(i*20)+"-"+strconv.Itoa(i*20))
	}
	resp, body := get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": "bytes=" + strings.Join(parts, ",")})
	if resp.StatusCode != 200 || len(body) != len(blob) {
		t.Fatalf("2000 ranges: %s, %d bytes; want 200 and the %d-byte blob once", resp.Status, len(body), len(blob))
	}
	resp, _ = get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": "bytes=0-0,100-100,200-200"})
	if resp.StatusCode != 206 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") {
		t.Fatalf("3 ranges: %s %s; want 206 multipart", resp.Status, resp.Header.Get("Content-Type"))
	}
}

// TestRangeOfAnotherUnitIsIgnored: a Range in a unit other than bytes
// (Range: items=0-10) is ignored, as RFC 9110 (14.2) says an origin must:
// the whole blob, 200 (it was 416 from http.ServeContent). A bytes range
// is still served.
func TestRangeOfAnotherUnitIsIgnored(t *testing.T) {
	blob := []byte(strings.Repeat("segment bytes ", 100))
	r, hash := serveOneBlob(t, blob)
	for _, rng := range []string{"items=0-10", "Items=0-0", "none", "=0-1"} {
		resp, body := get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": rng})
		if resp.StatusCode != 200 || len(body) != len(blob) {
			t.Errorf("Range: %s: %s, %d bytes; want 200 and the %d-byte blob", rng, resp.Status, len(body), len(blob))
		}
	}
	for _, rng := range []string{"bytes=0-9", "Bytes=0-9"} { // units compare case-insensitively
		if resp, body := get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": rng}); resp.StatusCode != 206 || len(body) != 10 {
			t.Errorf("Range: %s: %s, %d bytes; want 206 and 10", rng, resp.Status, len(body))
		}
	}
}

// TestEmptySuffixRangeIs416: a suffix range of length 0 (bytes=-0) selects
// no byte, so a Range of only such ranges is unsatisfiable (RFC 9110
// 14.1.1): 416 with Content-Range bytes */LENGTH, where it was 206 with
// "bytes N-(N-1)/N". Next to a range that is satisfiable it is left out.
func TestEmptySuffixRangeIs416(t *testing.T) {
	blob := []byte(strings.Repeat("segment bytes ", 100))
	r, hash := serveOneBlob(t, blob)
	for _, rng := range []string{"bytes=-0", "bytes=-00", "bytes=-0, -0", "bytes=- 0", "bytes=-0," + strconv.Itoa(len(blob)) + "-"} {
		resp, _ := get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": rng})
		if want := "bytes */" + strconv.Itoa(len(blob)); resp.StatusCode != 416 || resp.Header.Get("Content-Range") != want {
			t.Errorf("Range: %s: %s, Content-Range %q; want 416, %q", rng, resp.Status, resp.Header.Get("Content-Range"), want)
		}
	}
	resp, body := get(t, "GET", r.base+"/chunks/"+hash, map[string]string{"Range": "bytes=-0,2-9"})
	if resp.StatusCode != 206 || string(body) != string(blob[2:10]) {
		t.Errorf("Range: bytes=-0,2-9: %s, %q; want 206 and %q", resp.Status, body, blob[2:10])
	}
}

// serveOneBlob starts an origin whose blob store holds blob, and returns
// it and blob's hash.
func serveOneBlob(t *testing.T, blob []byte) (*running, string) {
	t.Helper()
	r := startServer(t, ServerOptions{DataDir: t.TempDir()}, "127.0.0.1:0")
	hash, err := r.srv.blobs.Put(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}
	return r, hash
}

// TestClientBehindATrustedProxy: behind a trusted proxy the client is the
// rightmost X-Forwarded-For address the proxies did not vouch for, so the
// refused-token limit counts clients one by one and cannot be dodged by
// prepending addresses; from anyone else the header is ignored.
func TestClientBehindATrustedProxy(t *testing.T) {
	trusted := func(a netip.Addr) bool { return a.IsLoopback() || netip.MustParsePrefix("10.0.0.0/8").Contains(a) }
	for _, c := range []struct {
		values []string
		want   string // "" for none
	}{
		{[]string{"203.0.113.7"}, "203.0.113.7"},
		{[]string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},  // what the client itself sent is left of the proxy's
		{[]string{"203.0.113.7, 10.1.2.3"}, "203.0.113.7"}, // a chain of trusted proxies
		{[]string{"203.0.113.7", "10.1.2.3"}, "203.0.113.7"},
		{[]string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{[]string{"2001:db8::1"}, "2001:db8::1"},
		{[]string{"not-an-address"}, ""},
		{[]string{"203.0.113.7, junk, 10.1.2.3"}, ""},
		{[]string{"10.0.0.1, 127.0.0.1"}, ""},
		{nil, ""},
	} {
		a, ok := forwardedFor(c.values, trusted)
		if got := map[bool]string{true: a.String(), false: ""}[ok]; got != c.want {
			t.Errorf("X-Forwarded-For %q: client %q, want %q", c.values, got, c.want)
		}
	}

	refuse := func(base string, xff string) int {
		req, _ := http.NewRequest("GET", base+"/api/v1/artists", nil)
		req.Header.Set("Authorization", "Bearer wrong")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	proxied := startServer(t, ServerOptions{DataDir: t.TempDir(), RequireToken: true, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, "127.0.0.1:0")
	for i := range authBurst {
		if code := refuse(proxied.base, "6.6.6."+strconv.Itoa(i)+", 203.0.113.7"); code != 401 {
			t.Fatalf("guess %d from 203.0.113.7: %d, want 401", i, code)
		}
	}
	if code := refuse(proxied.base, "203.0.113.7"); code != 429 {
		t.Errorf("203.0.113.7 after %d refusals (each with another address prepended): %d, want 429", authBurst, code)
	}
	if code := refuse(proxied.base, "203.0.113.8"); code != 401 {
		t.Errorf("another client behind the same proxy: %d, want 401 (its own count)", code)
	}

	direct := startServer(t, ServerOptions{DataDir: t.TempDir(), RequireToken: true}, "127.0.0.1:0")
	for i := range authBurst {
		refuse(direct.base, "203.0.113."+strconv.Itoa(i))
	}
	if code := refuse(direct.base, "203.0.113.99"); code != 429 {
		t.Errorf("X-Forwarded-For from an untrusted client changed its address: %d, want 429", code)
	}
}
