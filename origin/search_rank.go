package origin

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// candidate is one FTS5 match: a track, album or artist row with its
// indexed text (title, artist, album).
type candidate struct {
	kind, id string
	fields   [3]string
	score    int
	length   int
	words    [3][]string // folded words of fields, filled by foldWords
}

// foldWords splits and folds the candidate's fields once.
func (c *candidate) foldWords() {
	if c.words[0] != nil || c.words[1] != nil || c.words[2] != nil {
		return
	}
	for f, text := range c.fields {
		c.words[f] = splitTerms(fold(text))
		if c.words[f] == nil {
			c.words[f] = []string{}
		}
	}
}

// fieldWeight ranks where a term matched: a title hit counts most.
var fieldWeight = [3]int{4, 2, 1}

// latinFold maps each rune of Latin-1 Supplement and Latin Extended-A
// (U+00C0-U+017F, where most diacritics in catalogs live) to its folded
// form, computed once with NFD so fold rarely needs the normalizer.
var latinFold = func() map[rune]string {
	m := make(map[rune]string, 192)
	for r := rune(0xC0); r <= 0x17F; r++ {
		m[r] = foldSlow(string(r))
	}
	return m
}()

// fold lowercases s and strips diacritics, as the unicode61 tokenizer with
// remove_diacritics does, so ranking agrees with matching.
func fold(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if b.Len() > 0 || r != rune(s[i]) {
				if b.Len() == 0 {
					b.Grow(len(s))
					b.WriteString(s[:i])
				}
				b.WriteByte(byte(r))
			}
		case latinFold[r] != "":
			if b.Len() == 0 {
				b.Grow(len(s))
				b.WriteString(s[:i])
			}
			b.WriteString(latinFold[r])
		default:
			return foldSlow(s)
		}
	}
	if b.Len() == 0 {
		return s // already folded ASCII
	}
	return b.String()
}

// foldSlow folds any text with Unicode decomposition.
func foldSlow(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// queryTerms returns the folded terms of q.
func queryTerms(q string) []string {
	terms := splitTerms(q)
	for i, t := range terms {
		terms[i] = fold(t)
	}
	return terms
}

// rankCandidates orders cands best first. A term scores its field's weight,
// doubled when it is a whole word rather than a prefix; a field that equals
// the whole query earns a bonus; ties go to shorter text (the closer match),
// then to kind and ID so answers are stable.
func rankCandidates(cands []candidate, terms []string) {
	whole := strings.Join(terms, " ")
	for i := range cands {
		c := &cands[i]
		c.foldWords()
		words := c.words
		for f := range c.fields {
			c.length += len(words[f])
			if len(words[f]) > 0 && strings.Join(words[f], " ") == whole {
				c.score += 8 * fieldWeight[f]
			}
		}
		for _, t := range terms {
			best := 0
			for f := range words {
				for _, w := range words[f] {
					s := 0
					if w == t {
						s = 2 * fieldWeight[f]
					} else if strings.HasPrefix(w, t) {
						s = fieldWeight[f]
					}
					best = max(best, s)
				}
			}
			c.score += best
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		switch {
		case a.score != b.score:
			return b.score - a.score
		case a.length != b.length:
			return a.length - b.length
		case a.kind != b.kind:
			return strings.Compare(a.kind, b.kind)
		}
		return strings.Compare(a.id, b.id)
	})
}
