package subsonic

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// TestStreamTimeOffset: stream with timeOffset (seconds) starts there, as
// clients seek; it was ignored and every seek restarted the song. ffmpeg
// decodes exactly the song's samples from the offset on, aligned with the
// whole stream's; ffprobe says about length minus offset; a Range inside it is
// its bytes. A timeOffset at or past the end, below 0 or not a number is a
// Subsonic error (code 0), not an HTTP error.
func TestStreamTimeOffset(t *testing.T) {
	f := newFixture(t)
	id := f.tracks["Morning Tide"].ID // 4 s: two segments, the second from 2.5 s
	total := manifestSamples(t, f, id)
	streamURL := func(q url.Values) string {
		for k, v := range tokenAuth("5a1t") {
			q[k] = v
		}
		q.Set("c", "segue-test")
		q.Set("v", APIVersion)
		return f.base + Prefix + "stream.view?" + q.Encode()
	}
	whole := testkit.Decode(t, streamURL(url.Values{"id": {id}}))
	if int64(len(whole)) != total {
		t.Fatalf("the whole stream decodes to %d samples, want %d", len(whole), total)
	}
	// a decimal offset ("3.5", as a client seeks to where its bar was) was
	// refused as not a whole number
	for _, c := range []struct{ offset, maxBitRate string }{{"1", ""}, {"3", ""}, {"3", "96"}, {"3.5", ""}, {"0.25", "96"}} {
		u := streamURL(url.Values{"id": {id}, "timeOffset": {c.offset}, "maxBitRate": {c.maxBitRate}})
		from, _ := strconv.ParseFloat(c.offset, 64)
		skip := int64(math.Round(from * 44100))
		pcm := testkit.Decode(t, u)
		if int64(len(pcm)) != total-skip {
			t.Errorf("timeOffset=%s maxBitRate=%q: ffmpeg decodes %d samples, want %d (the song's %d from the offset on)",
				c.offset, c.maxBitRate, len(pcm), total-skip, total)
			continue
		}
		for ch := range 2 {
			if r := testkit.Correlation(whole[skip:], pcm, ch, 0); r < 0.99 {
				t.Errorf("timeOffset=%s ch%d: correlation with the whole stream from %g s: %.4f at lag 0 (want > 0.99)", c.offset, ch, from, r)
			}
		}
		out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", u).Output()
		secs, perr := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if want := float64(total)/44100 - from; err != nil || perr != nil || math.Abs(secs-want) > 0.1 { // ffprobe counts frames: up to 3 (78 ms) the decoder drops
			t.Errorf("timeOffset=%s: ffprobe says %q (%v), want about %.3f s", c.offset, out, err, want)
		}
	}

	body := httpGet(t, streamURL(url.Values{"id": {id}, "timeOffset": {"3"}}))
	req, _ := http.NewRequest("GET", streamURL(url.Values{"id": {id}, "timeOffset": {"3"}}), nil)
	req.Header.Set("Range", "bytes=300-5299")
	resp, part := testkit.Do(t, nil, req)
	if resp.StatusCode != http.StatusPartialContent || len(body) < 5300 || !bytes.Equal(part, body[300:5300]) {
		t.Errorf("Range of the stream from 3 s: HTTP %d, %d bytes; want 206 with bytes 300-5299 of its %d", resp.StatusCode, len(part), len(body))
	}

	for _, bad := range []string{"4", "4.0", "999", "-1", "two", "1e0", "NaN", "."} {
		resp, body := f.call(t, "stream", url.Values{"id": {id}, "timeOffset": {bad}, "f": {"json"}})
		var env struct {
			R Response `json:"subsonic-response"`
		}
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
			t.Errorf("stream timeOffset=%s of a 4 s song: HTTP %d, %s, %d bytes; want a Subsonic error", bad, resp.StatusCode, ct, len(body))
		} else if err := json.Unmarshal(body, &env); err != nil || env.R.Error == nil || env.R.Error.Code != CodeGeneric || !strings.Contains(env.R.Error.Message, "timeOffset") {
			t.Errorf("stream timeOffset=%s of a 4 s song: %s; want code 0 naming timeOffset", bad, body)
		}
	}
}
