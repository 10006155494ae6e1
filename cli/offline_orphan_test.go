package cli

import (
	"os"
	"path/filepath"
	"testing"

	"segue/offline"
)

// TestOfflineListReleasesPinsNoPinHolds: segments pinned by no pin in the
// offline list (left by an older segue's offline add of a ref pinned
// already, see TestOfflineAddAgainReleasesTheOldPin) stayed pinned for
// good: never evicted, counted in cache stats. offline list, which makes
// each pin follow the origin, now unpins them.
func TestOfflineListReleasesPinsNoPinHolds(t *testing.T) {
	url, _ := playOrigin(t)
	album := tones(t, url)[0].AlbumID
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("origin = "+strconvQuote(url)+"\nstate_dir = "+strconvQuote(state)+
		"\nlog_file = "+strconvQuote(filepath.Join(dir, "segue.log"))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"--config", cfg, "--cache", filepath.Join(dir, "cache.db")}
	pinnedBytes := func() int64 { return pinnedBytesOf(t, env) }
	segueOK(t, append(env, "offline", "add", album, "--quality", "low")...)
	// the list forgets the pin, the cache keeps it: what an older segue left
	l, err := offline.Load(state)
	if err != nil {
		t.Fatal(err)
	}
	l.Collections = nil
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	if pinnedBytes() == 0 {
		t.Fatal("no pinned bytes after offline add")
	}
	segueOK(t, append(env, "offline", "list")...)
	if got := pinnedBytes(); got != 0 {
		t.Errorf("after offline list with no pin listed: %d bytes pinned; want 0", got)
	}
	// what a listed pin holds stays pinned
	segueOK(t, append(env, "offline", "add", album, "--quality", "low")...)
	want := pinnedBytes()
	segueOK(t, append(env, "offline", "list")...)
	if got := pinnedBytes(); got != want || got == 0 {
		t.Errorf("offline list changed the pinned bytes of a listed pin: %d, want %d", got, want)
	}
}
