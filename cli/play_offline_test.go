package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
)

// TestPinnedAlbumPlaysOffline is issue 11's acceptance 1 and issue 12's
// acceptance 5: an album pinned at the default rendition (normal) plays
// with the origin stopped at quality auto, every sample, from the cache in
// the pinned rendition, exit 0 (before, the player asked for high and
// retried forever). Where only one track is pinned, the other fails "not
// available offline", the pinned one still plays and the run exits 1.
func TestPinnedAlbumPlaysOffline(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\nstate_dir = " + strconvQuote(filepath.Join(dir, "state")) + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	var album catalog.Album
	getJSON(t, url+"/api/v1/albums/"+res.Albums[0].ID, &album)
	var want, first int64
	for i, tr := range album.Tracks {
		var m catalog.Manifest
		getJSON(t, url+"/api/v1/tracks/"+tr.ID+"/manifest", &m)
		want += m.TotalSamples
		if i == 0 {
			first = m.TotalSamples
		}
	}
	whole := []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "whole.db")}
	one := []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "one.db")}
	segueOK(t, append(whole, "offline", "add", album.ID)...)
	segueOK(t, append(one, "library", album.ID, "--json")...) // the album's document, for resolving it offline
	segueOK(t, append(one, "offline", "add", album.Tracks[0].ID)...)
	o.stop()

	wav := filepath.Join(dir, "album.wav")
	out, errOut, code := segue(t, append(whole, "play", album.ID, "--quality", "auto", "--json", "--output", "wav:"+wav, "--fast")...)
	if code != 0 {
		t.Fatalf("pinned album, origin down: exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	if got := wavFrames(t, wav); got != want {
		t.Errorf("pinned album, origin down: %d samples, want every one (%d)", got, want)
	}
	var segments int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e playEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		switch e.Event {
		case "segment":
			segments++
			if e.Source != "cache" || e.Rendition != catalog.RenditionNormal {
				t.Errorf("segment event %s: want source cache, rendition normal (the pinned one)", sc.Text())
			}
		case "finished":
			if e.Failed == nil || *e.Failed != 0 || e.Stalls == nil || e.MeanKbps == nil || *e.MeanKbps != 160 {
				t.Errorf("finished %s: want no failure, the stall count and a mean of 160 kbit/s", sc.Text())
			}
		}
	}
	if segments == 0 {
		t.Error("no segment events")
	}

	wav = filepath.Join(dir, "one.wav")
	_, errOut, code = segue(t, append(one, "play", album.ID, "--output", "wav:"+wav, "--fast")...)
	if code != ExitError || !strings.Contains(errOut, "not available offline") {
		t.Errorf("one track pinned, origin down: exit %d, stderr %q; want %d and \"not available offline\"", code, errOut, ExitError)
	}
	if got := wavFrames(t, wav); got != first {
		t.Errorf("one track pinned, origin down: %d samples, want the pinned track's %d", got, first)
	}
}
