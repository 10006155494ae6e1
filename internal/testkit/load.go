package testkit

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Load fetches random URLs of urls (uniformly, seeded per client) with
// clients concurrent keep-alive HTTP clients until total requests are done,
// and returns requests/s and MB/s (10^6 bytes of bodies). A failed request
// or an answer other than 200 fails tb. The benchmarks of /chunks use 64
// clients (issue 14).
func Load(tb testing.TB, urls []string, total, clients int) (reqPerSec, mbPerSec float64) {
	tb.Helper()
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var next, bytes atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for next.Add(1) <= int64(total) {
				resp, err := c.Get(urls[r.IntN(len(urls))])
				if err != nil {
					failed.Store(err)
					return
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Store(fmt.Errorf("status %d, %v", resp.StatusCode, err))
					return
				}
				bytes.Add(n)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	if err := failed.Load(); err != nil {
		tb.Fatalf("load: %v", err)
	}
	return float64(total) / el, float64(bytes.Load()) / el / 1e6
}
