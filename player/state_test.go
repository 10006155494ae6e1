package player

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestStateRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := LoadState(dir)
	if err != nil || s.Volume != 100 || s.Index != -1 {
		t.Fatalf("missing state: %+v, %v; want empty at full volume", s, err)
	}
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	want := SavedState{Tracks: ts("a b c"), Index: 1, PositionMS: 61234, Volume: 35, Repeat: "all"}
	p.Restore(want) // not opened: nothing plays, the state is just held
	if err := SaveState(dir, p.Snapshot()); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state round trip: %+v, want %+v", got, want)
	}
	if st := p.Status(); st.State != Paused || st.Position.Round(time.Millisecond) != 61234*time.Millisecond {
		t.Errorf("restored status %+v, want paused at 61.234 s", st)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(dir); err == nil {
		t.Error("a corrupt state file loaded without error")
	}
}
