//go:build !segue_client

package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/origintest"
)

// A household's origin whose data dir's disk filled up: a playlist made
// from a client was "the origin failed (500 Internal Server Error); its
// log says why", the log "create playlist: database or disk is full"
// naming no folder, and origin token create, user add and events import
// on that data dir said only "segue: database or disk is full". Now the
// origin answers 507 with a message the client says as it is (the disk is
// full, nothing saved, the host frees space), its log names the data dir,
// and the origin's own commands say what was not saved and where to free
// space (exit 1 as before).
func TestOriginDiskFullSaysSo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mountTmpfs(t, data, "4m")
	makeCatalog(t, data)
	var log testkit.Buffer
	srv, err := origin.New(origin.ServerOptions{DataDir: data, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := origintest.Serve(t, srv)
	env := clientEnv(t, base)
	fillUp(t, data)

	_, errOut, code := segue(t, append(env, "playlist", "create", "Mix")...)
	msg := checkFailure(t, "playlist create", errOut, code, ExitError)
	if !strings.Contains(msg, "disk is full") || !strings.Contains(msg, "free space") || strings.Contains(msg, "its log says why") {
		t.Errorf("playlist create on an origin whose disk is full says %q; want that its disk is full and its host must free space", msg)
	}
	if !strings.Contains(log.String(), "disk full") || !strings.Contains(log.String(), data) {
		t.Errorf("the origin's log does not name its full data dir %s:\n%s", data, log.String())
	}

	events := filepath.Join(t.TempDir(), "plays.jsonl")
	if err := os.WriteFile(events, []byte(`{"listener":"local","track_id":"t1","played_ms":1000,"completed":true,"at":"2026-12-01T10:00:00Z","session":"s1"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"origin", "token", "create", "laptop", "--data", data},
		{"origin", "user", "add", "alice", "--no-password", "--data", data},
		{"origin", "events", "import", events, "--data", data},
	} {
		_, errOut, code := segue(t, append(env, args...)...)
		msg := checkFailure(t, strings.Join(args[:3], " "), errOut, code, ExitError)
		if !strings.Contains(msg, "disk is full") || !strings.Contains(msg, "free space on the disk of "+data) {
			t.Errorf("%s on a full data dir says %q; want that the disk is full and to free space on the disk of %s", strings.Join(args[:3], " "), msg, data)
		}
	}
}
