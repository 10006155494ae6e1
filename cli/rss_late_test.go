package cli

import (
	"testing"
	"time"

	"segue/internal/testkit"
)

// BenchmarkPlayRSSHolds checks that what the steady drop (steady.go) takes
// off RSS stays off: the interface, then `segue play`, each playing the
// 120 s track through the real ALSA path (as in BenchmarkTUIVsCmus),
// sampled at 35 s after they held the device (BenchmarkTUIVsCmus's window
// end, 20 s after the drop) and at 100 s, with what each mapping holds
// resident at both and the major faults (reads from disk) in between.
// Figures: rss-MiB at 35 s and 100 s for each, and the CPU and wake-ups
// from 35 to 100 s.
func BenchmarkPlayRSSHolds(b *testing.B) {
	const early, late = 35 * time.Second, 100 * time.Second
	url, _ := serveTracks(b, []tuiTrack{longTrack})
	pulse := b.TempDir()
	env := testkit.HeadlessALSA(b, pulse, "")
	figures := map[string][]float64{}
	sample := func(name string, pid int, start time.Time) {
		time.Sleep(time.Until(start.Add(early)))
		maj := testkit.ProcMajorFaults(b, pid)
		rss, anon, file := testkit.ProcStatus(b, pid, "VmRSS:"), testkit.ProcStatus(b, pid, "RssAnon:"), testkit.ProcStatus(b, pid, "RssFile:")
		b.Logf("%s %d at %v: RSS %d KiB (anon %d, file %d), %d major faults so far; by mapping (MiB): %s",
			name, pid, early, rss, anon, file, maj, testkit.ResidentByMapping(b, pid))
		figures[name+"-rss-35s-MiB"] = append(figures[name+"-rss-35s-MiB"], float64(rss)/1024)
		w := testkit.Watch(b, pid)
		time.Sleep(time.Until(start.Add(late)))
		u := w.End()
		b.Logf("%s %d at %v: RSS %d KiB (anon %d, file %d), %d major faults since %v; %.2f%% CPU, %.1f wake-ups/s since; by mapping (MiB): %s",
			name, pid, late, u.RSSKiB, u.AnonKiB, u.FileKiB, testkit.ProcMajorFaults(b, pid)-maj, early,
			u.CPUPercent(), u.Wakeups, testkit.ResidentByMapping(b, pid))
		figures[name+"-rss-100s-MiB"] = append(figures[name+"-rss-100s-MiB"], float64(u.RSSKiB)/1024)
		figures[name+"-rss-100s-file-MiB"] = append(figures[name+"-rss-100s-file-MiB"], float64(u.FileKiB)/1024)
		figures[name+"-cpu-%"] = append(figures[name+"-cpu-%"], u.CPUPercent())
		figures[name+"-wakeups/s"] = append(figures[name+"-wakeups/s"], u.Wakeups)
	}
	for b.Loop() {
		s, pid := startALSATUI(b, url, env, "long", "Long Test")
		sample("tui", pid, time.Now())
		s.quit()
		pid, stop := startHeadlessPlay(b, url, env)
		sample("play", pid, time.Now())
		stop()
	}
	for unit, l := range figures {
		b.ReportMetric(testkit.Median(l), unit)
	}
}
