package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
	"segue/net/originclient"
)

// TestCoverArtKeepsOnlyTheCurrent: the cover file handed out as
// mpris:artUrl is the current track's only. A track of an album without a
// cover left the cover of the album before in the runtime directory until
// segue quit.
func TestCoverArtKeepsOnlyTheCurrent(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	for _, album := range []string{"Covered", "Bare"} {
		dir := filepath.Join(lib, album)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		makeTone(t, filepath.Join(dir, "01.flac"), 1, "title="+album+" Song", "artist=Art Band", "album="+album)
	}
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=64x64:d=1",
		"-frames:v", "1", filepath.Join(lib, "Covered", "cover.jpg")).CombinedOutput(); err != nil {
		t.Fatalf("make cover: %v\n%s", err, out)
	}
	o := serveLibrary(t, lib, t.TempDir())
	c, err := originclient.New("http://"+o.addr, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	track := map[string]catalog.Track{}
	for _, album := range []string{"Covered", "Bare"} {
		res, err := c.Search(ctx, album, 1)
		if err != nil || len(res.Tracks) != 1 {
			t.Fatalf("search %s: %v, %+v", album, err, res.Tracks)
		}
		track[album] = res.Tracks[0]
	}
	dir := t.TempDir()
	art := &coverArt{src: c, dir: dir}
	covers := func() []string {
		names, _ := filepath.Glob(filepath.Join(dir, "segue-cover-*"))
		return names
	}
	u := art.url(ctx, track["Covered"])
	if got := covers(); !strings.HasPrefix(u, "file://") || len(got) != 1 || "file://"+got[0] != u {
		t.Fatalf("cover of a covered album: %q, files %v; want one file, the URL's", u, got)
	}
	if u := art.url(ctx, track["Bare"]); u != "" || len(covers()) != 0 {
		t.Errorf("cover of an album without one: %q, files %v; want none, and the one before removed", u, covers())
	}
	art.url(ctx, track["Covered"])
	art.remove()
	if got := covers(); len(got) != 0 {
		t.Errorf("after remove: %v; want no cover file", got)
	}
}
