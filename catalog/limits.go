package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The API's largest pages: GET /api/v1/search?limit= (of each kind) and the
// radio and similar-track requests' ?limit=. The origin answers 400 above
// them; clients check their --limit flags against them.
const (
	MaxSearchLimit = 100
	MaxRadioLimit  = 100
)

// MaxPlaylistName is the longest playlist name in bytes the origin keeps;
// it answers 400 to a longer one.
const MaxPlaylistName = 200

// MaxTokenName is the longest bearer token name in bytes the origin keeps
// (segue origin token create refuses a longer one): token list shows it.
const MaxTokenName = 200

// MaxTagText is the longest text in characters (Unicode code points) that
// ingest keeps of a tag (title, artist, album, album artist, genre, the
// sort tags): a longer one, such as a 1 MB ID3 frame, would be in every
// listing, search answer and manifest that names the track. CutTag cuts it.
const MaxTagText = 512

// CutTag returns s cut to MaxTagText characters, at a character boundary
// and ending in "…" (one of them), and whether it was cut; s as it is when
// it fits.
func CutTag(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= MaxTagText {
		return s, false
	}
	n := 0
	for i := range s {
		if n == MaxTagText-1 {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…", true
		}
		n++
	}
	return s, false // not reached: s has more than MaxTagText characters
}
