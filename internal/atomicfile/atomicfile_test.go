package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Write makes and replaces a file, private, and leaves nothing beside it.
func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, data := range []string{"first", "second, longer than the first", ""} {
		if err := Write(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("after Write(%q): %q, %v", data, got, err)
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v; want 0600", fi.Mode().Perm())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%d entries in the directory; want the file alone", len(entries))
		}
	}
}

// A write that cannot happen leaves the file as it was, no temporary file,
// and names the path.
func TestWriteFailsWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.json")
	if err := Write(path, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	// A directory where the file should go: the rename fails.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := Write(sub, []byte("lost"))
	if err == nil || !strings.Contains(err.Error(), sub) {
		t.Fatalf("Write over a non-empty directory: %v; want an error naming %s", err, sub)
	}
	if got, _ := os.ReadFile(path); string(got) != "kept" {
		t.Errorf("the other file holds %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d entries; want the file and the directory, no temporary file", len(entries))
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Write into a missing directory: %v; want an error naming it", err)
	}
}
