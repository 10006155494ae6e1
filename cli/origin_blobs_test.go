//go:build !segue_client

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"segue/config"
	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
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
	s3 := miniotest.Open(t, url)
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

// TestIngestNamesItsStores: ingest with --catalog postgres://... and
// --blobs s3://... says it ingested into that catalog (its password left
// out) and that blob store, in its text and its JSON; it named the data
// dir, which holds neither. Without them the text still names the data
// dir, and the JSON its catalog.db and blobs/.
func TestIngestNamesItsStores(t *testing.T) {
	endpoint := miniotest.Start(t)
	catalogURL, named := withPassword(t, pgtest.Database(t), "pg-s3cret")
	blobsURL := "s3://segue-named/music?endpoint=" + endpoint
	config, data := ingestEnv(t)
	lib := t.TempDir() // no audio: the report is what is checked
	out, errOut, code := segue(t, "--config", config, "origin", "ingest", lib, "--catalog", catalogURL, "--blobs", blobsURL)
	if code != ExitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errOut)
	}
	first, _, _ := strings.Cut(out, "\n")
	if want := "ingested " + lib + " into the catalog " + named + " and the blob store " + blobsURL; first != want {
		t.Errorf("ingest into PostgreSQL and S3 says\n%q\nwant\n%q", first, want)
	}
	var rep struct {
		Catalog string `json:"catalog"`
		Blobs   string `json:"blobs"`
	}
	out, errOut, code = segue(t, "--config", config, "origin", "ingest", lib, "--catalog", catalogURL, "--blobs", blobsURL, "--json")
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil {
		t.Fatalf("ingest --json: exit %d, %v\n%s", code, err, errOut)
	}
	if rep.Catalog != named || rep.Blobs != blobsURL {
		t.Errorf("ingest --json into PostgreSQL and S3: catalog %q, blobs %q; want %q, %q", rep.Catalog, rep.Blobs, named, blobsURL)
	}
	if strings.Contains(out+errOut, "pg-s3cret") {
		t.Errorf("ingest shows the catalog's password:\n%s%s", out, errOut)
	}

	out, errOut, code = segue(t, "--config", config, "origin", "ingest", lib)
	if first, _, _ := strings.Cut(out, "\n"); code != ExitOK || first != "ingested "+lib+" into "+data {
		t.Errorf("ingest into the data dir: exit %d, %q; want %q\n%s", code, first, "ingested "+lib+" into "+data, errOut)
	}
	out, _, _ = segue(t, "--config", config, "origin", "ingest", lib, "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Catalog != filepath.Join(data, origin.CatalogFile) || rep.Blobs != filepath.Join(data, origin.BlobDir) {
		t.Errorf("ingest --json into the data dir: catalog %q, blobs %q (%v); want %s's catalog.db and blobs", rep.Catalog, rep.Blobs, err, data)
	}
}

// TestServeLogsItsStores: origin serve's start line names the catalog
// (catalog.db's path, or the PostgreSQL URL without its password) and the
// blob store (blobs/ or the s3:// URL) it serves from; it named only the
// data dir, which a serve over PostgreSQL and S3 does not read.
func TestServeLogsItsStores(t *testing.T) {
	endpoint := miniotest.Start(t)
	catalogURL, named := withPassword(t, pgtest.Database(t), "pg-s3cret")
	blobsURL := "s3://segue-served/music?endpoint=" + endpoint
	s3 := miniotest.Open(t, blobsURL)
	local := t.TempDir()
	for _, c := range []struct {
		name                   string
		o                      origin.ServerOptions
		wantCatalog, wantBlobs string
	}{
		{"data dir", origin.ServerOptions{DataDir: local}, filepath.Join(local, origin.CatalogFile), filepath.Join(local, origin.BlobDir)},
		{"PostgreSQL and S3", origin.ServerOptions{DataDir: t.TempDir(), Catalog: catalogURL, Blobs: s3}, named, blobsURL},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.Addr = "127.0.0.1:0"
			var errOut testkit.Buffer
			a := &app{cfg: config.Default(), stdout: io.Discard, stderr: &errOut}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.runServe(ctx, c.o, nil) }()
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(errOut.String(), "origin serving") && time.Now().Before(deadline) {
				select {
				case err := <-done:
					t.Fatalf("serve ended: %v\n%s", err, errOut.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v\n%s", err, errOut.String())
			}
			var line string
			for _, l := range strings.Split(errOut.String(), "\n") {
				if strings.Contains(l, `msg="origin serving"`) {
					line = l
				}
			}
			for _, want := range []string{"catalog=" + logValue(c.wantCatalog), "blobs=" + logValue(c.wantBlobs)} {
				if !strings.Contains(line, " "+want+" ") {
					t.Errorf("start line %q; want it to hold %s", line, want)
				}
			}
			if strings.Contains(errOut.String(), "pg-s3cret") {
				t.Errorf("serve logs the catalog's password:\n%s", errOut.String())
			}
		})
	}
}

// withPassword returns catalogURL with password in its user part (the
// test cluster trusts loopback, so PostgreSQL never asks for it) and the
// URL as segue should name it: user, host, port and database only.
func withPassword(t *testing.T, catalogURL, password string) (withPW, named string) {
	t.Helper()
	u, err := url.Parse(catalogURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	withPW = u.String()
	u.User, u.RawQuery = url.User(u.User.Username()), ""
	return withPW, u.String()
}

// logValue is s as the origin's log (slog's text form) writes a value.
func logValue(s string) string {
	if strings.ContainsAny(s, " =\"") {
		return strconv.Quote(s)
	}
	return s
}
