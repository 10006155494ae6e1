package subsonic

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"segue/origin"
	"segue/origin/pgtest"
)

// TestNewestIsWhenAdded: type=newest of getAlbumList2 and getAlbumList
// lists the albums added to the catalog last first, whatever their files'
// modification times say. Three albums ingested one after another, each
// of files older than the one before, come newest first; then re-tagging
// the first album's file in place, and renaming and touching the second's,
// moves neither of them up. On SQLite and on PostgreSQL.
func TestNewestIsWhenAdded(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data")}
			if engine == "postgres" {
				o.Catalog = pgtest.Database(t)
			}
			lib := filepath.Join(t.TempDir(), "lib")
			ingest := func() {
				t.Helper()
				sum, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Catalog: o.Catalog, Jobs: 2})
				if err != nil || len(sum.Skipped) > 0 {
					t.Fatalf("ingest: %v, skipped %+v", err, sum.Skipped)
				}
			}
			put := func(tr fixtureTrack, mtime time.Time) {
				t.Helper()
				if err := writeTrack(lib, tr); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(filepath.Join(lib, tr.path), mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			year := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
			first := fixtureTrack{"One/First/01.flac", "Uno", "One", "First", "Rock", "1990", 1, 220}
			second := fixtureTrack{"Two/Second/01.flac", "Dos", "Two", "Second", "Rock", "1980", 1, 247}
			third := fixtureTrack{"Three/Third/01.flac", "Tres", "Three", "Third", "Rock", "1970", 1, 330}
			put(first, year(2020))
			ingest()
			put(second, year(2015))
			ingest()
			put(third, year(2010))
			ingest()

			f := serve(t, o)
			want := []string{"Third", "Second", "First"}
			created := f.checkNewest(t, "after adding them", want)

			// A tagger fixes the first album's title tag (the file is
			// rewritten: a new mtime), and renames the second's file (its
			// track gets a new ID) and touches it.
			first.title = "Uno (remastered)"
			put(first, time.Now())
			renamed := filepath.Join(lib, "Two/Second/01 - Dos.flac")
			if err := os.Rename(filepath.Join(lib, second.path), renamed); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(renamed, time.Now(), time.Now()); err != nil {
				t.Fatal(err)
			}
			ingest()
			if again := f.checkNewest(t, "after re-tagging, renaming and touching files", want); !slices.Equal(again, created) {
				t.Errorf("created after re-tagging, renaming and touching files: %v, want %v as before", again, created)
			}
		})
	}
}

// checkNewest fails unless getAlbumList2 and getAlbumList of type newest
// list the albums titled want, in that order, with their created times
// strictly descending; it returns those times.
func (f *fixture) checkNewest(t *testing.T, when string, want []string) []string {
	t.Helper()
	q := url.Values{"type": {"newest"}}
	r := f.jsonCall(t, "getAlbumList2", q)
	mustOK(t, "getAlbumList2", r)
	if got := albumNames(r.AlbumList2.Albums); !slices.Equal(got, want) {
		t.Errorf("getAlbumList2 newest %s: %v, want %v", when, got, want)
	}
	var created []string
	for _, a := range r.AlbumList2.Albums {
		created = append(created, a.Created)
	}
	for i := 1; i < len(created); i++ {
		if created[i] >= created[i-1] { // stamp's text order is its time order
			t.Errorf("getAlbumList2 newest %s: created %v, want each before the one above it", when, created)
		}
	}
	r = f.jsonCall(t, "getAlbumList", q)
	mustOK(t, "getAlbumList", r)
	var got []string
	for _, a := range r.AlbumList.Albums {
		got = append(got, a.Title)
	}
	if !slices.Equal(got, want) {
		t.Errorf("getAlbumList newest %s: %v, want %v", when, got, want)
	}
	return created
}
