package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// bidiControls are Unicode's bidirectional formatting characters: the
// embeddings and overrides, the isolates and the three marks.
var bidiControls = []rune{
	0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
	0x2066, 0x2067, 0x2068, 0x2069,
	0x200E, 0x200F, 0x061C,
}

// A playlist named "gnp.exe" after U+202E showed in a listing as
// "exe.png", or as another row: create, rename and the one-transaction
// edit took any such character. Each is refused (400) naming it, and
// nothing is made or renamed; a right-to-left name without one is taken.
func TestPlaylistNamesRefuseTextDirection(t *testing.T) {
	forEachEngine(t, testPlaylistNamesRefuseTextDirection)
}

func testPlaylistNamesRefuseTextDirection(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	ctx := context.Background()
	r := startServer(t, f.serverOptions(), "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, err := c.CreatePlaylist(ctx, "Mix", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range bidiControls {
		name := "Road " + string(ch) + "gnp.exe"
		code := fmt.Sprintf("U+%04X", ch)
		body, _ := json.Marshal(map[string]string{"name": name})
		resp, b := do(t, "POST", r.base+"/api/v1/playlists", string(body))
		wantError(t, resp, b, 400)
		if !strings.Contains(string(b), code) || !strings.Contains(string(b), "give it without one") {
			t.Errorf("create %s: %s; want the character named and what to do", code, b)
		}
		resp, b = do(t, "PATCH", r.base+"/api/v1/playlists/"+pl.ID, string(body))
		wantError(t, resp, b, 400)
		if !strings.Contains(string(b), code) {
			t.Errorf("rename %s: %s; want the character named", code, b)
		}
		_, err := NewPlaylists(f.db).Edit(ctx, LocalOwner, pl.ID, PlaylistEdit{Name: name})
		if !errors.Is(err, ErrBadPlaylist) || !strings.Contains(err.Error(), code) {
			t.Errorf("edit %s: %v; want ErrBadPlaylist naming it", code, err)
		}
	}
	ls, err := c.Playlists(ctx)
	if err != nil || len(ls) != 1 || ls[0].Name != "Mix" {
		t.Fatalf("after the refusals: %+v, %v; want Mix alone, unrenamed", ls, err)
	}
	// Hebrew and Arabic names need no control: the text's own direction does
	if pl, err = c.RenamePlaylist(ctx, pl.ID, "שירים / أغاني"); err != nil || pl.Name != "שירים / أغاني" {
		t.Fatalf("a right-to-left name: %+v, %v", pl, err)
	}
}

// A token's name shows in segue origin token list as a playlist's does:
// it took a line break and U+202E alike.
func TestTokenNameRefusesControls(t *testing.T) {
	f := newFixtureOn(t, sqliteEngine)
	ctx := context.Background()
	for _, name := range []string{"laptop\u202Epot", "laptop\u2066x", "lap\ntop"} {
		if _, _, err := CreateToken(ctx, f.db, name); err == nil || !strings.Contains(err.Error(), "give it") {
			t.Errorf("CreateToken(%+q): %v; want refused, saying what to do", name, err)
		}
	}
	if ts, err := ListTokens(ctx, f.db); err != nil || len(ts) != 0 {
		t.Fatalf("tokens after the refusals: %+v, %v; want none", ts, err)
	}
	if _, _, err := CreateToken(ctx, f.db, "Ω laptop"); err != nil {
		t.Fatal(err)
	}
}
