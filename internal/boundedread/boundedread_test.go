package boundedread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file of exactly the bound is read whole; one byte more is refused, as
// is an endless device, and a missing file is os.ReadFile's error.
func TestBound(t *testing.T) {
	dir := t.TempDir()
	at, over := filepath.Join(dir, "at"), filepath.Join(dir, "over")
	os.WriteFile(at, []byte(strings.Repeat("x", 1024)), 0o644)
	os.WriteFile(over, []byte(strings.Repeat("x", 1025)), 0o644)
	if b, err := ReadFile(at, 1024); err != nil || len(b) != 1024 {
		t.Errorf("a file of the bound: %d bytes, %v; want all 1024", len(b), err)
	}
	for _, p := range []string{over, "/dev/zero"} {
		if _, err := ReadFile(p, 1024); !errors.Is(err, ErrTooLarge) || err.Error() != "larger than 1024 bytes" {
			t.Errorf("%s: %v; want ErrTooLarge, \"larger than 1024 bytes\"", p, err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 1024); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v; want fs.ErrNotExist", err)
	}
	if got := (&TooLargeError{Limit: 64 << 20}).Error(); got != "larger than 64 MiB" {
		t.Errorf("64 MiB said %q", got)
	}
}
