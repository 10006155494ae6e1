package search

import (
	"context"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/net/subsonic"
	"segue/ui/keys"
	"segue/ui/styles"
)

// TestOfflineSearchNamesTheSubsonicServer: a search a Subsonic server
// does not answer says that search needs the Subsonic server; it said
// "offline: search needs the origin" to a listener who has no origin.
func TestOfflineSearchNamesTheSubsonicServer(t *testing.T) {
	down, err := subsonic.New("subsonic+http://ann@"+testkit.RefusedAddr(t), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	v := New(context.Background(), down, styles.New(nil), keys.Default())
	v.SetSize(100, 20)
	v.Focus()
	typeRunes(v, "dawn")
	v.Update(v.query(v.seq, "dawn")())
	want := "offline: search needs the Subsonic server; the Library shows what is pinned"
	if got, _ := v.summary(); got != want || strings.Contains(got, "origin") {
		t.Fatalf("the search a Subsonic server did not answer (err %v) says\n%q, want\n%q", v.err, got, want)
	}
}
