package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"segue/cache"
	"segue/offline"
)

// TestOfflineAddSeveralJSON: offline add of several REFs with --json
// prints one JSON document, an array of the pins in the order given (one
// REF: the pin itself, as before). It printed one object per REF one
// after the other, which no JSON reader took. A REF that fails after
// others were pinned fails the same with and without --json (stdout then
// holds only the {"error": ...} object), saying which were pinned and
// kept.
func TestOfflineAddSeveralJSON(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	tracks := tones(t, "http://"+o.addr)
	first, second := tracks[0], tracks[1]

	var pins []offline.Collection
	out := segueOK(t, append(slices.Clone(env), "offline", "add", first.ID, second.ID, "--quality", "low", "--json")...)
	if err := json.Unmarshal([]byte(out), &pins); err != nil || len(pins) != 2 || pins[0].Ref != first.ID || pins[1].Ref != second.ID {
		t.Fatalf("offline add of two tracks --json: %v, stdout %q; want an array of the two pins in order", err, out)
	}
	var one offline.Collection
	out = segueOK(t, append(slices.Clone(env), "offline", "add", first.ID, "--quality", "low", "--json")...)
	if err := json.Unmarshal([]byte(out), &one); err != nil || one.Ref != first.ID {
		t.Fatalf("offline add of one track --json: %v, stdout %q; want the pin as an object", err, out)
	}

	const unknown = "t0000000000000000"
	args := append(slices.Clone(env), "offline", "add", second.ID, unknown, "--quality", "low")
	for _, run := range [][]string{args, append(slices.Clone(args), "--json")} {
		stdout, errOut, code := segue(t, run...)
		if code != ExitNotFound {
			t.Errorf("segue %s: exit %d, want %d", strings.Join(run[len(env):], " "), code, ExitNotFound)
		}
		msg := errOut[strings.LastIndex(errOut, "segue: "):]
		for _, want := range []string{"track " + unknown + " not found", "pinned before it, and kept: " + second.ID} {
			if !strings.Contains(msg, want) {
				t.Errorf("segue %s said %q; want %q", strings.Join(run[len(env):], " "), msg, want)
			}
		}
		if slices.Contains(run, "--json") {
			var e map[string]string
			if err := json.Unmarshal([]byte(stdout), &e); err != nil || !strings.Contains(e["error"], "pinned before it") {
				t.Errorf("offline add --json with an unknown REF: stdout %q (%v); want one {\"error\": ...} object", stdout, err)
			}
		}
	}
}

// TestOfflineAddInterrupted: offline add stopped by Ctrl-C or SIGTERM
// while it downloads exits 130, with and without --json (then as an
// {"error": ...} object), saying that nothing of the REF was pinned and
// what to run; the cache holds no pinned bytes after it. It died of the
// signal (exit 143, no word) and left the segments it had pinned pinned
// with no pin in the offline list to hold them.
func TestOfflineAddInterrupted(t *testing.T) {
	o := newTestOrigin(t)
	track := tones(t, "http://"+o.addr)[0]
	// an origin whose segments never come: the download is under way
	// until the signal stops it
	up, err := url.Parse("http://" + o.addr)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(up)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			<-r.Context().Done()
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	bin := segueBinary(t)
	for _, asJSON := range []bool{false, true} {
		env := clientEnv(t, slow.URL)
		args := append(slices.Clone(env), "offline", "add", track.ID)
		if asJSON {
			args = append(args, "--json")
		}
		cmd := exec.Command(bin, args...)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines, sent := signalOnLine(t, cmd, stderr, syscall.SIGTERM, ": 0% (0 B of")
		cmd.Wait()
		if !sent {
			t.Fatalf("offline add never began its download:\n%s", strings.Join(lines, "\n"))
		}
		want := "offline add " + track.ID + ": interrupted; nothing of it was pinned"
		if code := cmd.ProcessState.ExitCode(); code != ExitInterrupted || !strings.Contains(lines[len(lines)-1], want) {
			t.Errorf("offline add (json %v) stopped by SIGTERM: exit %d, last line %q; want %d saying %q", asJSON, code, lines[len(lines)-1], ExitInterrupted, want)
		}
		if asJSON {
			var e map[string]string
			if err := json.Unmarshal(stdout.Bytes(), &e); err != nil || !strings.Contains(e["error"], want) {
				t.Errorf("offline add --json stopped by SIGTERM: stdout %q (%v); want {\"error\": ...} saying %q", stdout.String(), err, want)
			}
		}
		var st cache.Stats
		if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "cache", "stats", "--json")...)), &st); err != nil || st.PinnedBytes != 0 || st.PinsWaiting != 0 {
			t.Errorf("cache stats after the interrupted pin: %v, %d pinned bytes, %d pins waiting; want none", err, st.PinnedBytes, st.PinsWaiting)
		}
	}
}

// signalOnLine reads the lines of watched (an output of the started cmd)
// to its end, sending cmd sig once, at the first line that contains after;
// it returns the lines and whether sig was sent.
func signalOnLine(t *testing.T, cmd *exec.Cmd, watched io.Reader, sig syscall.Signal, after string) (lines []string, sent bool) {
	t.Helper()
	sc := bufio.NewScanner(watched)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !sent && strings.Contains(sc.Text(), after) {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			sent = true
		}
	}
	return lines, sent
}
