package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"segue/cache"
	"segue/net/fetch"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
	"segue/player"
)

// BenchmarkSubsonicFirstAudio is issue 20's acceptance 4: time to first
// audio against gonic on loopback with an empty cache, through the real
// chain: Play -> getSong and the stream request -> the first segment cut
// from the progressive download -> decoder -> first sample handed to the
// output. Each run gets a new cache and a new client, logged in before the
// clock starts (segue logs in when it resolves what to play). gonic
// transcodes the FLAC tracks with ffmpeg; it keeps a transcode, so only
// the first run of each track is a cold transcode (reported as cold-ms).
// Run with -benchtime=20x.
func BenchmarkSubsonicFirstAudio(b *testing.B) {
	s := subsonictest.Gonic(b, subsonictest.Library(b))
	ctx := context.Background()
	var lat []time.Duration
	var cold []time.Duration
	seen := map[string]bool{}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		c, err := cache.Open(filepath.Join(b.TempDir(), fmt.Sprintf("c%d.db", i)), cache.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		sub, err := subsonic.New(s.URL(), subsonic.Options{Password: s.Password, Store: c, Kbps: 160})
		if err != nil {
			b.Fatal(err)
		}
		res, err := sub.Search(ctx, "tone", 2)
		if err != nil || len(res.Tracks) != 2 {
			b.Fatalf("search: %+v, %v", res, err)
		}
		tr := res.Tracks[i%2]
		var o player.Options
		subsonicPlayer(sub, fetch.New(c, nil, fetch.Options{Logger: slog.New(slog.DiscardHandler)}), &o)
		d := firstAudioOf(b, o, tr)
		if seen[tr.ID] {
			lat = append(lat, d)
		} else {
			cold = append(cold, d)
		}
		seen[tr.ID] = true
		sub.Close()
		c.Close()
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	if len(lat) > 0 {
		slices.Sort(lat)
		pct := func(q float64) float64 { return ms(lat[int(q*float64(len(lat)-1))]) }
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.95), "p95-ms")
	}
	slices.Sort(cold)
	b.ReportMetric(ms(cold[len(cold)-1]), "cold-ms")
}
