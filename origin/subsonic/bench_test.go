package subsonic

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// benchCall times one API method over loopback HTTP with the parameters
// params gives (token auth added: an AES-GCM open and an md5 a request).
func benchCall(b *testing.B, method string, params func(*fixture) url.Values) {
	f := newFixture(b)
	q := tokenAuth("bench")
	for k, v := range params(f) {
		q[k] = v
	}
	u := f.base + Prefix + method + "?" + q.Encode()
	for b.Loop() {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
	}
}

func BenchmarkPing(b *testing.B) {
	benchCall(b, "ping", func(*fixture) url.Values { return nil })
}

func BenchmarkGetAlbumJSON(b *testing.B) {
	benchCall(b, "getAlbum", func(f *fixture) url.Values {
		return url.Values{"f": {"json"}, "id": {f.albums["First Light"].ID}}
	})
}

func BenchmarkSearch3(b *testing.B) {
	benchCall(b, "search3", func(*fixture) url.Values { return url.Values{"query": {"moon"}} })
}
