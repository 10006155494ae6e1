package cli

import (
	"context"
	"strings"
	"testing"

	"segue/ui/notice"
)

// TestTUIOpenTakesAnIDAsPasted: o takes a share link with the <...>,
// quotes and punctuation it was pasted with, but an ID so pasted (from
// segue library --json, a chat) was "neither a share link nor a playlist,
// album or track ID", which also left out the artist IDs o opens. The ID
// opens now (here an empty playlist, which says it holds no tracks), and
// what is neither says all four kinds.
func TestTUIOpenTakesAnIDAsPasted(t *testing.T) {
	_, c, r := openResolver(t)
	ctx := context.Background()
	pl, err := c.CreatePlaylist(ctx, "Empty", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{pl.ID, "<" + pl.ID + ">", `"` + pl.ID + `",`, " “" + pl.ID + "”. "} {
		_, err := r.Open(ctx, ref)
		if got := notice.Say(err); !strings.Contains(got, "the playlist \"Empty\" holds no tracks") {
			t.Errorf("o %q: the status line says %q; want the playlist Empty opened (it holds no tracks)", ref, got)
		}
	}
	_, err = r.Open(ctx, "<what is this?>")
	if got := notice.Say(err); !strings.HasSuffix(got, "is neither a share link nor a playlist, album, artist or track ID") {
		t.Errorf("o <what is this?>: the status line says %q; want it to name the four kinds of ID", got)
	}
}
