//go:build !segue_client

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"segue/catalog"
	"segue/origin"
)

// stoppedRun is a segue command started for an interruption test, with
// every XDG folder of its own.
func stoppedRun(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(segueBinary(t), args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(),
		"XDG_CACHE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
	return cmd
}

// stoppedCount is the first count of events in the sentence of an
// interrupted command (those it kept or wrote), -1 when none.
func stoppedCount(sentence string) int {
	m := regexp.MustCompile(`(\d+) events?\b`).FindStringSubmatch(sentence)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// playEventLine is the JSON Lines form of the i-th play event of a test.
func playEventLine(i int) string {
	return fmt.Sprintf(`{"listener":"local","track_id":"t%d","played_ms":1000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s%d"}`+"\n", i, i)
}

// TestEventsImportInterrupted: origin events import stopped by Ctrl-C
// while it waits for more of standard input exits 130 saying how many
// events it stored, and those are in the catalog (it exited 2 with Go's
// default, mid-batch, or waited for the end of the input).
func TestEventsImportInterrupted(t *testing.T) {
	data := t.TempDir()
	cmd := stoppedRun(t, "origin", "events", "import", "-", "--data", data)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const sent = origin.ImportReport + origin.MaxEventBatch/2 // the last ones a part batch
	go func() {
		for i := range sent {
			if _, err := io.WriteString(in, playEventLine(i)); err != nil {
				return
			}
		}
		// standard input stays open: the import waits for more
	}()
	lines, signalled := signalOnLine(t, cmd, stderr, syscall.SIGINT, fmt.Sprintf("[%d] events read", origin.ImportReport))
	cmd.Wait()
	if !signalled {
		t.Fatalf("import never reported %d events read:\n%s", origin.ImportReport, strings.Join(lines, "\n"))
	}
	last := lines[len(lines)-1]
	kept := stoppedCount(last)
	want := fmt.Sprintf("segue: origin events import: interrupted; what it read is stored (%d events, %[1]d new): run the same command again to import the rest (what is stored is never added twice)", kept)
	if code := cmd.ProcessState.ExitCode(); code != ExitInterrupted || last != want {
		t.Fatalf("import stopped by Ctrl-C: exit %d, last line %q; want 130, %q", code, last, want)
	}
	db, err := origin.OpenCatalogAt(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored int
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != kept || stored < origin.ImportReport || stored > sent {
		t.Errorf("the catalog holds %d events after the import said it kept %d; want them, at least the %d reported and at most the %d sent", stored, kept, origin.ImportReport, sent)
	}
}

// TestEventsExportInterrupted: origin events export stopped by SIGTERM
// while its reader is slow exits 130 saying how many events it wrote,
// and standard output holds exactly those, each a whole line.
func TestEventsExportInterrupted(t *testing.T) {
	data := t.TempDir()
	var file strings.Builder
	const total = 20000 // far more than a pipe holds: export waits for its reader
	for i := range total {
		file.WriteString(playEventLine(i))
	}
	imp := stoppedRun(t, "origin", "events", "import", "-", "--data", data)
	imp.Stdin = strings.NewReader(file.String())
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}

	cmd := stoppedRun(t, "origin", "events", "export", "--data", data)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, signalled := signalOnLine(t, cmd, stdout, syscall.SIGTERM, `"track_id"`)
	cmd.Wait()
	if !signalled {
		t.Fatalf("export wrote no event; stderr %q", errOut.String())
	}
	last := strings.TrimSpace(errOut.String())
	written := stoppedCount(last)
	want := fmt.Sprintf("segue: origin events export: interrupted; standard output holds the first %s, each a whole line: run the same command again to export them all", catalog.Count(written, "event"))
	if code := cmd.ProcessState.ExitCode(); code != ExitInterrupted || last != want {
		t.Fatalf("export stopped by SIGTERM: exit %d, stderr %q; want 130, %q", code, last, want)
	}
	if len(lines) != written || written >= total {
		t.Errorf("standard output holds %d lines, the sentence says %d written; want the same, fewer than all %d", len(lines), written, total)
	}
	for i, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %d of the interrupted export is not a whole event: %q (%v)", i+1, l, err)
		}
	}
}
