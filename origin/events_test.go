package origin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

func TestEventsImportExportRoundTrip(t *testing.T) { forEachEngine(t, testEventsImportExportRoundTrip) }

func testEventsImportExportRoundTrip(t *testing.T, e engine) {
	db := newFixtureOn(t, e).db
	ev := NewEvents(db)
	in := `{"listener":"ann","track_id":"t1","played_ms":183000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s1"}

{"listener":"bob","track_id":"t2","played_ms":4000,"completed":false,"position_ms":4000,"at":"2026-11-30T17:03:00Z","session":"s2"}
`
	read, added, err := ev.Import(t.Context(), strings.NewReader(in))
	if err != nil || read != 2 || added != 2 {
		t.Fatalf("import: read %d added %d err %v, want 2 2 nil", read, added, err)
	}
	// The same file again adds nothing: IDs derive from the fields.
	if _, added, err = ev.Import(t.Context(), strings.NewReader(in)); err != nil || added != 0 {
		t.Fatalf("second import added %d (err %v), want 0", added, err)
	}
	var out bytes.Buffer
	if n, err := ev.Export(t.Context(), &out, ""); err != nil || n != 2 {
		t.Fatalf("export: %d events, %v", n, err)
	}
	// What export wrote imports into another catalog to the same export.
	other := NewEvents(openTestCatalog(t, t.TempDir()))
	if _, added, err := other.Import(t.Context(), bytes.NewReader(out.Bytes())); err != nil || added != 2 {
		t.Fatalf("re-import: added %d err %v", added, err)
	}
	var again bytes.Buffer
	other.Export(t.Context(), &again, "")
	if again.String() != out.String() {
		t.Fatalf("round trip changed the events:\n%s\nvs\n%s", out.String(), again.String())
	}
	var first catalog.PlayEvent
	json.Unmarshal(bytes.SplitN(out.Bytes(), []byte("\n"), 2)[0], &first)
	want := catalog.PlayEvent{ID: first.ID, Listener: "ann", TrackID: "t1", PlayedMS: 183000, Completed: true,
		At: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), Session: "s1"}
	if first != want {
		t.Fatalf("first exported event = %+v, want %+v", first, want)
	}
	var bob bytes.Buffer
	if n, _ := ev.Export(t.Context(), &bob, "bob"); n != 1 || !strings.Contains(bob.String(), `"position_ms":4000`) {
		t.Fatalf("export --listener bob: %d events: %s", n, bob.String())
	}
}

func TestEventsImportNamesTheBadLine(t *testing.T) {
	for _, c := range []struct{ name, line, want string }{
		{"not JSON", `{"listener":`, "line 2"},
		{"no track", `{"listener":"a","played_ms":1,"completed":true,"at":"2026-11-30T17:00:00Z"}`, "no track_id"},
		{"no time", `{"listener":"a","track_id":"t","played_ms":1,"completed":true}`, `no "at" time`},
		{"no listener", `{"track_id":"t","played_ms":1,"completed":true,"at":"2026-11-30T17:00:00Z"}`, "no listener"},
		{"negative", `{"listener":"a","track_id":"t","played_ms":-1,"completed":true,"at":"2026-11-30T17:00:00Z"}`, "milliseconds"},
		{"unknown field", `{"listener":"a","track_id":"t","playd_ms":1,"at":"2026-11-30T17:00:00Z"}`, "playd_ms"},
		// two lines joined: the first was imported and the second dropped
		{"two on a line", `{"listener":"a","track_id":"t1","played_ms":1,"completed":true,"at":"2026-11-30T17:00:00Z"}{"listener":"a","track_id":"t2","played_ms":1,"completed":true,"at":"2026-11-30T17:01:00Z"}`, "more follows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			good := `{"listener":"a","track_id":"t0","played_ms":1,"completed":true,"at":"2026-11-30T16:00:00Z"}`
			ev := NewEvents(openTestCatalog(t, t.TempDir()))
			read, added, err := ev.Import(t.Context(), strings.NewReader(good+"\n"+c.line+"\n"))
			if !errors.Is(err, catalog.ErrBadEvent) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "line 2") {
				t.Fatalf("err = %v, want ErrBadEvent on line 2 saying %q", err, c.want)
			}
			// the good line before it is kept, as segue origin events import
			// says ("kept the 1 new event before it"): it was dropped with
			// the unfinished batch, and the command said "kept the 0"
			var out bytes.Buffer
			if n, _ := ev.Export(t.Context(), &out, ""); read != 1 || added != 1 || n != 1 {
				t.Fatalf("read %d, added %d, %d stored; want the line before the bad one read, added and stored", read, added, n)
			}
		})
	}
}

func FuzzEventsImport(f *testing.F) {
	f.Add(`{"listener":"a","track_id":"t","played_ms":1,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s"}`)
	f.Add(`{"listener":"a","track_id":"t","at":"bad"}`)
	db := openTestCatalog(f, f.TempDir())
	f.Fuzz(func(t *testing.T, in string) {
		read, added, err := NewEvents(db).Import(t.Context(), strings.NewReader(in))
		if err == nil && added > read {
			t.Fatalf("added %d of %d read", added, read)
		}
	})
}

func TestEventsAPIStoresForTheOwnerOnce(t *testing.T) {
	forEachEngine(t, testEventsAPIStoresForTheOwnerOnce)
}

func testEventsAPIStoresForTheOwnerOnce(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	r := startServer(t, f.serverOptions(), "127.0.0.1:0")
	batch := `[{"id":"e1","listener":"mallory","track_id":"t1","played_ms":5000,"completed":false,"position_ms":5000,"at":"2026-11-30T17:00:00Z","session":"s"}]`
	for i, want := range []int{1, 0} { // the resent batch adds nothing
		resp, err := http.Post(r.base+"/api/v1/events", "application/json", strings.NewReader(batch))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]int
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || got["added"] != want {
			t.Fatalf("post %d: status %d added %d, want 200 and %d", i+1, resp.StatusCode, got["added"], want)
		}
	}
	resp, body := get(t, http.MethodPost, r.base+"/api/v1/events", nil) // no body
	wantError(t, resp, body, http.StatusBadRequest)
	// two batches in one body: the first was stored and the second dropped, 200
	two := strings.ReplaceAll(batch, `"e1"`, `"e2"`) + strings.ReplaceAll(batch, `"e1"`, `"e3"`)
	resp, body = do(t, http.MethodPost, r.base+"/api/v1/events", two)
	wantError(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(string(body), "send one value") {
		t.Errorf("two batches in one body: %s; want it to say to send one", body)
	}
	resp, err := http.Post(r.base+"/api/v1/events", "application/json", strings.NewReader(`[{"track_id":"t1"}]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("event without a time: status %d, want 400", resp.StatusCode)
	}
	var out bytes.Buffer
	NewEvents(r.srv.db).Export(t.Context(), &out, "")
	if !strings.Contains(out.String(), `"listener":"local"`) || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stored events: %s; want one, of the open origin's owner local", out.String())
	}
}

// A play at a time export cannot write (after year 9999, as a Subsonic
// scrobble's time=253402300800000 gives) was stored, and from then on
// segue origin events export stopped at it with a MarshalJSON error.
func TestEventsAddRefusesTimesExportCannotWrite(t *testing.T) {
	forEachEngine(t, testEventsAddRefusesTimesExportCannotWrite)
}

func testEventsAddRefusesTimesExportCannotWrite(t *testing.T, e engine) {
	ev := NewEvents(newFixtureOn(t, e).db)
	good := catalog.PlayEvent{TrackID: "t1", PlayedMS: 1000, Completed: true, At: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)}
	if _, err := ev.Add(t.Context(), "ann", []catalog.PlayEvent{good}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{time.UnixMilli(253402300800000).UTC(), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		bad := good
		bad.At = at
		n, err := ev.Add(t.Context(), "ann", []catalog.PlayEvent{good, bad})
		if !errors.Is(err, catalog.ErrBadEvent) || !strings.Contains(err.Error(), "event 2") || !strings.Contains(err.Error(), "9999") {
			t.Fatalf("Add at %v: %d added, err %v; want ErrBadEvent naming event 2 and the years it takes", at, n, err)
		}
	}
	var out bytes.Buffer
	if n, err := ev.Export(t.Context(), &out, ""); err != nil || n != 1 {
		t.Fatalf("export: %d events, err %v; want the one good event", n, err)
	}
}
