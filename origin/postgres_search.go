package origin

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"segue/catalog"
)

// Search on PostgreSQL uses its full-text machinery over the words
// catalog.SearchWords folds, so that it finds what the SQLite catalog finds:
// the folded columns (ft, fa, fl, the text search_fold writes into FTS5)
// become a tsvector whose lexemes are those words as they are (no parser,
// no dictionary: "simple" or unaccent would split or fold them differently
// from the query, e.g. kana voicing or "AC/DC"), and each pass of
// Reader.candidates becomes a tsquery: a prefix term is 'word':*, a whole
// word 'word', a title-only pass reads tdoc, the title's words alone; or,
// when it is an AND of words and short prefixes, the posting lists of
// those terms (postgres_terms.go), which hold the same rows. Each pass
// reads its first matches in rowid order, as FTS5 does, so the same
// passes and the same ranking in Go give the same answers
// (BenchmarkSearch1MPostgres checks all its pages).

// readAhead reads, on PostgreSQL, the opening passes of every kind in one
// statement: one round trip per search rather than one per pass, each of
// which waited for the server process to be scheduled again (on 1M tracks
// on a busy 2-core machine, about 1 ms a pass whatever its work). It
// reads the prefix title pass even where candidates will not use it, and
// the counts of the terms of every pass candidates may read, the stem
// passes too, in one statement before. On SQLite, in process, it reads
// nothing: candidates reads each pass when it needs it.
func (r *Reader) readAhead(ctx context.Context, terms, required []catalog.SearchWord) (*passRows, error) {
	ahead := &passRows{rows: map[string][]candidate{}, counts: map[string]int64{}}
	if !r.pg {
		return ahead, nil
	}
	var prs, stems []passRead
	for _, k := range kindRanges {
		prs = append(prs, openingPasses(terms, required, k)...)
		stems = append(stems, closingPass(required, k, "stem"))
	}
	if err := r.termCounts(ctx, passCountTerms(append(stems, prs...)), ahead.counts); err != nil {
		return nil, err
	}
	return ahead, r.readPasses(ctx, prs, ahead)
}

// readPasses reads prs into ahead in one statement, each pass a query of
// its kind's partition (schema step 4) by name: through the parent with a
// kind filter, PostgreSQL 15 planned a GIN scan of every match even where
// a page is in the first few hundred rows. The inner query of a pass finds
// its first rowids in rowid order: from search_terms (schema step 10,
// pgPostingQuery) when its terms have posting lists, else walking
// search_walk alone (schema step 6) for a frequent word or from a GIN
// index and a sort; the outer one reads those rows' folded text. The
// counts of terms not in ahead are read first.
func (r *Reader) readPasses(ctx context.Context, prs []passRead, ahead *passRows) error {
	var missing []string
	for _, t := range passCountTerms(prs) {
		if _, ok := ahead.counts[t]; !ok {
			missing = append(missing, t)
		}
	}
	if err := r.termCounts(ctx, missing, ahead.counts); err != nil {
		return err
	}
	out := map[string]bool{}
	var ids, branches []string
	var args []any
	for _, pr := range prs {
		id := pr.id()
		if out[id] {
			continue
		}
		out[id] = true
		ahead.rows[id] = nil
		table := "search_" + pr.kind.kind
		var match string
		if terms := pr.p.pgTerms(pr.kind); terms != nil {
			q, qargs, ok := pgPostingQuery(terms, ahead.counts, pr.max)
			if !ok {
				continue // a term no row holds
			}
			match = q
			args = append(args, qargs...)
		} else {
			match = fmt.Sprintf(`SELECT rowid FROM %s WHERE %s @@ CAST(? AS tsquery) ORDER BY rowid LIMIT ?`, table, pr.p.pgColumn(pr.kind))
			args = append(args, pr.p.tsquery(), pr.max)
		}
		// Each match's row is looked up by its key (OFFSET 0 keeps the
		// planner from hashing a whole kind's table to join a few rows).
		branches = append(branches, fmt.Sprintf(`(SELECT %d AS pass, s.rowid, s.kind, s.ref_id, s.ft, s.fa, s.fl FROM (%s) m,
			LATERAL (SELECT * FROM %s s WHERE s.rowid = m.rowid OFFSET 0) s)`, len(ids), match, table))
		ids = append(ids, id)
	}
	if len(branches) == 0 {
		return nil
	}
	rows, err := r.db.QueryContext(ctx, strings.Join(branches, "\nUNION ALL ")+"\nORDER BY pass, rowid", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pass int
		var rowid int64
		var c candidate
		if err := rows.Scan(&pass, &rowid, &c.kind, &c.id, &c.fields[0], &c.fields[1], &c.fields[2]); err != nil {
			return err
		}
		ahead.rows[ids[pass]] = append(ahead.rows[ids[pass]], c)
	}
	return rows.Err()
}

// pgColumn is the tsvector column p reads over kind k: tdoc, the title's
// words, for a title pass (but for artists, whose row is their name), else
// doc.
func (p searchPass) pgColumn(k kindRange) string {
	if p.title && !p.key && k.kind != catalog.PrefixArtist {
		return "tdoc"
	}
	return "doc"
}

// maxLexemeBytes is PostgreSQL's limit on one tsvector lexeme (2 KiB less
// its header): a longer word (or whole-title key) is left out of doc.
const maxLexemeBytes = 2046

// pgQuote quotes a lexeme for tsvector and tsquery input, which take a
// quoted lexeme as it is: quote and backslash doubled.
func pgQuote(w string) string {
	return "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + "'"
}

// tsquery is the tsquery text of p, the counterpart of match (the column
// restriction is pgColumn's).
func (p searchPass) tsquery() string {
	if p.key {
		return pgQuote(titleKey(p.terms))
	}
	return boolExpr(p.terms, p.mode, func(w string, prefix bool) string {
		if prefix {
			return pgQuote(w) + ":*"
		}
		return pgQuote(w)
	}, " & ", " | ")
}

// foldedWeights are the tsvector weights of the folded title, artist and
// album columns, in that order.
var foldedWeights = [3]string{"A", "B", "C"}

// tsvectorText is the tsvector input of folded columns: every token of
// each (its words, parts, inner words and, in the title, the whole-title
// key), at
// successive positions, weighted by column.
func tsvectorText(cols [3]string) string {
	var b strings.Builder
	pos := 0
	for f, col := range cols {
		for _, tok := range strings.Fields(col) {
			if tok == strings.TrimSpace(fieldSep) || tok == strings.TrimSpace(innerSep) || len(tok) > maxLexemeBytes {
				continue
			}
			pos++
			fmt.Fprintf(&b, "%s:%d%s ", pgQuote(tok), min(pos, 16383), foldedWeights[f])
		}
	}
	return b.String()
}

// foldBatch is how many search rows one statement of foldPending folds.
const foldBatch = 1000

// foldPending folds the search rows written in tx and not yet folded
// (doc IS NULL, the search_unfolded index): what SQLite's triggers do in
// the same transaction.
func foldPending(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		rowid int64
		cols  [3]string
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid, title, artist, album FROM search WHERE doc IS NULL`)
	if err != nil {
		return fmt.Errorf("read search rows to fold: %w", err)
	}
	var pending []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.rowid, &r.cols[0], &r.cols[1], &r.cols[2]); err != nil {
			rows.Close()
			return fmt.Errorf("read search rows to fold: %w", err)
		}
		pending = append(pending, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read search rows to fold: %w", err)
	}
	for len(pending) > 0 {
		batch := pending[:min(len(pending), foldBatch)]
		pending = pending[len(batch):]
		var ids []int64
		var cols [4][]string // ft, fa, fl, doc
		for _, r := range batch {
			f := [3]string{indexText(r.cols[0], true), indexText(r.cols[1], false), indexText(r.cols[2], false)}
			ids = append(ids, r.rowid)
			for i, v := range append(f[:], tsvectorText(f)) {
				cols[i] = append(cols[i], v)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE search s SET ft = u.ft, fa = u.fa, fl = u.fl, doc = CAST(u.doc AS tsvector)
			FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
				AS u(rowid, ft, fa, fl, doc)
			WHERE s.rowid = u.rowid`, ids, cols[0], cols[1], cols[2], cols[3]); err != nil {
			return fmt.Errorf("fold search rows: %w", err)
		}
	}
	return nil
}
