package origin

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A pass on PostgreSQL reads search_terms (schema step 10) when its
// tsquery is an AND of words and prefixes of at most indexedPrefix
// characters: the rows holding every term are those in every term's
// posting list, which the B-tree keeps in rowid order, so the pass reads
// its first matches and stops. Measured at 1M tracks (a 2-core machine,
// everything in memory): reading a list costs about 0.13 µs an entry;
// looking one rowid up in a list, 1.3 µs. So the rarest term's list (the
// driver) is read in order and a term holding up to mergeRatio times as
// many rows is merged with it (a merge join); a term holding more is
// probed for each row the merge keeps. Merging reads every list as far as
// the pass's last match; probing costs a lookup per driver row: "stareko
// ful" (282 and 281,405 rows, 77 matches) took 56 ms merged and 0.9 ms
// probed, "dizu tus" (10,319 and 8,651 rows, 48 matches) 3.0 ms merged
// and 11.4 ms probed.

// mergeRatio is how many times the rarest term's count another term may
// hold and still be merged rather than probed: about the cost of a
// lookup over that of reading an entry (above).
const mergeRatio = 8

// pgTerms returns the search_terms terms a row of kind k must all hold to
// match p, or nil when p's tsquery is not such an AND (a word with parts
// matches as the word or all its parts; a prefix longer than
// indexedPrefix has no list): readPasses then reads p with tsquery.
func (p searchPass) pgTerms(k kindRange) []string {
	if p.key {
		return []string{k.kind + ":a=" + titleKey(p.terms)}
	}
	field := k.kind + ":a"
	if p.pgColumn(k) == "tdoc" {
		field = k.kind + ":t"
	}
	var out []string
	for _, t := range essential(p.terms, p.mode) {
		if t.Parts != nil {
			return nil
		}
		w, prefix := wordForm(t.Text, p.mode)
		switch {
		case !prefix:
			out = append(out, field+"="+w)
		case utf8.RuneCountInString(w) <= indexedPrefix:
			out = append(out, field+"*"+w)
		default:
			return nil
		}
	}
	return out
}

// termCounts puts into counts how many rows hold each of terms
// (search_term_counts), 0 for a term no row holds.
func (r *Reader) termCounts(ctx context.Context, terms []string, counts map[string]int64) error {
	if len(terms) == 0 {
		return nil
	}
	for _, t := range terms {
		counts[t] = 0
	}
	rows, err := r.db.QueryContext(ctx, `SELECT term, n FROM search_term_counts WHERE term = ANY(CAST(? AS text[]))`, terms)
	if err != nil {
		return fmt.Errorf("count search terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		var n int64
		if err := rows.Scan(&term, &n); err != nil {
			return fmt.Errorf("count search terms: %w", err)
		}
		counts[term] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count search terms: %w", err)
	}
	return nil
}

// pgPostingQuery is the query of the first max rowids holding every one of
// terms, in rowid order, and its arguments: the rarest term's list (by
// counts) merged with those holding up to mergeRatio times as many rows,
// the others probed per row, rarest first. ok is false when a term is
// held by no row (no query is needed). With one term counts plays no part.
func pgPostingQuery(terms []string, counts map[string]int64, max int) (q string, args []any, ok bool) {
	terms = slices.Clone(terms)
	if len(terms) > 1 {
		slices.SortFunc(terms, func(a, b string) int { return cmp.Or(cmp.Compare(counts[a], counts[b]), strings.Compare(a, b)) })
		if counts[terms[0]] == 0 {
			return "", nil, false
		}
	}
	var b strings.Builder
	b.WriteString(`SELECT t0.rowid FROM search_terms t0`)
	var probes []string
	for i, t := range terms[1:] {
		if counts[t] > mergeRatio*counts[terms[0]] {
			probes = append(probes, t)
			continue
		}
		fmt.Fprintf(&b, ` JOIN search_terms t%d ON t%d.term = ? AND t%d.rowid = t0.rowid`, i+1, i+1, i+1)
		args = append(args, t)
	}
	b.WriteString(` WHERE t0.term = ?`)
	args = append(args, terms[0])
	for _, t := range probes {
		// A scalar subquery runs once per row: the planner cannot make it
		// a join that reads the whole list.
		b.WriteString(` AND (SELECT true FROM search_terms x WHERE x.term = ? AND x.rowid = t0.rowid)`)
		args = append(args, t)
	}
	b.WriteString(` ORDER BY t0.rowid LIMIT ?`)
	return b.String(), append(args, max), true
}

// passCountTerms lists the terms of prs whose counts pgPostingQuery
// weighs: those of passes of more than one term.
func passCountTerms(prs []passRead) []string {
	var out []string
	for _, pr := range prs {
		if ts := pr.p.pgTerms(pr.kind); len(ts) > 1 {
			out = append(out, ts...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
