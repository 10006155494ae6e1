package origin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin/pgtest"
)

// Issue 18: search on PostgreSQL gives the pages SQLite gives. On a small
// catalog of few words, where every query matches hundreds of rows that
// rank alike, stored in PostgreSQL in an order unlike its rowids (as
// after rows are rewritten), every page of the benchmark's query mix is
// the same on both engines: each pass takes its first matches in rowid
// order, and ties rank by ID.
func TestSearchSameOnBothEngines(t *testing.T) {
	shape := catalogShape{tracks: 20_000, albums: 2000, artists: 400, vocab: 60}
	dir := t.TempDir()
	if err := buildCatalog(dir, shape); err != nil {
		t.Fatal(err)
	}
	lite, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := OpenCatalogAt(t.Context(), pgtest.Database(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := copyBenchCatalog(t.Context(), pg, shape, "md5(ref_id)"); err != nil {
		t.Fatal(err)
	}
	requireSameSearches(t, NewReader(lite), NewReader(pg), benchQueries(shape, 300))
}

// requireSameSearches fails tb unless every query of qs gives the same
// page on a and b.
func requireSameSearches(tb testing.TB, a, b *Reader, qs []string) {
	tb.Helper()
	diffs, err := searchDiffs(context.Background(), a, b, qs)
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range diffs[:min(len(diffs), 10)] {
		tb.Error(d)
	}
	if len(diffs) > 0 {
		tb.Fatalf("%d of %d queries give different pages on the two engines", len(diffs), len(qs))
	}
}

// searchDiffs runs every query of qs on a and on b (limit
// DefaultSearchLimit) and describes each whose pages differ: the IDs of
// each kind, in order, must be the same.
func searchDiffs(ctx context.Context, a, b *Reader, qs []string) ([]string, error) {
	var diffs []string
	for _, q := range qs {
		ra, err := a.Search(ctx, q, DefaultSearchLimit)
		if err != nil {
			return nil, err
		}
		rb, err := b.Search(ctx, q, DefaultSearchLimit)
		if err != nil {
			return nil, err
		}
		ia, ib := resultIDs(ra), resultIDs(rb)
		var d strings.Builder
		for i, kind := range []string{"tracks", "albums", "artists"} {
			if !slices.Equal(ia[i], ib[i]) {
				fmt.Fprintf(&d, "\n\t%s: %s\n\t%s  %s", kind, strings.Join(ia[i], " "), strings.Repeat(" ", len(kind)), strings.Join(ib[i], " "))
			}
		}
		if d.Len() > 0 {
			diffs = append(diffs, fmt.Sprintf("%q:%s", q, d.String()))
		}
	}
	return diffs, nil
}

// resultIDs lists the IDs of res's tracks, albums and artists, in order.
func resultIDs(res catalog.SearchResult) [3][]string {
	var ids [3][]string
	for _, t := range res.Tracks {
		ids[0] = append(ids[0], t.ID)
	}
	for _, a := range res.Albums {
		ids[1] = append(ids[1], a.ID)
	}
	for _, a := range res.Artists {
		ids[2] = append(ids[2], a.ID)
	}
	return ids
}
