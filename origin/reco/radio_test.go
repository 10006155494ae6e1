package reco

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"segue/catalog"
)

// fixedCatalog: artist A has albums A1 (5 tracks) and A2 (3), B one album
// of 4, C one of 4; track c4 is the same recording as b1 (fingerprint).
func fixedCatalog() []Track {
	var ts []Track
	add := func(artist, album string, n int, prefix string) {
		for i := 1; i <= n; i++ {
			ts = append(ts, Track{ID: fmt.Sprintf("%s%d", prefix, i), Artist: artist, Album: album, Disc: 1, No: i, Fingerprint: "fp-" + prefix + fmt.Sprint(i)})
		}
	}
	add("A", "A1", 5, "a")
	add("A", "A2", 3, "x")
	add("B", "B1", 4, "b")
	add("C", "C1", 4, "c")
	ts[len(ts)-1].Fingerprint = "fp-b1" // c4 duplicates b1
	return ts
}

// fixedPlays: sessions in which a1 is followed by a2..a5, x1..x3, then b1,
// b2 (so A's tracks score highest after a1), and c1 always skipped.
func fixedPlays() []catalog.PlayEvent {
	var evs []catalog.PlayEvent
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for s := range 6 {
		for _, id := range []string{"a1", "a2", "a3", "a4", "a5", "x1", "x2", "x3", "b1", "b2", "c1", "c2"} {
			ev := catalog.PlayEvent{ID: fmt.Sprint(len(evs)), Listener: "l", TrackID: id, PlayedMS: 180_000, Completed: true, At: at, Session: fmt.Sprint(s)}
			if id == "c1" {
				ev.Completed, ev.PlayedMS = false, 3000
			}
			evs = append(evs, ev)
			at = at.Add(3 * time.Minute)
		}
	}
	return evs
}

func ids(ss []Scored) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestRadioRules(t *testing.T) {
	m := Build(fixedCatalog(), fixedPlays(), Options{})
	got := ids(m.Radio([]string{"a1"}, []string{"b2"}, Rules{Limit: 10}))
	// A's tracks score highest after a1, but at most 2 of A in any 10:
	// a2 and a3 (the neighbours closest in the sessions), then others.
	want := []string{"a2", "a3"}
	if !slices.Equal(got[:2], want) {
		t.Fatalf("radio after a1 starts %v, want %v (whole list %v)", got[:2], want, got)
	}
	for i := range got {
		win := got[max(0, i-9) : i+1]
		n := 0
		for _, id := range win {
			if id[0] == 'a' || id[0] == 'x' {
				n++
			}
		}
		if n > 2 {
			t.Fatalf("%d tracks of artist A in a run of 10: %v", n, got)
		}
	}
	if slices.Contains(got, "a1") || slices.Contains(got, "b2") {
		t.Fatalf("radio %v holds the seed a1 or the recently played b2", got)
	}
	if slices.Contains(got, "b1") && slices.Contains(got, "c4") {
		t.Fatalf("radio %v holds b1 and c4, one recording", got)
	}
	// Skips count against: c1 (always skipped) scores below c2.
	sc := m.Scores([]string{"b2"})
	if c1, c2 := sc[m.index["c1"]], sc[m.index["c2"]]; c1 >= c2 {
		t.Fatalf("after b2: skipped c1 scores %.3f, played c2 %.3f; want c1 lower", c1, c2)
	}
	if len(m.Neighbours("a1", 100)) == 0 || len(m.Neighbours("a1", 3)) != 3 {
		t.Fatalf("a1's neighbours: %v", m.Neighbours("a1", 100))
	}
}

// TestColdStartFollowsAlbumAndFeatures: with no plays at all, the next
// track of the album comes first, then audio features decide.
func TestColdStartFollowsAlbumAndFeatures(t *testing.T) {
	ts := fixedCatalog()
	for i := range ts {
		ts[i].Features = []float64{100, 0.1}
	}
	ts[12].Features = []float64{100.5, 0.11} // c1 sounds like b1
	ts[13].Features = []float64{180, 0.9}
	for i := 8; i < 12; i++ {
		ts[i].Features = []float64{99, 0.1}
	}
	m := Build(ts, nil, Options{})
	got := ids(m.Radio([]string{"b1"}, nil, Rules{Limit: 3}))
	if got[0] != "b2" {
		t.Fatalf("cold start after b1: %v, want b2 (the album's next track) first", got)
	}
	// C's two places in the run go to c1 and c3, which sound like b1, not
	// to c2, which does not.
	if got := ids(m.Radio([]string{"b1"}, nil, Rules{Limit: 16})); !slices.Contains(got, "c1") || slices.Contains(got, "c2") {
		t.Fatalf("cold start after b1: %v; want c1 (near in features) and not c2 (far)", got)
	}
}

// TestUnknownArtistIsNoOne: tracks whose artist and album are not known
// ("": files without tags) are no one artist's share of a radio (it held
// 2 of them) and no likeness of each other: they are ranked by sound.
func TestUnknownArtistIsNoOne(t *testing.T) {
	var ts []Track
	for i := range 8 {
		ts = append(ts, Track{ID: fmt.Sprintf("u%d", i), Features: []float64{float64(100 + 10*i), 0.1}})
	}
	m := Build(ts, nil, Options{})
	got := ids(m.Radio([]string{"u0"}, nil, Rules{Limit: 20}))
	if want := []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"}; !slices.Equal(got, want) {
		t.Fatalf("radio after u0 of 8 tracks by no known artist: %v, want %v (nearest in sound first)", got, want)
	}
}
