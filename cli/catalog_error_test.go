package cli

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/origin/pgtest"
)

// TestUnusableCatalogSaidPlainly: a --catalog PostgreSQL cannot be used
// with says why in one sentence and what to do, for every command that
// opens it. origin serve said "dial error: the origin is unreachable ...
// start it (segue origin serve)", ingest blamed the data dir, migrate
// advised running it again to resume, and all showed pgx's words
// ("failed to connect to `user=... database=...`: ... (SQLSTATE 3D000)").
func TestUnusableCatalogSaidPlainly(t *testing.T) {
	good, err := url.Parse(pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	noDB := *good
	noDB.Path = "/nodb"
	noUser := *good
	noUser.User = url.User("nobody_here")
	closed := *good
	closed.Host = testkit.RefusedAddr(t)
	at := "the PostgreSQL catalog at " + good.Host
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	checkFailCases(t, env, []failCase{
		{"token list of a database that is not there", append([]string{"origin", "token", "list", "--catalog", noDB.String()}, data...),
			"origin token list: " + at + ` has no database "nodb": create it (createdb nodb) or check --catalog`, ExitError, true},
		{"user list as a user PostgreSQL does not know", append([]string{"origin", "user", "list", "--catalog", noUser.String()}, data...),
			"origin user list: " + at + ` refused the user "nobody_here": role "nobody_here" does not exist (check --catalog)`, ExitError, true},
		{"serve of a PostgreSQL not running", append([]string{"origin", "serve", "--addr", "127.0.0.1:0", "--catalog", closed.String()}, data...),
			"origin serve: the PostgreSQL catalog at " + closed.Host + " is unreachable: nothing listens there (connection refused); start PostgreSQL or check --catalog", ExitError, false},
		{"ingest into a database that is not there", append([]string{"origin", "ingest", dir, "--catalog", noDB.String()}, data...),
			"ingest: " + at + ` has no database "nodb"`, ExitError, true},
		{"migrate to a PostgreSQL not running", []string{"origin", "migrate", "--from", newEmptyOrigin(t), "--to-catalog", closed.String()},
			"migrate: the PostgreSQL catalog at " + closed.Host + " is unreachable: nothing listens there (connection refused); start PostgreSQL or check --to-catalog", ExitError, true},
	}, func(t *testing.T, c failCase) {
		_, errOut, _ := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), c.args...)...)
		for _, words := range []string{"failed to connect", "SQLSTATE", "dial", "segue origin serve)", "resume", "data dir"} {
			if strings.Contains(errOut, words) {
				t.Errorf("segue %s says %q: %q", strings.Join(c.args, " "), words, errOut)
			}
		}
	})
}

// newEmptyOrigin is the data dir of an origin that holds nothing yet.
func newEmptyOrigin(t *testing.T) string {
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start() // makes the catalog
	o.stop()
	return o.data
}
