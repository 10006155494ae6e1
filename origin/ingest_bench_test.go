package origin_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"segue/demo"
	"segue/origin"
)

// BenchmarkIngest ingests the demo library into an empty data dir with the
// default parallelism and reports speed in times real time (seconds of
// audio encoded per second of wall clock), and per core: audio seconds per
// CPU second of segue and its ffmpeg children, which a busy shared machine
// does not distort.
func BenchmarkIngest(b *testing.B) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Fatalf("%s is required: run make deps (it installs ffmpeg)", tool)
		}
	}
	lib := filepath.Join(b.TempDir(), "library")
	if err := demo.Build(context.Background(), lib, func(string) {}); err != nil {
		b.Fatal(err)
	}
	var audio float64
	var elapsed time.Duration
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data := b.TempDir()
		start := time.Now()
		sum, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: data})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		audio += sum.AudioSeconds
		if len(sum.Skipped) > 0 {
			b.Fatalf("demo library skipped files: %+v", sum.Skipped)
		}
	}
	b.ReportMetric(audio/elapsed.Seconds(), "x_realtime")
	b.ReportMetric(audio/(cpuSeconds()-cpu0), "x_realtime/core")
	b.ReportMetric(audio/float64(b.N), "audio_s/op")
}

// cpuSeconds is the user+system CPU time of this process and its waited-for
// children so far.
func cpuSeconds() float64 {
	var total float64
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		}
	}
	return total
}
