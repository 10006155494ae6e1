package subsonic

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"segue/internal/testkit"
)

// TestRangesAtAndPastTheEnd asks stream (whole, from a timeOffset, and at
// the low rendition), download and getCoverArt (as stored, and scaled) for
// ranges at and past the end of each answer, as a player resuming or
// probing a file does, by GET and HEAD. RFC 9110 (14.1.1, 15.5.17): a range
// set none of whose ranges starts before the length, and whose suffix
// ranges all have length 0 (bytes=-0), is unsatisfiable: 416 with
// Content-Range bytes */LENGTH; a suffix longer than the answer is the
// whole answer; a last position past the end stops at the end. Before,
// bytes=-0 was answered 206 with Content-Range "bytes N-(N-1)/N", which
// names no bytes and which strict clients (an HTTP library checking the
// header) refuse.
func TestRangesAtAndPastTheEnd(t *testing.T) {
	f := newFixture(t)
	song := f.tracks["Sunrise Over Water"]
	album := f.albums["First Light"]
	for _, c := range []struct {
		method string
		q      url.Values
	}{
		{"stream", url.Values{"id": {song.ID}}},
		{"stream", url.Values{"id": {song.ID}, "maxBitRate": {"128"}}},
		{"stream", url.Values{"id": {song.ID}, "timeOffset": {"2"}, "format": {"mp3"}, "estimateContentLength": {"true"}}},
		{"download", url.Values{"id": {song.ID}}},
		{"getCoverArt", url.Values{"id": {album.ID}}},
		{"getCoverArt", url.Values{"id": {album.ID}, "size": {"16"}}},
	} {
		resp, whole := f.call(t, c.method, c.q)
		if resp.StatusCode != http.StatusOK || len(whole) < 10 {
			t.Fatalf("%s %s: HTTP %d, %d bytes", c.method, c.q.Encode(), resp.StatusCode, len(whole))
		}
		n := len(whole)
		unsatisfiable := fmt.Sprintf("bytes */%d", n)
		for _, r := range []struct {
			rng, status, contentRange string
			body                      []byte
		}{
			{fmt.Sprintf("bytes=%d-", n), "416", unsatisfiable, nil},
			{fmt.Sprintf("bytes=%d-", n+1000), "416", unsatisfiable, nil},
			{fmt.Sprintf("bytes=%d-%d", n+5, n+10), "416", unsatisfiable, nil},
			{"bytes=-0", "416", unsatisfiable, nil},
			{"bytes=-000", "416", unsatisfiable, nil},
			{fmt.Sprintf("bytes=-0, %d-", n), "416", unsatisfiable, nil},
			{"bytes=-0,0-9", "206", fmt.Sprintf("bytes 0-9/%d", n), whole[:10]},
			{fmt.Sprintf("bytes=%d-%d", n-1, n+100), "206", fmt.Sprintf("bytes %d-%d/%d", n-1, n-1, n), whole[n-1:]},
			{"bytes=-5", "206", fmt.Sprintf("bytes %d-%d/%d", n-5, n-1, n), whole[n-5:]},
			{fmt.Sprintf("bytes=-%d", n+100), "206", fmt.Sprintf("bytes 0-%d/%d", n-1, n), whole},
		} {
			for _, verb := range []string{"GET", "HEAD"} {
				q := url.Values{"c": {"segue-test"}}
				for k, v := range tokenAuth("r4nge") {
					q[k] = v
				}
				for k, v := range c.q {
					q[k] = v
				}
				req, err := http.NewRequest(verb, f.base+Prefix+c.method+"?"+q.Encode(), nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Range", r.rng)
				resp, body := testkit.Do(t, nil, req)
				status := fmt.Sprint(resp.StatusCode)
				if status != r.status || resp.Header.Get("Content-Range") != r.contentRange {
					t.Errorf("%s %s %s, Range %s: HTTP %s, Content-Range %q; want %s, %q",
						verb, c.method, c.q.Encode(), r.rng, status, resp.Header.Get("Content-Range"), r.status, r.contentRange)
					continue
				}
				if verb == "GET" && r.body != nil && !bytes.Equal(body, r.body) {
					t.Errorf("GET %s %s, Range %s: %d bytes, not the %d asked for", c.method, c.q.Encode(), r.rng, len(body), len(r.body))
				}
			}
		}
	}
}
