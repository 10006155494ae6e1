package origin

import (
	"os"
	"testing"

	"segue/origin/pgtest"
)

// The repository contract suite: the tests that take an engine run against
// a catalog in SQLite (a file in t.TempDir()) and in PostgreSQL (a fresh
// database in the package's cluster, pgtest), and must pass on both.

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// engine is a catalog engine.
type engine string

const (
	sqliteEngine   engine = "sqlite"
	postgresEngine engine = "postgres"
)

// catalog returns the ServerOptions.Catalog of a fresh catalog on e.
func (e engine) catalog(t testing.TB) string {
	if e == postgresEngine {
		return pgtest.Database(t)
	}
	return ""
}

// forEachEngine runs test as a subtest per engine.
func forEachEngine(t *testing.T, test func(t *testing.T, e engine)) {
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		t.Run(string(e), func(t *testing.T) { test(t, e) })
	}
}
