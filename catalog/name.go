package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// VariousArtists is the album artist of an album whose tracks have
// different artists and no album_artist tag, or whose files say
// compilation=1 without one.
const VariousArtists = "Various Artists"

// Text returns a tag value as segue stores it: valid UTF-8 (other bytes
// become U+FFFD), Unicode NFC (what most systems write; macOS file systems
// and some taggers write NFD), with no control characters, trimmed. A NUL
// between values (ID3v2.4 separates several values of one frame so) becomes
// "; "; other controls (tabs, line breaks) become a space. Neither NUL nor
// invalid UTF-8 fits in a PostgreSQL text column.
func Text(s string) string {
	s = strings.Trim(strings.ToValidUTF8(s, "\ufffd"), "\x00")
	s = strings.ReplaceAll(s, "\x00", "; ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// NameKey is the key that identifies an artist or an album by name: NFKC
// (compatibility forms such as "ﬁ" or full-width letters become plain ones,
// and NFD and NFC spellings become one), Unicode full case folding ("ß"
// folds to "ss") and every run of white space collapsed to one space, trimmed.
// Two names with equal keys are one artist (or, with one album artist, one
// album). Rule: Unicode Standard Annex #15 and section 3.13 (default case
// folding); the key is never shown.
func NameKey(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(cherokeeFold, cases.Fold().String(s))
	s = norm.NFKC.String(s) // folding can leave a string that is not NFKC
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// cherokeeFold finishes golang.org/x/text's case folding of Cherokee,
// which swaps its two cases (U+13EC to U+ABBC and back), so a key's key
// was not itself (FuzzNameKey) and the two spellings of one name had two
// keys. Unicode's CaseFolding.txt folds Cherokee to its capitals, as
// foldText (search) does too.
func cherokeeFold(r rune) rune {
	if unicode.Is(unicode.Cherokee, r) {
		return unicode.ToUpper(r)
	}
	return r
}

// articles are the leading words ignored when a list is ordered by name,
// as most players do for English ("The Beatles" under B).
var articles = []string{"the ", "a ", "an "}

// SortKey is the key a list is ordered by: the sort tag (artist-sort,
// album-sort, title-sort...) when there is one, else name without a
// leading "The ", "A " or "An ", as its NameKey without accents (the
// marks search ignores too), so "Émilie Simon" sorts among the E's and
// "Ärzte" among the A's, as in most players, not after Z. A name that is
// only an article keeps it ("The The" sorts as "the").
func SortKey(name, sortTag string) string {
	if k := NameKey(foldText(sortTag)); k != "" {
		return k
	}
	k := NameKey(foldText(name))
	for _, a := range articles {
		if rest, ok := strings.CutPrefix(k, a); ok && rest != "" {
			return rest
		}
	}
	return k
}

// PlaylistName fits a name segue did not ask the user for (a playlist
// file's title or file name, a shared playlist's name) to what a playlist
// may be called: Text's cleaning (a line break in an XSPF title becomes a
// space), no bidirectional formatting characters (StripBidi; the origin
// refuses them), runs of white space as one, and cut on a character boundary with "…" to at most
// MaxPlaylistName bytes. A name the user typed is never fitted: the origin
// refuses it, saying why.
func PlaylistName(s string) string {
	s = strings.Join(strings.Fields(StripBidi(Text(s))), " ")
	if len(s) <= MaxPlaylistName {
		return s
	}
	const ellipsis = "…"
	cut := MaxPlaylistName - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + ellipsis
}
