//go:build !segue_client

package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/origin"
)

// TestIngestSaysHowFarTheBlobWalkIs: after an ingest, the walk of the
// blob store that finds the blobs no track uses any more says how far it
// is on stderr (every 10,000 blobs), as the deletion after it does; on a
// store of millions it was minutes with nothing said. Ingest and remove
// share it.
func TestIngestSaysHowFarTheBlobWalkIs(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	music := t.TempDir()
	makeTone(t, filepath.Join(music, "one.flac"), 1, "title=One", "artist=Band", "album=Album")
	segueOK(t, "--config", config, "origin", "ingest", music, "--jobs", "1")
	// blobs no track uses, as a library taken away leaves them
	const garbage = 10_003
	for i := range garbage {
		sum := sha256.Sum256(fmt.Appendf(nil, "garbage %d", i))
		h := hex.EncodeToString(sum[:])
		path := filepath.Join(data, origin.BlobDir, h[:2], h)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, fmt.Appendf(nil, "garbage %d", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := segue(t, "--config", config, "origin", "ingest", music, "--jobs", "1", "--json")
	walked := fmt.Sprintf(walkLine+"\n", 10_000)
	deleted := fmt.Sprintf("[%d/%[1]d] blobs deleted\n", garbage)
	if i, j := strings.Index(errOut, walked), strings.Index(errOut, deleted); code != ExitOK || i < 0 || j < i {
		t.Errorf("ingest beside %d unused blobs: exit %d, stderr:\n%s\nwant %q, then %q", garbage, code, errOut, walked, deleted)
	}
}

// TestIngestSaysHowFarTheLibraryWalkIs: the walk of the library, before
// ingest knows how many files to encode, says how far it is on stderr
// every 10,000 files (of any kind: a folder of photos with a few songs
// walks as long); a library on a network drive was minutes of silence
// before the first line. (The files here are empty, a copy under way, or
// no audio: skipped, and counted all the same.)
func TestIngestSaysHowFarTheLibraryWalkIs(t *testing.T) {
	config, _ := ingestEnv(t)
	music := t.TempDir()
	for i := range 10_003 {
		dir := filepath.Join(music, fmt.Sprintf("album%03d", i/100))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%02d.flac", i%100)
		if i%2 == 0 {
			name = fmt.Sprintf("%02d.jpg", i%100)
		}
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := segue(t, "--config", config, "origin", "ingest", music, "--json")
	if want := fmt.Sprintf(scanLine+"\n", 10_000); code != ExitOK || !strings.HasPrefix(errOut, want) {
		t.Errorf("ingest of a library of 10,003 files, half of them audio: exit %d, stderr:\n%.500s\nwant it to begin %q", code, errOut, want)
	}
}
