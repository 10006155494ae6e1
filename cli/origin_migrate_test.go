//go:build !segue_client

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"segue/origin"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
	"segue/origin/subsonic"
)

// TestOriginMigrate: a data dir migrated with segue origin migrate into
// PostgreSQL and MinIO, then ingested again there with --catalog and
// --blobs: the library is unchanged (nothing encoded again). Bad flags are
// exit status 2, a data dir with no origin 3.
func TestOriginMigrate(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	lib := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=6",
		"-ac", "2", filepath.Join(lib, "one.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	runOK := func(args ...string) []byte {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"--config", config}, args...), &stdout, &stderr); code != ExitOK {
			t.Fatalf("%q: exit %d, stderr:\n%s", args, code, stderr.String())
		}
		return stdout.Bytes()
	}
	runOK("origin", "ingest", lib)
	// the Subsonic passwords' key stays in the data dir: the report says
	// to copy it to the new catalog's origins (without it every password
	// sign-in there failed, and nothing had said so)
	keyPath := filepath.Join(data, subsonic.KeyFile)
	if err := os.WriteFile(keyPath, make([]byte, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	catalogURL := pgtest.Database(t)
	blobsURL := "s3://migrated/segue?endpoint=" + miniotest.Start(t)
	var sum origin.MigrateSummary
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--config", config, "origin", "migrate", "--from", data, "--to-catalog", catalogURL, "--to-blobs", blobsURL, "--json"}, &stdout, &stderr); code != ExitOK {
		t.Fatalf("migrate: exit %d, stderr:\n%s", code, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Rows["tracks"] != 1 || sum.BlobsCopied == 0 {
		t.Errorf("migrate: %+v; want 1 track and the blobs copied", sum)
	}
	if sum.SubsonicKey != keyPath {
		t.Errorf("migrate --json: subsonic_key %q, want %q", sum.SubsonicKey, keyPath)
	}
	if text := string(runOK("origin", "migrate", "--from", data, "--to-catalog", catalogURL, "--to-blobs", blobsURL)); !strings.Contains(text, "copy "+keyPath+" (mode 0600) into the data dir of every segue origin serve") {
		t.Errorf("migrate again:\n%s\nwant it to say to copy %s", text, keyPath)
	}
	// With --json too, how far it is goes to stderr (a long copy into S3
	// said nothing until the end).
	if want := fmt.Sprintf("blobs: %d/%[1]d\n", sum.BlobsCopied); !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "tracks: 1/1\n") {
		t.Errorf("migrate --json stderr:\n%s\nwant progress lines such as %q and %q", stderr.String(), want, "tracks: 1/1")
	}
	// the listing of what the target holds says when it starts (and every
	// 10,000 blobs, TestBlobWalksSayHowFar), before any total is known:
	// a target of millions was minutes of silence
	if want := "target blobs: 0 so far\ntarget blobs: 0/0\nblobs: 0/"; !strings.Contains(stderr.String(), want) {
		t.Errorf("migrate --json stderr:\n%s\nwant the target's listing first (%q)", stderr.String(), want)
	}
	// each table says when it starts, and its verification too: a large
	// segments table, then its check, took minutes with nothing said
	if want := "tracks: 0/1\ntracks: 1/1\n"; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "verify tracks: 0/1\nverify tracks: 1/1\n") {
		t.Errorf("migrate --json stderr:\n%s\nwant each table's start and its verification's (%q, %q)", stderr.String(), want, "verify tracks: 0/1")
	}
	var rep ingestReport
	if err := json.Unmarshal(runOK("origin", "ingest", lib, "--catalog", catalogURL, "--blobs", blobsURL, "--json"), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != 1 || rep.Added+rep.Updated+rep.Removed+rep.BlobsRemoved != 0 {
		t.Errorf("ingest into the migrated catalog: %+v; want the one file unchanged", rep.IngestSummary)
	}

	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"origin", "migrate"}, ExitUsage},
		{[]string{"origin", "migrate", "--from", data, "--to-catalog", "mysql://db/segue"}, ExitUsage},
		{[]string{"origin", "migrate", "--from", data, "--to-catalog", catalogURL, "--to-blobs", "ftp://x"}, ExitUsage},
		{[]string{"origin", "migrate", "--from", t.TempDir(), "--to-catalog", catalogURL}, ExitNotFound},
		{[]string{"origin", "serve", "--catalog", "sqlite:///x.db"}, ExitUsage},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"--config", config}, c.args...), &stdout, &stderr); code != c.want {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s", c.args, code, c.want, stderr.String())
		}
	}
}
