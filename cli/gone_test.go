//go:build !segue_client

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/ctl"
	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/origin"
	"segue/player"
)

// goneLibrary serves two folders: keep (Keep, secs long) and gone (Gone
// One, 3 s, and Gone Two, 20 s), each track a tone of its own frequency
// (segments are content-addressed: the same audio would share blobs, which
// a removal keeps). It returns the origin, the gone folder and the tracks
// by title, as a queue holds them from before the removal.
func goneLibrary(t *testing.T, keepSecs float64) (o *testOrigin, goneDir string, tr map[string]catalog.Track) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := t.TempDir(), t.TempDir()
	keep, gone := filepath.Join(lib, "keep"), filepath.Join(lib, "gone")
	for _, d := range []string{keep, gone} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		path  string
		hz    int
		secs  float64
		title string
	}{{filepath.Join(keep, "keep.flac"), 330, keepSecs, "Keep"}, {filepath.Join(gone, "01.flac"), 660, 3, "Gone One"}, {filepath.Join(gone, "02.flac"), 880, 20, "Gone Two"}} {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", fmt.Sprintf("sine=frequency=%d:duration=%g:sample_rate=44100", f.hz, f.secs), "-ac", "2",
			"-metadata", "title="+f.title, "-metadata", "artist=Gone Band", "-metadata", "album="+filepath.Base(filepath.Dir(f.path)), f.path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make track: %v\n%s", err, out)
		}
	}
	o = serveLibrary(t, lib, data)
	var res catalog.SearchResult
	getJSON(t, "http://"+o.addr+"/api/v1/search?q=gone+band&limit=10", &res)
	tr = map[string]catalog.Track{}
	for _, x := range res.Tracks {
		tr[x.Title] = x
	}
	if len(tr) != 3 {
		t.Fatalf("search found %v, want Keep, Gone One and Gone Two", res.Tracks)
	}
	return o, gone, tr
}

// removeFolder takes dir's tracks out of o's catalog as segue origin
// remove --folder does, while o serves.
func (o *testOrigin) removeFolder(t *testing.T, dir string) {
	t.Helper()
	sum, err := origin.RemoveFolder(context.Background(), dir, origin.IngestOptions{DataDir: o.data})
	if err != nil || sum.Removed == 0 || sum.BlobsRemoved == 0 {
		t.Fatalf("origin remove: %+v, %v", sum, err)
	}
}

// gonePlayer is a player on the null output over the real chain to the
// origin at url: the resolver's manifests, net/fetch's segments, a cache.
func gonePlayer(t *testing.T, url string, readAhead time.Duration) *player.Player {
	t.Helper()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	client, err := originclient.New(url, originclient.Options{Docs: c})
	if err != nil {
		t.Fatal(err)
	}
	p := player.New(player.Options{
		Segments:  fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}),
		Manifests: &resolver{def: client, src: client},
		Output:    player.NewNull(),
		ReadAhead: readAhead,
		Loudness:  player.LoudnessOff,
	})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// untilEnd collects p's events up to its EndEvent, failing t after within.
func untilEnd(t *testing.T, p *player.Player, within time.Duration, on func(player.Event)) (evs []player.Event, end player.EndEvent) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e := <-p.Events():
			evs = append(evs, e)
			if on != nil {
				on(e)
			}
			if end, ok := e.(player.EndEvent); ok {
				return evs, end
			}
		case <-timeout:
			t.Fatalf("the queue did not end within %v; events: %v", within, evs)
		}
	}
}

// fatalOf returns the fatal errors events report, by track ID.
func fatalOf(evs []player.Event) map[string][]error {
	m := map[string][]error{}
	for _, e := range evs {
		if e, ok := e.(player.ErrorEvent); ok && e.Fatal {
			m[e.TrackID] = append(m[e.TrackID], e.Err)
		}
	}
	return m
}

// TestTrackRemovedBeforeItStarts: a queued track taken out of the catalog
// (segue origin remove) before it comes up is skipped at once, said once
// as a *player.GoneError naming it ("was removed from the origin's
// catalog"), marked in Status.Gone, and the track after it plays. Before,
// the error was "get manifest of track X: ... track X not found", a
// failure like a network one, and nothing marked the queue entry.
func TestTrackRemovedBeforeItStarts(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	p := gonePlayer(t, "http://"+o.addr, 0)
	o.removeFolder(t, goneDir)
	gone, keep := tr["Gone One"], tr["Keep"]
	p.Play(gone, keep)
	evs, end := untilEnd(t, p, 30*time.Second, nil)
	played := playedTitles(evs)
	if strings.Join(played, ",") != "Keep" {
		t.Errorf("played %v; want Keep alone", played)
	}
	errs := fatalOf(evs)[gone.ID]
	var ge *player.GoneError
	if len(errs) != 1 || !errors.As(errs[0], &ge) || ge.Segment != -1 || !errors.Is(errs[0], catalog.ErrTrackGone) {
		t.Fatalf("the removed track failed with %v; want one *player.GoneError before it started", errs)
	}
	if want := `"Gone One" was removed from the origin's catalog: skipped`; ge.Error() != want {
		t.Errorf("it says %q; want %q", ge.Error(), want)
	}
	if end.Gone {
		t.Errorf("the queue's end says every track was gone; Keep played")
	}
	if st := p.Status(); !st.Gone[gone.ID] || st.Gone[keep.ID] {
		t.Errorf("Status.Gone = %v; want the removed track alone", st.Gone)
	}
	if n := o.access.requests("/api/v1/tracks/"+gone.ID+"/manifest", 404)["/api/v1/tracks/"+gone.ID+"/manifest"]; n != 1 {
		t.Errorf("its manifest was asked %d times; want once (no retries)", n)
	}
}

// TestQueueOfRemovedTracksEnds: with every track of a repeat-all queue
// removed from the catalog, the queue ends at once saying so
// (EndEvent.Gone), each track asked for once. Before, repeat all went
// round them for ever, a 404 and an error each time.
func TestQueueOfRemovedTracksEnds(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	p := gonePlayer(t, "http://"+o.addr, 0)
	o.removeFolder(t, goneDir)
	p.SetRepeat(player.RepeatAll)
	p.Play(tr["Gone One"], tr["Gone Two"])
	evs, end := untilEnd(t, p, 15*time.Second, nil)
	if !end.Gone {
		t.Errorf("the queue ended with %+v; want Gone", end)
	}
	for _, title := range []string{"Gone One", "Gone Two"} {
		id := tr[title].ID
		if n := len(fatalOf(evs)[id]); n != 1 {
			t.Errorf("%s was said gone %d times; want once", title, n)
		}
		if n := o.access.requests("/api/v1/tracks/"+id+"/manifest", 0)["/api/v1/tracks/"+id+"/manifest"]; n != 1 {
			t.Errorf("%s's manifest was asked %d times; want once", title, n)
		}
	}
	if st := p.Status(); st.Index != -1 || st.Track.ID != "" {
		t.Errorf("after the end the current track is %q (index %d); want none (no removed title shown)", st.Track.Title, st.Index)
	}
	// play again: nothing is asked for, it ends at once
	p.Resume()
	if _, end := untilEnd(t, p, 5*time.Second, nil); !end.Gone {
		t.Errorf("resumed, the queue ended with %+v; want Gone", end)
	}
}

// TestTrackRemovedWhilePlaying: a track taken out of the catalog while it
// plays (its manifest read, its segments deleted by the removal: the
// origin answers 404 for them) is skipped once the first segment the cache
// lacks is asked for: the player asks its manifest again, which the origin
// no longer has, and says the track was removed (a *player.GoneError with
// the segment), and the next plays. Before, it said the origin "no longer
// has segment N", as for a blob store that lost one, and the queue row was
// not marked.
func TestTrackRemovedWhilePlaying(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	p := gonePlayer(t, "http://"+o.addr, 2*time.Second)
	gone, keep := tr["Gone Two"], tr["Keep"]
	p.Play(gone, keep)
	removed := false
	evs, _ := untilEnd(t, p, 60*time.Second, func(e player.Event) {
		if e, ok := e.(player.PositionEvent); ok && !removed && e.TrackID == gone.ID && e.Position >= time.Second {
			removed = true
			o.removeFolder(t, goneDir)
		}
	})
	if !removed {
		t.Fatal("the track never played a second")
	}
	errs := fatalOf(evs)[gone.ID]
	var ge *player.GoneError
	if len(errs) != 1 || !errors.As(errs[0], &ge) || ge.Segment < 1 {
		t.Fatalf("the track removed while it played failed with %v; want one *player.GoneError at a segment past the first", errs)
	}
	if !strings.Contains(ge.Error(), `"Gone Two" was removed from the origin's catalog while it played`) {
		t.Errorf("it says %q", ge.Error())
	}
	played := playedTitles(evs)
	if strings.Join(played, ",") != "Gone Two,Keep" {
		t.Errorf("played %v; want Gone Two then Keep", played)
	}
	if st := p.Status(); !st.Gone[gone.ID] {
		t.Errorf("Status.Gone = %v; want the removed track", st.Gone)
	}
}

// TestPlaySaysARemovedTrackOnce: segue play of a queue one track of which
// is removed from the catalog as it plays says so once: a "gone" event
// with --json (track and message), one stderr line without; segue ctl
// queue list marks the entry gone (--json "gone": true, the text "(gone)")
// and ctl status counts it (queue_gone); exit status 1 (a track could not
// be played) both ways. Before, the event was an "error" saying "get
// manifest of track X: ..." or that the origin no longer had a segment,
// and ctl showed the entry as any other.
func TestPlaySaysARemovedTrackOnce(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 8)
	url := "http://" + o.addr
	rt, err := os.MkdirTemp("", "sggone")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("log_file = "+strconvQuote(filepath.Join(dir, "segue.log"))+"\n[player]\nbuffer_seconds = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gone, keep := tr["Gone Two"], tr["Keep"]
	for _, asJSON := range []bool{true, false} {
		t.Run(fmt.Sprintf("json=%v", asJSON), func(t *testing.T) {
			if !asJSON { // ingested again: the tracks come back under their IDs
				o.reingest(t, goneDir)
			}
			args := []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "cache.db"), "play", gone.ID, keep.ID, "--output", "null"}
			if asJSON {
				args = append(args, "--json")
			}
			stdout := &lineWatch{lines: make(chan string, 4096)}
			var stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(args, stdout, &stderr) }()
			var lines []string
			watchOut, watchErr := &testkit.Buffer{}, &testkit.Buffer{}
			watched := make(chan int, 1)
			timeout := time.After(60 * time.Second)
			removed, listed := false, false
			var code int
		wait:
			for {
				select {
				case l := <-stdout.lines:
					lines = append(lines, l)
					if asJSON && strings.Contains(l, `"event":"started"`) {
						// segue ctl watch --json of this play: its error event
						// says the track gone
						go func() { watched <- run([]string{"--config", cfg, "ctl", "watch", "--json"}, watchOut, watchErr) }()
						testkit.Wait(t, 10*time.Second, "ctl watch to start", func() bool { return strings.Contains(watchOut.String(), `"event"`) })
					}
					if !removed && (strings.Contains(l, `"event":"progress"`) && strings.Contains(l, gone.ID) && !strings.Contains(l, `"position_ms":0`) ||
						!asJSON && strings.Contains(l, "Gone Two")) {
						removed = true
						o.removeFolder(t, goneDir)
					}
					if !listed && (strings.Contains(l, `"track":{"id":"`+keep.ID) || !asJSON && strings.Contains(l, "▶ 2/2")) {
						listed = true
						checkCtlMarksGone(t, cfg, gone, keep)
					}
				case code = <-done:
					break wait
				case <-timeout:
					t.Fatalf("play did not end within 60 s\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
				}
			}
			if !removed || !listed {
				t.Fatalf("removed %v, listed %v\n%s\n%s", removed, listed, strings.Join(lines, "\n"), stderr.String())
			}
			if code != ExitError {
				t.Errorf("exit %d; want %d (a track could not be played)", code, ExitError)
			}
			out, errOut := strings.Join(lines, "\n"), stderr.String()
			say := `"Gone Two" was removed from the origin's catalog`
			if asJSON {
				var goneEvents int
				for _, l := range lines {
					if strings.Contains(l, `"event":"gone"`) {
						goneEvents++
						if !strings.Contains(l, `"track_id":"`+gone.ID+`"`) || !strings.Contains(l, `\"Gone Two\" was removed from the origin's catalog`) || !strings.Contains(l, `"title":"Gone Two"`) {
							t.Errorf("gone event %s; want its track and %q", l, say)
						}
					}
					if strings.Contains(l, `"event":"error"`) && strings.Contains(l, gone.ID) {
						t.Errorf("an error event for the removed track: %s", l)
					}
				}
				if goneEvents != 1 {
					t.Errorf("%d gone events; want 1\n%s", goneEvents, out)
				}
				select {
				case code := <-watched:
					if w := watchOut.String(); code != 0 || !strings.Contains(w, `"gone":true`) || strings.Count(w, `"gone":true`) != 1 {
						t.Errorf("ctl watch --json: exit %d, want one error event with \"gone\": true:\n%s\n%s", code, w, watchErr.String())
					}
				case <-time.After(10 * time.Second):
					t.Error("ctl watch did not end with the play")
				}
				if !strings.Contains(out, `"played":1,"failed":1`) {
					t.Errorf("finished does not count Keep played and Gone Two failed:\n%s", out)
				}
			} else if n := strings.Count(errOut, "segue: "+say); n != 1 || strings.Contains(errOut, "manifest") || strings.Contains(errOut, "not found") {
				t.Errorf("stderr says it %d times (want once, plainly):\n%s", n, errOut)
			}
		})
	}
}

// checkCtlMarksGone checks that segue ctl's queue list and status name
// the removed track gone, with --json and without.
func checkCtlMarksGone(t *testing.T, cfg string, gone, keep catalog.Track) {
	t.Helper()
	out, errOut, code := segue(t, "--config", cfg, "ctl", "queue", "list", "--json")
	var q []ctl.QueueEntry
	if code != 0 {
		t.Fatalf("ctl queue list --json: exit %d: %s", code, errOut)
	}
	decodeJSON(t, out, &q)
	if len(q) != 2 || !q[0].Gone || q[0].Track.ID != gone.ID || q[1].Gone {
		t.Errorf("ctl queue list --json: %s; want the first entry gone, the second not", out)
	}
	if out, _, _ := segue(t, "--config", cfg, "ctl", "queue", "list"); !strings.Contains(out, "Gone Two (gone)") || strings.Contains(out, "Keep (gone)") {
		t.Errorf("ctl queue list:\n%s\nwant Gone Two marked (gone)", out)
	}
	out, _, _ = segue(t, "--config", cfg, "ctl", "status", "--json")
	var st ctl.Status
	decodeJSON(t, out, &st)
	if st.QueueGone != 1 || st.Track == nil || st.Track.ID != keep.ID {
		t.Errorf("ctl status --json: %s; want queue_gone 1 and Keep current", out)
	}
	if out, _, _ := segue(t, "--config", cfg, "ctl", "status"); !strings.Contains(out, "1 track removed from the catalog") {
		t.Errorf("ctl status: %s; want it to count the removed track", out)
	}
}

// TestRestoredQueueWithRemovedTracks: a queue saved (queue.json) before
// its tracks were removed from the catalog, restored and resumed as the
// interface does at start, skips the removed ones as they come up, each
// said once, and plays the rest; saved again, it keeps them (an ingest
// may bring them back). Before, each was "get manifest of track X: ...".
func TestRestoredQueueWithRemovedTracks(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	state := t.TempDir()
	before := gonePlayer(t, "http://"+o.addr, 0)
	before.Restore(player.SavedState{Tracks: []catalog.Track{tr["Gone One"], tr["Keep"], tr["Gone Two"]}, Index: 0, Volume: 100, Repeat: "all"})
	if err := player.SaveState(state, before.Snapshot()); err != nil {
		t.Fatal(err)
	}
	o.removeFolder(t, goneDir)

	saved, err := player.LoadState(state)
	if err != nil {
		t.Fatal(err)
	}
	p := gonePlayer(t, "http://"+o.addr, 0)
	p.Restore(saved)
	p.Resume()
	// repeat all: Keep plays, and again after both removed tracks were
	// skipped once; then it is stopped
	var played []string
	timeout := time.After(30 * time.Second)
	var evs []player.Event
	for len(played) < 2 {
		select {
		case e := <-p.Events():
			evs = append(evs, e)
			if e, ok := e.(player.TrackEvent); ok && !e.Seek {
				played = append(played, e.Track.Title)
			}
			if _, ok := e.(player.EndEvent); ok {
				t.Fatalf("the queue ended after %v; Keep is still in the catalog", played)
			}
		case <-timeout:
			t.Fatalf("played %v within 30 s; want Keep twice\n%v", played, evs)
		}
	}
	p.Stop()
	if strings.Join(played, ",") != "Keep,Keep" {
		t.Errorf("played %v; want Keep twice (the removed tracks skipped)", played)
	}
	for _, title := range []string{"Gone One", "Gone Two"} {
		errs := fatalOf(evs)[tr[title].ID]
		var ge *player.GoneError
		if len(errs) != 1 || !errors.As(errs[0], &ge) {
			t.Errorf("%s failed with %v; want one *player.GoneError", title, errs)
		}
	}
	if st := p.Status(); len(st.Gone) != 2 || len(st.Queue) != 3 {
		t.Errorf("queue %d tracks, %d gone; want 3 kept, 2 marked gone", len(st.Queue), len(st.Gone))
	}
}

// TestOfflineListSaysPinnedTracksRemoved: offline list after tracks were
// taken out of the origin's catalog says so: a pinned track is "removed
// from the origin's catalog" (state gone, as for a deleted playlist), and
// a pinned playlist that held one drops it saying it was removed from the
// catalog (--json "removed": its ID). Before, the track said "gone from
// the origin", as a deleted playlist does, and the playlist "1 track, was
// 2", as if someone had edited it.
func TestOfflineListSaysPinnedTracksRemoved(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	env := clientEnv(t, "http://"+o.addr)
	var pl catalog.Playlist
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Mix", tr["Gone One"].ID, tr["Keep"].ID, "--json")...), &pl)
	segueOK(t, append(env, "offline", "add", tr["Gone Two"].ID, pl.ID)...)
	o.removeFolder(t, goneDir)

	out, errOut, code := segue(t, append(env, "offline", "list")...)
	if code != ExitOK {
		t.Fatalf("offline list: exit %d: %s", code, errOut)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		for _, ref := range []string{tr["Gone Two"].ID, pl.ID} {
			if slices.Contains(strings.Fields(l), ref) { // REF, then ORIGIN, ends the line
				lines[ref] = l
			}
		}
	}
	if l := lines[tr["Gone Two"].ID]; !strings.Contains(l, "removed from the origin's catalog: offline remove it") {
		t.Errorf("the pinned track's line %q; want it removed from the origin's catalog", l)
	}
	if l := lines[pl.ID]; !strings.Contains(l, "1 track, was 2; 1 track removed from the origin's catalog") {
		t.Errorf("the pinned playlist's line %q; want its track said removed from the catalog", l)
	}

	// the playlist was followed already: pin another that held a removed
	// track to see --json say it
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Mix2", tr["Keep"].ID, "--json")...), &pl)
	o.reingest(t, goneDir)
	segueOK(t, append(env, "playlist", "add", pl.ID, tr["Gone One"].ID)...)
	segueOK(t, append(env, "offline", "add", pl.ID)...)
	o.removeFolder(t, goneDir)
	var entries []offlineEntry
	decodeJSON(t, segueOK(t, append(env, "offline", "list", "--json")...), &entries)
	for _, e := range entries {
		switch e.Ref {
		case pl.ID:
			if len(e.Removed) != 1 || e.Removed[0] != tr["Gone One"].ID || len(e.Tracks) != 1 {
				t.Errorf("Mix2 --json: removed %v, tracks %v; want Gone One removed, Keep kept", e.Removed, e.Tracks)
			}
		case tr["Gone Two"].ID:
			if e.State != "gone" {
				t.Errorf("the pinned track's state %q; want gone", e.State)
			}
		}
	}
}

// reingest ingests dir again into o's catalog (its tracks come back under
// their IDs).
func (o *testOrigin) reingest(t *testing.T, dir string) {
	t.Helper()
	if _, err := origin.Ingest(context.Background(), filepath.Dir(dir), origin.IngestOptions{DataDir: o.data, Jobs: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestMPRISDropsARemovedTitle: under MPRIS (the real playerctl on a
// private session bus), a segue play on repeat all whose tracks are all
// taken out of the catalog while the first plays does not go on showing
// that title: Metadata drops it (NoTrack) when the track is skipped, and
// play ends saying every track was removed (exit 1). Before, repeat all
// went round the removed tracks for ever, a 404 each time, and MPRIS kept
// showing the removed title as playing.
func TestMPRISDropsARemovedTitle(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	h := newCtlHost(t)
	pc := mprisHost(t, h)
	stdout, stderr := h.start("--origin", "http://"+o.addr, "play", "--output", "null", tr["Gone Two"].ID, tr["Gone One"].ID)
	testkit.Wait(t, time.Minute, "playerctl to see Gone Two playing", func() bool {
		return pc("metadata", "title") == "Gone Two" && pc("status") == "Playing"
	})
	titles := h.follow("metadata", "--format", "[{{title}}]")
	if _, errOut, code := h.ctl("repeat", "all"); code != 0 {
		t.Fatalf("ctl repeat all: exit %d: %s", code, errOut)
	}
	o.removeFolder(t, goneDir)
	testkit.Wait(t, 30*time.Second, "segue play to end", func() bool {
		return strings.Contains(stderr.String(), player.AllGone(player.DefaultSourceName))
	})
	testkit.Wait(t, 10*time.Second, "MPRIS to drop the removed title", func() bool {
		s := titles.String()
		i := strings.LastIndex(s, "[Gone Two]")
		return i >= 0 && strings.Contains(s[i:], "[]")
	})
	if n := strings.Count(stderr.String(), `"Gone Two" was removed from the origin's catalog`); n != 1 {
		t.Errorf("stderr says Gone Two removed %d times; want once:\n%s\n%s", n, stderr.String(), stdout.String())
	}
}

// TestRemovedTrackMarkedAhead: a removed track queued after the one
// playing is found by the prefetch of its manifest: marked gone at once
// (Status.Gone: the queue shows it before it comes up), said once when it
// comes up, and its manifest asked for once. Before, the prefetch's 404
// was dropped and the track asked for again when it came up.
func TestRemovedTrackMarkedAhead(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	p := gonePlayer(t, "http://"+o.addr, 0)
	o.removeFolder(t, goneDir)
	keep, gone := tr["Keep"], tr["Gone One"]
	p.Play(keep, gone)
	markedWhileKeepPlayed := false
	evs, end := untilEnd(t, p, 30*time.Second, func(e player.Event) {
		if e, ok := e.(player.PositionEvent); ok && e.TrackID == keep.ID && e.Position > 0 && p.Status().Gone[gone.ID] {
			markedWhileKeepPlayed = true
		}
	})
	if !markedWhileKeepPlayed {
		t.Error("the removed track was not marked gone while the track before it played")
	}
	errs := fatalOf(evs)[gone.ID]
	if len(errs) != 1 || !player.IsGone(errs[0]) {
		t.Errorf("the removed track failed with %v; want one GoneError", errs)
	}
	if end.Gone {
		t.Error("the end says every track was removed; Keep played")
	}
	if n := o.access.requests("/api/v1/tracks/"+gone.ID+"/manifest", 0)["/api/v1/tracks/"+gone.ID+"/manifest"]; n != 1 {
		t.Errorf("its manifest was asked %d times; want once", n)
	}
}

// playedTitles are the titles of the tracks evs started, in order.
func playedTitles(evs []player.Event) []string {
	var played []string
	for _, e := range evs {
		if e, ok := e.(player.TrackEvent); ok {
			played = append(played, e.Track.Title)
		}
	}
	return played
}

// restoredQueue is a queue as queue.json keeps it: Keep current (paused),
// then the two tracks of goneDir.
func restoredQueue(tr map[string]catalog.Track) player.SavedState {
	return player.SavedState{Tracks: []catalog.Track{tr["Keep"], tr["Gone One"], tr["Gone Two"]}, Index: 0, Volume: 100, Repeat: "off"}
}

// TestRestoredQueueMarksRemovedTracksAtStart: checkRestored, run on a
// restored queue two of whose three tracks were removed from the catalog
// since it was saved, marks those two gone before playback reaches them
// (the queue stays paused on Keep), as a prefetch would: resumed, Keep
// plays, each removed track is said once when it comes up, and its
// manifest was asked for once, by the check. With the origin stopped it
// marks none gone: unreachable is unknown, not gone. Before, a restored
// queue's removed tracks were found only as playback reached them.
func TestRestoredQueueMarksRemovedTracksAtStart(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	url := "http://" + o.addr
	o.removeFolder(t, goneDir)
	check := func(p *player.Player) restoredCheck {
		client, err := originclient.New(url, originclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := &resolver{def: client, src: client}
		return checkRestored(context.Background(), p, restoredQueue(tr).Tracks, func(ctx context.Context, id string) error {
			_, err := r.Manifest(ctx, id)
			return err
		})
	}
	t.Run("reachable", func(t *testing.T) {
		p := gonePlayer(t, url, 0)
		p.Restore(restoredQueue(tr))
		c := check(p)
		if c.Gone != 2 || c.Present != 1 || c.Unknown != 0 || c.Why != nil {
			t.Errorf("check found %+v; want 2 gone, 1 present", c)
		}
		st := p.Status()
		if !st.Gone[tr["Gone One"].ID] || !st.Gone[tr["Gone Two"].ID] || st.Gone[tr["Keep"].ID] {
			t.Errorf("Status.Gone = %v; want the two removed tracks", st.Gone)
		}
		if st.State != player.Paused || st.Index != 0 {
			t.Errorf("the check moved playback: %v at %d; want paused at Keep", st.State, st.Index)
		}
		p.Resume()
		evs, end := untilEnd(t, p, 30*time.Second, nil)
		if played := playedTitles(evs); strings.Join(played, ",") != "Keep" {
			t.Errorf("played %v; want Keep alone", played)
		}
		if end.Gone {
			t.Error("the end says every track was removed; Keep played")
		}
		for _, title := range []string{"Gone One", "Gone Two"} {
			id := tr[title].ID
			errs := fatalOf(evs)[id]
			var ge *player.GoneError
			if len(errs) != 1 || !errors.As(errs[0], &ge) || ge.Segment != -1 || ge.Track.Title != title {
				t.Errorf("%s failed with %v; want one *player.GoneError naming it", title, errs)
			}
			if n := o.access.requests("/api/v1/tracks/"+id+"/manifest", 0)["/api/v1/tracks/"+id+"/manifest"]; n != 1 {
				t.Errorf("%s's manifest was asked %d times; want once (the check's)", title, n)
			}
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		o.stop()
		p := gonePlayer(t, url, 0)
		p.Restore(restoredQueue(tr))
		c := check(p)
		if c.Gone != 0 || c.Present != 0 || c.Unknown != 3 || !errors.Is(c.Why, catalog.ErrUnreachable) {
			t.Errorf("check of a stopped origin found %+v; want 3 unknown, stopped at an unreachable origin", c)
		}
		if st := p.Status(); len(st.Gone) != 0 {
			t.Errorf("Status.Gone = %v with the origin stopped; want none", st.Gone)
		}
	})
}

// TestTUIRestoredQueueShowsRemovedTracks: the interface started on a
// queue.json whose tracks were partly removed from the catalog since shows
// them gone at once, the queue paused on its first track: the Queue screen
// marks them "(gone)" and segue ctl queue list --json says "gone". Before,
// they showed as any other track until playback reached them.
func TestTUIRestoredQueueShowsRemovedTracks(t *testing.T) {
	o, goneDir, tr := goneLibrary(t, 3)
	dir := t.TempDir()
	if err := player.SaveState(filepath.Join(dir, "state", "segue"), restoredQueue(tr)); err != nil {
		t.Fatal(err)
	}
	o.removeFolder(t, goneDir)
	s := startTUIIn(t, "http://"+o.addr, 120, 40, dir)
	ctlJSON := func(v any, args ...string) bool { // false until the interface answers
		cmd := exec.Command(segueBinary(t), append([]string{"ctl"}, args...)...)
		cmd.Env = append(os.Environ(), tuiEnv(dir)...)
		out, err := cmd.Output()
		return err == nil && json.Unmarshal(out, v) == nil
	}
	var q []ctl.QueueEntry
	testkit.Wait(t, 20*time.Second, "ctl queue list to mark the removed tracks gone", func() bool {
		return ctlJSON(&q, "queue", "list", "--json") && len(q) == 3 && q[1].Gone && q[2].Gone
	})
	if q[0].Gone || q[0].Track.ID != tr["Keep"].ID {
		t.Errorf("queue list: %+v; want Keep first, not gone", q)
	}
	var st ctl.Status
	if !ctlJSON(&st, "status", "--json") || st.State != "paused" || st.QueuePosition != 1 || st.QueueGone != 2 {
		t.Errorf("ctl status: %+v; want paused at 1 of the queue, 2 gone", st)
	}
	s.keys("Tab", "Tab") // Queue
	s.waitScreen("the Queue screen marking both removed tracks", func(scr string) bool {
		return strings.Contains(scr, "Gone One (gone)") && strings.Contains(scr, "Gone Two (gone)") && !strings.Contains(scr, "Keep (gone)")
	})
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
}
