package origin

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/origin/blobs"
)

// TestServeWarnsOfABlobStoreWithoutTheCatalogsSegments: an origin started
// on a catalog with a blob store that holds none of its segments (a
// replica started without --blobs beside a PostgreSQL catalog) logs at
// start that it is not the store ingest wrote to, naming --blobs; it said
// nothing, answered 404 to every segment, and players skipped each track as
// "removed from the origin after it was queued". With the right store it
// says nothing. Ingest with such a store is refused (ErrOtherBlobStore).
func TestServeWarnsOfABlobStoreWithoutTheCatalogsSegments(t *testing.T) {
	w := newWorld(t)
	const warning = "holds none of the 3 segments of the catalog looked for"
	var right testkit.Buffer
	startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, Logger: slog.New(slog.NewTextHandler(&right, nil))}, "127.0.0.1:0")
	if strings.Contains(right.String(), warning) {
		t.Errorf("with the store ingest wrote to, the origin warned:\n%s", right.String())
	}

	var wrong testkit.Buffer
	other := blobs.FS{Dir: filepath.Join(t.TempDir(), "blobs")}
	startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, Blobs: other, Logger: slog.New(slog.NewTextHandler(&wrong, nil))}, "127.0.0.1:0")
	if s := wrong.String(); !strings.Contains(s, "level=WARN") || !strings.Contains(s, warning) || !strings.Contains(s, "--blobs") {
		t.Errorf("with an empty store the origin logged:\n%s\nwant a warning that it holds none of the catalog's segments, naming --blobs", s)
	}

	// ingest into a PostgreSQL catalog with such a store (--blobs left
	// out on the ingest machine) is refused before it writes: it encoded
	// the new files into a store no origin of the catalog reads
	pg := newWorldOn(t, postgresEngine)
	_, err := Ingest(t.Context(), t.TempDir(), IngestOptions{DataDir: t.TempDir(), Catalog: pg.catalog, Blobs: other})
	if !errors.Is(err, ErrOtherBlobStore) || !strings.Contains(err.Error(), "--blobs") {
		t.Errorf("ingest with a store holding none of the catalog's segments: %v; want ErrOtherBlobStore naming --blobs", err)
	}
	// a catalog.db whose blobs went (a backup of the catalog alone) is
	// not refused: ingest goes on (here to the empty library's refusal)
	if _, err := Ingest(t.Context(), t.TempDir(), IngestOptions{DataDir: w.dir, Catalog: w.catalog, Blobs: other}); errors.Is(err, ErrOtherBlobStore) {
		t.Errorf("ingest into a catalog.db with another store: %v; want no ErrOtherBlobStore", err)
	}
	if entries, _ := os.ReadDir(other.Dir); len(entries) != 0 {
		t.Errorf("the refused ingest wrote %d entries into the other store", len(entries))
	}
}
