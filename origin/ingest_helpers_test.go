package origin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"segue/catalog"
	"segue/origin/blobs"
)

func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required: run make deps (it installs ffmpeg)", tool)
		}
	}
}

// source describes a synthetic music-like file: two voices of a chord per
// channel with a slow tremolo and a gliding partial, so correlation checks
// see real spectral content, not one pure tone.
type source struct {
	name    string
	root    float64 // Hz
	seconds float64
	rate    int
	tags    map[string]string
	args    []string // extra output args (codec...)
}

func writeSource(t testing.TB, dir string, s source) string {
	t.Helper()
	if s.rate == 0 {
		s.rate = 44100
	}
	r := s.root
	expr := fmt.Sprintf("0.25*sin(2*PI*%g*t)*(1+0.4*sin(2*PI*1.7*t))+0.15*sin(2*PI*%g*t)+0.08*sin(2*PI*%g*t*(1+0.05*t))|"+
		"0.22*sin(2*PI*%g*t)+0.15*sin(2*PI*%g*t)*(1+0.5*sin(2*PI*0.9*t))+0.05*sin(2*PI*%g*t)",
		r, r*1.25, r*3, r*1.5, r*2, r*4.01)
	path := filepath.Join(dir, s.name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("aevalsrc=%s:s=%d:d=%g", expr, s.rate, s.seconds)}
	for k, v := range s.tags {
		args = append(args, "-metadata", k+"="+v)
	}
	args = append(args, s.args...)
	args = append(args, path)
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", s.name, err, out)
	}
	return path
}

// decodeSource decodes path the way the reference does: ffmpeg, f32le,
// 44.1 kHz stereo.
func decodeSource(t testing.TB, path string) [][2]float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path,
		"-f", "f32le", "-ar", "44100", "-ac", "2", "pipe:1").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	pcm := make([][2]float64, len(out)/8)
	for i := range pcm {
		for c := 0; c < 2; c++ {
			bits := binary.LittleEndian.Uint32(out[i*8+c*4:])
			pcm[i][c] = float64(math.Float32frombits(bits))
		}
	}
	return pcm
}

func openTestCatalog(t testing.TB, data string) *sql.DB {
	t.Helper()
	return target{data: data}.open(t)
}

func manifestOf(t testing.TB, db *sql.DB, path string) catalog.Manifest {
	t.Helper()
	var js string
	if err := db.QueryRow(`SELECT manifest FROM tracks WHERE path = ?`, path).Scan(&js); err != nil {
		t.Fatalf("manifest of %s: %v", path, err)
	}
	var m catalog.Manifest
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ingest(t testing.TB, lib, data string) IngestSummary {
	t.Helper()
	return target{data: data}.ingest(t, lib)
}

// target is where an ingest writes: a data dir and a catalog on one
// engine (catalog "" is the data dir's SQLite file).
type target struct{ data, catalog string }

func newTarget(t testing.TB, e engine) target {
	return target{data: t.TempDir(), catalog: e.catalog(t)}
}

func (o target) ingest(t testing.TB, lib string) IngestSummary {
	t.Helper()
	sum, err := Ingest(context.Background(), lib, IngestOptions{DataDir: o.data, Catalog: o.catalog, Jobs: 2})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return sum
}

// open opens the target's catalog for the rest of t.
func (o target) open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := OpenCatalogAt(context.Background(), o.catalog, o.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (o target) serverOptions() ServerOptions {
	return ServerOptions{DataDir: o.data, Catalog: o.catalog}
}

// segmentBytes concatenates the blobs of the given segments.
func segmentBytes(t testing.TB, store blobs.FS, segs []catalog.Segment) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, s := range segs {
		p, err := store.Path(s.Hash)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("segment blob: %v", err)
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

func execFFmpeg(args ...string) ([]byte, error) {
	return exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...).CombinedOutput()
}

// checkSearchRows asserts one search row per track, album and artist, each
// under the rowid ingest derives for it.
func checkSearchRows(t testing.TB, db *sql.DB) {
	t.Helper()
	for _, q := range []struct{ table, kind string }{{"tracks", "t"}, {"albums", "al"}, {"artists", "ar"}} {
		var rows, missing, extra int
		must(t, db.QueryRow(`SELECT count(*) FROM `+q.table).Scan(&rows))
		must(t, db.QueryRow(`SELECT count(*) FROM `+q.table+` x WHERE NOT EXISTS
			(SELECT 1 FROM search s WHERE s.ref_id = x.id AND s.kind = ?)`, q.kind).Scan(&missing))
		must(t, db.QueryRow(`SELECT count(*) FROM search s WHERE s.kind = ? AND NOT EXISTS
			(SELECT 1 FROM `+q.table+` x WHERE x.id = s.ref_id)`, q.kind).Scan(&extra))
		if missing != 0 || extra != 0 || rows == 0 {
			t.Errorf("%s: %d rows, %d without a search row, %d stale search rows", q.table, rows, missing, extra)
		}
	}
}

// checkBlobs asserts every referenced blob exists with matching sha256, no
// temp file is left, and (when ranToEnd: after a finished ingest) no temp
// file or unreferenced blob remains.
func checkBlobs(t testing.TB, data string, ranToEnd bool) {
	t.Helper()
	db := openTestCatalog(t, data)
	store := blobs.FS{Dir: filepath.Join(data, BlobDir)}
	rows, err := db.Query(`SELECT hash FROM segments UNION SELECT cover_hash FROM albums WHERE cover_hash IS NOT NULL
		UNION SELECT cover_hash FROM tracks WHERE cover_hash IS NOT NULL`)
	must(t, err)
	live := map[string]bool{}
	for rows.Next() {
		var h string
		must(t, rows.Scan(&h))
		live[h] = true
	}
	rows.Close()
	for h := range live {
		p, err := store.Path(h)
		must(t, err)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("referenced blob missing: %v", err)
			continue
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != h {
			t.Errorf("blob %s holds bytes with another hash", h)
		}
	}
	if !ranToEnd {
		return
	}
	must(t, store.Walk(context.Background(), func(h string) error {
		if !live[h] {
			t.Errorf("unreferenced blob %s left after GC", h)
		}
		return nil
	}))
	for _, dir := range []string{filepath.Join(store.Dir, "tmp"), filepath.Join(data, oldScratch)} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			t.Errorf("temp file left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}
