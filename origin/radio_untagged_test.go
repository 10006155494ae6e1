package origin

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"segue/catalog"
)

// TestRadioOfUntaggedFiles: a library of files without tags (ffmpeg's
// tones, in two folders) is filed under one Unknown Artist and one Unknown
// Album. A radio of 20 after one of its 6 tracks answered 2: the rule of
// 2 tracks of an artist in any 10 took the Unknown Artist for an artist,
// and the cold start took the shared Unknown Album and artist for a
// likeness. Tags a file does not have now count for nothing: the radio
// holds the 5 other tracks, ranked by how they sound.
func TestRadioOfUntaggedFiles(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	for i := range 6 {
		writeSource(t, lib, source{name: fmt.Sprintf("%c/tone %d.flac", 'a'+i%2, i), root: 180 + 60*float64(i), seconds: 4})
	}
	ingest(t, lib, data)
	r := startServer(t, ServerOptions{DataDir: data}, "127.0.0.1:0")
	var res catalog.SearchResult
	getJSON(t, r.base+"/api/v1/search?q=tone&limit=10", http.StatusOK, &res)
	if len(res.Tracks) != 6 || slices.ContainsFunc(res.Tracks, func(tr catalog.Track) bool {
		return tr.Artist != "Unknown Artist" || tr.AlbumID != res.Tracks[0].AlbumID
	}) {
		t.Fatalf("search for tone: %+v; want 6 tracks by Unknown Artist on one album", res.Tracks)
	}
	seed := res.Tracks[0].ID
	var got []catalog.Track
	getJSON(t, r.base+"/api/v1/radio?seed="+seed+"&limit=20", http.StatusOK, &got)
	ids := radioIDs(got)
	slices.Sort(ids)
	if len(slices.Compact(ids)) != 5 || slices.Contains(ids, seed) {
		t.Fatalf("radio after %s of 6 untagged tracks = %v; want the 5 others, once each", seed, radioIDs(got))
	}
}
