package subsonic

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestNowPlaying checks getNowPlaying: what each player of each user said
// it started (scrobble submission=false), the latest first, with the
// user, minutesAgo, playerId and playerName; a player's next song
// replaces its last; a played scrobble adds nothing; an entry ends a
// minute after its song would have; the players kept are bounded. XML
// answers validate against the XSD.
func TestNowPlaying(t *testing.T) {
	f := newFixture(t)
	clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.api.playing.now = func() time.Time { return clock }
	sun, tide, moon := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID, f.tracks["Moonlight Highway"].ID
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
		t.Fatal(err)
	}
	bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}}
	with := func(q url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, v := range q {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	entries := func(when string) []NowPlayingEntry {
		t.Helper()
		r := f.jsonCall(t, "getNowPlaying", nil)
		mustOK(t, "getNowPlaying "+when, r)
		if r.NowPlaying == nil {
			t.Fatalf("getNowPlaying %s: no nowPlaying", when)
		}
		x, body := f.xmlCall(t, "getNowPlaying", nil)
		validateXML(t, "getNowPlaying "+when, body)
		if x.NowPlaying == nil || len(x.NowPlaying.Entries) != len(r.NowPlaying.Entries) {
			t.Errorf("getNowPlaying %s as XML: %s, want %d entries as in JSON", when, body, len(r.NowPlaying.Entries))
		}
		return r.NowPlaying.Entries
	}
	if es := entries("before any report"); len(es) != 0 {
		t.Fatalf("nothing reported yet: %+v", es)
	}

	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {sun}, "submission": {"false"}, "c": {"DSub"}}))
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {sun}}))
	clock = clock.Add(2 * time.Second)
	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", with(bob, "id", moon, "submission", "false", "c", "Symfonium")))
	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {tide}, "c": {"Feishin"}})) // played: not now playing
	es := entries("after two reports")
	if len(es) != 2 {
		t.Fatalf("after alice's and bob's reports: %+v, want 2 entries", es)
	}
	if e := es[0]; e.ID != moon || e.Username != "bob" || e.PlayerName != "Symfonium" || e.MinutesAgo != 0 || e.Title != "Moonlight Highway" {
		t.Errorf("first entry %+v, want bob's Moonlight Highway on Symfonium, 0 minutes ago", e)
	}
	if e := es[1]; e.ID != sun || e.Username != alice || e.PlayerName != "DSub" || e.Starred == "" || e.PlayerID == es[0].PlayerID {
		t.Errorf("second entry %+v, want alice's starred Sunrise Over Water on DSub, a player of its own", e)
	}
	dsub := es[1].PlayerID

	// the same player's next song replaces its last, under the same playerId
	clock = clock.Add(10 * time.Second)
	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {tide}, "submission": {"false"}, "c": {"DSub"}}))
	es = entries("after alice's next song")
	if len(es) != 2 || es[0].ID != tide || es[0].PlayerID != dsub || es[1].ID != moon {
		t.Errorf("after alice's next song: %+v, want her Morning Tide (player %d) then bob's song", es, dsub)
	}

	// the songs are 4 s long: bob's started 71 s ago, so ended over a minute ago
	clock = clock.Add(61 * time.Second)
	es = entries("61 s later")
	if len(es) != 1 || es[0].ID != tide || es[0].MinutesAgo != 1 {
		t.Errorf("61 s later: %+v, want alice's song alone, 1 minute ago", es)
	}
	clock = clock.Add(5 * time.Second)
	if es := entries("66 s later"); len(es) != 0 {
		t.Errorf("a minute after both songs ended: %+v, want none", es)
	}

	for i := range maxPlayers + 1 {
		mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {sun}, "submission": {"false"}, "c": {fmt.Sprint("app", i)}}))
		clock = clock.Add(time.Millisecond)
	}
	es = entries("after many apps")
	if len(es) != maxPlayers || es[len(es)-1].PlayerName != "app1" {
		t.Errorf("after %d apps: %d entries, the oldest %q, want %d, the first app forgotten", maxPlayers+1, len(es), es[len(es)-1].PlayerName, maxPlayers)
	}
}
