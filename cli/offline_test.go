package cli

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"segue/cache"
	"segue/catalog"
)

// Issue 11's acceptance 2: a pinned playlist renamed and given a track on
// the origin follows it the next time segue runs with the origin up:
// `offline list` shows the new name, two tracks, complete; the new track's
// segments were downloaded and pinned, and no segment was downloaded twice
// (counted in the origin's access log).
func TestPinFollowsPlaylist(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	tracks := tones(t, url)
	first, second := tracks[0], tracks[1]
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Commute", first.ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	_, progress, code := segue(t, append(env, "offline", "add", pl.ID, "--quality", "low")...)
	if code != 0 {
		t.Fatalf("offline add: exit %d\n%s", code, progress)
	}
	// Progress from the first second, manifests included (a pipe: lines).
	at := -1
	for _, want := range []string{"reading the track list", "1 manifest read", "0% (", "100% ("} {
		i := strings.Index(progress, want)
		if i <= at {
			t.Fatalf("offline add progress lacks %q after what came before:\n%s", want, progress)
		}
		at = i
	}
	// The test origin's album has no cover: nothing pinned waits for one.
	var st cache.Stats
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "stats", "--json")...)), &st); err != nil {
		t.Fatal(err)
	}
	if st.PinsWaiting != 0 || st.PinnedBytes == 0 {
		t.Fatalf("cache stats after offline add: %d pins waiting, %d pinned bytes; want 0 waiting", st.PinsWaiting, st.PinnedBytes)
	}
	pinned := o.access.requests("/chunks/", http.StatusOK)
	if len(pinned) == 0 {
		t.Fatal("offline add downloaded no segment")
	}

	segueOK(t, append(env, "playlist", "rename", pl.ID, "Evening Commute")...)
	segueOK(t, append(env, "playlist", "add", pl.ID, second.ID)...)
	var list []offlineEntry
	out, following, code := segue(t, append(env, "offline", "list", "--json")...)
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("offline list --json: exit %d, %v\n%s", code, err, following)
	}
	// the download of what the pin now holds shows, as offline add's does
	if !strings.Contains(following, "offline Evening Commute: 100% (") {
		t.Errorf("offline list's stderr while it followed the playlist:\n%s\nwant its download's progress", following)
	}
	if len(list) != 1 || list[0].Name != "Evening Commute" || len(list[0].Tracks) != 2 || list[0].State != "complete" ||
		!strings.Contains(list[0].Changed, `renamed from "Commute"`) {
		t.Fatalf("offline list after rename and add: %+v; want \"Evening Commute\", 2 tracks, complete, renamed", list)
	}
	after := o.access.requests("/chunks/", http.StatusOK)
	for path, n := range after {
		if n > 1 {
			t.Errorf("%s downloaded %d times, want once", path, n)
		}
	}
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+second.ID+"/manifest", &m)
	for _, s := range m.Rendition("low").Segments {
		if after["/chunks/"+s.Hash] != 1 {
			t.Errorf("segment %.12s of the added track was downloaded %d times, want once", s.Hash, after["/chunks/"+s.Hash])
		}
	}

	// Nothing changed since: the next run downloads nothing and says so.
	before := maps.Clone(o.access.requests("/chunks/", 0))
	out = segueOK(t, append(env, "offline", "list")...)
	if !strings.Contains(out, "Evening Commute") || strings.Contains(out, "updated") {
		t.Fatalf("second offline list:\n%s", out)
	}
	if got := o.access.requests("/chunks/", 0); !maps.Equal(got, before) {
		t.Fatalf("an unchanged pin requested segments: %v", slices.Collect(maps.Keys(got)))
	}

	// Its segments are pinned: with the origin down the whole playlist plays.
	o.stop()
	wav := filepath.Join(t.TempDir(), "pl.wav")
	segueOK(t, append(env, "play", pl.ID, "--quality", "low", "--output", "wav:"+wav, "--fast")...)
	if fi, err := os.Stat(wav); err != nil || fi.Size() < 1000 {
		t.Fatalf("offline play of the followed playlist: %v", err)
	}
}

// pinFirst starts newTestOrigin with its tones, pins the first at quality
// (segue offline add) and returns the origin, the client's flags and the
// tones.
func pinFirst(t *testing.T, quality string) (o *testOrigin, env []string, tracks []catalog.Track) {
	t.Helper()
	o = newTestOrigin(t)
	env = clientEnv(t, "http://"+o.addr)
	tracks = tones(t, "http://"+o.addr)
	segueOK(t, append(env, "offline", "add", tracks[0].ID, "--quality", quality)...)
	return o, env, tracks
}

// pinnedFirst pins newTestOrigin's first track at high quality (pinFirst)
// and returns the client's flags, its two tracks and the cache's stats.
func pinnedFirst(t *testing.T) (o *testOrigin, env []string, first, second catalog.Track, st cache.Stats) {
	t.Helper()
	o, env, tracks := pinFirst(t, "high")
	first, second = tracks[0], tracks[1]
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "stats", "--json")...)), &st); err != nil || st.PinnedBytes == 0 {
		t.Fatalf("cache stats after the pin: %v, %d pinned bytes", err, st.PinnedBytes)
	}
	return o, env, first, second, st
}

// TestOfflineAddBeyondTheCap: a pin whose segments would make the pinned
// bytes exceed the cache's cap is refused before any download (exit 1, with
// --json too), saying how much it needs and what to do, and nothing of it
// is pinned. offline add downloaded it all, the cache refused to keep it
// (ErrPinFull, in the log only), and it said "pinned ..." with exit 0; the
// collection then listed as "partial: run offline add again", which could
// never help.
func TestOfflineAddBeyondTheCap(t *testing.T) {
	o, env, first, second, st := pinnedFirst(t)
	// room for the first track and half of the second
	small := append(slices.Clone(env), "--cache-size", strconv.FormatInt(st.PinnedBytes*3/2, 10)+"B")
	before := len(o.access.requests("/chunks/", 0))
	for _, json := range []bool{false, true} {
		args := append(slices.Clone(small), "offline", "add", second.ID, "--quality", "high")
		if json {
			args = append(args, "--json")
		}
		out, errOut, code := segue(t, args...)
		if code != ExitError {
			t.Errorf("offline add beyond the cap (json %v): exit %d, want %d", json, code, ExitError)
		}
		msg := errOut[strings.LastIndex(errOut, "segue: ")+1:] // after the progress lines
		for _, want := range []string{"pinned segments would exceed the cache size: it needs", "unpin something (segue offline remove REF); nothing was downloaded"} {
			if !strings.Contains(msg, want) {
				t.Errorf("offline add beyond the cap (json %v) said %q; want %q", json, msg, want)
			}
		}
		if json && !strings.Contains(out, `"error"`) {
			t.Errorf("offline add --json beyond the cap: stdout %q; want {\"error\": ...}", out)
		}
	}
	// a pin held already needs nothing more: pinning it again is fine
	// under a cap that what is pinned fills
	full := append(slices.Clone(env), "--cache-size", strconv.FormatInt(st.PinnedBytes/2, 10)+"B")
	segueOK(t, append(full, "offline", "add", first.ID, "--quality", "high")...)
	if after := len(o.access.requests("/chunks/", 0)); after != before {
		t.Errorf("offline add beyond the cap downloaded %d segments; want none", after-before)
	}
	var list []offlineEntry
	if err := json.Unmarshal([]byte(segueOK(t, append(small, "offline", "list", "--json")...)), &list); err != nil || len(list) != 1 || list[0].State != "complete" {
		t.Errorf("offline list after the refused pin: %v %+v; want the first track alone, complete", err, list)
	}
	if err := json.Unmarshal([]byte(segueOK(t, append(small, "cache", "stats", "--json")...)), &st); err != nil || st.PinsWaiting != 0 {
		t.Errorf("cache stats after the refused pin: %v, %d pins waiting; want none", err, st.PinsWaiting)
	}
}

// TestPinsFillingTheCapAndClearSaySo: a cap lowered below what is pinned
// keeps nothing else, and play and cache stats say so with what to do
// (every segment played was downloaded again, one line in the log said
// why); cache clear, which empties the pins too unless --keep-pinned, says
// so in words and in --json (it said only "stored X -> 0 B").
func TestPinsFillingTheCapAndClearSaySo(t *testing.T) {
	_, env, _, second, st := pinnedFirst(t)
	const full = "is filled by the"
	small := append(slices.Clone(env), "--cache-size", strconv.FormatInt(st.PinnedBytes/2, 10)+"B")
	if out := segueOK(t, append(small, "cache", "stats")...); !strings.Contains(out, full) {
		t.Errorf("cache stats with a cap below the pins:\n%s\nwant it to say %q", out, full)
	}
	wav := filepath.Join(t.TempDir(), "out.wav")
	_, errOut, code := segue(t, append(small, "play", second.ID, "--output", "wav:"+wav, "--fast")...)
	if code != 0 || strings.Count(errOut, full) != 1 || !strings.Contains(errOut, "segue offline remove REF") {
		t.Errorf("play with a cap below the pins: exit %d, stderr %q; want 0 and one warning saying %q", code, errOut, full)
	}
	if out := segueOK(t, append(env, "cache", "stats")...); strings.Contains(out, full) {
		t.Errorf("cache stats with the default cap:\n%s\nwant no word of a full cap", out)
	}

	var ch cacheChange
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "clear", "--keep-pinned", "--json")...)), &ch); err != nil ||
		ch.PinnedBytesBefore != st.PinnedBytes || ch.PinnedBytesAfter != st.PinnedBytes {
		t.Errorf("cache clear --keep-pinned --json: %v %+v; want %d pinned bytes before and after", err, ch, st.PinnedBytes)
	}
	if out := segueOK(t, append(env, "cache", "clear")...); !strings.Contains(out, "-> 0 B: what segue offline list shows is partial now (segue offline add REF downloads it again") {
		t.Errorf("cache clear of pinned segments said %q; want it to say the pins are partial now", out)
	}
}

// TestConcurrentPinsKeepEach: offline adds run at once (a script pinning
// in parallel, or beside the interface's pin) each keep their pin. Each
// saved the list it had loaded before downloading, so the last to finish
// dropped the others' pins from offline.json, while every one exited 0.
func TestConcurrentPinsKeepEach(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	tracks := tones(t, url)
	refs := []string{tracks[0].AlbumID}
	for _, tr := range tracks {
		refs = append(refs, tr.ID)
	}
	bin := segueBinary(t)
	cmds := make([]*exec.Cmd, len(refs))
	outs := make([]bytes.Buffer, len(refs))
	for i, ref := range refs {
		cmds[i] = exec.Command(bin, append(slices.Clone(env), "offline", "add", ref, "--quality", "low")...)
		cmds[i].Stderr = &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("offline add %s: %v\n%s", refs[i], err, &outs[i])
		}
	}
	var list []offlineEntry
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "offline", "list", "--json")...)), &list); err != nil {
		t.Fatal(err)
	}
	var pinned []string
	for _, e := range list {
		pinned = append(pinned, e.Ref)
	}
	for _, ref := range refs {
		if !slices.Contains(pinned, ref) {
			t.Errorf("offline list after %d adds at once: %q, lacks %s", len(refs), pinned, ref)
		}
	}
}

// TestOfflineRemoveWithAMistypedCache: segue offline remove REF with a
// --cache (SEGUE_CACHE) naming no cache file, in a folder that exists,
// took REF off the offline list, made a new cache there and unpinned
// nothing in it: the real cache kept REF's segments pinned, never to be
// evicted, and offline list no longer showed them to remove. It now says
// there is no cache at that path and to check --cache, exit 3 (with
// --json too), changes nothing and makes no file; with the cache that is
// there it unpins as before.
func TestOfflineRemoveWithAMistypedCache(t *testing.T) {
	_, env, first, _, st := pinnedFirst(t)
	dir := t.TempDir()
	typo := filepath.Join(dir, "cahce.db")
	for _, args := range [][]string{
		{"--cache", typo, "offline", "remove", first.ID},
		{"--cache", typo, "offline", "remove", first.ID, "--json"},
	} {
		out, errOut, code := segue(t, append(slices.Clone(env), args...)...)
		msg := checkFailure(t, strings.Join(args, " "), errOut, code, ExitNotFound)
		if !strings.HasPrefix(msg, "there is no cache at "+typo+":") || !strings.Contains(msg, "check --cache") {
			t.Errorf("segue %s: %q; want it to say there is no cache at %s and to check --cache", strings.Join(args, " "), msg, typo)
		}
		var j struct{ Error string }
		if slices.Contains(args, "--json") && (json.Unmarshal([]byte(out), &j) != nil || j.Error != msg) {
			t.Errorf("segue %s: stdout %q; want {\"error\": %q}", strings.Join(args, " "), out, msg)
		}
	}
	t.Setenv("SEGUE_CACHE", typo)
	if _, errOut, code := segue(t, append(slices.Clone(env), "offline", "remove", first.ID)...); code != ExitNotFound || !strings.Contains(errOut, "there is no cache at "+typo+":") || !strings.Contains(errOut, "check SEGUE_CACHE") {
		t.Errorf("SEGUE_CACHE=%s segue offline remove: exit %d, %q; want %d, there is no cache there, check SEGUE_CACHE", typo, code, errOut, ExitNotFound)
	}
	t.Setenv("SEGUE_CACHE", "")
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("offline remove made %v", names)
	}
	var now cache.Stats
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "cache", "stats", "--json")...)), &now); err != nil || now.PinnedBytes != st.PinnedBytes {
		t.Errorf("pinned bytes after the refused remove: %d (%v); want %d", now.PinnedBytes, err, st.PinnedBytes)
	}
	if out := segueOK(t, append(slices.Clone(env), "offline", "list")...); !strings.Contains(out, first.Title) {
		t.Errorf("offline list after the refused remove:\n%s\nwant %s still listed", out, first.Title)
	}
	segueOK(t, append(slices.Clone(env), "offline", "remove", first.ID)...)
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "cache", "stats", "--json")...)), &now); err != nil || now.PinnedBytes != 0 {
		t.Errorf("pinned bytes after offline remove with the real cache: %d (%v); want 0", now.PinnedBytes, err)
	}
}
