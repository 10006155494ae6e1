package origin

import (
	"database/sql"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"segue/catalog"
)

// The search index. Writers put each track, album and artist's own text in
// the plain table search (kind, ref_id, title, artist, album, rowid =
// row's rowid*4 + kind); triggers keep the FTS5 table search_fts in step,
// holding each column folded by search_fold, which runs catalog.SearchWords.
// The query is folded by the same function, so the index and the query agree
// whatever Unicode form either is in. The FTS5 tokenizer is "ascii": it
// splits the folded text at the spaces search_fold wrote and changes
// nothing else (every non-ASCII character is part of a token; the ASCII
// symbols SearchWords keeps as words are declared token characters).
//
// A folded column is "WORDS ; PARTS ; KEY # INNER": the words, the pieces
// of words that held punctuation ("ac dc" of "AC/DC"), and in the title
// column only, one token that is the whole title (keyMark before each
// word), so that a title equal to the query is found with one lookup
// however many rows share its words; then, only where a word holds a
// script written without spaces between words, its inner words
// (innerWords), so that a query finds such a word by any part of it. search_fts.rowid puts each kind in its own range (artists, then
// albums, then tracks; see kindRanges) so a query reads each kind apart.
const (
	keyMark   = "\ufdd0" // a noncharacter: SearchWords never emits it
	fieldSep  = " ; "    // ASCII punctuation: never a token
	innerSep  = " # "    // ASCII punctuation: never a token, nor in fieldSep
	kindShift = 50       // each kind's range is 2^50 rowids wide
)

// searchDriver is go-sqlite3 with search_fold and search_rowid defined on
// every connection (the catalog's triggers call them), reading the catalog
// through a memory map.
const searchDriver = "sqlite3-segue-origin"

// catalogMmapBytes is how much of the catalog file each connection reads
// through a shared memory map instead of a read system call per page. A
// search reads a few hundred scattered pages; on 1M tracks (a 700 MB file)
// the calls were half its CPU time (BenchmarkSearch1M).
const catalogMmapBytes = 1 << 30

func init() {
	sql.Register(searchDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", catalogMmapBytes), nil); err != nil {
			return err
		}
		if err := c.RegisterFunc("search_fold", indexText, true); err != nil {
			return err
		}
		if err := c.RegisterFunc("search_has_inner", hasInnerWords, true); err != nil {
			return err
		}
		return c.RegisterFunc("search_rowid", ftsRowid, true)
	}})
}

// kindRange is the search_fts rowid range [lo, hi] of one kind.
type kindRange struct {
	kind   string
	lo, hi int64
}

// kindRanges are the ranges of each kind.
var kindRanges = []kindRange{
	{catalog.PrefixArtist, 0 << kindShift, 1<<kindShift - 1},
	{catalog.PrefixAlbum, 1 << kindShift, 2<<kindShift - 1},
	{catalog.PrefixTrack, 2 << kindShift, 3<<kindShift - 1},
}

// ftsRowid is search_rowid(kind, id): the search_fts rowid of search row id.
func ftsRowid(kind string, id int64) int64 {
	for _, k := range kindRanges {
		if k.kind == kind {
			return k.lo + id
		}
	}
	return kindRanges[len(kindRanges)-1].lo + id // unknown kinds rank with tracks
}

// indexText is search_fold(text, with_key): the folded column text for s.
func indexText(s string, withKey bool) string {
	ws := catalog.SearchWords(s)
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	b.WriteString(fieldSep)
	for _, w := range ws {
		for _, p := range w.Parts {
			b.WriteString(p)
			b.WriteByte(' ')
		}
	}
	if withKey && len(ws) > 0 {
		b.WriteString(fieldSep)
		b.WriteString(titleKey(ws))
	}
	sep := innerSep
	for _, w := range ws {
		innerWords(w.Text, func(inner string) {
			b.WriteString(sep)
			b.WriteString(inner)
			sep = " "
		})
	}
	return b.String()
}

// titleKey is the one token that stands for the whole of ws.
func titleKey(ws []catalog.SearchWord) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(keyMark)
		b.WriteString(w.Text)
	}
	return b.String()
}

// parseIndexed cuts a folded column into its words and its parts, each
// space-separated (eachWord), and reports whether it holds inner words.
func parseIndexed(col string) (words, parts string, inner bool) {
	col, _, inner = strings.Cut(col, innerSep)
	w, rest, _ := strings.Cut(col, fieldSep)
	p, _, _ := strings.Cut(rest, fieldSep)
	return w, p, inner
}

// Scripts written without spaces between words (Chinese, Japanese, Thai,
// Lao, Khmer, Burmese, Tibetan, Yi) give no word boundary a search could
// start at: "夜に駆ける" is one folded word, and "駆ける" only its end.
// Korean is written with spaces, between compounds of syllables: "꽃갈피"
// is one word. So a word holding such a script is also indexed from each
// place where a word could start inside it (innerStart): its inner words,
// each a suffix of the word, cut to maxInnerRunes. A query word matches
// one as a prefix, as it matches any word, so any part of such a word is
// found, in both catalogs, through the same index (FTS5 tokens and their
// prefix index; PostgreSQL lexemes and their posting lists). Measured on
// the 1M-track benchmark, whose titles are Latin, nothing changes: a
// column without such a script is written as before.
//
// An inner word ranks as a prefix of a word in its field
// (candidate.bestOf), below a whole word.

// maxInnerRunes bounds an inner word, so a long title costs its length
// times this at most, not the square of its length. A longer query word
// is still found: the stem pass reads its first indexedPrefix characters
// and candidate.bestOf checks the whole of it against the words (see
// innerMatch). It only ranks its matches past the stem pass's budget
// (stemBudget rows) less completely.
const maxInnerRunes = 16

// spacelessScripts are the scripts written without spaces between words,
// and Hangul, whose words are compounds (above).
var spacelessScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan, unicode.Yi,
	unicode.Hangul,
}

// spaceless reports whether the folded rune r is of spacelessScripts (or
// is the prolonged sound mark "ー", which Unicode gives to no script).
func spaceless(r rune) bool {
	return r == 'ー' || r >= 0x0e00 && unicode.In(r, spacelessScripts...) // Thai, the first of them, starts at U+0E00
}

// innerStart reports whether a word may start at folded rune r inside a
// word, after prev: at a character of a spaceless script (a Hangul
// syllable only at its leading consonant: folded text holds Hangul
// decomposed into jamo), or at any other letter or digit after one.
func innerStart(prev, r rune) bool {
	if spaceless(r) {
		return !(r >= 0x1160 && r <= 0x11ff || r >= 0xd7b0 && r <= 0xd7ff) // vowel and final jamo
	}
	return spaceless(prev)
}

// innerWords calls fn with each inner word of the folded word w, at most
// maxInnerRunes runes each, in order.
func innerWords(w string, fn func(string)) {
	prev := utf8.RuneError
	for i, r := range w {
		if i > 0 && innerStart(prev, r) {
			end, n := i, 0
			for end < len(w) && n < maxInnerRunes {
				_, size := utf8.DecodeRuneInString(w[end:])
				end += size
				n++
			}
			fn(w[i:end])
		}
		prev = r
	}
}

// innerMatch reports whether the folded query word q starts inside a word
// of words (space-separated) where an inner word starts: the whole of q,
// however long, where the index holds at most maxInnerRunes of it.
func innerMatch(words, q string) bool {
	for x := range strings.FieldsSeq(words) {
		for off := 0; off < len(x); {
			i := strings.Index(x[off:], q)
			if i < 0 {
				break
			}
			i += off
			if i > 0 {
				prev, _ := utf8.DecodeLastRuneInString(x[:i])
				r, _ := utf8.DecodeRuneInString(x[i:])
				if innerStart(prev, r) {
					return true
				}
			}
			_, size := utf8.DecodeRuneInString(x[i:])
			off = i + size
		}
	}
	return false
}

// hasInnerWords is search_has_inner(text): whether text, folded as
// search_fold folds it, holds an inner word. Schema step 23 folds again
// the rows where it does. Only a character from U+0E00 on folds into a
// spaceless script (TestSpacelessClassCoversInnerWords), and in UTF-8 its
// first byte is 0xE0 or above: text without one is not folded here (on
// the 1M-track benchmark catalog, whose words carry accents, folding every
// row made step 23 take 49 s).
func hasInnerWords(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xe0 {
			return strings.Contains(indexText(s, false), innerSep)
		}
	}
	return false
}
