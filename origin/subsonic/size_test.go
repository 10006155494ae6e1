package subsonic

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/pgtest"
)

// TestSongSizeIsTheStreamsLength: every listing that returns songs gives
// each song's size, and it is the length of what stream (no maxBitRate)
// and download serve: the body's length and a HEAD's Content-Length. On
// SQLite and PostgreSQL, on a catalog ingested before tracks kept their
// high rendition's bytes (its schema one step back), which gets them when
// the origin opens it, and on a SQLite catalog copied into PostgreSQL by
// origin migrate (which must copy them).
func TestSongSizeIsTheStreamsLength(t *testing.T) {
	// The fixture's songs all last 4 s, so their streams are all as long:
	// a song of 7.3 s tells a size from another song's.
	lib := filepath.Join(t.TempDir(), "lib")
	if err := os.CopyFS(lib, os.DirFS(filepath.Join(filepath.Dir(ingestedTemplate(t)), "lib"))); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=392:sample_rate=44100:duration=7.3",
		"-ac", "2", "-metadata", "title=Longer Road", "-metadata", "artist=Beta Band", "-metadata", "album=Night Drive",
		"-metadata", "genre=Rock", "-metadata", "track=2", filepath.Join(lib, "Beta Band/Night Drive/02.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make a longer song: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name     string
		postgres bool // ingest into PostgreSQL
		old      bool // then take the catalog back a schema step
		migrate  bool // then copy the SQLite catalog into PostgreSQL
	}{
		{name: "sqlite"},
		{name: "sqlite, ingested before", old: true},
		{name: "postgres", postgres: true},
		{name: "postgres, ingested before", postgres: true, old: true},
		{name: "sqlite ingested before, migrated to postgres", old: true, migrate: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data")}
			if c.postgres {
				o.Catalog = pgtest.Database(t)
			}
			sum, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Catalog: o.Catalog, Jobs: 2})
			if err != nil || len(sum.Skipped) > 0 {
				t.Fatalf("ingest: %v, skipped %+v", err, sum.Skipped)
			}
			if c.old {
				unmigrateHighBytes(t, o)
			}
			if c.migrate {
				o.Catalog = pgtest.Database(t)
				if _, err := origin.Migrate(context.Background(), origin.MigrateOptions{From: o.DataDir, ToCatalog: o.Catalog}); err != nil {
					t.Fatalf("migrate to PostgreSQL: %v", err)
				}
			}
			f := serve(t, o)
			f.checkSongSizes(t)
		})
	}
}

// unmigrateHighBytes takes o's catalog back to the schema before tracks
// kept high_bytes (SQLite's step 22, PostgreSQL's 18), as an older segue
// left it: that step only adds the column.
func unmigrateHighBytes(t *testing.T, o origin.ServerOptions) {
	t.Helper()
	var db *sql.DB
	var err error
	steps := []string{`ALTER TABLE tracks DROP COLUMN high_bytes`, `PRAGMA user_version = 21`}
	if o.Catalog != "" {
		db, err = sql.Open("pgx", o.Catalog)
		steps[1] = `DELETE FROM schema_version WHERE version >= 18` // and the steps after it
	} else {
		db, err = origin.OpenCatalog(o.DataDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range steps {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.Exec(`SELECT high_bytes FROM tracks`); err == nil {
		t.Fatal("tracks.high_bytes is still there")
	}
}

// checkSongSizes streams and downloads every song of f, then lists them
// every way the API lists songs (after starring, queueing, bookmarking,
// sharing and scrobbling them) and compares each song's size with the
// stream's length.
func (f *fixture) checkSongSizes(t *testing.T) {
	want := map[string]int64{}
	var ids []string
	for _, tr := range f.tracks {
		ids = append(ids, tr.ID)
		want[tr.ID] = f.streamLength(t, tr.ID)
	}
	slices.Sort(ids)
	if want[f.tracks["Longer Road"].ID] == want[f.tracks["Morning Tide"].ID] {
		t.Fatalf("a song of 7.3 s and one of 4 s both stream %d bytes", want[f.tracks["Morning Tide"].ID])
	}
	first := f.tracks["Morning Tide"]
	ok := func(method string, q url.Values) map[string]any {
		t.Helper()
		r := f.rawJSON(t, method, q)
		if r["status"] != "ok" {
			t.Fatalf("%s %v: %v", method, q, r)
		}
		return r
	}
	ok("star", url.Values{"id": {first.ID}})
	pl := ok("createPlaylist", url.Values{"name": {"Sizes"}, "songId": ids})["playlist"].(map[string]any)["id"].(string)
	ok("createShare", url.Values{"id": {pl}})
	ok("savePlayQueue", url.Values{"id": ids, "current": {first.ID}, "position": {"1000"}})
	ok("createBookmark", url.Values{"id": {first.ID}, "position": {"1500"}})
	ok("scrobble", url.Values{"id": {first.ID}, "submission": {"false"}})

	for _, c := range []struct {
		method string
		q      url.Values
	}{
		{"getSong", url.Values{"id": {first.ID}}},
		{"getAlbum", url.Values{"id": {first.AlbumID}}},
		{"getMusicDirectory", url.Values{"id": {first.AlbumID}}},
		{"search2", url.Values{"query": {"morning"}}},
		{"search3", url.Values{"query": {""}, "songCount": {"10"}}},
		{"getRandomSongs", url.Values{"size": {"10"}}},
		{"getSongsByGenre", url.Values{"genre": {"Ambient"}}},
		{"getStarred", nil},
		{"getStarred2", nil},
		{"getPlaylist", url.Values{"id": {pl}}},
		{"getShares", nil},
		{"getSimilarSongs", url.Values{"id": {first.ID}}},
		{"getSimilarSongs2", url.Values{"id": {first.ArtistID}}},
		{"getTopSongs", url.Values{"artist": {first.Artist}}},
		{"getPlayQueue", nil},
		{"getBookmarks", nil},
		{"getNowPlaying", nil},
	} {
		songs := songObjects(ok(c.method, c.q))
		if len(songs) == 0 {
			t.Errorf("%s %v: no songs", c.method, c.q)
		}
		for _, s := range songs {
			id, _ := s["id"].(string)
			size, _ := s["size"].(float64)
			if int64(size) != want[id] || want[id] == 0 {
				t.Errorf("%s: song %s has size %v, want %d (the length of its stream)", c.method, id, s["size"], want[id])
			}
		}
	}
	// XML carries it as an attribute.
	r, _ := f.xmlCall(t, "getAlbum", url.Values{"id": {first.AlbumID}})
	for _, s := range r.Album.Songs {
		if s.Size != want[s.ID] {
			t.Errorf("getAlbum (XML): song %s has size %d, want %d", s.ID, s.Size, want[s.ID])
		}
	}
}

// streamLength is the length of song id's stream without maxBitRate,
// checked against its download and a HEAD's Content-Length.
func (f *fixture) streamLength(t *testing.T, id string) int64 {
	t.Helper()
	resp, body := f.call(t, "stream", url.Values{"id": {id}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/mpeg" || len(body) == 0 {
		t.Fatalf("stream %s: HTTP %d, %s, %d bytes", id, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	n := int64(len(body))
	if resp, dl := f.call(t, "download", url.Values{"id": {id}}); resp.StatusCode != http.StatusOK || int64(len(dl)) != n {
		t.Errorf("download %s: HTTP %d, %d bytes; want the stream's %d", id, resp.StatusCode, len(dl), n)
	}
	q := tokenAuth("c0ffee")
	q.Set("id", id)
	q.Set("c", "segue-test")
	q.Set("v", APIVersion)
	req, err := http.NewRequest("HEAD", f.base+Prefix+"stream?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := testkit.Do(t, nil, req)
	if got := head.Header.Get("Content-Length"); head.StatusCode != http.StatusOK || got != strconv.FormatInt(n, 10) {
		t.Errorf("HEAD stream %s: HTTP %d, Content-Length %q; want %d", id, head.StatusCode, got, n)
	}
	return n
}

// rawJSON calls method with f=json and returns the envelope's content as
// it came.
func (f *fixture) rawJSON(t *testing.T, method string, q url.Values) map[string]any {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("f", "json")
	resp, body := f.call(t, method, q)
	var env struct {
		R map[string]any `json:"subsonic-response"`
	}
	if err := json.Unmarshal(body, &env); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d, %v in %s", method, resp.StatusCode, err, body)
	}
	return env.R
}

// songObjects finds every song in a decoded answer: the entries (isDir
// false) whose id is a track's.
func songObjects(v any) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case map[string]any:
		if id, _ := v["id"].(string); strings.HasPrefix(id, catalog.PrefixTrack) && v["isDir"] == false {
			out = append(out, v)
		}
		for _, x := range v {
			out = append(out, songObjects(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, songObjects(x)...)
		}
	}
	return out
}
