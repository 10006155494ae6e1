package origin

import (
	"path"
	"strings"
	"testing"
)

func TestAlbumDir(t *testing.T) {
	for _, c := range []struct {
		rel, dir string
		disc     int
	}{
		{"Artist/Album/01.flac", "Artist/Album", 0},
		{"Artist/Album/CD1/01.flac", "Artist/Album", 1},
		{"Artist/Album/cd 02/01.flac", "Artist/Album", 2},
		{"Artist/Album/Disc 2/01.flac", "Artist/Album", 2},
		{"Artist/Album/Disk_3 - Bonus/01.flac", "Artist/Album", 3},
		{"Artist/Album/DISC10/01.flac", "Artist/Album", 10},
		{"CD1/01.flac", ".", 1},
		{"01.flac", ".", 0},
		{"Artist/CD Singles/01.flac", "Artist/CD Singles", 0}, // no number: an album's own folder
		{"Artist/Discovery/01.flac", "Artist/Discovery", 0},   // a word, not a disc
		{"Artist/CD1000/01.flac", "Artist/CD1000", 0},         // more than three digits
	} {
		dir, disc := albumDir(c.rel)
		if dir != c.dir || disc != c.disc {
			t.Errorf("albumDir(%q) = %q, %d; want %q, %d", c.rel, dir, disc, c.dir, c.disc)
		}
	}
}

// FuzzAlbumDir: whatever the folder names, the album folder is an ancestor
// of the (cleaned: ingest's paths come from filepath.Rel) file and the disc a number from 0 to 999.
func FuzzAlbumDir(f *testing.F) {
	f.Add("A/B/CD1/01.mp3")
	f.Add("Disc 2 - x/y.flac")
	f.Add("/\x00cd9/")
	f.Fuzz(func(t *testing.T, rel string) {
		dir, disc := albumDir(rel)
		if disc < 0 || disc > 999 {
			t.Fatalf("albumDir(%q): disc %d", rel, disc)
		}
		if dir != "." && !strings.HasPrefix(path.Clean(rel), dir) {
			t.Fatalf("albumDir(%q) = %q: not an ancestor", rel, dir)
		}
		if albumGroup(rel, "x", "y") == "" {
			t.Fatalf("empty album group for %q", rel)
		}
	})
}
