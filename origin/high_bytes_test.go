package origin

import (
	"testing"

	"segue/catalog"
)

// A catalog made before tracks kept their high rendition's bytes (SQLite's
// schema step 22, PostgreSQL's 18) gets them on upgrade, summed from the
// segments ingest wrote with each manifest: only the high rendition's, 0
// for a track without one; the Reader then gives each track the length of
// its whole high stream.
func TestHighBytesOnUpgrade(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		data, url := t.TempDir(), e.catalog(t)
		old := oldCatalog(t, e, data, url, 21, 17)
		for _, q := range []string{
			`INSERT INTO artists (id, name) VALUES ('ar1', 'Artist')`,
			`INSERT INTO albums (id, title, artist_id) VALUES ('al1', 'Album', 'ar1')`,
			`INSERT INTO tracks (id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
				VALUES ('t1', 'a/01.flac', 'One', 'ar1', 'al1', 1000, 10, 1, '{}')`,
			`INSERT INTO tracks (id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
				VALUES ('t2', 'a/02.flac', 'Two', 'ar1', 'al1', 1000, 10, 1, '{}')`,
			`INSERT INTO segments (track_id, rendition, idx, hash, size) VALUES
				('t1', 'high', 0, 'h0', 400000), ('t1', 'high', 1, 'h1', 123457),
				('t1', 'low', 0, 'l0', 120000), ('t1', 'low', 1, 'l1', 38000),
				('t2', 'low', 0, 'l2', 5000)`,
		} {
			_, err := old.Exec(q)
			must(t, err)
		}
		must(t, old.Close())

		db, err := OpenCatalogAt(t.Context(), url, data)
		must(t, err)
		defer db.Close()
		if got := tableColumn(t, db, `SELECT id || ' ' || high_bytes FROM tracks ORDER BY id`); len(got) != 2 || got[0] != "t1 523457" || got[1] != "t2 0" {
			t.Errorf("high_bytes after the upgrade: %q, want t1's two high segments (523457) and 0 for t2 (no high rendition)", got)
		}
		tr, err := NewReader(db).Track(t.Context(), "t1")
		must(t, err)
		// One Info frame at 320 kbit/s, 44.1 kHz: 144*320000/44100 = 1044 bytes.
		if tr.StreamBytes != 1044+523457 {
			t.Errorf("t1's StreamBytes: %d, want %d (the Info frame and the segments)", tr.StreamBytes, 1044+523457)
		}
		if tr, err := NewReader(db).Track(t.Context(), "t2"); err != nil || tr.StreamBytes != 0 {
			t.Errorf("t2's StreamBytes: %d, %v; want 0 (not known)", tr.StreamBytes, err)
		}
	})
}

// streamBytes knows each rendition's Info frame: 313, 522 and 1044 bytes
// at 96, 160 and 320 kbit/s (144*kbps*1000/44100, no padding byte).
func TestStreamBytes(t *testing.T) {
	for _, c := range []struct {
		name  string
		audio int64
		want  int64
	}{
		{catalog.RenditionLow, 1000, 1313},
		{catalog.RenditionNormal, 1000, 1522},
		{catalog.RenditionHigh, 1000, 2044},
		{catalog.RenditionHigh, 0, 0},
		{"lossless", 1000, 0},
	} {
		if got := streamBytes(c.name, c.audio); got != c.want {
			t.Errorf("streamBytes(%q, %d) = %d, want %d", c.name, c.audio, got, c.want)
		}
	}
}
