package subsonic

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

// TestAbsentFeaturesAnswerEmpty checks that the methods of features
// segue does not have (podcasts, internet radio, videos, lyrics) answer
// ok with empty lists, not error 70, so an app's home screen shows them
// empty; and that startScan answers the scan status (count, not
// scanning) as getScanStatus does. XML answers validate against the XSD.
func TestAbsentFeaturesAnswerEmpty(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		method, element string
		q               url.Values
	}{
		{"getPodcasts", "podcasts", nil},
		{"getPodcasts", "podcasts", url.Values{"includeEpisodes": {"true"}}},
		{"getNewestPodcasts", "newestPodcasts", nil},
		{"getInternetRadioStations", "internetRadioStations", nil},
		{"getVideos", "videos", nil},
		{"getLyrics", "lyrics", url.Values{"artist": {"Alpha Artist"}, "title": {"Morning Tide"}}},
		{"startScan", "scanStatus", nil},
	} {
		r, body := f.xmlCall(t, c.method, c.q)
		mustOK(t, c.method, r)
		if !bytes.Contains(body, []byte("<"+c.element)) {
			t.Errorf("%s: no %s element in %s", c.method, c.element, body)
		}
		validateXML(t, c.method, body)
		_, jbody := f.call(t, c.method, url.Values{"f": {"json"}})
		if !strings.Contains(string(jbody), `"`+c.element+`":{`) {
			t.Errorf("%s as JSON: no %s object in %s", c.method, c.element, jbody)
		}
	}
	for method, list := range map[string]string{"getPodcasts": `"channel":[]`, "getNewestPodcasts": `"episode":[]`,
		"getInternetRadioStations": `"internetRadioStation":[]`, "getVideos": `"video":[]`} {
		if _, body := f.call(t, method, url.Values{"f": {"json"}}); !strings.Contains(string(body), list) {
			t.Errorf("%s as JSON: want %s (an empty list, not null) in %s", method, list, body)
		}
	}
	s := f.jsonCall(t, "startScan", nil).ScanStatus
	if s == nil || s.Scanning || s.Count != len(library) {
		t.Errorf("startScan: %+v, want not scanning, count %d", s, len(library))
	}
}
