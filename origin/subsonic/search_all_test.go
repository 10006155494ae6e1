package subsonic

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSearch3WholeLibrary: apps that sync the whole library (DSub,
// Symfonium, Substreamer) call search3 with query "", `""` or "*" and
// page through songs, albums and artists one kind at a time; each of
// those queries lists everything, every page in the same order, the page
// after the last empty, and a page may hold up to 10000 of each kind.
// Before, "*" found nothing, so such an app synced an empty library, and
// a page of more than 500 (Symfonium asks 1000) was error 0. On SQLite
// and on PostgreSQL.
func TestSearch3WholeLibrary(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		// pageAll reads kind one item a page, as an app with a tiny page
		// would, until a page comes back empty.
		pageAll := func(query, kind string) []string {
			t.Helper()
			var got []string
			for off := 0; off < 10; off++ {
				q := url.Values{"query": {query}, "songCount": {"0"}, "albumCount": {"0"}, "artistCount": {"0"}}
				q.Set(kind+"Count", "1")
				q.Set(kind+"Offset", strconv.Itoa(off))
				r := f.jsonCall(t, "search3", q)
				mustOK(t, "search3", r)
				res := r.SearchResult3
				var names []string
				for _, s := range res.Songs {
					names = append(names, s.Title)
				}
				for _, al := range res.Albums {
					names = append(names, al.Name)
				}
				for _, ar := range res.Artists {
					names = append(names, ar.Name)
				}
				if len(names) == 0 {
					return got
				}
				if len(names) != 1 {
					t.Fatalf("search3 %q %sCount=1 offset %d: %v, want one %s", query, kind, off, names, kind)
				}
				got = append(got, names[0])
			}
			t.Fatalf("search3 %q: more than 10 pages of %ss", query, kind)
			return nil
		}
		want := map[string][]string{}
		for _, kind := range []string{"song", "album", "artist"} {
			want[kind] = pageAll("", kind)
		}
		if len(want["song"]) != 3 || len(want["album"]) != 2 || len(want["artist"]) != 2 {
			t.Fatalf(`search3 "": %v; want 3 songs, 2 albums, 2 artists`, want)
		}
		for _, query := range []string{`""`, "*", `"*"`, " * ", "**"} {
			for _, kind := range []string{"song", "album", "artist"} {
				if got := pageAll(query, kind); !slices.Equal(got, want[kind]) {
					t.Errorf("search3 %q, %ss page by page: %v, want %v (as query \"\")", query, kind, got, want[kind])
				}
			}
		}
		// Symfonium syncs with pages of 1000, other apps ask 10000 at once
		for _, n := range []string{"1000", "10000"} {
			r := f.jsonCall(t, "search3", url.Values{"query": {`""`}, "songCount": {n}, "albumCount": {n}, "artistCount": {n}})
			if res := r.SearchResult3; r.Error != nil || len(res.Songs) != 3 || len(res.Albums) != 2 || len(res.Artists) != 2 {
				t.Errorf("search3 \"\" with counts of %s: %+v, error %+v; want the whole library", n, res, r.Error)
			}
		}
		if r := f.jsonCall(t, "search3", url.Values{"query": {""}, "songCount": {"10001"}}); r.Error == nil || !strings.Contains(r.Error.Message, "10000") {
			t.Errorf("search3 with songCount 10001: %+v, want an error naming the most, 10000", r.Error)
		}
		r := f.jsonCall(t, "search2", url.Values{"query": {"*"}})
		if res := r.SearchResult2; res == nil || len(res.Songs) != 3 || len(res.Albums) != 2 || len(res.Artists) != 2 {
			t.Errorf("search2 *: %+v, want the whole library", res)
		}
		// a word with a star still searches: the star is no word
		r = f.jsonCall(t, "search3", url.Values{"query": {"moon*"}})
		if res := r.SearchResult3; len(res.Songs) != 1 || res.Songs[0].Title != "Moonlight Highway" {
			t.Errorf("search3 moon*: %+v, want Moonlight Highway", res)
		}
	})
}
