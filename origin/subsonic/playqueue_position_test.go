package subsonic

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

// playQueueTag is the start tag of an XML answer's playQueue element.
var playQueueTag = regexp.MustCompile(`<playQueue [^>]*>`)

// positionAttr is a playQueue's position attribute, a whole number.
var positionAttr = regexp.MustCompile(` position="[0-9]+"`)

// TestPlayQueueAlwaysHasAPosition: getPlayQueue's playQueue carries
// position whenever there is a queue, 0 for the start of the song (a save
// without position, as OpenSubsonic says servers take it) or when the
// current song is not in the queue. DSub reads it into an int
// (PlayQueueParser: currentPlayingPosition = getInteger("position") in
// daneren2005/Subsonic), so a missing position threw and its "resume from
// the server" failed; Subsonic's own server writes a position of 0. Before,
// position was left out when 0.
func TestPlayQueueAlwaysHasAPosition(t *testing.T) {
	f := newFixture(t)
	a, b := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID
	for _, save := range []url.Values{
		{"id": {a, b}, "current": {b}},                    // no position: the start
		{"id": {a, b}, "current": {b}, "position": {"0"}}, // the start, said
		{"id": {a, b}}, // no current
		{"id": {a}, "current": {b}, "position": {"1200"}}, // current not in the queue
		{"id": {a, b}, "current": {a}, "position": {"1200"}},
	} {
		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", save))
		_, body := f.xmlCall(t, "getPlayQueue", nil)
		tag := playQueueTag.Find(body)
		if tag == nil || !positionAttr.Match(tag) {
			t.Errorf("after savePlayQueue %s: playQueue %q has no position; want one, 0 at the start\n%s", save.Encode(), tag, body)
		}
		_, body = f.call(t, "getPlayQueue", url.Values{"f": {"json"}})
		var doc struct {
			R struct {
				Q map[string]any `json:"playQueue"`
			} `json:"subsonic-response"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || doc.R.Q == nil {
			t.Fatalf("getPlayQueue as JSON: %v in %s", err, body)
		}
		if _, ok := doc.R.Q["position"].(float64); !ok {
			t.Errorf("after savePlayQueue %s: JSON playQueue has no position: %s", save.Encode(), body)
		}
	}
}

// TestPlayQueuePositionPastTheEnd: a savePlayQueue position past the
// current song's end (an app's clock a little ahead of the song's rounded
// duration, or one that saved at the song's end) is kept and answered as
// saved, as gonic 0.22 does (checked against it: position 99999999 on a
// 2 s song, status ok, getPlayQueue answers 99999999): refusing it lost
// the app's whole queue. No error code fits a refusal of a given value
// better than 0 anyway: 10 says a required parameter is missing, which
// it is not. And with nothing saved getPlayQueue answers ok with no
// playQueue, as gonic and Subsonic's own server (writeEmptyResponse) do
// (TestPlayQueue checks that).
func TestPlayQueuePositionPastTheEnd(t *testing.T) {
	f := newFixture(t)
	tr := f.tracks["Sunrise Over Water"]
	past := tr.DurationMS + 5000
	mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {tr.ID}, "current": {tr.ID}, "position": {strconv.FormatInt(past, 10)}}))
	r := f.jsonCall(t, "getPlayQueue", nil)
	if r.PlayQueue == nil || r.PlayQueue.Current != tr.ID || r.PlayQueue.Position != past {
		t.Errorf("getPlayQueue after saving position %d of a %d ms song: %+v; want it as saved", past, tr.DurationMS, r.PlayQueue)
	}
}
