package blobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FS.Put renamed a blob into place and returned without fsyncing its
// folder, so a power loss could undo the rename after the catalog
// recorded the blob. Put now syncs the folder after the rename (the blob
// is there when it does), and Dir when the folder is new; a sync that
// fails fails the Put and leaves no blob, so a retry writes it again.
// What a power loss keeps cannot be seen from a test: this sees the
// fsyncs Put asks for, on a real directory.
func TestFSPutSyncsTheFolderAfterTheRename(t *testing.T) {
	ctx := context.Background()
	s := FS{Dir: t.TempDir()}
	type call struct {
		dir     string
		entries []string // what dir held when it was synced
	}
	var calls []call
	var fail error
	real := syncDir
	t.Cleanup(func() { syncDir = real })
	syncDir = func(dir string) error {
		des, _ := os.ReadDir(dir)
		c := call{dir: dir}
		for _, de := range des {
			c.entries = append(c.entries, de.Name())
		}
		calls = append(calls, c)
		if fail != nil {
			return fail
		}
		return real(dir)
	}

	h, err := s.Put(ctx, []byte("segment one"))
	if err != nil {
		t.Fatal(err)
	}
	shard := filepath.Join(s.Dir, h[:2])
	if len(calls) != 2 || calls[0].dir != s.Dir || !slices.Contains(calls[0].entries, h[:2]) ||
		calls[1].dir != shard || !slices.Equal(calls[1].entries, []string{h}) {
		t.Fatalf("Put of a blob in a new folder synced %+v; want %s (holding %s), then %s holding the blob", calls, s.Dir, h[:2], shard)
	}

	// the same blob again: already durable, nothing to sync
	calls = nil
	if _, err := s.Put(ctx, []byte("segment one")); err != nil || len(calls) != 0 {
		t.Fatalf("Put of a stored blob: %v, synced %+v; want none", err, calls)
	}

	// a sync that fails: an error naming the folder, and no blob left
	calls, fail = nil, errors.New("input/output error")
	data := []byte("segment two")
	h2 := Hash(data)
	for !strings.HasPrefix(h2, h[:2]) { // a blob of the folder there: the sync after the rename fails
		data = append(data, '.')
		h2 = Hash(data)
	}
	if _, err := s.Put(ctx, data); err == nil || !strings.Contains(err.Error(), "make its rename into") || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("Put with a failing sync: %v; want the sync's error", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, h2[:2], h2)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a blob whose sync failed stayed (%v): a retry would skip it unsynced", err)
	}
	calls, fail = nil, nil
	if _, err := s.Put(ctx, data); err != nil || len(calls) != 1 || calls[0].dir != shard || !slices.Contains(calls[0].entries, h2) {
		t.Fatalf("the retry: %v, synced %+v; want its folder synced", err, calls)
	}
}
