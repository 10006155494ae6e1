//go:build !segue_client

package cli

import (
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"segue/origin"
)

// TestOriginIngestSaysWhatItCouldNotMeasure: a track whose audio features
// cannot be measured (its file unreadable to ffmpeg now, with the size and
// mtime it was ingested with, so the files step keeps it) was only logged:
// the progress said "measured" and the report nothing, and the radio went
// on matching it by its tags alone. Now the progress line says
// "unmeasured" with ffmpeg's reason, the report ends with a line naming
// it, and --json lists it under "unmeasured".
func TestOriginIngestSaysWhatItCouldNotMeasure(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	lib := t.TempDir()
	song := filepath.Join(lib, "song.mp3")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=2", song).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	segueOK(t, "--config", config, "origin", "ingest", lib)
	st, err := os.Stat(song)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(song, make([]byte, st.Size()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(song, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(data, origin.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`DELETE FROM track_features`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	const why = "ffmpeg could not decode it (Invalid argument)"
	out, errOut, code := segue(t, "--config", config, "origin", "ingest", lib, "--jobs", "1")
	if want := "[1/1] unmeasured song.mp3: " + why + "\n"; code != ExitOK || !strings.Contains(errOut, want) {
		t.Errorf("progress: exit %d, stderr:\n%s\nwant it to hold %q", code, errOut, want)
	}
	if want := "  not measured song.mp3: " + why + "; the radio matches it by its tags alone until an ingest measures it\n"; !strings.HasSuffix(out, want) {
		t.Errorf("report:\n%s\nwant it to end with %q", out, want)
	}
	var rep ingestReport
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "ingest", lib, "--json")), &rep); err != nil ||
		len(rep.Unmeasured) != 1 || rep.Unmeasured[0] != (origin.SkippedFile{Path: "song.mp3", Reason: why}) {
		t.Errorf("--json: unmeasured %+v (%v); want song.mp3 with %q (an ingest measures it again)", rep.Unmeasured, err, why)
	}
}

// TestOriginIngestSaysHowMuchAudioOfAShortFile: the report said "encoded
// 0s of audio" of a half-second file (the seconds were truncated); under a
// minute it says tenths.
func TestOriginIngestSaysHowMuchAudioOfAShortFile(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	lib := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=0.5:sample_rate=44100",
		filepath.Join(lib, "blip.wav")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	if out := segueOK(t, "--config", config, "origin", "ingest", lib); !strings.Contains(out, "  encoded 500ms of audio in ") {
		t.Errorf("report:\n%s\nwant it to say it encoded 500ms of audio", out)
	}
}
