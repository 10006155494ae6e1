package subsonic

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestXMLAnswersAreTextXML: an XML answer is Content-Type text/xml, as
// the spec says of stream, download, getCoverArt and getAvatar ("an XML
// document on error (in which case the HTTP content type will start with
// text/xml)", subsonic.org and OpenSubsonic's Endpoints pages) and as
// Subsonic's own server (and Airsonic, its fork: JAXBWriter) answers
// every method. Apps tell an error from a file by it:
// DSub's stream, download and getCoverArt read an answer as the error
// document only when its Content-Type starts with text/xml (or text/html;
// RESTMusicService.getDownloadInputStream and getBitmapFromUrl), and took
// anything else for the song or the image. Before, the origin answered
// application/xml, so DSub saved the error XML of a song or cover it could
// not have as the song or cover.
func TestXMLAnswersAreTextXML(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		method string
		q      url.Values
		code   int // -1: ok
	}{
		{"ping", nil, -1},
		{"getSong", url.Values{"id": {f.tracks["Morning Tide"].ID}}, -1},
		{"stream", url.Values{"id": {"tnothing"}, "maxBitRate": {"128"}}, CodeNotFound},
		{"download", url.Values{"id": {"tnothing"}}, CodeNotFound},
		{"getCoverArt", url.Values{"id": {f.albums["Night Drive"].ID}, "size": {"300"}}, CodeNotFound}, // no cover
		{"getCoverArt", url.Values{"id": {"alnothing"}}, CodeNotFound},
		{"stream", nil, CodeMissingParam},
		{"ping", url.Values{"u": {alice}, "p": {"wrong"}}, CodeWrongCredential},
	} {
		resp, body := f.call(t, c.method, c.q)
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != http.StatusOK || ct != "text/xml; charset=utf-8" {
			t.Errorf("%s %s: HTTP %d, Content-Type %q; want 200, text/xml; charset=utf-8", c.method, c.q.Encode(), resp.StatusCode, ct)
		}
		var r Response
		if err := xml.Unmarshal(body, &r); err != nil {
			t.Errorf("%s %s: %v in %s", c.method, c.q.Encode(), err, body)
			continue
		}
		switch {
		case c.code < 0 && r.Status != "ok":
			t.Errorf("%s %s: %+v, want ok", c.method, c.q.Encode(), r.Error)
		case c.code >= 0 && (r.Error == nil || r.Error.Code != c.code):
			t.Errorf("%s %s: %s, want error %d", c.method, c.q.Encode(), body, c.code)
		}
		if !strings.HasPrefix(string(body), "<?xml") {
			t.Errorf("%s %s: %.80s, want an XML document", c.method, c.q.Encode(), body)
		}
	}
}
