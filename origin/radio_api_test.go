package origin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

// radioOrigin serves a catalog of two artists (A: a1-a6 on one album, B:
// b1-b4) with plays in which the A album is heard in order; listener
// local last played a2.
func radioOrigin(t *testing.T) *running {
	data := t.TempDir()
	db := openTestCatalog(t, data)
	exec := func(q string, args ...any) {
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO artists(id, name) VALUES ('arA', 'A'), ('arB', 'B')`)
	exec(`INSERT INTO albums(id, title, artist_id) VALUES ('alA', 'A album', 'arA'), ('alB', 'B album', 'arB')`)
	add := func(id, artist, album string, no int) {
		exec(`INSERT INTO tracks(id, path, title, artist_id, album_id, track_no, disc_no, duration_ms, file_size, file_mtime, manifest)
			VALUES (?, ?, ?, ?, ?, ?, 1, 1000, 1, 1, '{}')`, id, id+".flac", id, artist, album, no)
	}
	for i := 1; i <= 6; i++ {
		add(fmt.Sprintf("ta%d", i), "arA", "alA", i)
	}
	for i := 1; i <= 4; i++ {
		add(fmt.Sprintf("tb%d", i), "arB", "alB", i)
	}
	var lines []string
	for s := range 4 {
		for i, id := range []string{"ta1", "ta2", "ta3", "ta4", "ta5", "ta6", "tb1", "tb2", "tb3", "tb4"} {
			lines = append(lines, fmt.Sprintf(`{"listener":"other","track_id":%q,"played_ms":200000,"completed":true,"at":"2026-11-%02dT10:%02d:00Z","session":"s%d"}`, id, s+1, i*4, s))
		}
	}
	lines = append(lines, `{"listener":"local","track_id":"ta2","played_ms":200000,"completed":true,"at":"2026-11-29T10:00:00Z","session":"me"}`)
	if _, _, err := NewEvents(db).Import(t.Context(), strings.NewReader(strings.Join(lines, "\n"))); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return startServer(t, ServerOptions{DataDir: data}, "127.0.0.1:0")
}

func radioIDs(ts []catalog.Track) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func TestRadioAPI(t *testing.T) {
	r := radioOrigin(t)
	var got []catalog.Track
	getJSON(t, r.base+"/api/v1/radio?seed=ta1&limit=10", http.StatusOK, &got)
	ids := radioIDs(got)
	// ta2 (the next track, most often after ta1) was played lately by
	// local: left out; two tracks of an artist at most in any 10, and
	// there are two artists: four tracks.
	if len(ids) != 4 || slices.Contains(ids, "ta1") || slices.Contains(ids, "ta2") || ids[0] != "ta3" {
		t.Fatalf("radio after ta1 = %v; want 4 tracks starting ta3, without ta1 and the recently played ta2", ids)
	}
	if n := len(slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !strings.HasPrefix(id, "ta") })); n > 2 {
		t.Fatalf("radio %v: %d tracks of artist A in a run of 10, want at most 2", ids, n)
	}
	getJSON(t, r.base+"/api/v1/tracks/ta1/similar?limit=1", http.StatusOK, &got)
	if ids := radioIDs(got); !slices.Equal(ids, []string{"ta2"}) {
		t.Fatalf("similar to ta1 = %v, want [ta2]", ids)
	}
	getJSON(t, r.base+"/api/v1/radio?seed=alB&limit=3", http.StatusOK, &got)
	if ids := radioIDs(got); len(ids) != 2 || slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "tb") }) {
		t.Fatalf("radio after album B = %v, want 2 tracks of A (its share of a run), none of album B", ids)
	}
	getJSON(t, r.base+"/api/v1/radio?seed=arA&limit=2", http.StatusOK, &got)
	if ids := radioIDs(got); len(ids) != 2 || slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "ta") }) {
		t.Fatalf("radio after artist A = %v", ids)
	}
	for _, c := range []struct {
		url  string
		want int
	}{
		{"/api/v1/radio?seed=tnope", http.StatusNotFound},
		{"/api/v1/radio?seed=alnope", http.StatusNotFound},
		{"/api/v1/radio", http.StatusBadRequest},
		{"/api/v1/radio?seed=ta1&limit=0", http.StatusBadRequest},
		{"/api/v1/radio?seed=ta1&limit=101", http.StatusBadRequest},
		{"/api/v1/tracks/tnope/similar", http.StatusNotFound},
	} {
		resp, body := get(t, http.MethodGet, r.base+c.url, nil)
		wantError(t, resp, body, c.want)
	}
	// An empty playlist is there, with nothing to start from: said so (it
	// was "seed ... not found").
	_, body := do(t, http.MethodPost, r.base+"/api/v1/playlists", `{"name": "Empty"}`)
	var empty catalog.Playlist
	if err := json.Unmarshal(body, &empty); err != nil || empty.ID == "" {
		t.Fatalf("create a playlist: %s (%v)", body, err)
	}
	resp, body := get(t, http.MethodGet, r.base+"/api/v1/radio?seed="+empty.ID, nil)
	if want := `"seed ` + empty.ID + ` holds no tracks to start a radio from"`; resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), want) {
		t.Errorf("radio after an empty playlist: %d %s; want 404 saying %s", resp.StatusCode, body, want)
	}
}

// TestRecommenderRebuildsInTheBackground: a model older than its limit is
// answered at once and rebuilt from the new plays by one goroutine.
func TestRecommenderRebuildsInTheBackground(t *testing.T) {
	r := radioOrigin(t)
	rec := r.srv.reco
	rec.after = 0
	m, err := rec.get(t.Context())
	if err != nil || m.Plays("tb1") != 4 {
		t.Fatalf("first model: %v, %d plays of tb1, want 4", err, m.Plays("tb1"))
	}
	if _, err := NewEvents(r.srv.db).Add(t.Context(), "local", []catalog.PlayEvent{{TrackID: "tb1", PlayedMS: 200_000, Completed: true,
		At: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), Session: "new"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := rec.get(t.Context()) // answers with the current model, starts a rebuild
		if err != nil {
			t.Fatal(err)
		}
		if m.Plays("tb1") == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the model still counts %d plays of tb1, want 5 after a rebuild", m.Plays("tb1"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRadioUnknownSeedNotFound: a seed ID nothing has is "not found" on
// both catalog engines; an unknown artist ID was said to hold no tracks to
// start a radio from, as if the artist were there.
func TestRadioUnknownSeedNotFound(t *testing.T) { forEachEngine(t, testRadioUnknownSeedNotFound) }

func testRadioUnknownSeedNotFound(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	for _, seed := range []string{"arnope", "alnope", "tnope", "plnope"} {
		resp, body := get(t, http.MethodGet, r.base+"/api/v1/radio?seed="+seed, nil)
		if want := `"seed ` + seed + ` not found"`; resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), want) {
			t.Errorf("radio after %s: %d %s; want 404 saying %s", seed, resp.StatusCode, body, want)
		}
	}
	if resp, body := get(t, http.MethodGet, r.base+"/api/v1/radio?seed="+w.bjork, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("radio after an artist with tracks: %d %s; want 200", resp.StatusCode, body)
	}
}
