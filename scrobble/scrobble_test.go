package scrobble

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/origin"
	"segue/player"
)

func TestRecorderCompletedSkippedAndSeek(t *testing.T) {
	track := func(id string) player.TrackEvent {
		return player.TrackEvent{Track: catalog.Track{ID: id}, Duration: 10 * time.Second}
	}
	pos := func(id string, s float64) player.PositionEvent {
		return player.PositionEvent{TrackID: id, Position: time.Duration(s * float64(time.Second)), Duration: 10 * time.Second}
	}
	var got []catalog.PlayEvent
	clock := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	r := NewRecorder(func(ev catalog.PlayEvent) { got = append(got, ev) }, func() time.Time { return clock })
	for _, ev := range []player.Event{
		track("a"), pos("a", 0.25), pos("a", 1.5), pos("a", 6), pos("a", 7.5), pos("a", 9), // the seek to 6 s not heard
		track("b"), pos("b", 0.25), pos("b", 1.5), pos("b", 3), // skipped at 3 s
		track("c"), // nothing heard: not recorded
		track("d"), pos("d", 0.5), player.EndEvent{},
		track("e"), pos("e", 1), // still playing at Close
	} {
		r.Observe(ev)
	}
	r.Close()
	want := []struct {
		track     string
		played    int64
		completed bool
		position  int64
	}{{"a", 4500, true, 0}, {"b", 3000, false, 3000}, {"d", 500, false, 500}, {"e", 1000, false, 1000}}
	if len(got) != len(want) {
		t.Fatalf("recorded %d plays, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.TrackID != w.track || g.PlayedMS != w.played || g.Completed != w.completed || g.PositionMS != w.position {
			t.Errorf("play %d = %s %d ms completed=%v at %d, want %+v", i, g.TrackID, g.PlayedMS, g.Completed, g.PositionMS, w)
		}
		if g.Session != got[0].Session || g.ID == "" || !g.At.Equal(clock) || g.Validate() != nil {
			t.Errorf("play %d: session %q id %q at %v: want one session, an ID, the clock's time", i, g.Session, g.ID, g.At)
		}
	}
}

// TestOfflinePlaysDeliveredOnceAfterReconnect records plays while no origin
// listens, then starts one at that address: every play arrives, once.
func TestOfflinePlaysDeliveredOnceAfterReconnect(t *testing.T) {
	offline := testkit.Hold(t) // nobody listens yet: the origin is "offline"
	client, err := originclient.New("http://"+offline.Addr, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	spool := OpenSpool(state)
	s := NewSender(Options{Spool: spool, Poster: client, Interval: 20 * time.Millisecond, Batch: 3})
	const plays = 7
	at := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	for i := range plays {
		s.Record(context.Background(), catalog.PlayEvent{ID: "ev" + string(rune('a'+i)), TrackID: "t", PlayedMS: 1000, Completed: true, At: at.Add(time.Duration(i) * time.Minute)})
	}
	if evs, _ := spool.Pending(100); len(evs) != plays {
		t.Fatalf("spooled %d plays while offline, want %d", len(evs), plays)
	}
	// A torn last line from a crash is skipped, not fatal.
	f, _ := os.OpenFile(filepath.Join(state, SpoolFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"torn","track_`)
	f.Close()

	data := t.TempDir()
	srv, err := origin.New(origin.ServerOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	ln := offline.Listen() // the same socket: no moment with the port free
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done; srv.Close() }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		evs, _ := spool.Pending(100)
		if len(evs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d plays still spooled after the origin came back", len(evs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// One more delivered twice (the answer lost) must not count twice.
	if err := client.PostEvents(t.Context(), []catalog.PlayEvent{{ID: "eva", TrackID: "t", PlayedMS: 1000, Completed: true, At: at}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out bytes.Buffer
	n, err := origin.NewEvents(db).Export(t.Context(), &out, "")
	if err != nil || n != plays {
		t.Fatalf("origin holds %d events (err %v), want %d:\n%s", n, err, plays, out.String())
	}
	if strings.Count(out.String(), `"listener":"local"`) != plays {
		t.Fatalf("events not stored for the open origin's owner local:\n%s", out.String())
	}
}

func FuzzSpool(f *testing.F) {
	f.Add(`{"id":"a","track_id":"t","played_ms":1,"completed":true,"at":"2026-11-30T17:00:00Z"}` + "\n" + `{"id":`)
	f.Fuzz(func(t *testing.T, text string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, SpoolFile), []byte(text), 0o600)
		s := OpenSpool(dir)
		evs, err := s.Pending(1000)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(context.Background(), len(evs)); err != nil {
			t.Fatal(err)
		}
		if rest, _ := s.Pending(1000); len(rest) != 0 && len(evs) < 1000 {
			t.Fatalf("%d events left after removing all %d", len(rest), len(evs))
		}
	})
}

// A seek to a track's end (segue ctl seek 99:00, a media key's seek) moves
// on to the next track: it is a skip, and it was recorded as the track
// heard to its end, which radio counts for the track instead of against.
// A seek near the end and listening on to it is still heard to the end.
func TestRecorderSeekToTheEndIsASkip(t *testing.T) {
	const d = 10 * time.Second
	pos := func(id string, s float64, seek bool) player.PositionEvent {
		return player.PositionEvent{TrackID: id, Position: time.Duration(s * float64(time.Second)), Duration: d, Seek: seek}
	}
	var got []catalog.PlayEvent
	r := NewRecorder(func(ev catalog.PlayEvent) { got = append(got, ev) }, nil)
	for _, ev := range []player.Event{
		player.TrackEvent{Track: catalog.Track{ID: "a"}, Duration: d}, pos("a", 0.5, false), pos("a", 2, false), pos("a", 10, true), pos("a", 10, false),
		player.TrackEvent{Track: catalog.Track{ID: "b"}, Duration: d}, pos("b", 0.5, false), pos("b", 8.5, true), pos("b", 9.5, false), pos("b", 10, false),
		player.EndEvent{},
	} {
		r.Observe(ev)
	}
	if len(got) != 2 || got[0].Completed || got[0].PositionMS != 10000 || got[0].PlayedMS != 2000 || !got[1].Completed {
		t.Fatalf("plays %+v; want a skipped at 10000 ms with 2000 ms heard, b completed", got)
	}
}

// TestSpoolSharedByTwoProcesses: two segues on one state dir (the
// interface and a segue play) append to and deliver from one spool; each
// play is delivered. Spool's mutex orders one process only: a delivery's
// rewrite dropped the plays the other appended after its read. Two Spool
// values stand for the two processes (their mutexes never meet).
func TestSpoolSharedByTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	player, sender := OpenSpool(dir), OpenSpool(dir)
	const n = 400
	at := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := player.Append(context.Background(), catalog.PlayEvent{ID: fmt.Sprint("ev", i), TrackID: "t", PlayedMS: 1000, At: at}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	delivered := map[string]bool{}
	appending := true
	for {
		evs, err := sender.Pending(7)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			delivered[ev.ID] = true
		}
		if err := sender.Remove(context.Background(), len(evs)); err != nil {
			t.Fatal(err)
		}
		if !appending && len(evs) == 0 {
			break
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			appending = false
		default:
		}
	}
	if len(delivered) != n {
		t.Errorf("delivered %d of %d plays appended while delivering", len(delivered), n)
	}
}
