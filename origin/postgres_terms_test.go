package origin

import (
	"slices"
	"strings"
	"testing"

	"segue/origin/pgtest"
)

// searchTermsOf returns the search_terms terms of search row rowid, sorted.
func searchTermsOf(t *testing.T, f *fixture, rowid int) []string {
	t.Helper()
	rows, err := f.db.Query(`SELECT term FROM search_terms WHERE rowid = ? ORDER BY term`, rowid)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			t.Fatal(err)
		}
		out = append(out, term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// requireCountsMatch fails t unless search_term_counts holds, for every
// term, the number of postings search_terms holds (terms no row holds any
// more may stay, at 0).
func requireCountsMatch(t *testing.T, f *fixture) {
	t.Helper()
	var wrong int
	if err := f.db.QueryRow(`SELECT count(*) FROM search_term_counts c FULL JOIN
		(SELECT term, count(*) AS n FROM search_terms GROUP BY term) p ON p.term = c.term
		WHERE coalesce(c.n, -1) <> coalesce(p.n, 0)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong > 0 {
		t.Fatalf("%d terms of search_term_counts differ from search_terms", wrong)
	}
}

// Schema step 10: a search row's postings are its folded words whole and
// their prefixes of 1 to 5 characters, anywhere and (for the title's
// words) in the title; the whole-title key only whole. The triggers keep
// them, and their counts, in step with rows that are folded, rewritten
// (a retag deletes and inserts the row) and deleted.
func TestSearchTermsFollowSearchRows(t *testing.T) {
	f := newFixtureOn(t, postgresEngine)
	ar := f.artist("Beyoncé")
	al := f.album(ar, "Beyoncé", "Lemonade", 2016, nil)
	f.track(ar, "Beyoncé", al, "Lemonade", "Hold Up", 1, 2)
	row := f.n*4 + 1
	want := []string{
		"t:a*b", "t:a*be", "t:a*bey", "t:a*beyo", "t:a*beyon",
		"t:a*h", "t:a*ho", "t:a*hol", "t:a*hold",
		"t:a*l", "t:a*le", "t:a*lem", "t:a*lemo", "t:a*lemon",
		"t:a*u", "t:a*up",
		"t:a=beyonce", "t:a=hold", "t:a=lemonade", "t:a=up", "t:a=\ufdd0hold\ufdd0up",
		"t:t*h", "t:t*ho", "t:t*hol", "t:t*hold", "t:t*u", "t:t*up",
		"t:t=hold", "t:t=up",
	}
	if got := searchTermsOf(t, f, row); !slices.Equal(got, want) {
		t.Fatalf("terms of Hold Up:\n%s\nwant\n%s", strings.Join(got, " "), strings.Join(want, " "))
	}
	requireCountsMatch(t, f)

	f.exec(`DELETE FROM search WHERE rowid = ?`, row)
	f.exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 't', 'x', 'Sorry', 'Beyoncé', 'Lemonade')`, row)
	got := searchTermsOf(t, f, row)
	if slices.Contains(got, "t:t=hold") || slices.Contains(got, "t:a*hol") || !slices.Contains(got, "t:t=sorry") || !slices.Contains(got, "t:t*sorry") {
		t.Fatalf("terms after the title became Sorry: %s", strings.Join(got, " "))
	}
	requireCountsMatch(t, f)

	f.exec(`DELETE FROM search WHERE rowid = ?`, row)
	if got := searchTermsOf(t, f, row); len(got) != 0 {
		t.Fatalf("terms of a deleted row: %s", strings.Join(got, " "))
	}
	requireCountsMatch(t, f)
	var n int64
	if err := f.db.QueryRow(`SELECT n FROM search_term_counts WHERE term = 't:a=lemonade'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("count of t:a=lemonade once its one track is gone: %d, %v; want 0", n, err)
	}
}

// A pass reads its rarest term's list, merges the terms holding up to
// mergeRatio times as many rows and probes the others, rarest first.
func TestPgPostingQuery(t *testing.T) {
	for _, c := range []struct {
		name   string
		terms  []string
		counts map[string]int64
		sql    string
		args   []any
		ok     bool
	}{
		{"one term", []string{"t:a*d"}, nil,
			`SELECT t0.rowid FROM search_terms t0 WHERE t0.term = ? ORDER BY t0.rowid LIMIT ?`, []any{"t:a*d", 100}, true},
		// "stareko ful" at 1M tracks
		{"probe", []string{"t:a=stareko", "t:a*ful"}, map[string]int64{"t:a=stareko": 282, "t:a*ful": 281405},
			`SELECT t0.rowid FROM search_terms t0 WHERE t0.term = ? AND (SELECT true FROM search_terms x WHERE x.term = ? AND x.rowid = t0.rowid) ORDER BY t0.rowid LIMIT ?`,
			[]any{"t:a=stareko", "t:a*ful", 100}, true},
		// "dizu tus" at 1M tracks: the rarer list drives
		{"merge", []string{"t:a*dizu", "t:a*tus"}, map[string]int64{"t:a*dizu": 10319, "t:a*tus": 8651},
			`SELECT t0.rowid FROM search_terms t0 JOIN search_terms t1 ON t1.term = ? AND t1.rowid = t0.rowid WHERE t0.term = ? ORDER BY t0.rowid LIMIT ?`,
			[]any{"t:a*dizu", "t:a*tus", 100}, true},
		{"both", []string{"c", "a", "b"}, map[string]int64{"a": 1000, "b": 10, "c": 80},
			`SELECT t0.rowid FROM search_terms t0 JOIN search_terms t1 ON t1.term = ? AND t1.rowid = t0.rowid WHERE t0.term = ? AND (SELECT true FROM search_terms x WHERE x.term = ? AND x.rowid = t0.rowid) ORDER BY t0.rowid LIMIT ?`,
			[]any{"c", "b", "a", 100}, true},
		{"a term no row holds", []string{"a", "b"}, map[string]int64{"a": 1000}, "", nil, false},
	} {
		sql, args, ok := pgPostingQuery(c.terms, c.counts, 100)
		if sql != c.sql || !slices.Equal(args, c.args) || ok != c.ok {
			t.Errorf("%s: %q %v %v\nwant %q %v %v", c.name, sql, args, ok, c.sql, c.args, c.ok)
		}
	}
}

// Schema step 10 builds search_terms and its counts from the rows a
// catalog at step 9 holds, the same as the triggers write for new rows.
func TestSearchTermsBuiltByMigration(t *testing.T) {
	url := pgtest.Database(t)
	db := oldPostgresCatalog(t, url, 9)
	defer db.Close()
	ctx := t.Context()
	for _, r := range []struct {
		rowid        int
		kind         string
		title, album string
	}{{5, "t", "Hold Up", "Lemonade"}, {6, "al", "Lemonade", "Lemonade"}} {
		f := [3]string{indexText(r.title, true), indexText("Beyoncé", false), indexText(r.album, false)}
		if _, err := db.ExecContext(ctx, `INSERT INTO search (rowid, kind, ref_id, title, artist, album, ft, fa, fl, doc)
			VALUES ($1, $2, 'x', $3, 'Beyoncé', $4, $5, $6, $7, CAST($8 AS tsvector))`,
			r.rowid, r.kind, r.title, r.album, f[0], f[1], f[2], tsvectorText(f)); err != nil {
			t.Fatal(err)
		}
	}
	f := newFixtureAt(t, url) // migrates to the current schema
	if got := searchTermsOf(t, f, 5); len(got) != 29 || !slices.Contains(got, "t:t*hold") {
		t.Errorf("terms of Hold Up after the migration: %d, %s; want the 29 of TestSearchTermsFollowSearchRows", len(got), strings.Join(got, " "))
	}
	if got := searchTermsOf(t, f, 6); !slices.Contains(got, "al:t=lemonade") || !slices.Contains(got, "al:a*bey") {
		t.Errorf("terms of the album Lemonade after the migration: %s", strings.Join(got, " "))
	}
	requireCountsMatch(t, f)
}
