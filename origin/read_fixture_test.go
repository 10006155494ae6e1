package origin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"testing"

	"segue/catalog"
	"segue/origin/blobs"
)

// fixture is a small catalog written with plain SQL, the way ingest lays it
// out (search rows: artist title=artist=name; album title=album=title;
// rowids interleaved by kind), with real blob files. Ingest owns the real
// write path; these tests only need rows to read.
type fixture struct {
	t       testing.TB
	dir     string
	catalog string // ServerOptions.Catalog: "" or a postgres:// URL
	db      *sql.DB
	blobs   blobs.FS
	n       int // rowid counter
}

// newFixture is an empty SQLite catalog.
func newFixture(t testing.TB) *fixture { return newFixtureOn(t, sqliteEngine) }

// newFixtureOn is an empty catalog on engine e.
func newFixtureOn(t testing.TB, e engine) *fixture { return newFixtureAt(t, e.catalog(t)) }

// newFixtureAt is an empty catalog at catalogURL ("": SQLite in a temp dir).
func newFixtureAt(t testing.TB, catalogURL string) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), catalog: catalogURL}
	db, err := OpenCatalogAt(context.Background(), f.catalog, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db, f.blobs = db, blobs.FS{Dir: filepath.Join(f.dir, BlobDir)}
	return f
}

// serverOptions are options of a server over the fixture's catalog.
func (f *fixture) serverOptions() ServerOptions {
	return ServerOptions{DataDir: f.dir, Catalog: f.catalog}
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	f.indexed()
}

// indexed completes the search rows written outside catalogTx: on
// PostgreSQL it folds them (foldPending), as ingest's transactions do.
func (f *fixture) indexed() {
	f.t.Helper()
	if err := catalogTx(context.Background(), f.db, func(*sql.Tx) error { return nil }); err != nil {
		f.t.Fatalf("fold search rows: %v", err)
	}
}

func (f *fixture) artist(name string) string {
	f.n++
	id := catalog.NewID(catalog.PrefixArtist, name)
	f.exec(`INSERT INTO artists(rowid, id, name, sort_key) VALUES (?, ?, ?, ?)`, f.n, id, name, catalog.SortKey(name, ""))
	f.exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 'ar', ?, ?, ?, '')`, f.n*4+3, id, name, name)
	return id
}

// album adds an album; cover may be nil.
func (f *fixture) album(artistID, artistName, title string, year int, cover []byte) string {
	f.n++
	id := catalog.NewID(catalog.PrefixAlbum, artistName, title)
	var hash, mime any
	if cover != nil {
		h, err := f.blobs.Put(context.Background(), cover)
		if err != nil {
			f.t.Fatal(err)
		}
		hash, mime = h, "image/png"
	}
	f.exec(`INSERT INTO albums(rowid, id, title, artist_id, year, cover_hash, cover_mime, sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		f.n, id, title, artistID, year, hash, mime, catalog.SortKey(title, ""))
	f.exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 'al', ?, ?, ?, ?)`, f.n*4+2, id, title, artistName, title)
	return id
}

// track adds a track whose one rendition is made of segs (stored as blobs),
// and returns its ID and manifest.
func (f *fixture) track(artistID, artistName, albumID, albumTitle, title string, disc, no int, segs ...[]byte) (string, catalog.Manifest) {
	f.n++
	id := catalog.NewID(catalog.PrefixTrack, artistName, albumTitle, title)
	m := catalog.Manifest{TrackID: id, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: 96, StartSkip: catalog.StartSkip}
	r := catalog.Rendition{Name: catalog.RenditionLow, Codec: "mp3", Bitrate: 96}
	for _, s := range segs {
		h, err := f.blobs.Put(context.Background(), s)
		if err != nil {
			f.t.Fatal(err)
		}
		r.Segments = append(r.Segments, catalog.Segment{Hash: h, Size: int64(len(s)), Frames: 96})
	}
	m.Renditions = []catalog.Rendition{r}
	m.TotalSamples = int64(len(segs)*96*catalog.SamplesPerFrame - catalog.StartSkip - 500)
	mj, err := json.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	f.exec(`INSERT INTO tracks(rowid, id, path, title, artist_id, album_id, track_no, disc_no, year, duration_ms, file_size, file_mtime, manifest,
			sort_key, album_group) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2001, ?, 1, 1, ?, ?, ?)`, f.n, id, fmt.Sprintf("%s/%s.flac", albumTitle, title), title, artistID, albumID, no, disc,
		m.TotalSamples*1000/catalog.SampleRate, string(mj), catalog.SortKey(title, ""), albumGroup(albumTitle+"/"+title+".flac", albumTitle, artistName))
	for i, s := range r.Segments {
		f.exec(`INSERT INTO segments(track_id, rendition, idx, hash, size) VALUES (?, ?, ?, ?, ?)`, id, r.Name, i, s.Hash, s.Size)
	}
	f.exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 't', ?, ?, ?, ?)`, f.n*4+1, id, title, artistName, albumTitle)
	return id, m
}

// tinyPNG is a real 4x4 PNG: clients check that a cover decodes.
func tinyPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 16)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// seg makes distinct segment bytes.
func seg(label string, size int) []byte {
	b := make([]byte, size)
	h := sha256.Sum256([]byte(label))
	for i := range b {
		b[i] = h[i%len(h)] ^ byte(i/32)
	}
	return b
}

// world is the catalog most origin tests read.
type world struct {
	*fixture
	beyonce, bjork, daft     string // artist IDs
	lemonade, homogenic, ram string // album IDs
	formation, hold, joga    string // track IDs
	getLucky, touch          string
	formationM               catalog.Manifest
	cover                    []byte
}

// newWorld is the world in SQLite.
func newWorld(t testing.TB) *world { return newWorldOn(t, sqliteEngine) }

// newWorldOn is the world in a catalog on engine e.
func newWorldOn(t testing.TB, e engine) *world { return newWorldIn(newFixtureOn(t, e)) }

// newWorldIn fills the empty catalog of f with the world.
func newWorldIn(f *fixture) *world {
	t := f.t
	w := &world{fixture: f, cover: tinyPNG(t)}
	w.beyonce = f.artist("Beyoncé")
	w.bjork = f.artist("Björk")
	w.daft = f.artist("Daft Punk")
	w.lemonade = f.album(w.beyonce, "Beyoncé", "Lemonade", 2016, w.cover)
	w.homogenic = f.album(w.bjork, "Björk", "Homogenic", 1997, nil)
	w.ram = f.album(w.daft, "Daft Punk", "Random Access Memories", 2013, nil)
	w.hold, _ = f.track(w.beyonce, "Beyoncé", w.lemonade, "Lemonade", "Hold Up", 1, 2, seg("h1", 1000))
	w.formation, w.formationM = f.track(w.beyonce, "Beyoncé", w.lemonade, "Lemonade", "Formation", 2, 1, seg("f1", 2000), seg("f2", 1500))
	f.track(w.beyonce, "Beyoncé", w.lemonade, "Lemonade", "Pray You Catch Me", 1, 1, seg("p1", 900))
	w.joga, _ = f.track(w.bjork, "Björk", w.homogenic, "Homogenic", "Jóga", 1, 3, seg("j1", 1100))
	w.getLucky, _ = f.track(w.daft, "Daft Punk", w.ram, "Random Access Memories", "Get Lucky", 1, 8, seg("g1", 1200))
	w.touch, _ = f.track(w.daft, "Daft Punk", w.ram, "Random Access Memories", "Touch", 1, 7, seg("t1", 1300))
	return w
}
