// benchtable reads `go test -bench` output on stdin (passing it through to
// stderr) and prints issue 14's side-by-side table: each figure with
// segue's value, the peer's from the same run, and segue/peer. Whether a
// higher ratio is better is said in the figure's name.
//
// Usage: go test -bench ... | go run .ci/benchtable.go
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// row is one figure: a benchmark and the units under which it reports
// segue's value and its peer's.
type row struct {
	figure, bench, segue, peerUnit, peer string
}

var rows = []row{
	{"decode 320k MP3, CPU ms per s of audio (lower is better)", "Decode320kVsMpg123", "segue-cpu-ms/s", "mpg123-cpu-ms/s", "mpg123"},
	{"decode 320k MP3, CPU ms per s of audio (lower is better)", "Decode320kVsMpg123", "segue-cpu-ms/s", "ffmpeg-cpu-ms/s", "ffmpeg"},
	{"decode 320k MP3, M instructions per s of audio (lower)", "DecodeInstructions", "segue-Minstr/s", "mpg123-Minstr/s", "mpg123"},
	{"playing via ALSA/PulseAudio, % of a core (lower)", "ALSAVsCmus", "segue-cpu-%", "cmus-cpu-%", "cmus"},
	{"playing, wake-ups per s (lower)", "ALSAVsCmus", "segue-wakeups/s", "cmus-wakeups/s", "cmus"},
	// The player in a child of player's test binary, whose file-backed
	// pages are the test binary's (about 3x segue's own): issue 14's 20 MiB
	// is of segue's programs, the TUI and segue play rows below.
	{"playing (test binary), RSS MiB (lower)", "ALSAVsCmus", "segue-rss-MiB", "cmus-rss-MiB", "cmus"},
	{"playing (test binary), RSS anonymous MiB (lower)", "ALSAVsCmus", "segue-rss-anon-MiB", "cmus-rss-anon-MiB", "cmus"},
	{"playing (test binary), RSS file-backed MiB (lower)", "ALSAVsCmus", "segue-rss-file-MiB", "cmus-rss-file-MiB", "cmus"},
	{"paused, CPU ticks per 30 s (lower)", "ALSAVsCmus", "segue-ticks-paused/30s", "cmus-ticks-paused/30s", "cmus"},
	// The real interface in tmux beside cmus, both playing at once
	// (medians over the iterations).
	{"TUI playing via ALSA/PulseAudio, % of a core (lower)", "TUIVsCmus", "tui-cpu-%", "cmus-cpu-%", "cmus"},
	{"TUI playing, wake-ups per s (lower)", "TUIVsCmus", "tui-wakeups/s", "cmus-wakeups/s", "cmus"},
	{"TUI playing, involuntary switches per s (lower)", "TUIVsCmus", "tui-invol/s", "cmus-invol/s", "cmus"},
	{"TUI playing, RSS MiB (lower)", "TUIVsCmus", "tui-rss-MiB", "cmus-rss-MiB", "cmus"},
	{"TUI playing, RSS anonymous MiB (lower)", "TUIVsCmus", "tui-rss-anon-MiB", "cmus-rss-anon-MiB", "cmus"},
	{"TUI playing, RSS file-backed MiB (lower)", "TUIVsCmus", "tui-rss-file-MiB", "cmus-rss-file-MiB", "cmus"},
	// segue play (the client build, headless) alone after the pair; cmus's
	// figures are the pair's.
	{"segue play via ALSA/PulseAudio, % of a core (lower)", "TUIVsCmus", "play-cpu-%", "cmus-cpu-%", "cmus"},
	{"segue play, wake-ups per s (lower)", "TUIVsCmus", "play-wakeups/s", "cmus-wakeups/s", "cmus"},
	{"segue play, RSS MiB (lower)", "TUIVsCmus", "play-rss-MiB", "cmus-rss-MiB", "cmus"},
	{"segue play, RSS anonymous MiB (lower)", "TUIVsCmus", "play-rss-anon-MiB", "cmus-rss-anon-MiB", "cmus"},
	{"segue play, RSS file-backed MiB (lower)", "TUIVsCmus", "play-rss-file-MiB", "cmus-rss-file-MiB", "cmus"},
	{"/chunks hot set, 64 conns, req/s (higher)", "ChunksVsNginx/hot", "origin-req/s", "nginx-req/s", "nginx"},
	{"/chunks hot set, 64 conns, MB/s (higher)", "ChunksVsNginx/hot", "origin-MB/s", "nginx-MB/s", "nginx"},
	{"/chunks hot set, server CPU µs/req (lower)", "ChunksVsNginx/hot", "origin-cpu-µs/req", "nginx-cpu-µs/req", "nginx"},
	{"/chunks hot set, 1 conn, p50 µs per request (lower)", "ChunksVsNginx/hot", "origin-1conn-p50-µs", "nginx-1conn-p50-µs", "nginx"},
	{"/chunks hot set, 1 conn, p99 µs per request (lower)", "ChunksVsNginx/hot", "origin-1conn-p99-µs", "nginx-1conn-p99-µs", "nginx"},
	{"/chunks hot set, 1 conn, new connection's first request, p50 µs (lower)", "ChunksVsNginx/hot", "origin-1conn-first-p50-µs", "nginx-1conn-first-p50-µs", "nginx"},
	{"/chunks 4.5x memory cache, 64 conns, req/s (higher)", "ChunksVsNginx/large", "origin-req/s", "nginx-req/s", "nginx"},
	{"/chunks 4.5x memory cache, 64 conns, MB/s (higher)", "ChunksVsNginx/large", "origin-MB/s", "nginx-MB/s", "nginx"},
	{"/chunks 4.5x memory cache, server CPU µs/req (lower)", "ChunksVsNginx/large", "origin-cpu-µs/req", "nginx-cpu-µs/req", "nginx"},
	{"/chunks 4.5x memory cache, 1 conn, p50 µs (lower)", "ChunksVsNginx/large", "origin-1conn-p50-µs", "nginx-1conn-p50-µs", "nginx"},
	{"/chunks 4.5x memory cache, 1 conn, p99 µs (lower)", "ChunksVsNginx/large", "origin-1conn-p99-µs", "nginx-1conn-p99-µs", "nginx"},
	{"/chunks 4.5x memory cache, 1 conn, new connection's first, p50 µs (lower)", "ChunksVsNginx/large", "origin-1conn-first-p50-µs", "nginx-1conn-first-p50-µs", "nginx"},
	// The same against nginx with open_file_cache, which the origin's
	// open files (openFiles) match.
	{"/chunks hot set, 64 conns, req/s (higher)", "ChunksVsNginx/hot", "origin-req/s", "nginx-ofc-req/s", "nginx+ofc"},
	{"/chunks hot set, 64 conns, MB/s (higher)", "ChunksVsNginx/hot", "origin-MB/s", "nginx-ofc-MB/s", "nginx+ofc"},
	{"/chunks hot set, server CPU µs/req (lower)", "ChunksVsNginx/hot", "origin-cpu-µs/req", "nginx-ofc-cpu-µs/req", "nginx+ofc"},
	{"/chunks hot set, 1 conn, p50 µs per request (lower)", "ChunksVsNginx/hot", "origin-1conn-p50-µs", "nginx-ofc-1conn-p50-µs", "nginx+ofc"},
	{"/chunks hot set, 1 conn, p99 µs per request (lower)", "ChunksVsNginx/hot", "origin-1conn-p99-µs", "nginx-ofc-1conn-p99-µs", "nginx+ofc"},
	{"/chunks hot set, 1 conn, new connection's first request, p50 µs (lower)", "ChunksVsNginx/hot", "origin-1conn-first-p50-µs", "nginx-ofc-1conn-first-p50-µs", "nginx+ofc"},
	{"/chunks 4.5x memory cache, 64 conns, req/s (higher)", "ChunksVsNginx/large", "origin-req/s", "nginx-ofc-req/s", "nginx+ofc"},
	{"/chunks 4.5x memory cache, 64 conns, MB/s (higher)", "ChunksVsNginx/large", "origin-MB/s", "nginx-ofc-MB/s", "nginx+ofc"},
	{"/chunks 4.5x memory cache, server CPU µs/req (lower)", "ChunksVsNginx/large", "origin-cpu-µs/req", "nginx-ofc-cpu-µs/req", "nginx+ofc"},
	{"/chunks 4.5x memory cache, 1 conn, p50 µs (lower)", "ChunksVsNginx/large", "origin-1conn-p50-µs", "nginx-ofc-1conn-p50-µs", "nginx+ofc"},
	{"/chunks 4.5x memory cache, 1 conn, p99 µs (lower)", "ChunksVsNginx/large", "origin-1conn-p99-µs", "nginx-ofc-1conn-p99-µs", "nginx+ofc"},
	{"/chunks 4.5x memory cache, 1 conn, new connection's first, p50 µs (lower)", "ChunksVsNginx/large", "origin-1conn-first-p50-µs", "nginx-ofc-1conn-first-p50-µs", "nginx+ofc"},
}

// single figures with no peer process: segue against issue 14's target.
var targets = []row{
	{"queue ended, CPU ticks per 30 s (target 0)", "ALSAVsCmus", "segue-ticks-ended/30s", "", "0"},
	{"resume after pause, ms to audio at the device (target 50)", "ALSAVsCmus", "segue-resume-ms", "", "50"},
	{"pause, ms of audio at the device after it (target 50)", "ALSAVsCmus", "segue-pause-ms", "", "50"},
	{"playing, wake-ups per s (target 10)", "ALSAVsCmus", "segue-wakeups/s", "", "10"},
	{"TUI playing, wake-ups per s (target 10)", "TUIVsCmus", "tui-wakeups/s", "", "10"},
	{"TUI playing, RSS MiB (target 20)", "TUIVsCmus", "tui-rss-MiB", "", "20"},
	{"segue play, wake-ups per s (target 10)", "TUIVsCmus", "play-wakeups/s", "", "10"},
	{"segue play, RSS MiB (target 20)", "TUIVsCmus", "play-rss-MiB", "", "20"},
	{"/chunks hot set, req/s ratio, median of 5 pairs (target 1)", "ChunksVsNginx/hot", "ratio-median", "", "1"},
	{"/chunks 4.5x cache, req/s ratio, median of 5 pairs (target 1)", "ChunksVsNginx/large", "ratio-median", "", "1"},
	{"/chunks hot set, req/s ratio to nginx+ofc (target 1)", "ChunksVsNginx/hot", "ratio-median-ofc", "", "1"},
	{"/chunks 4.5x cache, req/s ratio to nginx+ofc (target 1)", "ChunksVsNginx/large", "ratio-median-ofc", "", "1"},
	{"/chunks hot set, 1-conn p50 ratio, median (target 1)", "ChunksVsNginx/hot", "1conn-p50-ratio-median", "", "1"},
	{"/chunks 4.5x cache, 1-conn p50 ratio, median (target 1)", "ChunksVsNginx/large", "1conn-p50-ratio-median", "", "1"},
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func main() {
	metrics := map[string]map[string]float64{} // bench -> unit -> value
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		vals := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[f[i+1]] = v
			}
		}
		metrics[m[1]] = vals
	}
	fmt.Printf("%-61s %12s %12s %-9s %7s\n", "figure", "segue", "peer", "", "ratio")
	missing := 0
	for _, r := range rows {
		s, ok1 := metrics[r.bench][r.segue]
		p, ok2 := metrics[r.bench][r.peerUnit]
		if !ok1 || !ok2 {
			fmt.Printf("%-61s %12s %12s %-9s %7s\n", r.figure, "missing", "missing", r.peer, "")
			missing++
			continue
		}
		ratio := "-" // 0 against 0
		if p != 0 {
			ratio = fmt.Sprintf("%.2f", s/p)
		} else if s == 0 {
			ratio = "equal"
		}
		fmt.Printf("%-61s %12.4g %12.4g %-9s %7s\n", r.figure, s, p, r.peer, ratio)
	}
	for _, r := range targets {
		s, ok := metrics[r.bench][r.segue]
		if !ok {
			fmt.Printf("%-61s %12s %12s %-9s\n", r.figure, "missing", r.peer, "target")
			missing++
			continue
		}
		fmt.Printf("%-61s %12.4g %12s %-9s\n", r.figure, s, r.peer, "target")
	}
	if missing > 0 {
		fmt.Fprintf(os.Stderr, "%d figures missing: a benchmark failed\n", missing)
		os.Exit(1)
	}
}
