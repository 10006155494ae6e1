package subsonic

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestJSONPNeedsCallback: f=jsonp without a callback, or with one that is
// not a plain JavaScript name, answers the error as JSON (10 when it is
// missing, 0 when it is refused), naming callback, and runs nothing: a
// createPlaylist asked so makes no playlist. With a callback it is wrapped.
func TestJSONPNeedsCallback(t *testing.T) {
	f := newFixture(t)
	song := f.tracks["Morning Tide"]
	for _, c := range []struct {
		q    url.Values
		code int
	}{
		{url.Values{"f": {"jsonp"}}, CodeMissingParam},
		{url.Values{"f": {"jsonp"}, "callback": {""}}, CodeMissingParam},
		{url.Values{"f": {"jsonp"}, "callback": {"alert(1)//"}}, CodeGeneric},
	} {
		for _, method := range []string{"ping", "createPlaylist"} {
			q := url.Values{"name": {"Mix"}, "songId": {song.ID}}
			for k, v := range c.q {
				q[k] = v
			}
			resp, body := f.call(t, method, q)
			var env struct {
				R Response `json:"subsonic-response"`
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s: Content-Type %q, want application/json", method, c.q.Encode(), ct)
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Errorf("%s %s: %v in %s; want a JSON answer", method, c.q.Encode(), err, body)
				continue
			}
			if e := env.R.Error; env.R.Status != "failed" || e == nil || e.Code != c.code || !strings.Contains(e.Message, "callback") {
				t.Errorf("%s %s: %s; want failed, error %d naming callback", method, c.q.Encode(), body, c.code)
			}
		}
	}
	if r := f.jsonCall(t, "getPlaylists", nil); r.Playlists == nil || len(r.Playlists.Playlists) != 0 {
		t.Errorf("getPlaylists after createPlaylist with f=jsonp and no callback: %+v, want none made", r.Playlists)
	}
	resp, body := f.call(t, "ping", url.Values{"f": {"jsonp"}, "callback": {"cb"}})
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/javascript") || !strings.HasPrefix(string(body), `cb({"subsonic-response":{"status":"ok"`) {
		t.Errorf("ping f=jsonp callback=cb: %q %s; want cb({...ok...}); as application/javascript", ct, body)
	}
}
