package origin

import (
	"slices"
	"testing"

	"segue/catalog"
)

// A page of k results is the first k of any longer page, for each kind:
// the ranking is one total order applied before the cut. On the demo
// library "aurora" with limit 1 answered Terminus (the shorter title)
// while limit 3 and 20 listed Platform Lights first (the album's order,
// applied only to the page kept). On a catalog of few words, where
// hundreds of rows tie, every limit from 1 to catalog.MaxSearchLimit is checked
// against the page of catalog.MaxSearchLimit for a mix of queries.
func TestSearchPagesArePrefixes(t *testing.T) {
	shape := catalogShape{tracks: 3000, albums: 300, artists: 60, vocab: 30}
	rd := shapeReader(t, shape)
	qs := append(benchQueries(shape, 24), benchWord(1), benchWord(2)+" "+benchWord(3))
	for _, q := range qs {
		full, err := rd.Search(t.Context(), q, catalog.MaxSearchLimit)
		if err != nil {
			t.Fatal(err)
		}
		want := resultIDs(full)
		for k := 1; k < catalog.MaxSearchLimit; k++ {
			res, err := rd.Search(t.Context(), q, k)
			if err != nil {
				t.Fatal(err)
			}
			got := resultIDs(res)
			for i, kind := range []string{"tracks", "albums", "artists"} {
				if w := want[i][:min(k, len(want[i]))]; !slices.Equal(got[i], w) {
					t.Errorf("search %q limit %d: %s %v, want the first %d of limit %d: %v", q, k, kind, got[i], k, catalog.MaxSearchLimit, w)
				}
			}
		}
	}
}

// The demo library's example: "aurora" matches every track of Aurora
// Static's Night Transit equally (the artist), so limit 1 answers the
// album's first track, Platform Lights, as limit 3 and 20 list it, not
// Terminus, the shortest text.
func TestSearchDemoAuroraPages(t *testing.T) { forEachEngine(t, testSearchDemoAuroraPages) }

func testSearchDemoAuroraPages(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	ar := f.artist("Aurora Static")
	transit := f.album(ar, "Aurora Static", "Night Transit", 2021, nil)
	for i, title := range []string{"Platform Lights", "Sleeper Car", "Terminus"} {
		f.track(ar, "Aurora Static", transit, "Night Transit", title, 1, i+1, seg(title, 100))
	}
	rd := NewReader(f.db)
	want := []string{"Platform Lights", "Sleeper Car", "Terminus"}
	for _, limit := range []int{1, 2, 3, 20} {
		res, err := rd.Search(t.Context(), "aurora", limit)
		if err != nil {
			t.Fatal(err)
		}
		if tr, _, _ := titles(res); !slices.Equal(tr, want[:min(limit, len(want))]) {
			t.Errorf("aurora, limit %d: tracks %q, want %q", limit, tr, want[:min(limit, len(want))])
		}
	}
}
