package share

import (
	"slices"
	"strings"

	"segue/catalog"
)

// durationSlackMS is how far an imported entry's duration may be from a
// track's and still match (M3U8 has whole seconds, truncated; encoders pad).
const durationSlackMS = 3000

// Match picks the candidate that is the entry, comparing text as search
// does (catalog.SearchKey: case, diacritics, Unicode forms, punctuation and
// spacing ignored). An entry with a title matches a candidate with the
// same title and artist, duration within a few seconds when both are
// known; album breaks ties. An entry with only a location matches by its
// file name (without track number and extension) as the title, and one of
// its parent folders must name the candidate's album or artist. ok is
// false when nothing matches.
func Match(e Entry, candidates []catalog.Track) (best catalog.Track, ok bool) {
	if strings.TrimSpace(e.Title) == "" {
		return matchPath(e, candidates)
	}
	title, artist, album := catalog.SearchKey(e.Title), catalog.SearchKey(e.Artist), catalog.SearchKey(e.Album)
	bestScore := 0
	for _, c := range candidates {
		if catalog.SearchKey(c.Title) != title || !durationFits(e, c) {
			continue
		}
		if artist != "" && catalog.SearchKey(c.Artist) != artist {
			continue
		}
		score := 1
		if album != "" && catalog.SearchKey(c.Album) == album {
			score++
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best, bestScore > 0
}

// matchPath is Match for an entry with a location only.
func matchPath(e Entry, candidates []catalog.Track) (best catalog.Track, ok bool) {
	tags, ok := tagsFromLocation(e.Location)
	if !ok {
		return best, false
	}
	titles := make([]string, len(tags.titles))
	for i, t := range tags.titles {
		titles[i] = catalog.SearchKey(t)
	}
	// Folders may read "Artist/Album", "Artist - Album" or "Album".
	folders := catalog.SearchKey(tags.artist) + "\x00" + catalog.SearchKey(tags.album)
	bestScore := 0
	for _, c := range candidates {
		rank := slices.Index(titles, catalog.SearchKey(c.Title))
		if rank < 0 || !durationFits(e, c) {
			continue
		}
		score := 0
		for _, k := range []string{catalog.SearchKey(c.Album), catalog.SearchKey(c.Artist)} {
			if k != "" && strings.Contains(folders, k) {
				score += 2
			}
		}
		if score == 0 {
			continue
		}
		score = score*len(titles) - rank // a likelier reading of the name first
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best, bestScore > 0
}

func durationFits(e Entry, c catalog.Track) bool {
	return e.DurationMS <= 0 || c.DurationMS <= 0 || abs(e.DurationMS-c.DurationMS) <= durationSlackMS
}

// Queries are the searches that find e's candidates on an origin, the most
// specific first; none when e says nothing to search for (no title and no
// file name in its location).
func Queries(e Entry) []string {
	if strings.TrimSpace(e.Title) != "" {
		return compact(e.Artist+" "+e.Title, e.Title)
	}
	tags, ok := tagsFromLocation(e.Location)
	if !ok {
		return nil
	}
	var qs []string
	for _, t := range tags.titles {
		qs = append(qs, tags.artist+" "+t, tags.album+" "+t, t)
	}
	return compact(qs...)
}

// compact trims qs and drops the empty ones and repeats.
func compact(qs ...string) []string {
	var out []string
	for _, q := range qs {
		if q = strings.TrimSpace(q); q != "" && !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
