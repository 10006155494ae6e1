package cli

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/origin"
)

var fingerprintRE = regexp.MustCompile(`certificate SHA-256 ([0-9a-f]{64})`)

// TestServeTLSSelfSigned runs a real `segue origin serve --tls-self-signed`
// and real clients: the pin and the CA file work (a track plays to the
// sample with the CA file; its Subsonic API with either), the system roots alone
// fail naming both options, a share URL carries the pin and opens with
// nothing else, and SIGHUP picks up a replaced certificate.
func TestServeTLSSelfSigned(t *testing.T) {
	o := newToneHost(t, "Secure Tone")
	h, data, trackID, samples, keyFile := o.swarmHost, o.data, o.trackID, o.samples, o.keyFile
	srv, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", data, "--tls-self-signed", "--tls-name", "music.lan")
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	url := "https://" + servingRE.FindStringSubmatch(log.String())[1]
	m := fingerprintRE.FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no fingerprint printed:\n%s", log.String())
	}
	fp := m[1]
	cert := filepath.Join(data, origin.TLSDir, "cert.pem")

	h.run("--origin", url, "--pin-sha256", fp, "library", "--json")
	h.run("--origin", url, "--ca", cert, "library", "--json")
	// The origin as a Subsonic server is trusted by the same options (its
	// client trusted the system's roots only, asking for the options it
	// ignored).
	h.run("--origin", "subsonic+"+url, "--password-file", keyFile, "--pin-sha256", fp, "search", "secure", "--json")
	h.run("--origin", "subsonic+"+url, "--password-file", keyFile, "--ca", cert, "search", "secure", "--json")
	// A client given the certificate plays the track over https, to the sample.
	wav := filepath.Join(h.dir, "tone.wav")
	h.run("--origin", url, "--ca", cert, "play", trackID, "--output", "wav:"+wav, "--fast")
	if got := wavFrames(t, wav); got != samples {
		t.Errorf("played %d samples over https; want the track's %d", got, samples)
	}
	cmd := h.command("--origin", url, "library")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--ca FILE") || !strings.Contains(string(out), "--pin-sha256 FP") {
		t.Fatalf("system roots only: %v\n%s\nwant a failure naming --ca FILE and --pin-sha256 FP", err, out)
	}

	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(h.run("--origin", url, "--pin-sha256", fp, "playlist", "create", "road", "--json")), &pl); err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(h.run("--origin", url, "--pin-sha256", fp, "playlist", "share", pl.ID, "--json")), &link); err != nil {
		t.Fatal(err)
	}
	if want := url + "/p/"; !strings.HasPrefix(link.URL, want) || !strings.HasSuffix(link.URL, "#sha256="+fp) {
		t.Fatalf("share URL %q; want %s...#sha256=%s", link.URL, want, fp)
	}
	// A friend with only the link: another configured origin, no pin flag.
	friend := newSwarmHost(t, h.bin)
	friend.run("playlist", "show", link.URL, "--json")
	// The link's origin configured without a pin (the link came from it):
	// the link's pin applies to the link (the configured origin's client,
	// without it, was taken, and the link failed as untrusted).
	friend.run("--origin", url, "playlist", "show", link.URL, "--json")

	// Replace the certificate files, as a renewal would, and hang up.
	other := t.TempDir()
	c2, k2, err := origin.SelfSigned(other, []string{"renewed.lan"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{c2: cert, k2: filepath.Join(data, origin.TLSDir, "key.pem")} {
		b, _ := os.ReadFile(src)
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testkit.Wait(t, time.Minute, "the certificate to be reloaded", func() bool { return strings.Contains(log.String(), "TLS certificate reloaded") })
	h.run("--origin", url, "--ca", cert, "library", "--json")
	// The old pin: the sentence names where it was set and the
	// certificate presented now (it said --pin-sha256 of any pin, and
	// left out the new fingerprint the user must confirm and pin).
	b, _ := os.ReadFile(c2)
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("the renewed certificate is no PEM")
	}
	renewed := originclient.Fingerprint(block.Bytes)
	for _, c := range []struct {
		env  []string
		args []string
		from string
	}{
		{nil, []string{"--pin-sha256", fp}, "(--pin-sha256)"},
		{[]string{"SEGUE_PIN_SHA256=" + fp}, nil, "(SEGUE_PIN_SHA256)"},
	} {
		cmd = h.command(append(append([]string{"--origin", url}, c.args...), "library")...)
		cmd.Env = append(cmd.Env, c.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "does not match the pin "+c.from) || !strings.Contains(string(out), "it presents "+renewed+" now") {
			t.Errorf("old pin %s after the reload: %v\n%s\nwant a pin mismatch naming %s and the certificate presented, %s", c.from, err, out, c.from, renewed)
		}
	}
}

// toneHost is a host (newSwarmHost) whose origin data dir holds one 5 s
// track and the Subsonic user alice, without a password.
type toneHost struct {
	*swarmHost
	data    string // the origin's data dir
	trackID string
	samples int64  // the track's length
	keyFile string // alice's API key, for --password-file
}

func newToneHost(t *testing.T, title string) toneHost {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	o := toneHost{swarmHost: newSwarmHost(t, segueBinary(t))}
	o.data = filepath.Join(o.dir, "origin")
	lib := t.TempDir()
	tone := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=5:sample_rate=44100",
		"-ac", "2", "-metadata", "title="+title, "-metadata", "artist=TLS Band", filepath.Join(lib, "tone.flac"))
	if out, err := tone.CombinedOutput(); err != nil {
		t.Fatalf("make track: %v\n%s", err, out)
	}
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.data, Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	db, err := origin.OpenCatalog(o.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT id, json_extract(manifest, '$.total_samples') FROM tracks`).Scan(&o.trackID, &o.samples); err != nil {
		t.Fatal(err)
	}
	key, _, _ := strings.Cut(o.run("origin", "user", "add", "alice", "--no-password", "--data", o.data), "\n")
	o.keyFile = filepath.Join(o.dir, "apikey")
	if err := os.WriteFile(o.keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestHangupStopsAnHTTPOriginCleanly: SIGHUP (its terminal closed) stops
// an http origin serve, and segue demo, as Ctrl-C does: what is in flight
// finishes, "origin stopped" is logged, exit 0 (the demo still making its
// library: 130, saying so). SIGHUP killed them (exit 129 from a shell,
// nothing logged), while an https origin serve took it to reload its
// certificate and went on.
func TestHangupStopsAnHTTPOriginCleanly(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	for _, c := range []struct {
		args       []string
		ready      func(out, errOut string) bool
		code       int
		last, says string
	}{
		{[]string{"origin", "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(h.dir, "origin")},
			func(_, errOut string) bool { return strings.Contains(errOut, "origin serving") }, ExitOK, "", `msg="origin stopped"`},
		{[]string{"demo", "--no-tui", "--addr", "127.0.0.1:0"},
			func(out, _ string) bool { return strings.Contains(out, "  made ") }, ExitInterrupted, "segue: demo: interrupted; the demo library is not made yet: run segue demo again to make it", ""},
	} {
		cmd, stdout, stderr := h.start(c.args...)
		deadline := time.Now().Add(time.Minute)
		for !c.ready(stdout.String(), stderr.String()) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		errOut := strings.TrimSpace(stderr.String())
		lines := strings.Split(errOut, "\n")
		last := lines[len(lines)-1]
		if code := cmd.ProcessState.ExitCode(); code != c.code || c.last != "" && last != c.last || !strings.Contains(last, c.says) {
			t.Errorf("segue %s after SIGHUP: exit %d (%v), last line %q; want exit %d, %q", strings.Join(c.args, " "), code, cmd.ProcessState, last, c.code, c.last+c.says)
		}
	}
}
