package cache

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every statement of the cache's that picks entries by a condition finds
// them through an index, not by reading the whole table: pinning looked
// each hash up by key alone, where the unique index is on (kind, key), so
// an album's 1,152 hashes read 100,000 entries each (BenchmarkPinAlbum:
// 37.9 s to pin and unpin, 0.11 s through the index). The statements are
// the SQL string literals of the package's source that name entries with
// a WHERE; SQLite's EXPLAIN QUERY PLAN says "SCAN entries" for a table
// scan.
func TestNoStatementScansEntries(t *testing.T) {
	// passes over every entry by design: fixTotals recomputes the totals
	// from the rows. clear's statements are fragments completed at run
	// time (they end in WHERE or AND), deleting every entry in batches.
	wholePass := []string{"coalesce(sum(size), 0)"}
	c, _ := openTemp(t, 1<<30)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			sql, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.Contains(sql, "entries") || !strings.Contains(sql, "WHERE") || strings.Contains(sql, "CREATE") ||
				strings.HasSuffix(sql, "WHERE ") || strings.HasSuffix(sql, "AND ") ||
				slices.ContainsFunc(wholePass, func(s string) bool { return strings.Contains(sql, s) }) {
				return true
			}
			checked++
			rows, err := c.db.Query("EXPLAIN QUERY PLAN "+sql, make([]any, strings.Count(sql, "?"))...)
			if err != nil {
				t.Errorf("%s: %q: %v", f, sql, err)
				return true
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				if detail == "SCAN entries" {
					t.Errorf("%s: %q reads every entry (query plan %q): give it the index's columns (kind, key)", f, sql, detail)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no statement on entries found in the package's source")
	}
	t.Logf("%d statements checked", checked)
}
