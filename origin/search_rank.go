package origin

import (
	"slices"
	"strings"

	"segue/catalog"
)

// candidate is one FTS5 match: a track, album or artist row with its
// folded columns (title, artist, album).
type candidate struct {
	kind, id string
	fields   [3]string
	score    int
	length   int
	words    [3]string // words of each field, space-separated, set by parse
	parts    [3]string // parts of punctuated words of each field, as words
	inner    [3]bool   // the field holds inner words (innerWords)
}

// parse finds the words and parts in the candidate's folded columns (as
// parts of them: nothing is copied, a search reads thousands of rows).
func (c *candidate) parse() {
	for f, col := range c.fields {
		c.words[f], c.parts[f], c.inner[f] = parseIndexed(col)
	}
}

// fieldWeight ranks where a term matched: a title hit counts most.
var fieldWeight = [3]int{4, 2, 1}

// bestOf scores the folded word w against c: its field's weight doubled
// where w is a whole word (or part) of the field, the weight where w only
// prefixes one or starts inside one of a spaceless script (innerMatch),
// the best over fields; 0 where w matches nothing. A field
// that cannot raise the best so far is not read (the weights fall from
// field to field), nor the rest of a field once w is whole in it: most
// candidates match in the title.
func (c *candidate) bestOf(w string) int {
	best := 0
	for f := range c.fields {
		if best >= 2*fieldWeight[f] {
			break
		}
		for _, list := range [2]string{c.words[f], c.parts[f]} {
			for x := range strings.FieldsSeq(list) {
				if x == w {
					return 2 * fieldWeight[f] // best < this here, and no later field scores more
				} else if strings.HasPrefix(x, w) {
					best = max(best, fieldWeight[f])
				}
			}
		}
		if c.inner[f] && best < fieldWeight[f] && innerMatch(c.words[f], w) {
			best = fieldWeight[f]
		}
	}
	return best
}

// best scores term t against c: as one word, or, for a punctuated term,
// through its weakest part.
func (c *candidate) best(t catalog.SearchWord) int {
	s := c.bestOf(t.Text)
	if t.Parts != nil {
		weakest := -1
		for _, p := range t.Parts {
			if b := c.bestOf(p); weakest < 0 || b < weakest {
				weakest = b
			}
		}
		s = max(s, weakest)
	}
	return s
}

// scoreCandidate sets c's score and length (rankCandidates) for terms,
// whose texts single-spaced are whole (wholeText), and returns the score.
func scoreCandidate(c *candidate, terms []catalog.SearchWord, whole string) int {
	c.score, c.length = 0, 0
	for f, ws := range c.words {
		for range strings.FieldsSeq(ws) {
			c.length++
		}
		if ws != "" && ws == whole { // parse's words are single-spaced, as indexText writes them
			c.score += 8 * fieldWeight[f]
		}
	}
	for _, t := range terms {
		c.score += c.best(t)
	}
	return c.score
}

// wholeText is the texts of terms, single-spaced.
func wholeText(terms []catalog.SearchWord) string {
	texts := make([]string, len(terms))
	for i, t := range terms {
		texts[i] = t.Text
	}
	return strings.Join(texts, " ")
}

// rankCandidates orders cands best first. Each term adds its best score; a
// field that equals the whole query earns a bonus; ties go to shorter text
// (the closer match), then to kind and ID: one total order, so answers are
// stable and need no stable sort (which moved these large values more).
func rankCandidates(cands []candidate, terms []catalog.SearchWord) {
	whole := wholeText(terms)
	for i := range cands {
		scoreCandidate(&cands[i], terms, whole)
	}
	// Sorted by index, then moved once, cycle by cycle of the permutation
	// (with no second slice to allocate): a candidate is about 200 bytes,
	// and the sort's swaps were 6% of a search's CPU time.
	order := make([]int32, len(cands))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &cands[i], &cands[j]
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
	for i := range order {
		if order[i] < 0 { // moved in an earlier cycle
			continue
		}
		first := cands[i]
		at := int32(i)
		for {
			from := order[at]
			order[at] = -1
			if from == int32(i) {
				cands[at] = first
				break
			}
			cands[at] = cands[from]
			at = from
		}
	}
}
