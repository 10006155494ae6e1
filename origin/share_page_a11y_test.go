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
// play button, named for the track (each of the four players was an
// unnamed "Audio" with a "play" button, with nothing saying which track it
// plays), as is each track's position slider; the cover is named for its
// album, not "cover". (The page plays through one MediaSource, each
// track's row a play button and a slider; <audio> per track is the
// fallback of browsers without MSE.)
func TestSharePageNamesItsControls(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	openShared(t, ctx, r.base, "", "Labels", []string{w.formation, w.hold, w.joga, w.getLucky}, 1200)

	var players, images []string
	for _, n := range axTree(t, ctx) {
		switch strings.ToLower(n.role) {
		case "slider":
			players = append(players, n.name)
		case "image", "img":
			images = append(images, n.name)
		}
	}
	want := []string{"Formation — Beyoncé", "Hold Up — Beyoncé", "Jóga — Björk", "Get Lucky — Daft Punk"}
	if fmt.Sprint(players) != fmt.Sprint(want) {
		t.Errorf("the tracks' position sliders are named %q, want %q", players, want)
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
	if n := focus(); n.role != "button" || n.name != "Play "+want[0] {
		t.Errorf("the second Tab stop is %s %q, want the first track's play button, %q", n.role, n.name, "Play "+want[0])
	}
}

// A recipient using the keyboard presses Enter on "Play all", the first
// Tab stop, and Enter again to pause: the music pauses, the button saying
// "Pause" while it plays, and a third Enter goes on from where it paused.
// The second Enter started the first track over: pausing took Tab through
// every player's controls down to the one playing.
func TestSharePagePausesFromTheKeyboard(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Keys", w.ids, 390)
	// press presses key on the focused element, then waits for cond on
	// the first player (a) and for the button to say label, and returns
	// the player's currentTime and the name of what has the focus.
	press := func(key, what, cond, label string) (float64, string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
			t.Fatal(err)
		}
		js := fmt.Sprintf(`(() => { const a = document.querySelector("audio");
			return (%s) && document.getElementById("playall").textContent.endsWith(%q) ? [a.currentTime] : null; })()`, cond, label) // an array: 0 s is false
		at, err := chromedp.Run(ctx, chromedp.Poll[[]float64](js, chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\n%s", what, err, text)
		}
		for _, n := range axTree(t, ctx) {
			if n.focused && n.role != "RootWebArea" {
				return at[0], n.name
			}
		}
		return at[0], ""
	}
	if _, name := press("\t", "Tab focuses Play all", `document.activeElement.id === "playall"`, "Play all"); name != "Play all" {
		t.Errorf("the first Tab stop is %q, want \"Play all\"", name)
	}
	if _, name := press("\r", "Enter on Play all plays the first track, the button saying Pause", `!a.paused && a.currentTime > 1`, "Pause"); name != "Pause" {
		t.Errorf("with the first track playing, the button is %q, want \"Pause\"", name)
	}
	paused, name := press("\r", "Enter on the button again pauses, the button saying Resume", `a.paused && !a.ended`, "Resume")
	if name != "Resume" {
		t.Errorf("with the first track paused, the button is %q, want \"Resume\"", name)
	}
	if at, _ := press("\r", "Enter once more plays on", `!a.paused && a.currentTime > 0`, "Pause"); at < paused-0.1 {
		t.Errorf("paused at %.2f s, Enter played on from %.2f s: from the start, not where it paused", paused, at)
	}
}
