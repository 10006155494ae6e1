package cli

import (
	"os"
	"os/exec"
	"testing"

	"segue/catalog"
)

// TestTUIPickerPlaylistGone: the picker lists Mix and Keep; Mix is deleted
// elsewhere (segue playlist delete) before enter adds Aurora Test to it.
// The line says the playlist is gone and nothing was added, and the picker
// opens again listing Keep alone, so enter there adds to Keep. The line said
// "could not add “Aurora Test” to playlist “Mix”: it is not on the origin",
// as if the track were missing, and the picker closed.
func TestTUIPickerPlaylistGone(t *testing.T) {
	url := tuiOrigin(t)
	_, d := runTUIIn(t, url, 120)
	d.newMix()
	d.press("N")
	d.wait("New playlist name:")
	d.paste("Keep")
	d.press("\r")
	d.wait("created playlist “Keep”")
	pls := listPlaylists(t, url)
	mix := ""
	for _, pl := range pls {
		if pl.Name == "Mix" {
			mix = pl.ID
		}
	}
	if mix == "" {
		t.Fatalf("the origin lists no Mix: %+v", pls)
	}

	d.press("\t", "/")
	d.paste("aurora")
	d.wait(`1 track · 0 albums · 0 artists`)
	d.press("\r", "s")
	first := d.wait(`› (Mix|Keep)`)[1] // the first playlist row is selected
	del := exec.Command(segueBinary(t), "--origin", url, "playlist", "delete", mix)
	del.Env = append(os.Environ(), tuiEnv(t.TempDir())...)
	if out, err := del.CombinedOutput(); err != nil {
		t.Fatalf("segue playlist delete %s: %v\n%s", mix, err, out)
	}
	if first == "Keep" { // Mix is the row below
		d.press("j")
		d.wait("› Mix")
	}
	d.press("\r")
	// the picker again (drawn before the status line), on Keep, its first
	// row: with Mix still listed, Mix would be first or below Keep (j)
	d.wait(`Add “Aurora Test” to playlist[\s\S]*› Keep`)
	d.wait(`playlist “Mix” is gone from the origin \(deleted elsewhere\): “Aurora Test” was not added; pick another`)
	d.press("j", "\r")
	d.wait("added “Aurora Test” to “Keep”")
	var keep catalog.Playlist
	for _, pl := range listPlaylists(t, url) {
		if pl.Name == "Keep" {
			keep = pl
		}
	}
	if keep.TrackCount != 1 {
		t.Errorf("Keep holds %d tracks after the add, want 1", keep.TrackCount)
	}
}

// listPlaylists is the origin's playlists.
func listPlaylists(t *testing.T, url string) []catalog.Playlist {
	t.Helper()
	var pls []catalog.Playlist
	getJSON(t, url+"/api/v1/playlists", &pls)
	return pls
}
