package origin

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient on a phone (390 px, the width of most) plays a track and
// drags its timeline to skip ahead: the timeline, in Chromium's own player
// controls, is wide enough to aim at. Beside the track's number and
// length, the player was 241 px wide, and with the play button, the time
// and the volume the timeline was 44 px: a dot.
func TestSharePageTimelineOnAPhone(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Phone", w.ids, 390)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	// playing: the time shows its widest, "0:01 / 0:06"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio"); return a.currentTime > 1 && !a.paused; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the first track does not play: %v", err)
	}
	// The controls are the player's own shadow tree; the DevTools
	// protocol reaches it.
	depth, pierce := int64(-1), true
	doc, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{Depth: &depth, Pierce: &pierce})
	if err != nil {
		t.Fatal(err)
	}
	var timeline *cdp.Node
	var walk func(n *cdp.Node)
	walk = func(n *cdp.Node) {
		for i := 0; i+1 < len(n.Attributes); i += 2 {
			if timeline == nil && n.Attributes[i] == "pseudo" && n.Attributes[i+1] == "-webkit-media-controls-timeline" {
				timeline = n
			}
		}
		for _, c := range append(n.ShadowRoots, n.Children...) {
			walk(c)
		}
	}
	walk(doc.Root)
	if timeline == nil {
		t.Fatal("the first player has no timeline in its controls")
	}
	box, err := chromedp.Call(ctx, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: timeline.NodeID})
	if err != nil {
		t.Fatalf("measure the timeline: %v", err)
	}
	t.Logf("the timeline is %d px wide at 390 px", box.Model.Width)
	if box.Model.Width < 120 {
		t.Errorf("at 390 px the first track's timeline is %d px wide, want 120 or more to drag it", box.Model.Width)
	}
}
