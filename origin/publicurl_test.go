package origin

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestShareURLBehindAProxy(t *testing.T) {
	tests := []struct {
		name    string
		opts    ServerOptions
		headers map[string]string
		want    string // prefix of the share URL; %s is the origin's host
	}{
		{"plain", ServerOptions{}, nil, "http://%s/p/"},
		{"untrusted proxy headers ignored", ServerOptions{}, map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, "http://%s/p/"},
		{"trusted proxy", ServerOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "music.example"}, "https://music.example/p/"},
		{"trusted proxy, bad host ignored", ServerOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
			map[string]string{"X-Forwarded-Proto": "HTTPS, http", "X-Forwarded-Host": "a/b@c"}, "https://%s/p/"},
		// a host Go's URL parser takes (it allows " < > in hosts) but no
		// DNS name or address is: it was the share URL, http://evil"><x/p/...
		{"trusted proxy, host with markup ignored", ServerOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
			map[string]string{"X-Forwarded-Host": `evil"><x`}, "http://%s/p/"},
		{"trusted proxy, IPv6 host", ServerOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
			map[string]string{"X-Forwarded-Host": "[2001:db8::1]:8443"}, "http://[2001:db8::1]:8443/p/"},
		{"other proxy", ServerOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			map[string]string{"X-Forwarded-Proto": "https"}, "http://%s/p/"},
		{"public URL", ServerOptions{PublicURL: "https://music.example/segue"}, map[string]string{"X-Forwarded-Proto": "http"}, "https://music.example/segue/p/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.DataDir = t.TempDir()
			r := startServer(t, tt.opts, "127.0.0.1:0")
			var pl struct {
				ID       string `json:"id"`
				ShareURL string `json:"share_url"`
			}
			post := func(url, body string) {
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if err := jsonDecode(resp, &pl); err != nil {
					t.Fatal(err)
				}
			}
			post(r.base+"/api/v1/playlists", `{"name":"road"}`)
			post(r.base+"/api/v1/playlists/"+pl.ID+"/share", "")
			want := strings.Replace(tt.want, "%s", strings.TrimPrefix(r.base, "http://"), 1)
			if !strings.HasPrefix(pl.ShareURL, want) {
				t.Errorf("share URL %q; want %s...", pl.ShareURL, want)
			}
		})
	}
}

func TestParseProxiesAndPublicURL(t *testing.T) {
	ps, err := ParseProxies([]string{"10.1.2.3/8", "::1", "192.168.1.5"})
	if err != nil || len(ps) != 3 || ps[0].String() != "10.0.0.0/8" || ps[1].String() != "::1/128" || ps[2].String() != "192.168.1.5/32" {
		t.Fatalf("ParseProxies = %v, %v", ps, err)
	}
	if _, err := ParseProxies([]string{"nginx"}); err == nil || !strings.Contains(err.Error(), "CIDR") {
		t.Errorf("ParseProxies(nginx): %v; want an error naming a CIDR prefix", err)
	}
	for in, want := range map[string]string{"https://music.example/": "https://music.example", "http://h:8080/x": "http://h:8080/x", " https://music.example/ \n": "https://music.example", "music.example": "", "https://h/?q=1": "", "ftp://h": ""} {
		got, err := ParsePublicURL(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzForwarded: whatever the proxy headers say, the scheme is http or
// https and the host is the given one or a plain host[:port].
func FuzzForwarded(f *testing.F) {
	for _, s := range [][2]string{{"https", "music.example"}, {"HTTP, https", "h:443"}, {"gopher", "a/b"}, {"", "[::1]:80"}, {"", `evil"><x`}, {"", "a{b}|c^d`e'f"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, proto, host string) {
		h := http.Header{}
		h.Set("X-Forwarded-Proto", proto)
		h.Set("X-Forwarded-Host", host)
		scheme, got := forwarded(h, "http", "orig:1")
		if scheme != "http" && scheme != "https" {
			t.Fatalf("scheme %q", scheme)
		}
		if got != "orig:1" && (!validHost(got) || strings.ContainsAny(got, "/@?#, \"<>'`{}|^\\")) {
			t.Fatalf("host %q from %q", got, host)
		}
	})
}

// FuzzForwardedFor: the client taken from any X-Forwarded-For is one of
// its addresses and never a trusted one.
func FuzzForwardedFor(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "6.6.6.6, 203.0.113.7, 10.0.0.1", "::ffff:1.2.3.4", "junk", "", ",,", "[::1]"} {
		f.Add(s)
	}
	trusted := func(a netip.Addr) bool { return a.IsLoopback() || a.IsPrivate() }
	f.Fuzz(func(t *testing.T, xff string) {
		a, ok := forwardedFor([]string{xff}, trusted)
		if !ok {
			return
		}
		found := false
		for _, hop := range strings.Split(xff, ",") {
			h, err := netip.ParseAddr(strings.TrimSpace(hop))
			found = found || err == nil && h.Unmap() == a
		}
		if trusted(a) || !found {
			t.Fatalf("client %v from %q", a, xff)
		}
	})
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// FuzzParseProxies: a --trusted-proxy value parses to a masked prefix that
// parses back to itself, or to an error naming the forms it takes.
func FuzzParseProxies(f *testing.F) {
	for _, s := range []string{"10.1.2.3/8", "::1", "192.168.1.5", "::ffff:10.0.0.1", "fe80::1%eth0", "nginx", "1.2.3.4/33", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ps, err := ParseProxies([]string{v})
		if err != nil {
			if !strings.Contains(err.Error(), "CIDR prefix") {
				t.Fatalf("ParseProxies(%q): %v; want an error naming the forms", v, err)
			}
			return
		}
		if len(ps) != 1 || !ps[0].IsValid() || ps[0] != ps[0].Masked() {
			t.Fatalf("ParseProxies(%q) = %v: want one masked prefix", v, ps)
		}
		again, err := ParseProxies([]string{ps[0].String()})
		if err != nil || again[0] != ps[0] {
			t.Fatalf("ParseProxies(%q) = %v, which reads back as %v, %v", v, ps[0], again, err)
		}
	})
}

// FuzzParsePublicURL: a --public-url that parses is http(s) with a host,
// no trailing slash, and parses to itself again.
func FuzzParsePublicURL(f *testing.F) {
	for _, s := range []string{"https://music.example/", "http://h:8080/x", "music.example", "https://h/?q=1", "ftp://h", "https://u@h", "https://h/a//", "https://[::1]:7700"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParsePublicURL(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") || strings.HasSuffix(u, "/") {
			t.Fatalf("ParsePublicURL(%q) = %q: want http(s)://host without a trailing slash", s, u)
		}
		if again, err := ParsePublicURL(u); err != nil || again != u {
			t.Fatalf("ParsePublicURL(%q) = %q, which parses to %q, %v", s, u, again, err)
		}
	})
}
