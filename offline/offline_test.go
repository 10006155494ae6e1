package offline

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

func TestListKeepsSharedKeysPinned(t *testing.T) {
	dir := t.TempDir()
	l, err := Load(dir)
	if err != nil || len(l.Collections) != 0 {
		t.Fatalf("empty load: %+v %v", l, err)
	}
	l.Put(Collection{Ref: "pl1", Hashes: []string{"a", "b"}, Docs: []string{"m1"}})
	l.Put(Collection{Ref: "al1", Hashes: []string{"b", "c"}, Docs: []string{"m1", "m2"}})
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	l, err = Load(dir)
	if err != nil || len(l.Collections) != 2 {
		t.Fatalf("reload: %+v %v", l, err)
	}
	orphans := l.Remove("pl1")
	sort.Strings(orphans)
	if !reflect.DeepEqual(orphans, []string{"a"}) {
		t.Fatalf("removing pl1 frees %v, want [a] (b and m1 are still held by al1)", orphans)
	}
	if _, ok := l.Find("pl1"); ok || l.Remove("nope") != nil {
		t.Fatal("pl1 still listed, or removing an unknown ref freed something")
	}
	orphans = l.Remove("al1")
	sort.Strings(orphans)
	if !reflect.DeepEqual(orphans, []string{"b", "c", "m1", "m2"}) {
		t.Fatalf("removing al1 frees %v", orphans)
	}
}

func TestUnheldSkipsWhatOthersPin(t *testing.T) {
	l, _ := Load(t.TempDir())
	l.Put(Collection{Ref: "al1", Hashes: []string{"a", "b"}, Docs: []string{"m"}})
	failed := Collection{Ref: "pl2", Hashes: []string{"b", "c", "c"}, Docs: []string{"m", "n"}}
	if got := l.Unheld(failed.Keys()); !reflect.DeepEqual(got, []string{"c", "n"}) {
		t.Fatalf("Unheld = %v, want [c n]", got)
	}
}

// TestListIsPrivate: the offline list is the user's alone (0600 in a 0700
// folder), like the queue and the plays: its documents' URLs carry the
// share links of pinned shared playlists. It was written 0644 in a 0755
// folder, and a list written so before becomes private when saved.
func TestListIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Put(Collection{Ref: "pl1", Docs: []string{"https://h/api/v1/playlists/pl1?share=TOKEN"}})
	for range 2 {
		if err := l.Save(); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(filepath.Join(dir, "offline.json")); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("offline.json: %v, mode %v; want 0600", err, st.Mode().Perm())
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("state dir: %v, mode %v; want 0700", err, st.Mode().Perm())
		}
		os.Chmod(filepath.Join(dir, "offline.json"), 0o644) // as an older segue left it
	}
}
