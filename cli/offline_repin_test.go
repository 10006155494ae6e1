package cli

import (
	"encoding/json"
	"testing"

	"segue/cache"
)

// TestOfflineAddAgainReleasesTheOldPin: offline add of a ref pinned
// already (at another quality: low, then high) replaced it in the offline
// list but kept the first rendition's segments pinned, held by no pin:
// after offline remove, cache stats still counted them pinned, never
// evicted, and cache clear said a pin was there. Now the old pin's
// segments that the new one does not hold are unpinned.
func TestOfflineAddAgainReleasesTheOldPin(t *testing.T) {
	url, _ := playOrigin(t)
	album := tones(t, url)[0].AlbumID
	pinnedBytes := func(env []string) int64 { return pinnedBytesOf(t, env) }
	env := clientEnv(t, url)
	segueOK(t, append(env, "offline", "add", album, "--quality", "low")...)
	segueOK(t, append(env, "offline", "add", album, "--quality", "high")...)
	fresh := clientEnv(t, url) // the high pin alone
	segueOK(t, append(fresh, "offline", "add", album, "--quality", "high")...)
	if got, want := pinnedBytes(env), pinnedBytes(fresh); got != want {
		t.Errorf("after offline add low, then high: %d bytes pinned; want %d, what the high pin alone pins", got, want)
	}
	segueOK(t, append(env, "offline", "remove", album)...)
	if got := pinnedBytes(env); got != 0 {
		t.Errorf("after offline remove of the only pin: %d bytes still pinned; want 0", got)
	}
}

// pinnedBytesOf returns what segue cache stats (with env) says is pinned.
func pinnedBytesOf(t *testing.T, env []string) int64 {
	t.Helper()
	var st cache.Stats
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "stats", "--json")...)), &st); err != nil {
		t.Fatal(err)
	}
	return st.PinnedBytes
}
