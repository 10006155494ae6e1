package subsonic

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"segue/origin"
)

// TestUnstarWhatLeftTheCatalog: a song, album and artist the user starred
// and that a remove took out of the catalog can still be unstarred (an
// app unstars what it shows from its own copy), and the stars go; an ID
// that is neither starred nor in the catalog is still code 70. unstar
// answered 70 for them, and the stars stayed for good, to come back with
// the tracks.
func TestUnstarWhatLeftTheCatalog(t *testing.T) {
	f := newFixture(t)
	song, album := f.tracks["Moonlight Highway"], f.albums["Night Drive"]
	them := url.Values{"id": {song.ID}, "albumId": {album.ID}, "artistId": {album.ArtistID}}
	mustOK(t, "star", f.jsonCall(t, "star", them))
	lib := filepath.Join(filepath.Dir(ingestedTemplate(t)), "lib")
	if _, err := origin.RemoveFolder(context.Background(), filepath.Join(lib, "Beta Band"), origin.IngestOptions{DataDir: f.data}); err != nil {
		t.Fatal(err)
	}
	if r := f.jsonCall(t, "getSong", url.Values{"id": {song.ID}}); r.Error == nil || r.Error.Code != CodeNotFound {
		t.Fatalf("getSong of the removed song: %+v, want 70", r.Error)
	}
	mustOK(t, "unstar of the removed song, album and artist", f.jsonCall(t, "unstar", them))
	var n int
	if err := f.srv.Catalog().QueryRow(`SELECT count(*) FROM stars WHERE owner = ?`, f.aliceID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after unstar, alice has %d stars left, want 0", n)
	}
	if r := f.jsonCall(t, "unstar", url.Values{"id": {song.ID}}); r.Error == nil || r.Error.Code != CodeNotFound {
		t.Errorf("unstar again of the removed song: %+v, want 70", r.Error)
	}
	if r := f.jsonCall(t, "unstar", url.Values{"id": {"tnothing"}}); r.Error == nil || r.Error.Code != CodeNotFound {
		t.Errorf("unstar of an unknown song: %+v, want 70", r.Error)
	}
}
