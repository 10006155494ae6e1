package library

import (
	"strings"
	"testing"

	"segue/catalog"
)

// TestTrackRowNumbers: a track with no number was drawn " ·. Title", a
// number's stop after no number; it is " ·  Title", in line with " 3.
// Title" and the disc-track "1-03. Title".
func TestTrackRowNumbers(t *testing.T) {
	one := &catalog.Album{}
	two := &catalog.Album{Discs: 2}
	for _, c := range []struct {
		a    *catalog.Album
		t    catalog.Track
		want string
	}{
		{one, catalog.Track{Title: "Three", TrackNo: 3}, " 3. Three"},
		{one, catalog.Track{Title: "Twelve", TrackNo: 12}, "12. Twelve"},
		{one, catalog.Track{Title: "Untagged"}, " ·  Untagged"},
		{two, catalog.Track{Title: "Disc", TrackNo: 3, DiscNo: 1}, "1-03. Disc"},
	} {
		if got := trackRow(c.a, c.t, "", 60); !strings.HasPrefix(got, c.want+" ") {
			t.Errorf("trackRow of %+v = %q; want it to begin %q", c.t, got, c.want)
		}
	}
}
