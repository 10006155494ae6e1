package origin

import (
	"errors"
	"testing"

	"segue/origin/pgtest"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b = ?`, `a = $1 AND b = $2`},
		{`WHERE ?1 = '' OR listener = ?1`, `WHERE $1 = '' OR listener = $1`},
		{`x = '?' AND y = ? -- what?` + "\n" + `AND z = ?`, `x = '?' AND y = $1 -- what?` + "\n" + `AND z = $2`},
		{`"we?ird" = ?`, `"we?ird" = $1`},
		{`'it''s?' = ?`, `'it''s?' = $1`},
		{`unterminated '?`, `unterminated '?`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// FuzzRebind: whatever the SQL, rebind keeps every byte outside the
// placeholders it numbers.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{"a = ?", "'?'", `"?"`, "-- ?\n?", "?12", "'", "?'?'?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := rebind(q)
		if len(out) < len(q) {
			t.Fatalf("rebind(%q) = %q: shorter than its input", q, out)
		}
	})
}

// Two ingests into one PostgreSQL catalog, from two data dirs (two
// machines), never run at once: the second is refused, the first's blobs
// are safe from the second's garbage collection.
func TestIngestHoldsThePostgresCatalog(t *testing.T) {
	needFFmpeg(t)
	url := pgtest.Database(t)
	first := target{data: t.TempDir(), catalog: url}
	release, err := lockIngest(t.Context(), first.open(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Ingest(t.Context(), t.TempDir(), IngestOptions{DataDir: t.TempDir(), Catalog: url})
	if !errors.Is(err, ErrCatalogBusy) {
		t.Fatalf("ingest while another holds the catalog: %v, want ErrCatalogBusy", err)
	}
	release()
	if _, err := Ingest(t.Context(), t.TempDir(), IngestOptions{DataDir: t.TempDir(), Catalog: url}); err != nil {
		t.Fatalf("ingest once the other is done: %v", err)
	}
}
