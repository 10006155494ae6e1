package player

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// childClose plays the track stored in dir through the real ALSA output
// (default buffer) and says "playing" once, 1.5 s in, the render loop
// waits in Write for the device to take its next period (the ring is
// full: up to a period, 3 s); on a "close" line it closes the player,
// says "closed", then stops and closes the output as the client does
// when the listener quits (closeOutput), and exits.
func childClose(dir string) error {
	p, out, m, err := alsaChildPlayer(dir, 0)
	if err != nil {
		return err
	}
	playing := make(chan struct{}, 1)
	go func() {
		for e := range p.Events() {
			if e, ok := e.(PositionEvent); ok && e.Position >= 3*time.Second/2 {
				select {
				case playing <- struct{}{}:
				default:
				}
			}
		}
	}()
	p.Play(catalog.Track{ID: m.TrackID})
	<-playing
	if err := waitFull(out); err != nil {
		return err
	}
	fmt.Println("playing")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "close" {
		return fmt.Errorf("want close on stdin, got %q", in.Text())
	}
	p.Close()
	fmt.Println("closed")
	out.Idle(false)
	err = out.Close()
	io.Copy(io.Discard, os.Stdin)
	return err
}

// waitFull polls (10 s at most) until the writer thread has taken a
// period and Go has filled the ring again: the render loop then sleeps in
// Write until the thread takes the next one.
func waitFull(out *ALSA) error {
	full := func() bool { out.mu.Lock(); defer out.mu.Unlock(); return out.free() < out.refill }
	rd := out.readPos()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if out.readPos() != rd && full() {
			return nil
		}
	}
	return fmt.Errorf("the alsa ring was not refilled after a period within 10 s")
}

// readPos is the writer thread's read position in the ring, in frames.
func (a *ALSA) readPos() uint64 { return atomic.LoadUint64(a.u64(&a.c.rd)) }

// TestALSACloseStopsAtOnce: closing the player stops the sound at once
// when the render loop waits in the ALSA output's Write for the device to
// take a period. The sound played on until the device took it (up to a
// period, 2 s: 1.5-2 s measured) and Close waited as long, so quitting
// the interface or Ctrl-C on segue play left the track playing that
// long. From the command, the sink may play at most 0.75 s of sound (the
// monitor lags the sink by 170-300 ms, docs/headless-audio.md).
func TestALSACloseStopsAtOnce(t *testing.T) {
	src, tr := oneTrack(t, fmt.Sprintf("aevalsrc='0.5*sin(2*PI*%d*t)':s=44100:c=stereo:d=16", toneHz), 15, catalog.RenditionHigh)
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	env := testkit.HeadlessALSA(t, dir, "")
	c := startChild(t, "close", dir, env)
	defer c.stop()
	c.expect("playing")
	_, at := testkit.MonitorSound(t, dir, 0)
	fmt.Fprintln(c.stdin, "close")
	c.expect("closed")
	const second = catalog.SampleRate * 8 // bytes of the monitor's float32 stereo
	testkit.Wait(t, 20*time.Second, "2.5 s of the sink's monitor after the close", func() bool {
		_, end := testkit.MonitorSound(t, dir, at)
		return end-at >= second*5/2
	})
	n, _ := testkit.MonitorSound(t, dir, at)
	t.Logf("the sink played %.2f s of sound after the close", float64(n)/catalog.SampleRate)
	if n > catalog.SampleRate*3/4 {
		t.Errorf("the sink played %.2f s of sound after the player's Close, want at most 0.75 s", float64(n)/catalog.SampleRate)
	}
}

// childAppend plays the track stored in dir through the real ALSA output
// (default buffer), adds it again as soon as the queue ends (the render
// loop has written its last frame; the device still holds its end), and
// says "done" once the second play ended and the device is suspended.
func childAppend(dir string) error {
	p, out, m, err := alsaChildPlayer(dir, 0)
	if err != nil {
		return err
	}
	tr := catalog.Track{ID: m.TrackID}
	p.Play(tr)
	for ends := 0; ends < 2; {
		select {
		case e := <-p.Events():
			switch e := e.(type) {
			case ErrorEvent:
				return e.Err
			case EndEvent:
				if ends++; ends == 1 {
					p.Add(tr)
				}
			}
		case <-time.After(30 * time.Second):
			return fmt.Errorf("the queue did not end within 30 s")
		}
	}
	if err := waitSuspended(out); err != nil {
		return err
	}
	fmt.Println("done")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// TestALSAAddAfterTheEndKeepsItsTail: a track added when the queue has
// ended plays after the end of the last one, which the device still held
// (up to its buffer, 6 s). Adding flushed the device, so a 3 s track added
// again at its own end lost the first play's last 0.8 s (5.17 s of sound
// measured, 5.91 with the fix), in the interface too (a track queued with
// a or A after the end). Both plays must reach the sink's monitor, less
// 0.2 s: frames at the tone's zero crossings are silent (0.09 s).
func TestALSAAddAfterTheEndKeepsItsTail(t *testing.T) {
	const seconds = 3
	src, tr := oneTrack(t, fmt.Sprintf("aevalsrc='0.5*sin(2*PI*%d*t)':s=44100:c=stereo:d=%d", toneHz, seconds), seconds, catalog.RenditionHigh)
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	env := testkit.HeadlessALSA(t, dir, "")
	c := startChild(t, "append", dir, env)
	defer c.stop()
	c.expect("done")
	_, at := testkit.MonitorSound(t, dir, 0)
	const second = catalog.SampleRate * 8 // bytes of the monitor's float32 stereo
	testkit.Wait(t, 20*time.Second, "1 s of the sink's monitor after the end", func() bool {
		_, end := testkit.MonitorSound(t, dir, at)
		return end-at >= second
	})
	n, _ := testkit.MonitorSound(t, dir, 0)
	t.Logf("the sink played %.2f s of sound", float64(n)/catalog.SampleRate)
	if want := 2*seconds*catalog.SampleRate - catalog.SampleRate/5; n < want {
		t.Errorf("the sink played %.2f s of sound, want the %d s track twice (at least %.2f s)", float64(n)/catalog.SampleRate, seconds, float64(want)/catalog.SampleRate)
	}
}
