package cli

import (
	"bytes"
	"database/sql"
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
	damageOnDiskAt(t, path, seg[100:164], 10) // inside the segment's first page
}

// damageOnDiskAt flips the byte at off of every copy of window in the
// cache file at path and its WAL.
func damageOnDiskAt(t *testing.T, path string, window []byte, off int) {
	t.Helper()
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
			b[i+off] ^= 0xff
			found++
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if found == 0 {
		t.Fatalf("the bytes to damage are not in %s", path)
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
// is listed complete; then partial, until the next offline list or add
// with the origin up fetches the segment again (it was "partial: run
// offline add again").
func TestDamagedPinnedSegmentIsFetchedAgain(t *testing.T) {
	o, env, tracks := pinFirst(t, "low")
	url := "http://" + o.addr
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")

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
	said := "held segment " + hash[:12] + " with damaged bytes (its bytes no longer match the checksum stored with them): it was dropped and is fetched again"
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

	// Found by verify, the pin is partial until the next sync with the
	// origin (offline list, offline add) fetches the segment again.
	damageOnDisk(t, path, seg)
	segueOK(t, append(env, "cache", "verify")...)
	o.stop()
	if got := state(); got != "partial" {
		t.Errorf("offline list with the origin down after cache verify dropped a pinned segment: %s, want partial", got)
	}
	o.start()
	var list []offlineEntry
	out, errOut, code := segue(t, append(env, "offline", "list", "--json")...)
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 1 {
		t.Fatalf("offline list --json: exit %d, %v\n%s", code, err, errOut)
	}
	if list[0].State != "complete" || list[0].Changed != "1 missing segment fetched again" {
		t.Errorf("offline list with the origin up again: %s, %q; want complete, \"1 missing segment fetched again\"", list[0].State, list[0].Changed)
	}
	if got := o.access.requests("/chunks/"+hash, 0)["/chunks/"+hash]; got != before+3 {
		t.Errorf("the damaged segment was requested %d times after offline add, want 3 (once a play, once by offline list)", got-before)
	}
}

// TestDamagedDocumentIsFetchedAgain: a stored answer of the origin (the
// search's JSON) whose bytes were changed on disk was used as it was once
// the origin said it had not changed (304), and the command that read it
// failed or said nothing. Now the cache checks that a document decodes as
// it reads it: search drops the damaged one, asks the origin afresh,
// prints what it printed before, says so once on stderr, exit 0 (--json
// alike).
func TestDamagedDocumentIsFetchedAgain(t *testing.T) {
	url, _ := playOrigin(t)
	tones(t, url)
	env := clientEnv(t, url)
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")
	for _, asJSON := range []bool{false, true} {
		args := append(env, "search", "tone")
		if asJSON {
			args = append(args, "--json")
		}
		want := segueOK(t, args...)
		db, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		err = db.QueryRow(`SELECT b.data FROM entries e JOIN blobs b ON b.id = e.id WHERE e.kind = 1 AND e.key LIKE '%/search%' ORDER BY e.id DESC LIMIT 1`).Scan(&body)
		db.Close()
		if err != nil || len(body) < 64 || body[0] != '{' {
			t.Fatalf("the stored search: %v, %q", err, body)
		}
		damageOnDiskAt(t, path, body[:64], 0)
		out, errOut, code := segue(t, args...)
		said := "with damaged bytes (its bytes no longer match the checksum stored with them): it was dropped and is fetched again"
		if code != 0 || out != want || strings.Count(errOut, said) != 1 {
			t.Errorf("search (--json %v) with its stored answer damaged: exit %d, stdout\n%s\nstderr\n%s\nwant exit 0, what it printed before, and once %q",
				asJSON, code, out, errOut, said)
		}
	}
}

// TestDamagedDocumentSaidByTheInterface: the interface says a damaged
// entry it met on its status line (stderr is its screen), once.
func TestDamagedDocumentSaidByTheInterface(t *testing.T) {
	url, _ := playOrigin(t)
	tones(t, url)
	env := clientEnv(t, url)
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")
	segueOK(t, append(env, "library")...)
	segueOK(t, append(env, "search", "tone")...)
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT b.data FROM entries e JOIN blobs b ON b.id = e.id WHERE e.kind = 1 AND e.content_type LIKE '%json%'`)
	if err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	seen := map[string]bool{} // damageOnDiskAt damages every copy of a window once
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		if len(b) >= 16 && !seen[string(b[:16])] {
			seen[string(b[:16])] = true
			bodies = append(bodies, b[:16])
		}
	}
	rows.Close()
	db.Close()
	if len(bodies) == 0 {
		t.Fatal("no stored JSON document")
	}
	for _, b := range bodies {
		damageOnDiskAt(t, path, b, 0)
	}
	said := "with damaged bytes (its bytes no longer match the checksum stored with them): it was dropped and is fetched again"
	s := startTUIWith(t, url, 200, 20, t.TempDir(), "SEGUE_CACHE="+path)
	screen := s.waitScreen("the status line to say a stored document was damaged", func(scr string) bool {
		return strings.Contains(strings.Join(strings.Fields(scr), " "), said)
	})
	if n := strings.Count(strings.Join(strings.Fields(screen), " "), said); n != 1 {
		t.Errorf("the interface said it %d times:\n%s", n, screen)
	}
	s.keys("q")
}
