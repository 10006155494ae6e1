package player

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

// A player whose tracks come from a Subsonic server (cli's subsonicPlayer
// sets SourceName) names it in what it tells the listener when the server
// stops answering mid-track: the stall and the track failed "not available
// offline" said "waiting for the origin, which does not answer" and "the
// origin is unreachable" to a listener who had never run an origin. The
// server answers the first segment, then only a gateway's 502, as a proxy
// in front of a Subsonic server that went down does.
func TestSourceNameIsWhatTheListenerHears(t *testing.T) {
	const name = "the Subsonic server"
	src, tr := oneTrack(t, testPiece, 6, catalog.RenditionLow)
	first := "/chunks/" + src.manifests[tr.ID].Renditions[0].Segments[0].Hash
	chunks := chunkServer(t, src)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == first {
			http.Redirect(w, r, chunks.String()+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	t.Cleanup(server.Close)
	// a paced output: the first segment plays for seconds, so the second
	// has been refused by the time the play head waits for it
	p := chainPlayerAt(t, server.URL, src, Options{Loudness: LoudnessOff, SourceName: name, Output: NewNull(), RetryBackoff: 50 * time.Millisecond})
	p.Play(tr)
	var stalls []string
	var failed error
	for _, e := range waitEndWithin(t, p, time.Minute) {
		switch e := e.(type) {
		case StallEvent:
			if e.Unreachable && !e.Ended {
				stalls = append(stalls, UnreachableStall(e.Source))
			}
		case ErrorEvent:
			if e.Fatal {
				failed = e.Err
			}
		}
	}
	if len(stalls) != 1 || !strings.Contains(stalls[0], "waiting for "+name+",") || strings.Contains(stalls[0], "origin") {
		t.Errorf("stalls with the server not answering said %q; want one saying %q, not the origin", stalls, "waiting for "+name)
	}
	if !errors.Is(failed, ErrNotOffline) || !strings.Contains(failed.Error(), name+" is unreachable") || strings.Contains(failed.Error(), "origin") {
		t.Errorf("the track failed with %v; want not available offline, saying %s is unreachable and not the origin", failed, name)
	}
	if got := p.SourceName(); got != name {
		t.Errorf("SourceName() = %q, want %q", got, name)
	}
}

// Without a SourceName the player speaks of the origin, as it always did.
func TestSourceNameDefaultsToTheOrigin(t *testing.T) {
	if got := New(Options{}).SourceName(); got != DefaultSourceName || DefaultSourceName != "the origin" {
		t.Errorf("SourceName() of a player given none = %q, want %q", got, "the origin")
	}
	if got, want := UnreachableStall(""), "waiting for the origin, which does not answer: unless it is back within seconds this track is skipped (tracks stored here play on)"; got != want {
		t.Errorf("UnreachableStall(\"\") = %q\nwant %q", got, want)
	}
}
