package share

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"segue/catalog"
)

// durationSlackMS is how far an imported entry's duration may be from a
// track's and still match (M3U rounds to whole seconds; encoders pad).
const durationSlackMS = 3000

// Match picks the candidate that is the entry: same title and artist after
// folding case and diacritics, duration within a few seconds when both are
// known; album breaks ties. ok is false when nothing matches.
func Match(e Entry, candidates []catalog.Track) (best catalog.Track, ok bool) {
	title, artist, album := fold(e.Title), fold(e.Artist), fold(e.Album)
	bestScore := 0
	for _, c := range candidates {
		if fold(c.Title) != title {
			continue
		}
		if artist != "" && fold(c.Artist) != artist {
			continue
		}
		if e.DurationMS > 0 && c.DurationMS > 0 && abs(e.DurationMS-c.DurationMS) > durationSlackMS {
			continue
		}
		score := 1
		if album != "" && fold(c.Album) == album {
			score++
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best, bestScore > 0
}

// Query is the search text that finds e's candidates on an origin.
func Query(e Entry) string { return strings.TrimSpace(e.Artist + " " + e.Title) }

var folder = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// fold lowercases s, strips diacritics and collapses spaces.
func fold(s string) string {
	out, _, err := transform.String(folder, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
