package origin

import (
	"context"
	"strings"
	"unicode/utf8"
)

// How a query becomes FTS5 work, measured on 1,000,000 tracks:
//
//   - FTS5's bm25 counts every row holding each term before ranking: hundreds
//     of milliseconds for a short prefix. Not used; rankCandidates scores
//     the candidates instead.
//   - A whole-word term ("dotane") and a prefix term covered by the prefix
//     index ("dota"*, schema prefix='1 2 3 4 5') stream: LIMIT stops the
//     scan after a few hundred rows (under 2 ms).
//   - A longer prefix term ("dotanel"*) makes FTS5 merge the doclists of
//     every token it covers in full before returning a row: 25-30 ms when it
//     covers a frequent word.
//   - Indexing prefixes up to 5 characters instead of 3 cut p95 from 20 ms
//     to 4 ms (the stem pass filters far fewer rows) for 13% more disk.
//
// So a query runs in up to three passes, stopping once it has a page of
// results (limit): whole words (long terms exact), then stems (long terms
// cut to the indexed prefix length and filtered here on the full prefix,
// within a row budget), then the exact prefix query, only when the stem pass
// ran out of budget before finding a page. Whole-word matches thus come
// before longer words they prefix ("love" before "lovely") when there are
// enough of them, as the ranking would order them anyway.
const (
	indexedPrefix = 5   // longest prefix index in the schema, in characters
	stemBudget    = 600 // rows the stem pass may read
)

// candidateSQL reads matches in index order; the LIMIT stops the scan.
const candidateSQL = `SELECT kind, ref_id, title, artist, album FROM search WHERE search MATCH ? LIMIT ?`

// expr builds a MATCH expression from folded terms: terms of at most
// indexedPrefix characters are prefix terms; longer ones are whole words
// (mode exact), stems (mode stem) or prefixes (mode prefix).
func expr(terms []string, mode string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		switch {
		case utf8.RuneCountInString(t) <= indexedPrefix || mode == "prefix":
			parts[i] = `"` + t + `"*`
		case mode == "exact":
			parts[i] = `"` + t + `"`
		default:
			parts[i] = `"` + string([]rune(t)[:indexedPrefix]) + `"*`
		}
	}
	return strings.Join(parts, " AND ")
}

// matchesAll reports whether every term is a prefix of some word of c.
func (c *candidate) matchesAll(terms []string) bool {
	c.foldWords()
	for _, t := range terms {
		found := false
		for _, ws := range c.words {
			for _, w := range ws {
				if strings.HasPrefix(w, t) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// candidates collects up to searchCandidates matches of terms (folded, at
// least one), in the passes described above.
func (r *Reader) candidates(ctx context.Context, terms []string, limit int) ([]candidate, error) {
	seen := map[string]bool{}
	var out []candidate
	// scan reads up to max rows of e, keeps those filter accepts, and
	// reports whether it stopped at max.
	scan := func(e string, max int, filter bool) (bool, error) {
		rows, err := r.db.QueryContext(ctx, candidateSQL, e, max)
		if err != nil {
			return false, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() && len(out) < searchCandidates {
			n++
			var c candidate
			if err := rows.Scan(&c.kind, &c.id, &c.fields[0], &c.fields[1], &c.fields[2]); err != nil {
				return false, err
			}
			if seen[c.kind+c.id] || (filter && !c.matchesAll(terms)) {
				continue
			}
			seen[c.kind+c.id] = true
			out = append(out, c)
		}
		return n == max, rows.Err()
	}
	long := false
	for _, t := range terms {
		long = long || utf8.RuneCountInString(t) > indexedPrefix
	}
	if _, err := scan(expr(terms, "exact"), searchCandidates, false); err != nil || !long || len(out) >= limit {
		return out, err
	}
	truncated, err := scan(expr(terms, "stem"), stemBudget, true)
	if err != nil || !truncated || len(out) >= limit {
		return out, err
	}
	_, err = scan(expr(terms, "prefix"), searchCandidates, false)
	return out, err
}
