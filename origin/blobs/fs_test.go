package blobs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin/blobs"
)

func TestFS(t *testing.T) {
	testStore(t, func(t *testing.T) blobs.Store { return blobs.FS{Dir: filepath.Join(t.TempDir(), "blobs")} })
}

// TestFSLayout pins the on-disk layout older data dirs have: Dir/ab/abcdef…,
// temp files in Dir/tmp that Walk ignores and CleanTemp removes.
func TestFSLayout(t *testing.T) {
	ctx := context.Background()
	s := blobs.FS{Dir: t.TempDir()}
	h, err := s.Put(ctx, []byte("cover"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, h[:2], h)); err != nil {
		t.Fatalf("blob not at Dir/%s/%s: %v", h[:2], h, err)
	}
	stale := filepath.Join(s.Dir, "tmp", h[:8]+"-123")
	os.MkdirAll(filepath.Dir(stale), 0o755)
	os.WriteFile(stale, []byte("half"), 0o644)
	if got := walk(t, s); !slices.Equal(got, []string{h}) {
		t.Fatalf("Walk = %v, want only %s (temp files are not blobs)", got, h)
	}
	if err := s.CleanTemp(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("CleanTemp left %s", stale)
	}
	b, err := s.Open(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, ok := b.ReadSeekCloser.(*os.File); !ok {
		t.Fatalf("FS.Open gave a %T, want *os.File (the sendfile path)", b.ReadSeekCloser)
	}
}

func TestValidHashAgreesWithCatalog(t *testing.T) {
	h := strings.Repeat("0123456789abcdef", 4)
	for _, s := range []string{h, strings.ToUpper(h), h[:63], h + "0", h[:63] + "g", "", "../" + h[3:], h[:32] + "/" + h[33:]} {
		if blobs.ValidHash(s) != catalog.ValidHash(s) {
			t.Errorf("ValidHash(%q) = %v; catalog.ValidHash says %v", s, blobs.ValidHash(s), catalog.ValidHash(s))
		}
	}
}

// TestFSStatFailure: a blob the filesystem cannot tell about (here its
// shard folder is a file, so stat(2) says ENOTDIR) is an error, not a
// missing blob, as Open's is.
func TestFSStatFailure(t *testing.T) {
	ctx := context.Background()
	s := blobs.FS{Dir: t.TempDir()}
	h := blobs.Hash([]byte("cover"))
	if err := os.WriteFile(filepath.Join(s.Dir, h[:2]), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Stat(ctx, h); err == nil || ok {
		t.Fatalf("Stat under a shard that is a file = %v, %v; want false and an error", ok, err)
	}
	if _, err := s.Open(ctx, h); err == nil || errors.Is(err, blobs.ErrNotFound) {
		t.Fatalf("Open under a shard that is a file: %v; want an error other than ErrNotFound", err)
	}
}
