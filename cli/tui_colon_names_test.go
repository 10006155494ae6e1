package cli

import (
	"context"
	"testing"

	"segue/catalog"
	"segue/net/originclient"
)

// TestTUIFailureNamesWithColons: a failure named what it was about by
// its step ("remove Part I: Dawn in playlist Work: Focus: ..."), which
// the status line cuts at ": ", so a title with a colon in it was cut
// there: "could not remove Part I: the origin is unreachable". Names are
// quoted now, and the line says the whole name.
func TestTUIFailureNamesWithColons(t *testing.T) {
	url, stop := serveAlbum(t, "Live: Band", "Live: At Home", []tuiTrack{
		{"01.flac", "Part I: Dawn", "sine=frequency=440:duration=3:sample_rate=44100"},
	})
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=dawn&limit=5", &res)
	if len(res.Tracks) != 1 {
		t.Fatalf("search dawn: %+v", res)
	}
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePlaylist(context.Background(), "Work: Focus", []string{res.Tracks[0].ID}); err != nil {
		t.Fatal(err)
	}
	_, d := runTUIIn(t, url, 120)
	d.wait("type to search")
	d.press("\t", "\t", "\t", "\t")
	d.wait("Work: Focus")
	d.press("\r")
	d.wait(`1\. Part I: Dawn`)
	stop()

	d.press("d")
	d.wait(`could not remove “Part I: Dawn” from playlist “Work: Focus”: the origin is unreachable`)
	d.press("r")
	d.wait("Rename “Work: Focus” to:")
	d.press("!", "\r")
	d.wait(`could not rename playlist “Work: Focus”: the origin is unreachable`)
	d.press("S")
	d.wait(`could not share playlist “Work: Focus”: the origin is unreachable`)

	d.press("\t", "\t") // Library: its artists were listed at start
	d.wait("Live: Band")
	d.press("\r")
	d.wait(`could not open artist “Live: Band”: it is not available offline`)
}

// TestTUIAddAlbumNamedWithAColon: s on an album whose title has a colon,
// to a playlist deleted meanwhile, said "could not add 2 tracks from
// Live: it is not on the origin", the album's title cut at its colon. It
// says the playlist is gone now (TestTUIPickerPlaylistGone), the album
// whole and quoted.
func TestTUIAddAlbumNamedWithAColon(t *testing.T) {
	url, _ := serveAlbum(t, "Live: Band", "Live: At Home", []tuiTrack{
		{"01.flac", "One", "sine=frequency=440:duration=2:sample_rate=44100"},
		{"02.flac", "Two", "sine=frequency=330:duration=2:sample_rate=44100"},
	})
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := c.CreatePlaylist(context.Background(), "Work: Focus", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, d := runTUIIn(t, url, 120)
	d.wait("type to search")
	d.press("/")
	d.paste("home")
	d.wait(`2 tracks · 1 album · 0 artists`) // its tracks, by their album
	d.press("\r", "j", "j", "s")             // One, Two, the album
	d.wait("› Work: Focus")
	if err := c.DeletePlaylist(context.Background(), pl.ID); err != nil {
		t.Fatal(err)
	}
	d.press("\r")
	d.wait(`playlist “Work: Focus” is gone from the origin \(deleted elsewhere\): 2 tracks from “Live: At Home” were not added`)
}
