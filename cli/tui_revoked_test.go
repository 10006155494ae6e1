package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"segue/cache"
	"segue/config"
	"segue/net/originclient"
	"segue/ui/notice"
)

// openResolver serves an origin with nothing in it and returns its URL, a
// client of it and the resolver the interface's o opens through (with a
// real document cache), closed when the test ends.
func openResolver(t *testing.T) (string, *originclient.Client, *resolver) {
	t.Helper()
	o := serveLibrary(t, t.TempDir(), t.TempDir())
	url := "http://" + o.addr
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { docs.Close() })
	a := &app{cfg: config.Default()}
	a.cfg.Origin = url
	r, err := newResolver(a, docs, "auto")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.close)
	return url, c, r
}

// TestTUIOpenRevokedLinkSaysWhatToDo: `o` of a share link its owner
// revoked said "open shared playlist: the link is unknown or was revoked"
// and stopped there, where segue play and playlist show of the same link
// go on to say what to do (check the whole link was pasted, or ask the
// playlist's owner for a new one). The interface says the same now, for a
// link revoked and for one never made, and the error is still not found.
func TestTUIOpenRevokedLinkSaysWhatToDo(t *testing.T) {
	url, c, r := openResolver(t)
	ctx := context.Background()
	pl, err := c.CreatePlaylist(ctx, "Gone", nil)
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UnsharePlaylist(ctx, pl.ID); err != nil {
		t.Fatal(err)
	}
	const want = "open shared playlist: the link is unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"
	for _, ref := range []string{link.String(), url + "/p/" + strings.Repeat("B", 43)} {
		_, err := r.Open(ctx, ref)
		if got := notice.Say(err); got != want || !errors.Is(err, originclient.ErrNotFound) {
			t.Errorf("o %s: the status line says %q (not found: %v); want %q", ref, got, errors.Is(err, originclient.ErrNotFound), want)
		}
	}
}
