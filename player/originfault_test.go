package player

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/originclient"
)

// twoTracks encodes two tracks of the given length, a and b (other
// sounds, so no segment is shared), in the low rendition only.
func twoTracks(t *testing.T, seconds int) (src *memSource, a, b catalog.Track) {
	t.Helper()
	needFFmpeg(t)
	dir := t.TempDir()
	src = newMemSource()
	n := int64(seconds) * catalog.SampleRate
	makeWAV(t, filepath.Join(dir, "a.wav"), testPiece, n)
	makeWAV(t, filepath.Join(dir, "b.wav"), "sine=frequency=330:sample_rate=44100", n)
	a = addTrack(t, src, "a", filepath.Join(dir, "a.wav"), n, catalog.RenditionLow)
	b = addTrack(t, src, "b", filepath.Join(dir, "b.wav"), n, catalog.RenditionLow)
	return src, a, b
}

// playsWhole waits up to 20 s for the queue to end, failing the test
// unless the tracks played were want (IDs joined by commas), none failing.
func playsWhole(t *testing.T, p *Player, want string) {
	t.Helper()
	var played []string
	for _, e := range waitEndWithin(t, p, 20*time.Second) {
		switch e := e.(type) {
		case TrackEvent:
			played = append(played, e.Track.ID)
		case ErrorEvent:
			if e.Fatal {
				t.Errorf("track %s failed: %v", e.TrackID, e.Err)
			}
		}
	}
	if got := strings.Join(played, ","); got != want {
		t.Errorf("tracks played %s; want %s", got, want)
	}
}

// A track taken out of the origin after its manifest was fetched (queued,
// prefetched, or playing): the origin answers 404 for its segments. The
// player retried them forever, stalled, saying "retrying" every few
// seconds, and the tracks after it never played. Now the track fails,
// saying the origin no longer has it, and the next one plays.
func TestSegmentGoneFromTheOriginSkipsTheTrack(t *testing.T) {
	src, a, b := twoTracks(t, 6)
	gone := src.manifests[a.ID].Renditions[0].Segments[1].Hash
	src.mu.Lock()
	delete(src.segs, gone)
	src.mu.Unlock()

	p := chainPlayer(t, src, Options{Loudness: LoudnessOff})
	p.Play(a, b)
	evs := waitEndWithin(t, p, 20*time.Second)
	var failed error
	var played []string
	for _, e := range evs {
		switch e := e.(type) {
		case ErrorEvent:
			if e.Fatal && e.TrackID == a.ID {
				failed = e.Err
			}
		case TrackEvent:
			played = append(played, e.Track.ID)
		}
	}
	if !errors.Is(failed, catalog.ErrSegmentGone) || !strings.Contains(failed.Error(), "the origin no longer has segment 1") {
		t.Errorf("the track whose segment is gone failed with %v; want catalog.ErrSegmentGone saying the origin no longer has segment 1", failed)
	}
	if strings.Join(played, ",") != "a,b" {
		t.Errorf("tracks played %v; want a then b", played)
	}
}

// An origin whose catalog database restarts answers 503 with Retry-After
// (origin/unavailable.go) for a few seconds, to every request that needs
// the catalog (with tokens, /chunks too). The player took it for an origin
// gone: each track's manifest failed at once and the queue ran out in
// milliseconds, so segue play exited having played nothing; a segment so
// answered for OfflineAfter failed its track "not available offline".
// Now it waits as the origin asks and plays the queue.
func TestOriginAskingToRetryIsWaitedFor(t *testing.T) {
	src, a, b := twoTracks(t, 3)
	var busy atomic.Int64 // requests still to answer 503
	busy.Store(1)
	// a's second segment is answered 503 for longer than OfflineAfter,
	// after which an unreachable origin's track is skipped
	second := "/chunks/" + src.manifests[a.ID].Renditions[0].Segments[1].Hash
	var secondAsked atomic.Int64 // UnixNano of the first request for it
	secondBusy := func(r *http.Request) bool {
		if r.URL.Path != second {
			return false
		}
		secondAsked.CompareAndSwap(0, time.Now().UnixNano())
		return time.Since(time.Unix(0, secondAsked.Load())) < OfflineAfter+time.Second
	}
	chunks := chunkServer(t, src)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if busy.Add(-1) >= 0 || secondBusy(r) {
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"the catalog database is unreachable: retry in a few seconds"}`))
			return
		}
		if answerManifest(w, r, src) {
			return
		}
		http.Redirect(w, r, chunks.String()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(origin.Close)
	playsBothFrom(t, origin.URL, src, a, b)
}

// answerManifest answers r with the manifest src holds when r asks for one
// (/api/v1/tracks/ID/manifest), and reports whether it did.
func answerManifest(w http.ResponseWriter, r *http.Request, src *memSource) bool {
	id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/tracks/"), "/manifest")
	if !ok {
		return false
	}
	src.mu.Lock()
	m := src.manifests[id]
	src.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(m)
	return true
}

// playsBothFrom plays a then b with manifests and segments from the origin
// at originURL, and checks that both play whole.
func playsBothFrom(t *testing.T, originURL string, src *memSource, a, b catalog.Track) {
	t.Helper()
	client, err := originclient.New(originURL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := chainPlayerAt(t, originURL, src, Options{Loudness: LoudnessOff, Manifests: originManifests{client}})
	p.Play(a, b)
	playsWhole(t, p, "a,b")
}

// A network that shows a login page (a hotel's or a train's wifi) answers
// every address with it: the chunks came back as HTML, failed their hash
// check three times, and each track failed at once as "corrupt" (the
// queue ran out before the listener could log in). A web page is now the
// origin out of reach: what the cache holds plays, the segments are asked
// again, and once the page is gone (logged in) the queue plays on.
func TestLoginPageIsWaitedOut(t *testing.T) {
	src, a, b := twoTracks(t, 3)
	chunks := chunkServer(t, src)
	var first atomic.Int64 // UnixNano of the first request
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first.CompareAndSwap(0, time.Now().UnixNano())
		if time.Since(time.Unix(0, first.Load())) < 2*time.Second {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html>\n<html><body>Welcome aboard: accept the terms to use the wifi</body></html>"))
			return
		}
		http.Redirect(w, r, chunks.String()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(portal.Close)
	p := chainPlayerAt(t, portal.URL, src, Options{Loudness: LoudnessOff})
	p.Play(a, b)
	playsWhole(t, p, "a,b")
}

// An origin whose catalog database stays down answers 503 with
// Retry-After for longer than BusyFor. The player timed that per segment
// fetch: after the first track had waited BusyFor and failed, each next
// one waited BusyFor again before it failed, a minute a track. The outage
// is now the player's: once it has lasted BusyFor the next track is
// served as with an unreachable origin (failed "not available offline"
// at once, as none of it is cached), and the origin is still asked, so
// the track after plays from it when it answers again.
func TestOriginBusyPastBusyForIsNotWaitedForAgain(t *testing.T) {
	src, a, b := twoTracks(t, 3)
	dir := t.TempDir()
	n := int64(3 * catalog.SampleRate)
	makeWAV(t, filepath.Join(dir, "c.wav"), "sine=frequency=550:sample_rate=44100", n)
	c := addTrack(t, src, "c", filepath.Join(dir, "c.wav"), n, catalog.RenditionLow)
	ofC := map[string]bool{}
	for _, s := range src.manifests[c.ID].Renditions[0].Segments {
		ofC["/chunks/"+s.Hash] = true
	}
	var back atomic.Bool // the origin answers again: at c's first request
	chunks := chunkServer(t, src)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ofC[r.URL.Path] {
			back.Store(true)
		}
		if !back.Load() {
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"the catalog database is unreachable: retry in a few seconds"}`))
			return
		}
		http.Redirect(w, r, chunks.String()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(origin.Close)
	// no prefetch: b's segments are first asked for after a failed
	p := chainPlayerAt(t, origin.URL, src, Options{Loudness: LoudnessOff, BusyFor: 3 * time.Second, PrefetchBefore: time.Nanosecond})
	p.Play(a, b, c)
	var played []string
	busyWaits := map[string]int{} // waits as the origin asked (Retry-After: 2 s)
	failed := map[string]error{}
	fromOrigin := 0
	for _, e := range waitEndWithin(t, p, 40*time.Second) {
		switch e := e.(type) {
		case TrackEvent:
			played = append(played, e.Track.ID)
		case ErrorEvent:
			if e.Fatal {
				failed[e.TrackID] = e.Err
			} else if strings.Contains(e.Err.Error(), "(retrying in 2s)") {
				busyWaits[e.TrackID]++
			}
		case SegmentEvent:
			if e.TrackID == c.ID && e.From == catalog.SourceOrigin {
				fromOrigin++
			}
		}
	}
	if busyWaits[a.ID] == 0 {
		t.Errorf("the first track never waited as the origin asked; want it waited BusyFor")
	}
	if busyWaits[b.ID] != 0 {
		t.Errorf("the second track waited %d times as the origin asked, after the origin had answered 503 for BusyFor; want none", busyWaits[b.ID])
	}
	for _, id := range []string{a.ID, b.ID} {
		if err := failed[id]; !errors.Is(err, ErrNotOffline) || !strings.Contains(err.Error(), "cannot serve now") {
			t.Errorf("track %s failed with %v; want ErrNotOffline saying the origin cannot serve now", id, err)
		}
	}
	if failed[c.ID] != nil || fromOrigin != len(ofC) {
		t.Errorf("once the origin answered again the third track got %d of its %d segments from it (failure: %v); want all", fromOrigin, len(ofC), failed[c.ID])
	}
	if got := strings.Join(played, ","); !strings.HasSuffix(got, "c") {
		t.Errorf("tracks played %s; want c last", got)
	}
}
