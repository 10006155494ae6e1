package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/adrg/xdg"

	"segue/origin/pgtest"
)

// TestMain points every XDG directory at a temporary one for the whole
// package, so a test that does not set its own (in-process or through
// the segue binary, which inherits the environment) never reads or writes
// the real user's config, cache, state or data. The Go build cache stays
// where it was (it defaults to $XDG_CACHE_HOME/go-build): building the
// segue binary in an empty one takes minutes. The PostgreSQL cluster the
// --catalog tests started (pgtest) is stopped at the end.
func TestMain(m *testing.M) {
	if os.Getenv("GOCACHE") == "" {
		if home, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(home, "go-build"))
		}
	}
	dir, err := os.MkdirTemp("", "segue-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, name := range []string{"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"} {
		os.Setenv(name, filepath.Join(dir, name))
	}
	xdg.Reload()
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}
