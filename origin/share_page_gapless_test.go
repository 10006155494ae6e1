package origin

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// gapProbe is injected into a share page before anything plays: every media
// element the page plays (its <audio> players, and any it makes later) is
// routed into one AudioContext whose AudioWorklet records what the
// elements put out, mixed to mono, at the context's rate, in blocks of 4096
// samples posted to the page (window.gapProbe.ready once it runs). A
// MediaElementAudioSourceNode takes the element's output whole, so the
// recording is what a listener hears (muted Chromium still runs the
// graph). The worklet runs on the audio thread and its blocks queue: a
// ScriptProcessor, on the page's main thread, put out a block of silence
// (92.9 ms) now and then when that thread was late, on this loaded
// 2-core machine, anywhere in the recording. The worklet's module is a
// blob: URL, which the page's CSP refuses: the test bypasses it.
const gapProbe = `(() => {
  const ctx = new AudioContext();
  const mix = ctx.createGain();
  const p = window.gapProbe = {rate: ctx.sampleRate, chunks: []};
  const code = 'registerProcessor("rec", class extends AudioWorkletProcessor {' +
    'constructor() { super(); this.b = new Float32Array(4096); this.n = 0; }' +
    'process(ins) { const x = ins[0][0]; if (!x) return true;' +
    'for (let i = 0; i < x.length; i++) { this.b[this.n++] = x[i]; if (this.n === 4096) { this.port.postMessage(this.b); this.b = new Float32Array(4096); this.n = 0; } }' +
    'return true; } });';
  ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([code], {type: "text/javascript"}))).then(() => {
    const rec = new AudioWorkletNode(ctx, "rec", {channelCount: 1, channelCountMode: "explicit"});
    rec.port.onmessage = (e) => { if (p.on) p.chunks.push(e.data); };
    mix.connect(rec);
    rec.connect(ctx.destination);
    p.ready = true;
  });
  const hooked = new WeakSet();
  const hook = (a) => { if (!hooked.has(a)) { hooked.add(a); ctx.createMediaElementSource(a).connect(mix); } };
  document.querySelectorAll("audio").forEach(hook);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () { hook(this); p.on = true; ctx.resume(); return play.call(this); };
})()`

// gapMeasure reads the recording of gapProbe between the first and the
// last sample louder than 10% (the sine's start and end). Silence is a
// run of 8 samples or more under 1% of full scale (a sine of amplitude
// 0.5 at 440 Hz is under 1% for at most 2 samples around each zero
// crossing). The join is where 3 s of sound has been heard, silences
// before it not counted: a dropout of the loaded machine's audio pipeline
// (75 ms once, 315 ms after the join; over a second once without MSE)
// inserts silence but loses no sound, and is no gap between the tracks.
// It returns [the silence at the join in ms, the sine heard in s (silences
// included), the longest silence anywhere in ms and where (s into the
// recording), the context's rate in Hz, the largest second difference
// |x[n+1]-2x[n]+x[n-1]| within 5 ms of the join]: a pure 440 Hz sine's is
// at most 0.5*(2*pi*440/rate)^2 (about 0.002), a slip of one sample at the
// join about 0.03.
const gapMeasure = `(() => {
  const p = window.gapProbe, n = p.chunks.reduce((s, c) => s + c.length, 0), x = new Float32Array(n);
  let o = 0; for (const c of p.chunks) { x.set(c, o); o += c.length; }
  let first = -1, last = -1;
  for (let i = 0; i < n; i++) if (Math.abs(x[i]) > 0.1) { if (first < 0) first = i; last = i; }
  const runs = [];
  let r0 = -1;
  for (let i = first; i <= last + 1; i++) {
    const quiet = i <= last && Math.abs(x[i]) < 0.01;
    if (quiet && r0 < 0) r0 = i;
    if (!quiet && r0 >= 0) { if (i - r0 >= 8) runs.push([r0, i - r0]); r0 = -1; }
  }
  let join = first + Math.round(3 * p.rate), gap = 0, longest = [0, -1];
  for (const [s0, len] of runs) {
    if (len > longest[0]) longest = [len, s0];
    if (gap === 0 && Math.abs(s0 - join) <= 8) gap = len; else if (gap === 0 && s0 < join) join += len;
  }
  let step = 0;
  const w = Math.round(0.005 * p.rate);
  for (let i = Math.max(first + 1, join - w); i < Math.min(last - 1, join + gap + w); i++) step = Math.max(step, Math.abs(x[i + 1] - 2 * x[i] + x[i - 1]));
  return [gap * 1000 / p.rate, (last - first) / p.rate, longest[0] * 1000 / p.rate, longest[1] / p.rate, p.rate, step];
})()`

// The share page played each track in an <audio> of its own, the next
// started by the ended event of the one before: between two tracks made
// from one sine cut at a sample (440 Hz, 3 s and 2 s), Chromium put out
// 18.6 ms of silence where the join was (59 ms in one run of four). Now the
// page plays them through one MediaSource, each track's encoder delay and
// padding cut by its append window, and the sine goes on through the join.
// Without MSE (taken from the page before it loads) the page plays each
// track in its own <audio> as before: both tracks are heard, the join's
// silence only logged.
func TestSharePagePlaysTracksGapless(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	// One sine, cut at sample 132300 (3 s at 44.1 kHz): the join is a
	// sample boundary of the source, so gapless playback is the sine itself.
	for _, s := range []struct {
		name, title string
		from, secs  float64
	}{{"a.flac", "Tone A", 0, 3}, {"b.flac", "Tone B", 3, 2}} {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
			"aevalsrc=0.5*sin(2*PI*440*(t+"+strconv.FormatFloat(s.from, 'f', -1, 64)+")):s=44100:d="+strconv.FormatFloat(s.secs, 'f', -1, 64)+":c=stereo",
			"-metadata", "title="+s.title, "-metadata", "artist=Sine", "-metadata", "album=Join", filepath.Join(lib, s.name))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", s.name, err, out)
		}
	}
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	var ids []string
	for _, name := range []string{"a.flac", "b.flac"} {
		var id string
		if err := db.QueryRow(`SELECT id FROM tracks WHERE path = ?`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	r := startServer(t, ServerOptions{DataDir: data}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Join", ids)
	for _, c := range []struct {
		name    string
		before  string // run in the page before its own script
		gapless bool
	}{
		{"one MediaSource", "", true},
		{"without MSE", "delete window.MediaSource;", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := testkit.Chromium(t, 2*time.Minute)
			if c.before != "" {
				if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: c.before}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(link.String()), chromedp.WaitVisible(chromedp.ID("playall")),
				chromedp.Evaluate[chromedp.Void](gapProbe)); err != nil {
				t.Fatalf("open %s and probe it: %v", link, err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.gapProbe.ready === true`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Fatalf("the probe's worklet does not start: %v", err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
				t.Fatalf("press play all: %v", err)
			}
			// until the second track has played a second (5 s of sine, 6 s at most)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const p = window.gapProbe;
				return p.chunks.length * 4096 / p.rate > 6; })()`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
				t.Fatalf("the page did not play 6 s: %v", err)
			}
			players, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("audio").length`))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 2}[c.gapless]; players != want {
				t.Errorf("the page has %d <audio>, want %d", players, want)
			}
			v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](gapMeasure))
			if err != nil {
				t.Fatal(err)
			}
			gap, heard, rate := v[0], v[1], v[4]
			t.Logf("heard %.3f s of sine at %g Hz; silence at the join %.2f ms; longest silence %.2f ms at %.3f s of the recording; largest second difference at the join %.4f", heard, rate, gap, v[2], v[3], v[5])
			if heard < 4.5 {
				t.Fatalf("heard %.3f s of the 5 s of sine: the second track did not play", heard)
			}
			if c.gapless && gap > 2 {
				t.Errorf("between the two tracks the page is silent for %.2f ms, want none (under 2 ms)", gap)
			}
		})
	}
}
