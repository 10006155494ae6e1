package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The one build of the segue command per test process, and its outcome.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the path of the segue command built from this module
// (with -tags sqlite_fts5), building it on the first call, for tests that
// run it as a process of its own: the interface in tmux, a real `segue
// origin serve` under load. A failed build fails t with go's output.
func Binary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, mkErr := os.MkdirTemp("", "segue-bin-")
		if mkErr != nil {
			binaryErr = mkErr
			return
		}
		binaryPath = filepath.Join(dir, "segue")
		if out, buildErr := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", binaryPath, "segue").CombinedOutput(); buildErr != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", buildErr, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}
