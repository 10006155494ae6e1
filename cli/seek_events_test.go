package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/ctl"
	"segue/internal/testkit"
)

// A seek reopens the current track's stream, and the player reported that
// as the track starting again: segue play --json printed "track-changed"
// for the same track and counted it in finished's "played", segue ctl
// watch printed a "track" event, and the plays sent to the origin split
// the track at each seek into a skip and another play (which radio counts
// against it). Now a seek is the same play going on.
func TestSeekIsNotANewTrack(t *testing.T) {
	o, tracks := ctlLibrary(t)
	url := "http://" + o.addr
	h := newCtlHost(t)
	playOut, playErr := h.start("--origin", url, "play", "--json", "--output", "null", tracks[0].ID, tracks[1].ID)
	defer func() {
		if t.Failed() {
			t.Logf("play's output:\n%s%s", playOut, playErr)
		}
	}()
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	testkit.Wait(t, time.Minute, "play to pass 1 s", func() bool { return h.status().PositionMS >= 1000 })
	watchOut, _ := h.start("ctl", "watch", "--json")
	testkit.Wait(t, time.Minute, "watch to start", func() bool { return strings.Contains(watchOut.String(), `"event":"track"`) })

	h.ok("seek", "20")
	testkit.Wait(t, time.Minute, "play to pass 21 s", func() bool { return h.status().PositionMS >= 21000 })
	h.ok("seek", "-10")
	testkit.Wait(t, time.Minute, "play to pass 12 s after seeking back", func() bool {
		st := h.status()
		return st.PositionMS >= 12000 && st.PositionMS < 20000
	})
	h.ok("next")
	testkit.Wait(t, time.Minute, "track 2 to play a second", func() bool {
		st := h.status()
		return st.Track != nil && st.Track.ID == tracks[1].ID && st.PositionMS >= 1000
	})
	h.ok("next") // the queue ends: segue play finishes
	testkit.Wait(t, time.Minute, "play's finished line", func() bool { return strings.Contains(playOut.String(), `"event":"finished"`) })

	var kinds []string
	var played int
	for _, line := range strings.Split(strings.TrimSpace(playOut.String()), "\n") {
		var ev struct {
			Event  string
			Played int
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("play --json line %q: %v", line, err)
		}
		if ev.Event == "started" || ev.Event == "track-changed" {
			kinds = append(kinds, ev.Event)
		}
		if ev.Event == "finished" {
			played = ev.Played
		}
	}
	if strings.Join(kinds, ",") != "started,track-changed" || played != 2 {
		t.Errorf("play --json over two tracks with two seeks: %v, finished played %d; want started,track-changed and 2", kinds, played)
	}
	if n := strings.Count(watchOut.String(), `"event":"track"`); n != 2 {
		t.Errorf("ctl watch printed %d track events over two tracks with two seeks, want 2:\n%s", n, watchOut)
	}

	// One play per track reaches the origin; the first was skipped at
	// about 12 s, with about 1 + 1 + 1 s heard (the jumps not counted; positions come each
	// quarter second, so each stretch may show up to half a second less).
	var plays []catalog.PlayEvent
	testkit.Wait(t, time.Minute, "two plays at the origin", func() bool {
		plays = nil
		for _, line := range strings.Split(strings.TrimSpace(exportedPlays(t, o.data)), "\n") {
			var ev catalog.PlayEvent
			if json.Unmarshal([]byte(line), &ev) == nil {
				plays = append(plays, ev)
			}
		}
		return len(plays) >= 2
	})
	if len(plays) != 2 || plays[0].TrackID != tracks[0].ID || plays[1].TrackID != tracks[1].ID {
		t.Fatalf("plays at the origin: %+v; want one of each track", plays)
	}
	if p := plays[0]; p.Completed || p.PositionMS < 11500 || p.PositionMS > 20000 || p.PlayedMS < 1500 || p.PlayedMS > 10000 {
		t.Errorf("the seeked track's play: %+v; want skipped at 11.5-20 s with 1.5-10 s heard", p)
	}
}

// segue play --shuffle shuffled the list it queued and left the queue's
// shuffle mode off: segue ctl status and MPRIS said shuffle off, and
// segue ctl shuffle off (z in the interface) had no order to go back to.
// Now it is the mode: a random track first, the rest shuffled, and shuffle
// off puts them back in the order given.
func TestPlayShuffleIsTheShuffleMode(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--shuffle", "--output", "null", tracks[0].ID, tracks[1].ID, tracks[2].ID)
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	st := h.status()
	if !st.Shuffle || st.QueueLength != 3 || st.Track == nil {
		t.Fatalf("play --shuffle: ctl status says shuffle %v, %d queued, track %v; want shuffle on, 3", st.Shuffle, st.QueueLength, st.Track)
	}
	h.ok("shuffle", "off")
	var q []ctl.QueueEntry
	if err := json.Unmarshal([]byte(h.ok("queue", "list", "--json")), &q); err != nil || len(q) != 3 {
		t.Fatalf("queue list --json: %v, %d entries", err, len(q))
	}
	want := []string{st.Track.ID}
	for _, tr := range tracks {
		if tr.ID != st.Track.ID {
			want = append(want, tr.ID)
		}
	}
	for i, e := range q {
		if e.Track.ID != want[i] {
			t.Errorf("after shuffle off, position %d is %s, want %s (the playing track, then the rest in the order given)", i+1, e.Track.ID, want[i])
		}
	}
}
