package player

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// Every test of the real ALSA path runs the output in a child (one device
// per process, and fd 2 redirected while it opens): the test binary re-executed with
// SEGUE_PLAYER_CHILD set.
const childEnv = "SEGUE_PLAYER_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "open":
		_, err := OpenALSA(0, fileLog(os.Getenv("SEGUE_ALSA_LOG")))
		if err == nil {
			fmt.Println("opened")
			os.Exit(0)
		}
		fmt.Println(err)
		os.Exit(1)
	case "play":
		if err := childPlay(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "decode": // for instruction counts: valgrind --tool=callgrind player.test
		f, err := os.Open(os.Getenv("SEGUE_DECODE_FILE"))
		if err == nil {
			err = decodeFile(f)
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "volume":
		if err := childVolume(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "position":
		if err := childPosition(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "late":
		if err := childLateSegment(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "close":
		if err := childClose(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "append":
		if err := childAppend(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	case "idle":
		if err := childIdle(os.Getenv("SEGUE_CHILD_DIR")); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// loadTrackDir reads a track written by writeTrackDir.
func loadTrackDir(dir string) (*memSource, *catalog.Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, nil, err
	}
	src := newMemSource()
	var m catalog.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, err
	}
	for _, s := range m.Renditions[0].Segments {
		if src.segs[s.Hash], err = os.ReadFile(filepath.Join(dir, s.Hash)); err != nil {
			return nil, nil, err
		}
	}
	src.manifests[m.TrackID] = &m
	return src, &m, nil
}

// alsaChildPlayer opens, for a child process, a player of the track stored
// in dir (writeTrackDir) over the real ALSA output with a device buffer of
// buffer (0: the default), logging alsa-lib to dir/alsa.log; the caller
// plays m.TrackID.
func alsaChildPlayer(dir string, buffer time.Duration) (*Player, *ALSA, *catalog.Manifest, error) {
	return alsaChildPlayerWith(dir, buffer, func(*memSource, *catalog.Manifest) {})
}

// alsaChildPlayerWith is alsaChildPlayer with setup called on the track's
// source before the player opens.
func alsaChildPlayerWith(dir string, buffer time.Duration, setup func(*memSource, *catalog.Manifest)) (*Player, *ALSA, *catalog.Manifest, error) {
	src, m, err := loadTrackDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	setup(src, m)
	LimitProcs() // as the client does before it plays through the device
	out, err := OpenALSA(buffer, fileLog(filepath.Join(dir, "alsa.log")))
	if err != nil {
		return nil, nil, nil, err
	}
	p := New(Options{Segments: src, Manifests: src, Output: out, Loudness: LoudnessOff})
	if err := p.Open(); err != nil {
		return nil, nil, nil, err
	}
	return p, out, m, nil
}

// fileLog is a JSON log appended to path, as segue's own log is written,
// for a child process (the file closes when it exits); path "" or a file
// that cannot be opened gives nil, which drops the messages.
func fileLog(path string) *slog.Logger {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if path == "" || err != nil {
		return nil
	}
	return slog.New(slog.NewJSONHandler(f, nil))
}

// writeTrackDir stores a track's manifest and segments in dir for a child.
func writeTrackDir(t testing.TB, src *memSource, tr catalog.Track, dir string) {
	m := src.manifests[tr.ID]
	b, _ := json.Marshal(m)
	must(t, os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o600))
	for _, s := range m.Renditions[0].Segments {
		must(t, os.WriteFile(filepath.Join(dir, s.Hash), src.segs[s.Hash], 0o600))
	}
}

// childPlay plays the track stored in dir (manifest.json + segment files)
// through the real ALSA output.
func childPlay(dir string) error {
	// A generous device buffer: this checks the samples, not the latency,
	// on machines whose cores other work keeps busy (and under -race,
	// which slows decoding several times over).
	buffer := 500 * time.Millisecond
	if raceEnabled {
		buffer = time.Second
	}
	p, out, m, err := alsaChildPlayer(dir, buffer)
	if err != nil {
		return err
	}
	p.Play(catalog.Track{ID: m.TrackID})
	timeout := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case e := <-p.Events():
			if e, ok := e.(ErrorEvent); ok {
				return e.Err
			}
			_, done = e.(EndEvent)
		case <-timeout:
			return fmt.Errorf("playback did not end")
		}
	}
	p.Close()
	err = out.Close()
	fmt.Printf("underruns %d\n", out.Underruns())
	return err
}

func child(t *testing.T, mode string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + mode}, env...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func TestNoDeviceError(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "alsa.conf") // knows no PCM at all
	if err := os.WriteFile(conf, []byte("# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "alsa.log")
	out, stderr, err := child(t, "open", "ALSA_CONFIG_PATH="+conf, "SEGUE_ALSA_LOG="+log,
		"PULSE_SERVER=unix:"+filepath.Join(dir, "none"))
	if err == nil {
		t.Fatalf("opening alsa with no device succeeded: %s", out)
	}
	for _, want := range []string{"no audio device", "snd_pcm_open", "--output wav:FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("error %q does not mention %q", strings.TrimSpace(out), want)
		}
	}
	if strings.Contains(stderr, "ALSA lib") {
		t.Errorf("alsa-lib chatter reached stderr instead of the log:\n%s", stderr)
	}
}

// TestALSAOutputMatchesWAV plays a track through the real ALSA path into a
// PulseAudio null sink, tees what alsa-lib receives into a file with an
// ALSA file plugin (docs/headless-audio.md), and compares it with the wav
// output of the same track.
func TestALSAOutputMatchesWAV(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 3, catalog.RenditionHigh)
	ref, _ := renderWAV(t, src, Options{Loudness: LoudnessOff}, nil, tr)

	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	capture := filepath.Join(dir, "capture.raw")
	env := testkit.HeadlessALSA(t, dir, capture)
	out, stderr, err := child(t, "play", append(env, "SEGUE_CHILD_DIR="+dir)...)
	if err != nil {
		t.Fatalf("alsa child: %v\n%s\n%s", err, out, stderr)
	}
	raw, err := os.ReadFile(capture)
	must(t, err)
	// The output writes signed 16-bit samples, int16(v*32767) of each
	// value clamped to [-1, 1] (what the wav16 output writes); the file
	// plugin captures them before PulseAudio touches them: exact.
	got := make([][2]int16, len(raw)/4)
	for k := range got {
		got[k] = [2]int16{int16(binary.LittleEndian.Uint16(raw[4*k:])), int16(binary.LittleEndian.Uint16(raw[4*k+2:]))}
	}
	q := func(v float64) int16 { return int16(max(-1, min(1, v)) * 32767) }
	const probe = 1000
	off := -1
	for k := 0; k+len(ref) <= len(got) && off < 0; k++ {
		ok := true
		for i := 0; i < 64 && ok; i++ {
			ok = got[k+probe+i][0] == q(ref[probe+i][0])
		}
		if ok {
			off = k
		}
	}
	if off < 0 {
		for k := range got {
			if got[k][0] != 0 {
				t.Logf("first nonzero captured sample at %d: %v; the wav starts %v", k, got[k], ref[0])
				break
			}
		}
		t.Fatalf("the wav output was not found in %d captured samples (want %d)", len(got), len(ref))
	}
	var bad int
	for i := range ref {
		for c := range 2 {
			if got[off+i][c] != q(ref[i][c]) {
				bad++
			}
		}
	}
	t.Logf("captured %d samples, the track's %d start at %d; %d mismatched values; child: %s", len(got), len(ref), off, bad, strings.TrimSpace(out))
	if bad > 0 {
		t.Errorf("%d of %d captured values differ from the wav output (underrun or wrong samples)", bad, 2*len(ref))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
