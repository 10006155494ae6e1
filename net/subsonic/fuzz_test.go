package subsonic

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzDecode: no answer makes the decoder panic; a failed status is always
// an error.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"subsonic-response":{"status":"ok","version":"1.10.2","searchResult3":{"song":[{"id":5,"title":"a","duration":3}]}}}`))
	f.Add([]byte(`{"subsonic-response":{"status":"failed","version":"1.15.0","error":{"code":40,"message":"wrong"}}}`))
	f.Add([]byte(`{"subsonic-response":{"status":"ok","playlists":{"playlist":[{"id":"pl-1","created":"2026-11-30T18:53:03"}]}}}`))
	f.Add([]byte(`<html>proxy error</html>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out struct {
			R struct {
				Song []song `json:"song"`
			} `json:"searchResult3"`
			P struct {
				Playlist []playlist `json:"playlist"`
			} `json:"playlists"`
		}
		st, err := decode(b, &out)
		if err == nil && st.Status != "ok" {
			t.Fatalf("status %q decoded without an error", st.Status)
		}
		for _, s := range out.R.Song {
			s.track()
		}
	})
}

// FuzzParseURL: any origin string either parses to an http(s) base with no
// password and no user inside it, or is refused.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"subsonic+https://alice@music.example/sub", "subsonic+http://127.0.0.1:4533",
		"subsonic+https://alice:pw@host", "https://host", "subsonic+https://", "subsonic+http://a@[::1]:80/x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base, _, err := ParseURL(s)
		if err != nil {
			return
		}
		if (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.User != nil {
			t.Fatalf("ParseURL(%q) = %v", s, base)
		}
		if strings.HasSuffix(base.Path, "/") {
			t.Fatalf("ParseURL(%q): path %q ends in /", s, base.Path)
		}
	})
}

// FuzzContentRange: no header a server sends makes contentRange panic or
// give a negative offset other than -1 (not said); a well-formed one is
// read back.
func FuzzContentRange(f *testing.F) {
	f.Add("bytes 13556-26957/26958")
	f.Add("bytes 0-0/*")
	f.Add("bytes */26958")
	f.Add("bytes -5-3/x")
	f.Fuzz(func(t *testing.T, v string) {
		first, size := contentRange(v)
		if first < -1 || size < -1 {
			t.Fatalf("contentRange(%q) = %d, %d", v, first, size)
		}
		if first >= 0 && size >= 0 {
			if a, b := contentRange(fmt.Sprintf("bytes %d-%d/%d", first, size, size)); a != first || b != size {
				t.Fatalf("contentRange of its own reading of %q: %d, %d; want %d, %d", v, a, b, first, size)
			}
		}
	})
}
