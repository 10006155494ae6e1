package playlists

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"segue/net/originclient"
	"segue/origin"
	"segue/origin/origintest"
	"segue/ui/keys"
	"segue/ui/pin"
	"segue/ui/styles"
)

// TestPlaylistsHintLocal: on an origin that requires tokens, the playlists
// made while it ran open belong to "local", which no token sees. The
// screen said "none yet" with no word why, while segue playlist list told
// how to hand them over; it now says the same, and says nothing once a
// token has adopted them. A real origin on loopback answers.
func TestPlaylistsHintLocal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, tokID, secret := origintest.LocalOwned(t, dir)
	client, err := originclient.New(serveRequiringTokens(t, dir), originclient.Options{Token: secret})
	if err != nil {
		t.Fatal(err)
	}

	v := New(ctx, client, styles.New(nil), keys.Default(), pin.NewState())
	v.SetSize(80, 12)
	v.Update(v.Init()())
	hint := `none of yours yet — N makes one, o opens a shared playlist URL ` +
		`The origin keeps 2 playlists made while it ran open (owner "local"), which no token sees: ` +
		"on the origin's machine, segue origin token adopt-local TOKEN_ID (or a Subsonic user's name) hands them over."
	if got := flat(v.View()); !strings.Contains(got, hint) {
		t.Errorf("the playlists screen of a token with none while local has 2:\n%s\nwant it to say\n%s", v.View(), hint)
	}
	for i, line := range strings.Split(ansi.Strip(v.View()), "\n") {
		if strings.Contains(line, "…") {
			t.Errorf("line %d of the screen is cut: %q; want the note wrapped whole", i, line)
		}
	}

	if _, _, err := origin.AdoptLocal(ctx, db, tokID); err != nil {
		t.Fatal(err)
	}
	v.Update(v.Reload()())
	if got := flat(v.View()); !strings.Contains(got, "Kitchen") || strings.Contains(got, "local") {
		t.Errorf("the playlists screen after adopt-local:\n%s\nwant Kitchen and Porch, and no note about local", v.View())
	}
}

// flat is a view as one line of text: no styles, no margins.
func flat(view string) string {
	return strings.Join(strings.Fields(ansi.Strip(view)), " ")
}

// serveRequiringTokens serves the origin in dir on loopback, requiring
// tokens, until the test ends; it returns its base URL.
func serveRequiringTokens(t *testing.T, dir string) string {
	t.Helper()
	srv, err := origin.New(origin.ServerOptions{DataDir: dir, RequireToken: true})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := origintest.Serve(t, srv)
	return base
}
