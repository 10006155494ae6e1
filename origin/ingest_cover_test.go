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
// album would take it), are not. A cover.jpg far larger than any cover (a
// film or disk image saved under that name) was read whole into memory
// and stored as the album's cover; now it is passed over, saying so.
func TestIngestSaysWhichFolderCoversItCannotUse(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	for _, dir := range []string{"Text", "Gif", "Empty", "Good", "Huge"} {
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
	huge := filepath.Join(lib, "Huge/cover.jpg") // a JPEG's first bytes, then 100 MiB (sparse)
	must(t, os.WriteFile(huge, []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), 0o644))
	must(t, os.Truncate(huge, maxCoverBytes+100<<20))

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
			"Huge/cover.jpg":  "larger than 32 MiB, which no cover is, so no album cover is taken from it: put a smaller JPEG or PNG image there",
		} {
			if got[path] != want {
				t.Errorf("ingest %d: %s skipped as %q, want %q", run, path, got[path], want)
			}
		}
		if len(sum.Skipped) != 4 {
			t.Errorf("ingest %d skipped %+v; want only the four covers no album can take", run, sum.Skipped)
		}
	}
	db := openTestCatalog(t, data)
	covered := tableColumn(t, db, `SELECT title FROM albums WHERE cover_hash IS NOT NULL`)
	if !slices.Equal(covered, []string{"Good"}) {
		t.Errorf("albums with a cover: %q, want only Good", strings.Join(covered, ", "))
	}
}
