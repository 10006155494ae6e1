//go:build !segue_client

package cli

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"segue/cache"
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

// stopOnStderr starts cmd, sends it sig once a line of its stderr
// contains after, and returns its exit status and stderr's lines.
func stopOnStderr(t *testing.T, cmd *exec.Cmd, sig syscall.Signal, after string) (int, []string) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, signalled := signalOnLine(t, cmd, stderr, sig, after)
	cmd.Wait()
	if !signalled {
		t.Fatalf("%s never said %q:\n%s", strings.Join(cmd.Args, " "), after, strings.Join(lines, "\n"))
	}
	return cmd.ProcessState.ExitCode(), lines
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
	makeCatalog(t, data) // as origin serve does: token create, user add and events import make none
	cmd := stoppedRun(t, "origin", "events", "import", "-", "--data", data)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	const sent = origin.ImportReport + origin.MaxEventBatch/2 // the last ones a part batch
	// what segue has not read yet waits in the pipe
	go func() {
		for i := range sent {
			if _, err := io.WriteString(in, playEventLine(i)); err != nil {
				return
			}
		}
		// standard input stays open: the import waits for more
	}()
	code, lines := stopOnStderr(t, cmd, syscall.SIGINT, fmt.Sprintf("[%d] events read", origin.ImportReport))
	last := lines[len(lines)-1]
	kept := stoppedCount(last)
	want := fmt.Sprintf("segue: origin events import: interrupted; what it read is stored (%d events, %[1]d new): run the same command again to import the rest (what is stored is never added twice)", kept)
	if code != ExitInterrupted || last != want {
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
	makeCatalog(t, data) // events import makes none
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

// bigCache makes a disk cache of n segments of 16 KiB, enough that
// clearing or verifying it takes many steps, and returns its path.
func bigCache(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	c, err := cache.Open(path, cache.Options{MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 16<<10)
	for i := range n {
		binary.LittleEndian.PutUint64(data, uint64(i))
		sum := sha256.Sum256(data)
		if err := c.Put(hex.EncodeToString(sum[:]), data); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCacheStepsInterrupted: cache clear and cache verify stopped by
// Ctrl-C after their first step exit 130 saying what they kept, and the
// cache is whole: clear dropped just what it says, verify dropped nothing
// of a sound cache, and the totals agree with the rows (they exited 2
// with Go's default, or ran to the end in one transaction).
func TestCacheStepsInterrupted(t *testing.T) {
	const entries = 4000
	path := bigCache(t, entries)
	left := entries // clear drops some, verify none
	for _, tc := range []struct {
		verb, after, want string
	}{
		{"clear", "cache clear: dropping", "segue: cache clear: interrupted; the %d entries dropped so far stay dropped, the rest are still cached: run the same command again to clear them"},
		{"verify", "cache verify: checking", "segue: cache verify: interrupted; the damaged entries among the %d entries checked so far were dropped, the rest were not checked: run the same command again to check them all"},
	} {
		code, lines := stopOnStderr(t, stoppedRun(t, "--cache", path, "cache", tc.verb), syscall.SIGINT, tc.after)
		last := lines[len(lines)-1]
		m := regexp.MustCompile(`the (?:damaged entries among the )?(\d+) entries`).FindStringSubmatch(last)
		done := -1
		if m != nil {
			done, _ = strconv.Atoi(m[1])
		}
		if code != ExitInterrupted || last != fmt.Sprintf(tc.want, done) || done <= 0 || done >= left {
			t.Fatalf("cache %s stopped by Ctrl-C: exit %d, last line %q; want 130, %q with a count of some but not all %d", tc.verb, code, last, tc.want, left)
		}
		c, err := cache.Open(path, cache.Options{MaxBytes: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		s, serr := c.Stats()
		r, verr := c.Verify()
		c.Close()
		if serr != nil || verr != nil {
			t.Fatal(serr, verr)
		}
		if tc.verb == "clear" {
			left -= done
		}
		if r.Checked != int64(left) || r.Bad != 0 || r.TotalsFixed || s.Segments != int64(left) {
			t.Errorf("after the interrupted %s: %d entries (stats %d segments), %d damaged, totals fixed %v; want %d, none damaged, totals right", tc.verb, r.Checked, s.Segments, r.Bad, r.TotalsFixed, left)
		}
	}
}

// holdingOrigin is the URL of an empty origin whose answers to a path
// with the suffix hold never come, so a command asking for one waits
// until a signal stops it; asked says (once) that such a request came.
func holdingOrigin(t *testing.T, hold string) (string, <-chan struct{}) {
	t.Helper()
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	up, err := url.Parse("http://" + o.addr)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(up)
	asked := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, hold) {
			select {
			case asked <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	return slow.URL, asked
}

// TestPlaylistImportInterrupted: playlist import stopped by Ctrl-C while
// it waits for the origin's answer to a search exits 130 saying no
// playlist was made and at which entry it stopped, and none was made (it
// exited 2 with Go's default).
func TestPlaylistImportInterrupted(t *testing.T) {
	held, _ := holdingOrigin(t, "/search")
	env := clientEnv(t, held)
	list := filepath.Join(t.TempDir(), "four.m3u8")
	if err := os.WriteFile(list, []byte("#EXTM3U\n#EXTINF:2,A - One\n1.mp3\n#EXTINF:2,A - Two\n2.mp3\n#EXTINF:2,A - Three\n3.mp3\n#EXTINF:2,A - Four\n4.mp3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, lines := stopOnStderr(t, stoppedRun(t, append(env, "playlist", "import", list)...), syscall.SIGINT, "playlist import: matching 0%")
	last := lines[len(lines)-1]
	want := "segue: playlist import: interrupted; no playlist was made (it stopped matching at entry 1 of 4): run the same command again to import it"
	if code != ExitInterrupted || last != want {
		t.Fatalf("import stopped by Ctrl-C: exit %d, last line %q; want 130, %q", code, last, want)
	}
	if out := segueOK(t, append(env, "playlist", "list", "--json")...); strings.Contains(out, "four") {
		t.Errorf("the interrupted import made a playlist: %s", out)
	}
}

// TestPlaylistExportInterrupted: playlist export stopped by SIGTERM while
// it waits for the origin's playlist exits 130 saying nothing was written,
// and the --output file is not made (it died of the signal with no word).
func TestPlaylistExportInterrupted(t *testing.T) {
	held, asked := holdingOrigin(t, "/playlists/pl1")
	out := filepath.Join(t.TempDir(), "mix.m3u8")
	cmd := stoppedRun(t, append(clientEnv(t, held), "playlist", "export", "pl1", "-o", out)...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-asked: // its signal context is set before it asks
	case err := <-exited:
		t.Fatalf("export ended before it asked for the playlist: %v, %q", err, errOut.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-exited
	want := "segue: playlist export: interrupted; nothing was written: run the same command again to export it"
	if code, last := cmd.ProcessState.ExitCode(), strings.TrimSpace(errOut.String()); code != ExitInterrupted || last != want {
		t.Errorf("export stopped by SIGTERM: exit %d, stderr %q; want 130, %q", code, last, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the interrupted export made %s (%v); want no file", out, err)
	}
}
