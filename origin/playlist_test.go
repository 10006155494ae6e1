package origin

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"segue/catalog"
)

func trackIDsOf(pl catalog.Playlist) []string {
	ids := []string{}
	for _, t := range pl.Tracks {
		ids = append(ids, t.ID)
	}
	return ids
}

func TestPlaylistStore(t *testing.T) { forEachEngine(t, testPlaylistStore) }

func testPlaylistStore(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	p := NewPlaylists(w.db)
	pl, err := p.Create(ctx, "alice", "  Road trip ")
	if err != nil || pl.Name != "Road trip" || pl.TrackCount != 0 {
		t.Fatalf("create: %+v %v", pl, err)
	}
	steps := []struct {
		name string
		do   func() (catalog.Playlist, error)
		want []string
	}{
		{"add", func() (catalog.Playlist, error) { return p.Add(ctx, "alice", pl.ID, []string{w.formation, w.joga}, -1) }, []string{w.formation, w.joga}},
		{"insert at 1", func() (catalog.Playlist, error) { return p.Add(ctx, "alice", pl.ID, []string{w.touch}, 1) }, []string{w.formation, w.touch, w.joga}},
		{"move 0->2", func() (catalog.Playlist, error) { return p.Move(ctx, "alice", pl.ID, 0, 2, "") }, []string{w.touch, w.joga, w.formation}},
		{"remove 1", func() (catalog.Playlist, error) { return p.Remove(ctx, "alice", pl.ID, 1, "") }, []string{w.touch, w.formation}},
		{"rename", func() (catalog.Playlist, error) { return p.Rename(ctx, "alice", pl.ID, "Drive") }, []string{w.touch, w.formation}},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || !reflect.DeepEqual(trackIDsOf(got), s.want) {
			t.Fatalf("%s: %v %v; want %v", s.name, trackIDsOf(got), err, s.want)
		}
	}
	if got, _ := p.Get(ctx, "alice", pl.ID); got.Name != "Drive" || got.DurationMS <= 0 {
		t.Fatalf("after rename: %+v", got)
	}
	// Bad requests name the problem; another owner sees nothing.
	if _, err := p.Add(ctx, "alice", pl.ID, []string{"tnope"}, -1); !errors.Is(err, ErrUnknownTrack) || !strings.Contains(err.Error(), "tnope") {
		t.Errorf("unknown track: err %v, want ErrUnknownTrack naming it", err)
	}
	for name, err := range map[string]error{
		"bad position": func() error { _, err := p.Remove(ctx, "alice", pl.ID, 9, ""); return err }(),
		"empty name":   func() error { _, err := p.Create(ctx, "alice", " "); return err }(),
		"NUL in name":  func() error { _, err := p.Create(ctx, "alice", "a\x00b"); return err }(),
		"line break":   func() error { _, err := p.Rename(ctx, "alice", pl.ID, "two\nlines"); return err }(),
	} {
		if !errors.Is(err, ErrBadPlaylist) {
			t.Errorf("%s: err %v, want ErrBadPlaylist", name, err)
		}
	}
	// Messages count positions from 1, as people do (index 9 is position 10).
	if _, err := p.Remove(ctx, "alice", pl.ID, 9, ""); err == nil || !strings.Contains(err.Error(), "position 10: positions go from 1 to 2") {
		t.Errorf("remove index 9 of 2: %v", err)
	}
	if _, err := p.Get(ctx, "bob", pl.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob read alice's playlist: %v", err)
	}
	if err := p.Delete(ctx, "bob", pl.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob deleted alice's playlist: %v", err)
	}
	if ls, _ := p.List(ctx, "bob"); len(ls) != 0 {
		t.Fatalf("bob lists %d playlists", len(ls))
	}
	if ls, _ := p.List(ctx, "alice"); len(ls) != 1 || ls[0].TrackCount != 2 {
		t.Fatalf("alice lists %+v", ls)
	}
}

func TestShareScope(t *testing.T) { forEachEngine(t, testShareScope) }

func testShareScope(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	p := NewPlaylists(w.db)
	pl, _ := p.Create(ctx, "alice", "Shared")
	if _, err := p.Add(ctx, "alice", pl.ID, []string{w.formation}, -1); err != nil {
		t.Fatal(err)
	}
	tok, err := p.Share(ctx, "alice", pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := p.Share(ctx, "alice", pl.ID); again != tok {
		t.Fatal("sharing twice made a second link")
	}
	if got, err := p.ByShare(ctx, tok); err != nil || got.ID != pl.ID {
		t.Fatalf("ByShare: %+v %v", got, err)
	}
	cases := []struct {
		kind, id string
		want     bool
	}{
		{"track", w.formation, true},
		{"chunk", w.formationM.Renditions[0].Segments[1].Hash, true},
		{"cover", w.lemonade, true},
		{"track", w.joga, false},
		{"cover", w.homogenic, false},
		{"chunk", "00" + w.formationM.Renditions[0].Segments[1].Hash[2:], false},
		{"playlists", pl.ID, false},
	}
	for _, c := range cases {
		if ok, err := p.ShareAllows(ctx, tok, c.kind, c.id); ok != c.want || err != nil {
			t.Errorf("ShareAllows(%s %s) = %v, %v; want %v", c.kind, c.id, ok, err, c.want)
		}
	}
	if err := p.Unshare(ctx, "alice", pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ByShare(ctx, tok); !errors.Is(err, ErrNoShare) {
		t.Fatalf("after unshare: %v", err)
	}
	if ok, _ := p.ShareAllows(ctx, tok, "track", w.formation); ok {
		t.Fatal("revoked link still grants a track")
	}
}

// A track gone from the catalog (its folder removed) stays in the playlist's
// rows but is not shown; the positions the store takes count only the
// tracks shown, as the listener saw them. They counted the hidden one, so
// removing the 2nd track shown removed the hidden one instead.
func TestPlaylistPositionsSkipMissingTracks(t *testing.T) {
	forEachEngine(t, testPlaylistPositionsSkipMissingTracks)
}

func testPlaylistPositionsSkipMissingTracks(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	p := NewPlaylists(w.db)
	pl, err := p.Create(ctx, "alice", "Holes")
	must(t, err)
	_, err = p.Add(ctx, "alice", pl.ID, []string{w.formation, w.joga, w.touch, w.getLucky}, -1)
	must(t, err)
	w.exec(`DELETE FROM tracks WHERE id = ?`, w.joga) // what a remove of its folder leaves
	steps := []struct {
		name string
		do   func() (catalog.Playlist, error)
		want []string
	}{
		{"shown", func() (catalog.Playlist, error) { return p.Get(ctx, "alice", pl.ID) }, []string{w.formation, w.touch, w.getLucky}},
		{"remove index 1", func() (catalog.Playlist, error) { return p.Remove(ctx, "alice", pl.ID, 1, "") }, []string{w.formation, w.getLucky}},
		{"insert at 1", func() (catalog.Playlist, error) { return p.Add(ctx, "alice", pl.ID, []string{w.hold}, 1) }, []string{w.formation, w.hold, w.getLucky}},
		{"move 2->0", func() (catalog.Playlist, error) { return p.Move(ctx, "alice", pl.ID, 2, 0, "") }, []string{w.getLucky, w.formation, w.hold}},
		{"edit removing index 2", func() (catalog.Playlist, error) {
			return p.Edit(ctx, "alice", pl.ID, PlaylistEdit{Remove: []int{2}, Add: []string{w.touch}})
		}, []string{w.getLucky, w.formation, w.touch}},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || !reflect.DeepEqual(trackIDsOf(got), s.want) {
			t.Fatalf("%s: %v %v; want %v", s.name, trackIDsOf(got), err, s.want)
		}
	}
	// The position named past the end is said in the positions shown.
	if _, err := p.Remove(ctx, "alice", pl.ID, 3, ""); err == nil || !strings.Contains(err.Error(), "position 4: positions go from 1 to 3") {
		t.Errorf("remove index 3 of 3 shown: %v, want it refused in the positions shown", err)
	}
	// The hidden track is kept, for an ingest that brings it back.
	var n int
	must(t, w.db.QueryRow(`SELECT count(*) FROM playlist_tracks WHERE playlist_id = ? AND track_id = ?`, pl.ID, w.joga).Scan(&n))
	if n != 1 {
		t.Errorf("the hidden track is in the playlist's rows %d times, want once", n)
	}
}
