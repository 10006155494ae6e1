package origin

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestIngestSaysWhichFolderCoversItCannotUse: a cover.jpg that is not an
// image (a text file, a download that was an error page), a GIF under a
// folder cover's name, or an empty one was passed over in silence, the
// album left without a cover and the report saying nothing, while other
// files ingest cannot use are listed as skipped with why. Now each is
// listed so; a good cover, and a bad one in a folder without audio (no
// album would take it), are not.
func TestIngestSaysWhichFolderCoversItCannotUse(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	for _, dir := range []string{"Text", "Gif", "Empty", "Good"} {
		writeSource(t, lib, source{name: dir + "/01.mp3", root: 220, seconds: 2,
			tags: map[string]string{"title": dir, "artist": "Covers", "album": dir}})
	}
	var good bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	must(t, png.Encode(&good, img))
	for name, b := range map[string][]byte{
		"Text/cover.jpg":   []byte("<html>404 Not Found</html>\n"),
		"Gif/Folder.JPG":   []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"Empty/cover.png":  nil,
		"Good/cover.png":   good.Bytes(),
		"Photos/cover.jpg": []byte("no audio here"),
	} {
		must(t, os.MkdirAll(filepath.Join(lib, filepath.Dir(name)), 0o755))
		must(t, os.WriteFile(filepath.Join(lib, name), b, 0o644))
	}

	for run := 1; run <= 2; run++ { // said again while the file is so
		sum := ingest(t, lib, data)
		got := map[string]string{}
		for _, s := range sum.Skipped {
			got[s.Path] = s.Reason
		}
		for path, want := range map[string]string{
			"Text/cover.jpg":  "not an image (its bytes read as text/html), so no album cover is taken from it: put a JPEG or PNG image there",
			"Gif/Folder.JPG":  "a GIF image, and album covers are JPEG or PNG: convert it to one of them",
			"Empty/cover.png": "empty file (0 bytes), so no album cover is taken from it: put a JPEG or PNG image there",
		} {
			if got[path] != want {
				t.Errorf("ingest %d: %s skipped as %q, want %q", run, path, got[path], want)
			}
		}
		if len(sum.Skipped) != 3 {
			t.Errorf("ingest %d skipped %+v; want only the three covers no album can take", run, sum.Skipped)
		}
	}
	db := openTestCatalog(t, data)
	covered := tableColumn(t, db, `SELECT title FROM albums WHERE cover_hash IS NOT NULL`)
	if !slices.Equal(covered, []string{"Good"}) {
		t.Errorf("albums with a cover: %q, want only Good", strings.Join(covered, ", "))
	}
}
