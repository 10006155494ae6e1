package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// axNode is what a screen reader gets of one element of the page.
type axNode struct {
	role, name string
	focused    bool
}

// axTree returns the accessibility tree Chromium computed for the page,
// without the nodes it ignores.
func axTree(t *testing.T, ctx context.Context) []axNode {
	t.Helper()
	r, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		t.Fatalf("read the accessibility tree: %v", err)
	}
	str := func(v *accessibility.Value) string {
		var s string
		if v != nil {
			json.Unmarshal(v.Value, &s) // not a string: ""
		}
		return s
	}
	var nodes []axNode
	for _, n := range r.Nodes {
		if n.Ignored {
			continue
		}
		a := axNode{role: str(n.Role), name: str(n.Name)}
		for _, p := range n.Properties {
			if p.Name == accessibility.PropertyNameFocused && p.Value != nil && string(p.Value.Value) == "true" {
				a.focused = true
			}
		}
		nodes = append(nodes, a)
	}
	return nodes
}

// A person who cannot see the share page tabs through it with a screen
// reader: the first stop is the "Play all" button, named so (not "black
// right-pointing triangle Play all"), and the next is the first track's
// player, named for the track (each of the four players was an unnamed
// "Audio" with a "play" button, with nothing saying which track it
// plays); the cover is named for its album, not "cover".
func TestSharePageNamesItsControls(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	openShared(t, ctx, r.base, "", "Labels", []string{w.formation, w.hold, w.joga, w.getLucky}, 1200)

	var players, images []string
	for _, n := range axTree(t, ctx) {
		switch strings.ToLower(n.role) {
		case "audio":
			players = append(players, n.name)
		case "image", "img":
			images = append(images, n.name)
		}
	}
	want := []string{"Formation — Beyoncé", "Hold Up — Beyoncé", "Jóga — Björk", "Get Lucky — Daft Punk"}
	if fmt.Sprint(players) != fmt.Sprint(want) {
		t.Errorf("the players are named %q, want %q", players, want)
	}
	if fmt.Sprint(images) != "[Cover of Lemonade]" {
		t.Errorf("the images are named %q, want the cover named for its album", images)
	}

	focus := func() axNode {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		for _, n := range axTree(t, ctx) {
			if n.focused && n.role != "RootWebArea" {
				return n
			}
		}
		t.Fatal("Tab focused nothing on the page")
		return axNode{}
	}
	if n := focus(); n.role != "button" || n.name != "Play all" {
		t.Errorf("the first Tab stop is %s %q, want the button \"Play all\"", n.role, n.name)
	}
	if n := focus(); n.name != want[0] {
		t.Errorf("the second Tab stop is %s %q, want the first track's player, %q", n.role, n.name, want[0])
	}
}
