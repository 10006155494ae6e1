package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The one build of the segue commands per test process, and its outcome.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the path of the segue command built from this module as
// `make build` builds it, building it on the first call: the client build
// (-tags sqlite_fts5,segue_client) as segue, and beside it segue-origin
// (-tags sqlite_fts5), which the client runs for segue origin and segue
// demo. Tests that run segue as a process of its own (the interface in
// tmux, a real `segue origin serve` under load) so run what users run. A
// failed build fails t with go's output.
func Binary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, mkErr := os.MkdirTemp("", "segue-bin-")
		if mkErr != nil {
			binaryErr = mkErr
			return
		}
		binaryPath = filepath.Join(dir, "segue")
		for _, b := range []struct{ tags, out string }{
			{"sqlite_fts5,segue_client", binaryPath},
			{"sqlite_fts5", filepath.Join(dir, "segue-origin")},
		} {
			if out, err := exec.Command("go", "build", "-tags", b.tags, "-o", b.out, "segue").CombinedOutput(); err != nil {
				binaryErr = fmt.Errorf("go build -tags %s: %v\n%s", b.tags, err, out)
				return
			}
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}
