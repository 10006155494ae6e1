package subsonic

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"segue/origin"
	"segue/origin/pgtest"
)

// indexArtists lists the artist names of a getIndexes answer, in order.
func indexArtists(ix *Indexes) []string {
	var out []string
	for _, fi := range ix.Index {
		for _, ar := range fi.Artists {
			out = append(out, ar.Name)
		}
	}
	return out
}

// lastScan is getScanStatus' lastScan, read from its JSON answer.
func (f *fixture) lastScan(t *testing.T) string {
	t.Helper()
	_, body := f.call(t, "getScanStatus", url.Values{"f": {"json"}})
	var env struct {
		R struct {
			ScanStatus struct {
				LastScan string `json:"lastScan"`
			} `json:"scanStatus"`
		} `json:"subsonic-response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("getScanStatus: %v in %s", err, body)
	}
	return env.R.ScanStatus.LastScan
}

// TestIndexesLastModified: getIndexes answers lastModified as when the
// catalog last changed, not the time of the call, and with
// ifModifiedSince=that time it answers no artists until an ingest adds,
// re-tags or removes a track, or a folder is removed; then lastModified
// grows and the artists are back; getScanStatus' lastScan is that time
// too. An ingest that changes nothing leaves it
// as it was. On SQLite and on PostgreSQL.
func TestIndexesLastModified(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data")}
			if engine == "postgres" {
				o.Catalog = pgtest.Database(t)
			}
			libA, libB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
			ingest := func(lib string) {
				t.Helper()
				sum, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Catalog: o.Catalog, Jobs: 2})
				if err != nil || len(sum.Skipped) > 0 {
					t.Fatalf("ingest %s: %v, skipped %+v", lib, err, sum.Skipped)
				}
			}
			put := func(lib string, tr fixtureTrack) {
				t.Helper()
				if err := writeTrack(lib, tr); err != nil {
					t.Fatal(err)
				}
			}
			one := fixtureTrack{"One/First/01.flac", "Uno", "One", "First", "Rock", "1990", 1, 220}
			two := fixtureTrack{"Two/Second/01.flac", "Dos", "Two", "Second", "Rock", "1980", 1, 247}
			three := fixtureTrack{"Three/Third/01.flac", "Tres", "Three", "Third", "Rock", "1970", 1, 330}
			put(libA, one)
			put(libA, two)
			ingest(libA)
			f := serve(t, o)

			indexes := func(q url.Values) *Indexes {
				t.Helper()
				r := f.jsonCall(t, "getIndexes", q)
				mustOK(t, "getIndexes", r)
				if r.Indexes == nil || r.Indexes.Index == nil {
					t.Fatalf("getIndexes %s: %+v; want indexes with an index list (empty or not)", q.Encode(), r.Indexes)
				}
				return r.Indexes
			}
			since := func(ms int64) url.Values { return url.Values{"ifModifiedSince": {strconv.FormatInt(ms, 10)}} }
			// check fails unless the catalog's artists are want and
			// lastModified has grown past before (or is before, for
			// before < 0: the first reading) and stays put; it returns
			// lastModified.
			check := func(when string, before int64, want []string) int64 {
				t.Helper()
				ix := indexes(nil)
				if got := indexArtists(ix); !slices.Equal(got, want) {
					t.Errorf("getIndexes %s: artists %v, want %v", when, got, want)
				}
				last := ix.LastModified
				if last <= before {
					t.Errorf("getIndexes %s: lastModified %d, want past %d (the catalog changed since)", when, last, before)
				}
				if got, want := f.lastScan(t), stamp(time.UnixMilli(last)); got != want {
					t.Errorf("getScanStatus %s: lastScan %q, want %q (getIndexes' lastModified)", when, got, want)
				}
				if before >= 0 {
					if got := indexArtists(indexes(since(before))); !slices.Equal(got, want) {
						t.Errorf("getIndexes %s with ifModifiedSince=%d (before the change): artists %v, want %v", when, before, got, want)
					}
				}
				time.Sleep(5 * time.Millisecond) // a clock read would move on
				again := indexes(since(last))
				if again.LastModified != last || len(again.Index) != 0 {
					t.Errorf("getIndexes %s with ifModifiedSince=%d (its lastModified): lastModified %d, %d index entries; want %d and none (nothing changed since)",
						when, last, again.LastModified, len(again.Index), last)
				}
				if older := indexes(since(last - 1)); len(older.Index) == 0 {
					t.Errorf("getIndexes %s with ifModifiedSince=%d (just before its lastModified): no artists, want them", when, last-1)
				}
				return last
			}
			last := check("after the first ingest", -1, []string{"One", "Two"})
			if now := time.Now().UnixMilli(); last > now || last < now-10*60*1000 {
				t.Errorf("getIndexes lastModified %d, want about now (%d), in milliseconds", last, now)
			}

			ingest(libA) // nothing changed
			if again := indexes(nil).LastModified; again != last {
				t.Errorf("getIndexes after an ingest that changed nothing: lastModified %d, want %d as before", again, last)
			}

			put(libB, three)
			ingest(libB)
			last = check("after an ingest added a track", last, []string{"One", "Three", "Two"})

			one.artist = "Uno Band" // a tagger fixes the artist
			put(libA, one)
			ingest(libA)
			last = check("after an ingest re-tagged a track", last, []string{"Three", "Two", "Uno Band"})

			if err := os.Remove(filepath.Join(libA, two.path)); err != nil {
				t.Fatal(err)
			}
			ingest(libA)
			last = check("after an ingest removed a track", last, []string{"Three", "Uno Band"})

			if _, err := origin.RemoveFolder(context.Background(), libB, origin.IngestOptions{DataDir: o.DataDir, Catalog: o.Catalog}); err != nil {
				t.Fatal(err)
			}
			check("after removing a folder", last, []string{"Uno Band"})

			if r := f.jsonCall(t, "getIndexes", url.Values{"ifModifiedSince": {"yesterday"}}); r.Error == nil || r.Error.Code != CodeGeneric {
				t.Errorf("getIndexes ifModifiedSince=yesterday: %+v, want error 0 (milliseconds since 1970 are wanted)", r.Error)
			}
		})
	}
}
