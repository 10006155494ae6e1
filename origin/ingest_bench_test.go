package origin_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"segue/demo"
	"segue/origin"
)

// BenchmarkIngest ingests the demo library into an empty data dir with the
// default parallelism and reports speed in times real time (seconds of
// audio encoded per second of wall clock).
func BenchmarkIngest(b *testing.B) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s not installed (apt-get install ffmpeg)", tool)
		}
	}
	lib := filepath.Join(b.TempDir(), "library")
	if err := demo.Build(context.Background(), lib, func(string) {}); err != nil {
		b.Fatal(err)
	}
	var audio float64
	var elapsed time.Duration
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
	b.ReportMetric(audio/float64(b.N), "audio_s/op")
}
