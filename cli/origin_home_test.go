//go:build !segue_client

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOriginPathFlagsReadHome: the origin's path flags and arguments read
// a leading "~" as the home directory, as the client's do
// (TestPathFlagsReadHome): origin token create --data=~/data made
// ./~/data/catalog.db, and every other command looked there.
func TestOriginPathFlagsReadHome(t *testing.T) {
	h := newHomeTest(t)
	env := clientEnv(t, "http://127.0.0.1:9")
	music := t.TempDir()
	if err := os.WriteFile(filepath.Join(h.home, "f"), []byte("a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(h.home, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	// token create needs an origin there (it makes none): the one under the
	// home directory, which it finds only when it reads ~ as that
	makeCatalog(t, filepath.Join(h.home, "data"))
	segueOK(t, append(env, "origin", "token", "create", "ann", "--data=~/data")...)
	if out := segueOK(t, append(slices.Clone(env), "origin", "token", "list", "--data", filepath.Join(h.home, "data"))...); !strings.Contains(out, "ann") {
		t.Errorf("origin token create --data=~/data: no token ann in the catalog under the home directory:\n%s", out)
	}
	proxy := []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700"}
	if out := segueOK(t, append(append(env, proxy...), "--run-dir=~/run", "--cache-dir=~/pc")...); !strings.Contains(out, filepath.Join(h.home, "pc")) || !strings.Contains(out, filepath.Join(h.home, "run")) {
		t.Errorf("origin proxy-config --run-dir=~/run --cache-dir=~/pc: the configuration names neither under the home directory:\n%s", out)
	}
	h.check(t, env, []homeCase{
		{"origin token list --data", []string{"origin", "token", "list", "--data=~/data"}, 0, ""},
		{"origin user list --data", []string{"origin", "user", "list", "--data=~/none"}, ExitNotFound, "--data: no origin in HOME/none"},
		{"origin events export --data", []string{"origin", "events", "export", "--data=~/none"}, ExitNotFound, "--data: no origin in HOME/none"},
		{"origin events import of a quoted ~/FILE", []string{"origin", "events", "import", "~/none.jsonl", "--data=~/data"}, ExitNotFound, "origin events import: HOME/none.jsonl does not exist"},
		{"origin ingest of a quoted ~/DIR", []string{"origin", "ingest", "~/none", "--data=~/data"}, ExitNotFound, "the music folder HOME/none does not exist"},
		{"origin ingest --data", []string{"origin", "ingest", music, "--data=~/f"}, ExitUsage, "--data: HOME/f is a file"},
		{"origin serve --data", []string{"origin", "serve", "--addr", "127.0.0.1:0", "--data=~/f"}, ExitUsage, "--data: HOME/f is a file"},
		{"origin serve --tls-cert", []string{"origin", "serve", "--addr", "127.0.0.1:0", "--data=~/data", "--tls-cert=~/none.pem", "--tls-key=~/none.key"}, ExitUsage, "--tls-cert: HOME/none.pem does not exist"},
		{"origin proxy-config --run-dir", append(proxy, "--run-dir=~/none"), ExitUsage, "--run-dir: the folder HOME/none does not exist"},
		{"origin migrate --from", []string{"origin", "migrate", "--from=~/none", "--to-catalog", "postgres://u@127.0.0.1:9/db"}, ExitNotFound, "migrate --from: no origin in HOME/none"},
	})
}
