package origin

import (
	"context"
	"fmt"
	"strconv"
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
// the index; then the words anywhere in the row (long terms exact); then,
// unless that pass held them all, titles holding the query's words whole,
// then as prefixes; then, while there are fewer than searchCandidates
// candidates, stems (long terms cut to the indexed prefix length and
// filtered here on the full prefix, within a row budget), then the exact
// prefix query, only when the stem pass ran out of budget. Whole-word
// matches thus come before longer words they prefix ("love" before
// "lovely") when there are enough of them, as the ranking would order them
// anyway. A pass is not read where it cannot change the page (readOpening,
// closingCannotReach): on BenchmarkSearch1M that reads 29% fewer rows in
// 25% fewer statements.
const (
	indexedPrefix = 5   // longest prefix index in the schema, in characters
	stemBudget    = 600 // rows the stem pass may read
)

// candidateSQL reads matches of one kind in index order; the LIMIT, which
// follows it, stops the scan. The kind column is not read: the rowid range
// gives it, and each column read costs (0.2 µs a row of the 1M benchmark's
// 3 µs). The LIMIT is written in the text, not bound: SQLite (3.54)
// prepares a statement again at each new binding of a LIMIT parameter,
// which was 3% of a search's CPU time.
const candidateSQL = `SELECT ref_id, title, artist, album FROM search_fts
	WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT `

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

// passRead is one pass over one kind and how many rows it may read.
type passRead struct {
	p    searchPass
	kind kindRange
	max  int
}

// passRows holds what a search has read of the index: the rows of
// passes, by passRead.id (a pass not there is read when candidates asks),
// and on PostgreSQL how many rows hold each term of the passes it may
// read (pgPostingQuery).
type passRows struct {
	rows   map[string][]candidate
	counts map[string]int64
}

// id names r among the passes of one search.
func (r passRead) id() string {
	return fmt.Sprintf("%s %s %d %s", r.kind.kind, r.p.pgColumn(r.kind), r.max, r.p.tsquery())
}

// rows returns the rows of pr, at most pr.max, each as kind, ref_id and
// the folded title, artist and album, in rowid order: on PostgreSQL from
// ahead when read there, else from the index.
func (r *Reader) rows(ctx context.Context, pr passRead, ahead *passRows) ([]candidate, error) {
	if r.pg {
		if cs, ok := ahead.rows[pr.id()]; ok {
			return cs, nil
		}
		err := r.readPasses(ctx, []passRead{pr}, ahead)
		return ahead.rows[pr.id()], err
	}
	rows, err := r.db.QueryContext(ctx, candidateSQL+strconv.Itoa(pr.max), pr.p.match(pr.kind), pr.kind.lo, pr.kind.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Rows are scanned in place: a candidate scanned into a variable would
	// be moved to the heap, one allocation a row. Many passes (the titles
	// equal to the query) find a few rows: the slice starts small.
	out := make([]candidate, 0, 16)
	for rows.Next() {
		out = append(out, candidate{kind: pr.kind.kind})
		c := &out[len(out)-1]
		if err := rows.Scan(&c.id, &c.fields[0], &c.fields[1], &c.fields[2]); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// expr builds a MATCH expression from folded terms, ANDed. A term with
// parts matches as one word or as all its parts ("AC/DC" finds "acdc" and
// "AC DC"; "hold-up" finds "Hold Up"). Each word is matched as wordForm
// says. Words hold no '"' (SearchWords drops punctuation), so no input can
// be FTS5 syntax.
func expr(terms []catalog.SearchWord, mode string) string {
	return boolExpr(terms, mode, func(w string, prefix bool) string {
		if prefix {
			return `"` + w + `"*`
		}
		return `"` + w + `"`
	}, " AND ", " OR ")
}

// boolExpr ANDs the essential terms of terms in mode, each as word writes
// the form wordForm gives it, or its parts.
func boolExpr(terms []catalog.SearchWord, mode string, word func(w string, prefix bool) string, and, or string) string {
	terms = essential(terms, mode)
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = word(wordForm(t.Text, mode))
		if t.Parts != nil {
			alt := make([]string, len(t.Parts))
			for j, p := range t.Parts {
				alt[j] = word(wordForm(p, mode))
			}
			parts[i] = "(" + parts[i] + or + "(" + strings.Join(alt, and) + "))"
		}
	}
	return strings.Join(parts, and)
}

// wordForm is how a query word w matches in mode: a word of at most
// indexedPrefix characters as a prefix; a longer one whole (mode exact),
// as the prefix of its stem, its first indexedPrefix characters (mode
// stem), or as a prefix (mode prefix). Mode word makes every word whole.
func wordForm(w, mode string) (text string, prefix bool) {
	switch {
	case mode == "word":
		return w, false
	case utf8.RuneCountInString(w) <= indexedPrefix || mode == "prefix":
		return w, true
	case mode == "exact":
		return w, false
	}
	return string([]rune(w)[:indexedPrefix]), true
}

// essential drops from terms those another term implies in mode: a
// prefix that another's form starts with ("rir" beside "riri"), or a
// repeated whole word. The answers are the same; the index and the
// planner are spared a condition (PostgreSQL estimated 'riri':* & 'rir':*
// as independent, 260 rows for 16,000, and fetched them all).
func essential(terms []catalog.SearchWord, mode string) []catalog.SearchWord {
	implies := func(b, a catalog.SearchWord) bool {
		if a.Parts != nil || b.Parts != nil {
			return false
		}
		at, ap := wordForm(a.Text, mode)
		bt, bp := wordForm(b.Text, mode)
		return ap && strings.HasPrefix(bt, at) || !ap && !bp && at == bt
	}
	var out []catalog.SearchWord
	for i, a := range terms {
		dropped := false
		for j, b := range terms {
			if j != i && implies(b, a) && (j < i || !implies(a, b)) {
				dropped = true
				break
			}
		}
		if !dropped {
			out = append(out, a)
		}
	}
	return out
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

// openingPasses are the passes candidates reads over kind first: titles
// equal to the query (terms); rows holding every required term as whole
// words in the title; as prefixes in the title; anywhere in the row (but
// for artists, whose row is their name). Each holds the rows of the one
// before it, and reads at most searchCandidates rows, whatever the page
// asked for.
func openingPasses(terms, required []catalog.SearchWord, kind kindRange) []passRead {
	prs := []passRead{
		{searchPass{terms: terms, key: true}, kind, searchCandidates},
		{searchPass{terms: required, mode: "word", title: true}, kind, searchCandidates},
		{searchPass{terms: required, mode: "exact", title: true}, kind, searchCandidates},
	}
	if kind.kind != catalog.PrefixArtist {
		prs = append(prs, passRead{searchPass{terms: required, mode: "exact"}, kind, searchCandidates})
	}
	return prs
}

// closingPass is the pass candidates reads over kind after the opening
// passes when a term is longer than the prefix index and there is no page
// yet: in mode "stem" (at most stemBudget rows, filtered on the whole
// terms) or, when that ran out of budget without a page, "prefix".
func closingPass(required []catalog.SearchWord, kind kindRange, mode string) passRead {
	if mode == "stem" {
		return passRead{searchPass{terms: required, mode: mode}, kind, stemBudget}
	}
	return passRead{searchPass{terms: required, mode: mode}, kind, searchCandidates}
}

// closingCannotReach reports whether no row a closing pass could add to
// cands would reach a page of limit, nor tie with its last: limit of cands
// score above any such row. A closing pass runs only where the opening
// passes found fewer than searchCandidates rows, so the last of them, the
// query in mode exact anywhere in the row, was read whole; a row it did
// not find has a required word that is no whole word of any of its
// fields (a word longer than the prefix index) or prefixes none, and so
// scores at most a prefix in the title for that term, the most for each
// other, and no bonus for a field equal to the query (rankCandidates).
// Scoring cands here costs little: a closing pass runs only for a kind of
// fewer than searchCandidates candidates.
func closingCannotReach(cands []candidate, terms []catalog.SearchWord, limit int) bool {
	bound := 2*fieldWeight[0]*(len(terms)-1) + fieldWeight[0]
	whole, above := wholeText(terms), 0
	for i := range cands {
		if scoreCandidate(&cands[i], terms, whole) > bound {
			above++
		}
	}
	return above >= limit
}

// kindCandidates are the candidates of one kind found so far.
type kindCandidates struct {
	kind kindRange
	seen map[string]bool // IDs in out
	out  []candidate
	open bool // the next closing pass is to be read
}

// add keeps the rows of cs not in kc yet that keep accepts (nil: all).
// Each row is parsed in place in cs: a copy handed to keep would be moved
// to the heap, one allocation a row.
func (kc *kindCandidates) add(cs []candidate, keep func(*candidate) bool) {
	for i := range cs {
		c := &cs[i]
		if kc.seen[c.id] {
			continue
		}
		c.parse()
		if keep != nil && !keep(c) {
			continue
		}
		kc.seen[c.id] = true
		kc.out = append(kc.out, *c)
	}
}

// readOpening reads kc's opening passes into kc and reports whether they
// decide its page on their own: the titles equal to the query, which
// decide when there are a page of them; then the widest pass, the query
// anywhere in the row, which when read whole (fewer rows than its budget)
// holds every row of the others; else whole words in the title before
// words they prefix ("love" before thousands of "lovely"), and, unless
// those filled their budget (a prefix hit in the title ranks below them),
// prefixes in the title, unless every word is longer than the prefix index
// and the two are one query.
func (r *Reader) readOpening(ctx context.Context, kc *kindCandidates, terms, required []catalog.SearchWord, ahead *passRows, limit int) (decided bool, err error) {
	prs := openingPasses(terms, required, kc.kind)
	key, word, title := prs[0], prs[1], prs[2]
	read := func(pr passRead) ([]candidate, bool, error) {
		cs, err := r.rows(ctx, pr, ahead)
		return cs, len(cs) == pr.max, err
	}
	cs, _, err := read(key)
	if err != nil {
		return false, err
	}
	kc.add(cs, nil)
	// A title equal to the query scores at least 8 a term plus the bonus
	// 32 of a whole field; any other row at most 8 a term plus 16 and 8
	// (an artist and an album equal to the query; rankCandidates). So when
	// such titles make the page, the page and every row tied with its last
	// are among them. No later pass finds one this did not: each reads, in
	// rowid order, at most as many rows of a larger set (they all hold the
	// query's words), or runs only when this read fewer than its budget,
	// that is all there are.
	if len(kc.out) >= limit {
		return true, nil
	}
	if len(prs) > 3 {
		cs, full, err := read(prs[3])
		if err != nil {
			return false, err
		}
		kc.add(cs, nil)
		if !full {
			return false, nil
		}
	}
	cs, full, err := read(word)
	if err != nil {
		return false, err
	}
	kc.add(cs, nil)
	if !full && expr(required, "exact") != expr(required, "word") {
		cs, _, err = read(title)
		kc.add(cs, nil)
	}
	return false, err
}

// candidates collects the matches of each kind (kindRanges, in that
// order), each kind in its own rowid range, in the passes described
// above: the opening passes, then, while a kind has no page and a term is
// longer than the prefix index, stems and then whole prefixes. A title hit
// ranks above one elsewhere, a whole word above a prefix, so each is
// looked for apart. ahead holds passes already read; on PostgreSQL the
// closing passes of every kind that needs one are read in one statement.
// The candidates, and so the ranking, are those of the largest page, so
// that a page of k results is the first k of any longer; the page size
// only lets a kind stop early where what it has not read cannot reach
// the page (readOpening, closingCannotReach).
func (r *Reader) candidates(ctx context.Context, terms, required []catalog.SearchWord, ahead *passRows, limit int) ([]kindCandidates, error) {
	kcs := make([]kindCandidates, len(kindRanges))
	for i, kind := range kindRanges {
		kc := &kcs[i]
		// Sized for one full pass: most kinds read one or more.
		*kc = kindCandidates{kind: kind, seen: make(map[string]bool, searchCandidates), out: make([]candidate, 0, searchCandidates)}
		decided, err := r.readOpening(ctx, kc, terms, required, ahead, limit)
		if err != nil {
			return nil, err
		}
		kc.open = !decided && hasLongWord(required) && len(kc.out) < searchCandidates
	}
	matches := func(c *candidate) bool { return c.matchesAll(required) }
	for _, mode := range []string{"stem", "prefix"} {
		var prs []passRead
		for i := range kcs {
			kc := &kcs[i]
			kc.open = kc.open && !closingCannotReach(kc.out, terms, limit)
			if kc.open {
				prs = append(prs, closingPass(required, kc.kind, mode))
			}
		}
		if r.pg && len(prs) > 1 {
			if err := r.readPasses(ctx, prs, ahead); err != nil {
				return nil, err
			}
		}
		for i := range kcs {
			kc := &kcs[i]
			if !kc.open {
				continue
			}
			pr := closingPass(required, kc.kind, mode)
			cs, err := r.rows(ctx, pr, ahead)
			if err != nil {
				return nil, err
			}
			if mode == "stem" {
				kc.add(cs, matches)
			} else {
				kc.add(cs, nil)
			}
			kc.open = len(cs) == pr.max && len(kc.out) < searchCandidates
		}
	}
	return kcs, nil
}
