//go:build !segue_client

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"segue/origin"
	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// TestOriginIngestIntoS3: ingest --blobs s3://... creates the bucket and
// puts every segment there (none in the data dir); a second run encodes
// nothing and deletes nothing; a malformed URL is exit status 2.
func TestOriginIngestIntoS3(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	endpoint := miniotest.Start(t)
	config, data := ingestEnv(t)
	lib := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=6",
		"-ac", "2", filepath.Join(lib, "one.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	url := "s3://new-bucket/segue?endpoint=" + endpoint
	for i, want := range []ingestReport{{IngestSummary: origin.IngestSummary{Added: 1}}, {IngestSummary: origin.IngestSummary{Unchanged: 1}}} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"--config", config, "origin", "ingest", lib, "--json", "--blobs", url}, &stdout, &stderr); code != ExitOK {
			t.Fatalf("run %d: exit %d, stderr:\n%s", i+1, code, stderr.String())
		}
		var rep ingestReport
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Added != want.Added || rep.Unchanged != want.Unchanged || rep.BlobsRemoved != 0 {
			t.Errorf("run %d: %d added, %d unchanged, %d blobs removed; want %d, %d, 0",
				i+1, rep.Added, rep.Unchanged, rep.BlobsRemoved, want.Added, want.Unchanged)
		}
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var segs int
	if err := db.QueryRow(`SELECT COUNT(DISTINCT hash) FROM segments`).Scan(&segs); err != nil {
		t.Fatal(err)
	}
	s3 := openS3(t, url)
	stored := 0
	if err := s3.Walk(context.Background(), func(string) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if segs == 0 || stored != segs {
		t.Errorf("bucket holds %d blobs; the catalog references %d segments", stored, segs)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, origin.BlobDir)); len(entries) != 0 {
		t.Errorf("data dir blobs/ holds %d entries; want none with --blobs s3://", len(entries))
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"--config", config, "origin", "ingest", lib, "--blobs", "s3://No_Such?endpoint=" + endpoint}, &stdout, &stderr); code != ExitUsage {
		t.Errorf("malformed --blobs: exit %d, want %d; stderr %s", code, ExitUsage, stderr.String())
	}
}

// openS3 opens the S3 store of the --blobs URL spec.
func openS3(t testing.TB, spec string) *blobs.S3 {
	t.Helper()
	loc, err := blobs.ParseS3URL(spec)
	if err != nil {
		t.Fatal(err)
	}
	s3, err := blobs.OpenS3(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	return s3
}
