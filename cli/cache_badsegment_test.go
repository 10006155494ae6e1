package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
)

// damageOnDisk flips one byte of seg's stored bytes in the cache file at
// path (and its WAL), by hand, as a bad sector would: SQLite sees nothing
// wrong. It fails the test when the bytes are not found.
func damageOnDisk(t *testing.T, path string, seg []byte) {
	t.Helper()
	window := seg[100:164] // inside the segment's first page
	found := 0
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := bytes.Index(b, window); i >= 0; i = bytes.Index(b, window) {
			b[i+10] ^= 0xff
			found++
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if found == 0 {
		t.Fatalf("the segment's bytes are not in %s", path)
	}
}

// TestDamagedPinnedSegmentIsFetchedAgain: a pinned segment whose bytes
// were changed on disk (SQLite sees nothing: a blob's bytes) was played as
// it was, noise or a decoder's refusal, with exit 0 and not a word; peers
// were served it; offline list said the pin complete. Now the cache checks
// a segment's bytes as it reads them: play drops the damaged one, fetches
// it again from the origin and plays what a clean cache plays, says so
// once on stderr, exits 0 (--json alike); the pin is complete again.
// offline list stays cheap (it reads the cache's rows, not every
// segment's bytes): until play or cache verify finds the damage the pin
// is listed complete.
func TestDamagedPinnedSegmentIsFetchedAgain(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	env := clientEnv(t, url)
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")
	segueOK(t, append(env, "offline", "add", tracks[0].ID, "--quality", "low")...)

	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+tracks[0].ID+"/manifest", &m)
	hash := m.Rendition("low").Segments[1].Hash
	resp, err := http.Get(url + "/chunks/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	seg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	clean := filepath.Join(t.TempDir(), "clean.wav")
	segueOK(t, append(clientEnv(t, url), "play", tracks[0].ID, "--quality", "low", "--output", "wav:"+clean, "--fast")...)
	before := o.access.requests("/chunks/"+hash, 0)["/chunks/"+hash]

	state := func() string {
		t.Helper()
		var list []offlineEntry
		if err := json.Unmarshal([]byte(segueOK(t, append(env, "offline", "list", "--json")...)), &list); err != nil || len(list) != 1 {
			t.Fatalf("offline list --json: %v, %+v", err, list)
		}
		return list[0].State
	}
	said := "held segment " + hash[:12] + " with damaged bytes (they no longer match its sha256): it was dropped and is fetched again"
	for _, asJSON := range []bool{false, true} {
		damageOnDisk(t, path, seg)
		if got := state(); got != "complete" {
			t.Errorf("offline list before the damage was met: %s, want complete (it reads rows only)", got)
		}
		wav := filepath.Join(t.TempDir(), "out.wav")
		args := append(env, "play", tracks[0].ID, "--quality", "low", "--output", "wav:"+wav, "--fast")
		if asJSON {
			args = append(args, "--json")
		}
		_, errOut, code := segue(t, args...)
		if code != 0 || strings.Count(errOut, said) != 1 {
			t.Errorf("play (--json %v) of a pin with a damaged segment: exit %d, stderr\n%s\nwant exit 0 and once %q", asJSON, code, errOut, said)
		}
		if !bytes.Equal(readFile(t, wav), readFile(t, clean)) {
			t.Errorf("play (--json %v) of a pin with a damaged segment played other audio than a clean cache", asJSON)
		}
		if got := state(); got != "complete" {
			t.Errorf("offline list after play fetched the damaged segment again: %s, want complete", got)
		}
	}
	if got := o.access.requests("/chunks/"+hash, 0)["/chunks/"+hash]; got != before+2 {
		t.Errorf("the damaged segment was requested %d times after offline add, want 2 (once a play)", got-before)
	}

	// Found by verify, the pin is partial until offline add fetches it again.
	damageOnDisk(t, path, seg)
	segueOK(t, append(env, "cache", "verify")...)
	if got := state(); got != "partial" {
		t.Errorf("offline list after cache verify dropped a pinned segment: %s, want partial", got)
	}
	segueOK(t, append(env, "offline", "add", tracks[0].ID, "--quality", "low")...)
	if got := state(); got != "complete" {
		t.Errorf("offline list after offline add again: %s, want complete", got)
	}
}
