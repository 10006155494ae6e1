package player

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// Volumer outputs: ALSA applies the volume itself.
var _ Volumer = (*ALSA)(nil)

// toneHz has a period of exactly 100 frames at 44.1 kHz, so a block of
// toneBlock frames holds whole periods and its RMS level does not depend
// on the phase.
const (
	toneHz    = 441
	toneBlock = catalog.SampleRate / toneHz
)

// childVolume plays the track stored in dir through the real ALSA output
// (default buffer; a second under -race), says "playing" 1.5 s in, sets the volume to 50 on a
// "volume" line on stdin, says "set" and exits when stdin closes.
func childVolume(dir string) error {
	buffer := DefaultALSABuffer
	if raceEnabled { // decoding runs several times slower: as childPlay
		buffer = time.Second
	}
	p, out, m, err := alsaChildPlayer(dir, buffer)
	if err != nil {
		return err
	}
	playing := make(chan struct{}, 1)
	go func() {
		for e := range p.Events() {
			switch e := e.(type) {
			case PositionEvent:
				if e.Position >= 3*time.Second/2 {
					select {
					case playing <- struct{}{}:
					default:
					}
				}
			case ErrorEvent:
				fmt.Println("error", e.Err)
			}
		}
	}()
	p.Play(catalog.Track{ID: m.TrackID})
	<-playing
	fmt.Println("playing")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "volume" {
		return fmt.Errorf("want volume on stdin, got %q", in.Text())
	}
	p.SetVolume(50)
	fmt.Println("set")
	io.Copy(io.Discard, os.Stdin)
	p.Close()
	err = out.Close()
	fmt.Printf("underruns %d\n", out.Underruns())
	return err
}

// TestALSAVolumeHeardAtOnce plays a steady 441 Hz tone through the real
// ALSA output (default 500 ms buffer) into the headless PulseAudio, sets
// the volume from 100 to 50 while it plays, and reads from the sink's
// monitor recording how long after the command the tone dropped to the
// new level: volumeFactor(50) = 0.25 of the amplitude (the square law).
// With the volume multiplied in at render the change was heard about
// 750 ms later (the ring and the device buffer); the output now applies
// it itself, so it must be heard within 100 ms of audio. The output drops
// and restarts the device for the change (as for a pause): through
// PulseAudio (whose ALSA plugin opens a new stream on each prepare) that
// left 1.5-9.6 ms of silence at the change here, so a run of silence
// longer than 25 ms from 50 ms before the command to 50 ms after the new
// level fails (a device left waiting a period would leave 250 ms).
func TestALSAVolumeHeardAtOnce(t *testing.T) {
	src, tr := oneTrack(t, fmt.Sprintf("aevalsrc='0.5*sin(2*PI*%d*t)':s=44100:c=stereo:d=6", toneHz), 5, catalog.RenditionHigh)
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	env := testkit.HeadlessALSA(t, dir, "")

	c := startChild(t, "volume", dir, env)
	defer c.stop()
	stdin, lines, expect := c.stdin, c.lines, c.expect
	mon := filepath.Join(dir, "monitor.raw")
	expect("playing")
	const before, after = catalog.SampleRate * 3 / 10, catalog.SampleRate // frames read either side
	var frames [][2]float32
	testkit.WaitReport(t, 20*time.Second, func() bool { // the tone plays steadily
		frames = readMonitor(t, mon)
		if len(frames) < before {
			return false
		}
		for _, l := range blockLevels(frames[len(frames)-before:]) {
			if l < 0.3 {
				return false
			}
		}
		return true
	}, func() string { return fmt.Sprintf("the monitor did not record %d frames of steady tone", before) })
	// The monitor's recording keeps up with the sink within parec's 10 ms
	// fragments: its length just after it grew is where the command falls
	// in the audio.
	at := int(watchMonitor(t, mon).at / 8)
	testkit.Wait(t, 10*time.Second, "the monitor recording to grow", func() bool {
		grown := int(watchMonitor(t, mon).at / 8)
		if grown == at {
			return false
		}
		at = grown
		return true
	})
	fmt.Fprintln(stdin, "volume")
	expect("set")
	testkit.WaitReport(t, 20*time.Second, func() bool {
		frames = readMonitor(t, mon)
		return len(frames) >= at+after
	}, func() string { return fmt.Sprintf("the monitor recorded %d frames, want %d", len(frames), at+after) })
	window := frames[at-before : at+after]

	levels := blockLevels(window)
	var old float64 // the level before the command: the median of the blocks
	{
		b := append([]float64(nil), levels[:before/toneBlock]...)
		for i := range b {
			for j := i + 1; j < len(b); j++ {
				if b[j] < b[i] {
					b[i], b[j] = b[j], b[i]
				}
			}
		}
		old = b[len(b)/2]
	}
	want := old * volumeFactor(50)
	near := func(l float64) bool { return math.Abs(l-want) <= 0.2*want }
	first := -1 // the first block at the new level
	for i := before / toneBlock; i < len(levels) && first < 0; i++ {
		if near(levels[i]) {
			first = i
		}
	}
	if old < 0.3 || first < 0 {
		t.Fatalf("level before the command %.4f (want about 0.35), after it %.4f (want %.4f): the tone did not play or the volume did not change", old, levels[len(levels)-1], want)
	}
	for i, l := range levels[first:] {
		if l > 2*want {
			t.Errorf("the old level came back %d frames after the new one was heard: block level %.4f, want %.4f", i*toneBlock, l, want)
			break
		}
	}
	delay := time.Duration(first*toneBlock-before) * time.Second / catalog.SampleRate

	// The longest run of silent frames from 50 ms before the command to
	// 50 ms after the new level was heard.
	const margin = catalog.SampleRate / 20
	gap, run, gapEnd := 0, 0, 0
	for k, f := range window[before-margin : first*toneBlock+margin] {
		if max(math.Abs(float64(f[0])), math.Abs(float64(f[1]))) < 1e-3 {
			run++
			if run > gap {
				gap, gapEnd = run, k+1-margin
			}
		} else {
			run = 0
		}
	}
	gapTime := time.Duration(gap) * time.Second / catalog.SampleRate
	stdin.Close()
	lines.Scan()
	t.Logf("child: %s", lines.Text())
	t.Logf("level %.4f before, %.4f wanted after; new level %v of audio after the command; longest silence around it %d frames (%v), ending %d frames after the command",
		old, want, delay, gap, gapTime, gapEnd)
	if delay > 100*time.Millisecond {
		t.Errorf("the new volume was heard %v after the command, want within 100 ms", delay)
	}
	if gapTime > 25*time.Millisecond {
		t.Errorf("%v of silence around the volume change, want at most 25 ms", gapTime)
	}
}

// blockLevels returns the RMS level of each toneBlock of frames.
func blockLevels(frames [][2]float32) []float64 {
	var levels []float64
	for k := 0; k+toneBlock <= len(frames); k += toneBlock {
		var sum float64
		for _, f := range frames[k : k+toneBlock] {
			sum += float64(f[0])*float64(f[0]) + float64(f[1])*float64(f[1])
		}
		levels = append(levels, math.Sqrt(sum/(2*toneBlock)))
	}
	return levels
}

// readMonitor reads the frames the sink's monitor recorded so far
// (float32 stereo).
func readMonitor(t testing.TB, path string) [][2]float32 {
	raw, err := os.ReadFile(path)
	must(t, err)
	frames := make([][2]float32, len(raw)/8)
	for k := range frames {
		frames[k] = [2]float32{
			math.Float32frombits(binary.LittleEndian.Uint32(raw[8*k:])),
			math.Float32frombits(binary.LittleEndian.Uint32(raw[8*k+4:])),
		}
	}
	return frames
}
