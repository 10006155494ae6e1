package fetch

import (
	"context"
	"testing"

	"segue/catalog"
)

// A segment fetched once is one lookup: a miss, then, asked again, a hit.
// The look the download's flight takes at the cache before downloading
// (for a download that ended meanwhile) counted a second miss, so segue
// cache stats after offline add of 6 segments said "0 hits, 12 misses",
// and after playing them from the cache "6 hits, 12 misses (33.3% hit
// rate)" where half the lookups had hit.
func TestOneFetchIsOneLookup(t *testing.T) {
	url, hashes, _, _ := originWith(t, randomBytes(30_000), randomBytes(30_000), randomBytes(30_000))
	c := openCache(t)
	f := New(c, []Tier{{Source: catalog.SourceOrigin, Remote: client(t, url)}}, Options{})
	ctx := context.Background()
	for round := range 2 {
		for _, h := range hashes {
			if _, _, err := f.Segment(ctx, h, catalog.UrgencySoon); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Misses != 3 || st.Hits != 3 {
		t.Errorf("3 segments fetched, then fetched again: %d hits, %d misses; want 3 and 3", st.Hits, st.Misses)
	}
}
