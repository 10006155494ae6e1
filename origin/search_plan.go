package origin

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"segue/catalog"
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
//   - A rowid range (one kind, see kindRanges) costs one seek per doclist.
//
// So each kind is read on its own, so that a word matching every track still
// leaves room for albums and artists. For each kind: first the titles equal
// to the whole query (one token lookup, see titleKey), wherever they are in
// the index; then titles holding the query's words whole, then as
// prefixes; then up to three passes over every column, stopping once there
// is a page of
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

// candidateSQL reads matches of one kind in index order; the LIMIT stops
// the scan.
const candidateSQL = `SELECT kind, ref_id, title, artist, album FROM search_fts
	WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?`

// searchPass is one read of the index: rows holding every term in mode
// (see expr), in the title column only when title is set; or, when key is
// set, the rows whose title is the whole of terms (titleKey).
type searchPass struct {
	terms []catalog.SearchWord
	mode  string
	title bool
	key   bool
}

// match is the FTS5 MATCH expression of p over kind k.
func (p searchPass) match(k kindRange) string {
	if p.key {
		return `"` + titleKey(p.terms) + `"`
	}
	e := expr(p.terms, p.mode)
	if p.title && k.kind != catalog.PrefixArtist { // an artist row's title is all it holds
		return "title : (" + e + ")"
	}
	return e
}

// matches opens the rows of one pass over kind k in index order, at most
// max, each as kind, ref_id and the folded title, artist and album.
func (r *Reader) matches(ctx context.Context, p searchPass, k kindRange, max int) (*sql.Rows, error) {
	if r.pg {
		return r.db.QueryContext(ctx, pgCandidateSQL[k.kind][p.pgColumn(k)], p.tsquery(), max)
	}
	return r.db.QueryContext(ctx, candidateSQL, p.match(k), k.lo, k.hi, max)
}

// expr builds a MATCH expression from folded terms, ANDed. A term with
// parts matches as one word or as all its parts ("AC/DC" finds "acdc" and
// "AC DC"; "hold-up" finds "Hold Up"). Words of at most indexedPrefix
// characters are prefixes; longer ones are whole words (mode exact), stems
// (mode stem) or prefixes (mode prefix). Mode word makes every word whole. Words hold no '"' (SearchWords
// drops punctuation), so no input can be FTS5 syntax.
func expr(terms []catalog.SearchWord, mode string) string {
	word := func(w string) string {
		switch {
		case mode == "word":
			return `"` + w + `"`
		case utf8.RuneCountInString(w) <= indexedPrefix || mode == "prefix":
			return `"` + w + `"*`
		case mode == "exact":
			return `"` + w + `"`
		}
		return `"` + string([]rune(w)[:indexedPrefix]) + `"*`
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = word(t.Text)
		if t.Parts != nil {
			alt := make([]string, len(t.Parts))
			for j, p := range t.Parts {
				alt[j] = word(p)
			}
			parts[i] = "(" + parts[i] + " OR (" + strings.Join(alt, " AND ") + "))"
		}
	}
	return strings.Join(parts, " AND ")
}

// hasLongWord reports whether a term or part is longer than the prefix index.
func hasLongWord(terms []catalog.SearchWord) bool {
	for _, t := range terms {
		for _, w := range append([]string{t.Text}, t.Parts...) {
			if utf8.RuneCountInString(w) > indexedPrefix {
				return true
			}
		}
	}
	return false
}

// matchesAll reports whether every term prefixes some word of c, or each of
// its parts does.
func (c *candidate) matchesAll(terms []catalog.SearchWord) bool {
	for _, t := range terms {
		if c.best(t) == 0 {
			return false
		}
	}
	return true
}

// candidates collects matches of one kind (its rowid range), in the passes
// described above: up to limit titles equal to the query (terms), then rows
// holding every required term, in the title column first (a title hit
// ranks above one elsewhere, a whole word above a prefix, so each is looked
// for apart), then anywhere.
func (r *Reader) candidates(ctx context.Context, terms, required []catalog.SearchWord, kind kindRange, limit int) ([]candidate, error) {
	seen := map[string]bool{}
	var out []candidate
	// scan reads up to max rows of p, keeps the new ones filter accepts,
	// and reports whether it stopped at max.
	scan := func(p searchPass, max int, filter bool) (bool, error) {
		rows, err := r.matches(ctx, p, kind, max)
		if err != nil {
			return false, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
			var c candidate
			if err := rows.Scan(&c.kind, &c.id, &c.fields[0], &c.fields[1], &c.fields[2]); err != nil {
				return false, err
			}
			c.parse()
			if seen[c.id] || (filter && !c.matchesAll(required)) {
				continue
			}
			seen[c.id] = true
			out = append(out, c)
		}
		return n == max, rows.Err()
	}
	if _, err := scan(searchPass{terms: terms, key: true}, limit, false); err != nil {
		return nil, err
	}
	budget := max(limit, searchCandidates)
	// Whole words in the title before words they prefix ("love" before
	// thousands of "lovely"), then, unless those filled the budget (a
	// prefix hit in the title ranks below them), prefixes in the title.
	full, err := scan(searchPass{terms: required, mode: "word", title: true}, budget, false)
	if err == nil && !full {
		_, err = scan(searchPass{terms: required, mode: "exact", title: true}, budget, false)
	}
	if err != nil {
		return nil, err
	}
	if kind.kind != catalog.PrefixArtist { // then anywhere in the row
		if _, err := scan(searchPass{terms: required, mode: "exact"}, budget, false); err != nil {
			return nil, err
		}
	}
	if !hasLongWord(required) || len(out) >= limit {
		return out, nil
	}
	truncated, err := scan(searchPass{terms: required, mode: "stem"}, stemBudget, true)
	if err != nil || !truncated || len(out) >= limit {
		return out, err
	}
	_, err = scan(searchPass{terms: required, mode: "prefix"}, budget, false)
	return out, err
}
