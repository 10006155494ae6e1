package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"segue/internal/testkit"
	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
)

// BenchmarkChunksThroughNginx is issue 18's benchmark: /chunks through
// nginx (configured by proxy-config) in front of 1 and 2 replica processes,
// blobs in MinIO, the catalog in PostgreSQL (pgtest), 64 concurrent
// keep-alive clients. 600 segments of 40-110
// KB (2.5 s at 96k-320k), 45 MB in all. For each replica count, with an
// empty nginx cache:
//
//   - cold: 1800 requests, uniform over the 600 (each asked 3 times on
//     average, so at most 2/3 can be hits): req/s, MB/s and the hit ratio
//     read from nginx's access log;
//   - warm: then 20000 more, nearly all from the cache.
//
// "direct" is the cold load on one replica without nginx, for scale. Each
// case starts its own replicas, so their memory caches start empty too.
//
// On the 2-core machines of this project nginx, the replicas, MinIO and
// the load generator share the cores, so a second replica adds
// availability, not throughput; the cold numbers show what a miss costs.
// Run with -benchtime 1x (make bench-scale).
func BenchmarkChunksThroughNginx(b *testing.B) {
	minio := miniotest.Run(b)
	blobsURL := "s3://segue-bench/blobs?endpoint=" + minio.Endpoint
	loc, err := blobs.ParseS3URL(blobsURL)
	if err != nil {
		b.Fatal(err)
	}
	store, err := blobs.OpenS3(context.Background(), loc)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(18, 1))
	var paths []string
	for i := range 600 {
		seg := make([]byte, 40_000+r.IntN(70_000))
		for j := range seg {
			seg[j] = byte(r.Uint32())
		}
		seg[0] = byte(i)
		h, err := store.Put(context.Background(), seg)
		if err != nil {
			b.Fatal(err)
		}
		paths = append(paths, "/chunks/"+h)
	}
	catalogURL := pgtest.Database(b)
	dir := b.TempDir()
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte("log_file = "+strconvQuote(filepath.Join(dir, "segue.log"))+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := segueBinary(b)
	// replicas starts n replicas for one sub-benchmark, so each begins with
	// empty memory caches.
	replicas := func(b *testing.B, n int) []string {
		var ups []string
		for range n {
			ups = append(ups, startReplica(b, bin, config, catalogURL, blobsURL).addr)
		}
		return ups
	}
	b.Run("direct", func(b *testing.B) {
		ups := replicas(b, 1)
		urls := make([]string, len(paths))
		for i, p := range paths {
			urls[i] = "http://" + ups[0] + p
		}
		var req, mb float64
		for range b.N {
			q, m := testkit.Load(b, urls, 3*len(urls), 64)
			req, mb = req+q, mb+m
		}
		b.ReportMetric(req/float64(b.N), "req/s")
		b.ReportMetric(mb/float64(b.N), "MB/s")
		b.ReportMetric(0, "ns/op")
	})
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			ups := replicas(b, n)
			var coldReq, coldMB, coldHits, warmReq, warmMB, warmHits float64
			for range b.N {
				b.StopTimer()
				proxy := startProxy(b, ups...)
				urls := make([]string, len(paths))
				for i, p := range paths {
					urls[i] = proxy.url + p
				}
				b.StartTimer()
				q, mb := testkit.Load(b, urls, 3*len(urls), 64)
				coldReq, coldMB = coldReq+q, coldMB+mb
				cold := len(proxy.access(b))
				coldHits += hitRatio(proxy.access(b))
				q, mb = testkit.Load(b, urls, 20_000, 64)
				warmReq, warmMB = warmReq+q, warmMB+mb
				warmHits += hitRatio(proxy.access(b)[cold:])
			}
			runs := float64(b.N)
			b.ReportMetric(coldReq/runs, "cold-req/s")
			b.ReportMetric(coldMB/runs, "cold-MB/s")
			b.ReportMetric(coldHits/runs, "cold-hit-ratio")
			b.ReportMetric(warmReq/runs, "warm-req/s")
			b.ReportMetric(warmMB/runs, "warm-MB/s")
			b.ReportMetric(warmHits/runs, "warm-hit-ratio")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// hitRatio is the share of /chunks requests in lines nginx answered from
// its cache.
func hitRatio(lines []accessLine) float64 {
	chunks := chunkLines(lines)
	hits := 0
	for _, l := range chunks {
		if l.Cache == "HIT" {
			hits++
		}
	}
	if len(chunks) == 0 {
		return 0
	}
	return float64(hits) / float64(len(chunks))
}
