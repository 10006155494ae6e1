package origin

import (
	"context"
	"errors"
	"slices"
	"testing"

	"segue/catalog"
)

// Reader.candidates stops reading a kind where what it has not read
// cannot reach the page: enough titles equal to the query, no closing
// pass that could add a row scoring as well as the page's last, the
// widest pass read whole, two passes that are one query. Every page of
// every limit must be the page of the plan read without those stops: the
// first k of the ranking of every pass it may read (fullCandidates), on a
// catalog of few words (every pass full, titles equal to a query by the
// hundred) and one of many (passes read whole, stems and prefixes read).
func TestSearchStopsKeepPages(t *testing.T) {
	for _, shape := range []catalogShape{
		{tracks: 3000, albums: 300, artists: 60, vocab: 30},
		{tracks: 20_000, albums: 2000, artists: 400, vocab: 3000},
	} {
		rd := shapeReader(t, shape)
		qs := append(benchQueries(shape, 240), benchWord(1), benchWord(2)+" "+benchWord(3), "🎵 "+benchWord(1))
		for _, q := range qs {
			want, err := fullPages(t.Context(), rd, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{1, 2, 7, 20, 33, 64, catalog.MaxSearchLimit} {
				res, err := rd.Search(t.Context(), q, limit)
				if err != nil {
					t.Fatal(err)
				}
				got := resultIDs(res)
				for i, kind := range []string{"tracks", "albums", "artists"} {
					if w := want[limit][i]; !slices.Equal(got[i], w) {
						t.Errorf("catalog of %d words, %q limit %d: %s %v, want %v", shape.vocab, q, limit, kind, got[i], w)
					}
				}
			}
		}
	}
}

// fullPages returns, for each limit from 1 to catalog.MaxSearchLimit, the IDs of
// the tracks, albums and artists of a page for q made from every pass the
// plan may read: in each kind the titles equal to the query, the whole
// words in the title, the prefixes in the title unless the whole words
// filled their budget, the query anywhere in the row, then while there
// are fewer than searchCandidates, stems and prefixes; ranked, the tracks
// in album order, cut to the limit.
func fullPages(ctx context.Context, rd *Reader, q string) (map[int][3][]string, error) {
	pages := map[int][3][]string{}
	terms, required := queryTerms(q)
	if len(terms) == 0 {
		return pages, nil
	}
	ahead, err := rd.readAhead(ctx, terms, required)
	if err != nil {
		return nil, err
	}
	kcs := make([]kindCandidates, len(kindRanges))
	for i, kind := range kindRanges {
		kc := &kcs[i]
		*kc = kindCandidates{kind: kind, seen: map[string]bool{}}
		read := func(pr passRead, keep func(*candidate) bool) (bool, error) {
			cs, err := rd.rows(ctx, pr, ahead)
			kc.add(cs, keep)
			return len(cs) == pr.max, err
		}
		prs := openingPasses(terms, required, kind)
		_, err := read(prs[0], nil)
		full, err2 := read(prs[1], nil)
		if err = errors.Join(err, err2); err == nil && !full {
			_, err = read(prs[2], nil)
		}
		for _, pr := range prs[3:] {
			_, err2 := read(pr, nil)
			err = errors.Join(err, err2)
		}
		open := hasLongWord(required) && len(kc.out) < searchCandidates
		if open && err == nil {
			open, err = read(closingPass(required, kind, "stem"), func(c *candidate) bool { return c.matchesAll(required) })
		}
		if open && err == nil && len(kc.out) < searchCandidates {
			_, err = read(closingPass(required, kind, "prefix"), nil)
		}
		if err != nil {
			return nil, err
		}
	}
	for limit := 1; limit <= catalog.MaxSearchLimit; limit++ {
		var page [3][]string
		for i, kc := range kcs {
			cands := slices.Clone(kc.out)
			rankCandidates(cands, terms)
			if kc.kind.kind == catalog.PrefixTrack {
				if err := rd.orderByAlbum(ctx, cands, limit); err != nil {
					return nil, err
				}
			}
			for _, c := range cands[:min(len(cands), limit)] {
				page[2-i] = append(page[2-i], c.id) // kindRanges is artists, albums, tracks
			}
		}
		pages[limit] = page
	}
	return pages, nil
}

// A closing pass is skipped only where what it could add cannot reach the
// page: "lanterne" is whole only in the album of Other Song, Lanterne
// Nights (a hit in the album column, 2), while Lanternes is found by the
// stem pass (a prefix in the title, 4) and comes first, on a page of one
// as of two.
func TestSearchStemsReachThePage(t *testing.T) { forEachEngine(t, testSearchStemsReachThePage) }

func testSearchStemsReachThePage(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	ar := f.artist("Nadir")
	lanterne := f.album(ar, "Nadir", "Lanterne Nights", 2001, nil)
	quiet := f.album(ar, "Nadir", "Quiet Hours", 2002, nil)
	f.track(ar, "Nadir", lanterne, "Lanterne Nights", "Other Song", 1, 1, seg("other", 100))
	f.track(ar, "Nadir", quiet, "Quiet Hours", "Lanternes", 1, 1, seg("lanternes", 100))
	f.indexed()
	rd := NewReader(f.db)
	want := []string{"Lanternes", "Other Song"}
	for _, limit := range []int{1, 2} {
		res, err := rd.Search(t.Context(), "lanterne", limit)
		if err != nil {
			t.Fatal(err)
		}
		if tr, _, _ := titles(res); !slices.Equal(tr, want[:limit]) {
			t.Errorf("lanterne, limit %d: tracks %q, want %q", limit, tr, want[:limit])
		}
	}
}
