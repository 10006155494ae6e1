package peer

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	mrand "math/rand"
	"net"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/origin"
	"segue/origin/blobs"
)

// The swarm benchmark's workload (issue 13, acceptance 4). Time is
// compressed: a segment holds segAudio of audio and is due segAudio/speed
// after the one before, so a 30 s track plays in 1.5 s of wall time. Every
// time constant of the swarm is compressed alike (the time peers get before
// the origin is asked, the upload cap, the tracker's TTL, the announce and
// lookup intervals, the play head's 250 ms peer threshold); the machinery
// itself (HTTP on loopback, SQLite caches, sha256) runs at its real speed,
// so it looks 20x slower than it is next to playback.
const (
	swarmClients  = 8
	swarmTracks   = 60     // catalog size
	swarmZipfS    = 1.1    // popularity exponent (rank^-s)
	trackSegments = 12     // 30 s tracks
	segmentBytes  = 50_000 // 160 kbit/s for 2.5 s
	segAudio      = 2500 * time.Millisecond
	speed         = 20               // time compression
	readAhead     = 20 * time.Second // audio kept fetched ahead, as the player
	joinEvery     = 2 * time.Second  // wall time between clients joining
)

// swarmQueue is how many tracks each client plays (make bench-swarm
// SWARM_QUEUE=N). Each distinct track must come from the origin once, so
// the queue sets the floor of the origin's share: with 60 about 53 distinct
// tracks are played 480 times (floor 11%); with 120, 58 in 960 plays (6%),
// closer to a large population where every track is played many times.
var swarmQueue = flag.Int("swarm.queue", 120, "tracks each client of BenchmarkSwarm plays")

// swarmResult is what one client saw.
type swarmResult struct {
	bytes   map[catalog.Source]int64
	ttfa    map[catalog.Source][]time.Duration // by the source of segment 0
	stalls  int                                // segments that arrived after they were due
	stalled int                                // plays with at least one stall
	plays   int
}

// benchClient is one segue client: a real cache, peer endpoint, swarm,
// announcer and fetch chain on loopback.
type benchClient struct {
	fetcher *fetch.Fetcher
	swarm   *Swarm
	gauge   *Gauge
	ann     *Announcer
	queue   []*catalog.Manifest
}

func BenchmarkSwarm(b *testing.B) {
	for range b.N {
		runSwarm(b)
	}
}

func runSwarm(b *testing.B) {
	dataDir := b.TempDir()
	store := blobs.FS{Dir: filepath.Join(dataDir, origin.BlobDir)}
	manifests := make([]*catalog.Manifest, swarmTracks)
	for i := range manifests {
		m := &catalog.Manifest{TrackID: fmt.Sprintf("t%04d", i)}
		r := catalog.Rendition{Name: "normal"}
		for range trackSegments {
			seg := make([]byte, segmentBytes)
			rand.Read(seg)
			h, err := store.Put(context.Background(), seg)
			if err != nil {
				b.Fatal(err)
			}
			r.Segments = append(r.Segments, catalog.Segment{Hash: h, Size: segmentBytes, Frames: 96})
		}
		m.Renditions = []catalog.Rendition{r}
		manifests[i] = m
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: dataDir, PeerTTL: origin.DefaultPeerTTL / speed})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	clients := make([]*benchClient, swarmClients)
	for i := range clients {
		clients[i] = newBenchClient(b, ctx, &wg, ts.URL, manifests, int64(i))
	}
	played := map[string]bool{}
	for _, c := range clients {
		for _, m := range c.queue {
			played[m.TrackID] = true
		}
	}
	results := make([]swarmResult, swarmClients)
	var play sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		play.Add(1)
		go func() {
			defer play.Done()
			time.Sleep(time.Until(start.Add(time.Duration(i) * joinEvery))) // staggered joins
			var err error
			if results[i], err = c.play(ctx); err != nil {
				b.Error(err)
			}
		}()
	}
	play.Wait()
	cancel()
	wg.Wait()
	report(b, results, len(played))
}

func newBenchClient(b *testing.B, ctx context.Context, wg *sync.WaitGroup, originURL string, all []*catalog.Manifest, seed int64) *benchClient {
	c, err := cache.Open(filepath.Join(b.TempDir(), "cache.db"), cache.Options{MaxBytes: 256 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	oc, err := originclient.New(originURL, originclient.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	id := NewID()
	bc := &benchClient{gauge: NewGauge(0)}
	srv, err := NewServer(ServerOptions{Store: c, Gauge: bc.gauge, UploadRate: DefaultUploadRate * speed})
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	bc.swarm = NewSwarm(SwarmOptions{Discovery: []Discovery{NewTracker(oc, id, DefaultLookupTTL/speed, nil)},
		Policy: NewPolicy(PolicyOptions{UrgentWithin: 250 * time.Millisecond / speed}),
		Gauge:  bc.gauge, Logger: quiet, TimeScale: speed})
	bc.ann = NewAnnouncer(AnnouncerOptions{Client: oc, ID: id, Addr: ln.Addr().String(), Logger: quiet, Every: DefaultAnnounceEvery / speed,
		Holdings: func() []string { return bc.swarm.FullTracks(c.Has) }})
	bc.fetcher = fetch.New(c, []fetch.Tier{
		{Source: catalog.SourcePeer, Remote: bc.swarm, Attempts: 1},
		{Source: catalog.SourceOrigin, Remote: oc},
	}, fetch.Options{Logger: quiet})
	wg.Add(2)
	go func() { defer wg.Done(); srv.Serve(ctx, ln) }()
	go func() { defer wg.Done(); bc.ann.Run(ctx) }()
	// The client's queue: Zipf-distributed picks, the same popularity order
	// for everyone (track 0 most popular), so queues overlap.
	z := mrand.NewZipf(mrand.New(mrand.NewSource(seed+1)), swarmZipfS, 1, swarmTracks-1)
	for range *swarmQueue {
		bc.queue = append(bc.queue, all[z.Uint64()])
	}
	return bc
}

// play plays the queue in compressed time: segment i of a track is due
// at the track's first audio + i*segAudio/speed; fetching stays readAhead
// ahead; a segment that arrives after it is due is a stall, and the
// schedule slips by the wait, as the player's would.
func (c *benchClient) play(ctx context.Context) (swarmResult, error) {
	res := swarmResult{bytes: map[catalog.Source]int64{}, ttfa: map[catalog.Source][]time.Duration{}}
	segWall := segAudio / speed
	for _, m := range c.queue {
		c.swarm.Learn(m) // as peer.Learning does when the player reads the manifest
		t0 := time.Now()
		var firstAudio time.Time
		stallsBefore := res.stalls
		for i, seg := range m.Renditions[0].Segments {
			u := catalog.UrgencySoon
			var due time.Time
			if i == 0 {
				u = catalog.UrgencyNow
			} else {
				due = firstAudio.Add(time.Duration(i) * segWall)
				// wait until the segment is inside the read-ahead window
				time.Sleep(time.Until(due.Add(-readAhead / speed)))
				ahead := time.Until(due) * speed
				c.gauge.Set(ahead)
				if ahead <= 0 {
					u = catalog.UrgencyNow
				}
			}
			data, from, err := c.fetcher.Segment(ctx, seg.Hash, u)
			if err != nil {
				return res, fmt.Errorf("play %s: %w", m.TrackID, err)
			}
			res.bytes[from] += int64(len(data))
			now := time.Now()
			if i == 0 {
				firstAudio = now
				res.ttfa[from] = append(res.ttfa[from], now.Sub(t0))
			} else if now.After(due) {
				res.stalls++
				firstAudio = firstAudio.Add(now.Sub(due))
			}
		}
		// the track ends after its last segment plays
		time.Sleep(time.Until(firstAudio.Add(trackSegments * segWall)))
		res.plays++
		if res.stalls > stallsBefore {
			res.stalled++
		}
		c.gauge.Idle()
		c.ann.Kick()
	}
	return res, nil
}

// report logs bytes by source beside Spotify's (Kreitz & Niemelä, IEEE P2P
// 2010), time to first audio by source and stalls. unique is how many
// distinct tracks were played: each must come from the origin once, so
// unique/plays is the lowest origin share any swarm reaches on the
// workload.
func report(b *testing.B, results []swarmResult, unique int) {
	total := map[catalog.Source]int64{}
	ttfa := map[catalog.Source][]time.Duration{}
	var all int64
	stalls, stalled, plays := 0, 0, 0
	for _, r := range results {
		for s, n := range r.bytes {
			total[s] += n
			all += n
		}
		for s, d := range r.ttfa {
			ttfa[s] = append(ttfa[s], d...)
		}
		stalls += r.stalls
		stalled += r.stalled
		plays += r.plays
	}
	share := func(s catalog.Source) float64 { return 100 * float64(total[s]) / float64(all) }
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%d clients, %d plays, %d tracks, Zipf s=%.1f, time x%d\n", swarmClients, plays, swarmTracks, swarmZipfS, speed)
	fmt.Fprintf(&sb, "%-8s %10s %8s %10s   %s\n", "source", "bytes", "share", "Spotify", "first audio p50 / p95 (n)")
	spotify := map[catalog.Source]float64{catalog.SourceOrigin: 8.8, catalog.SourcePeer: 35.8, catalog.SourceCache: 55.4}
	for _, s := range []catalog.Source{catalog.SourceOrigin, catalog.SourcePeer, catalog.SourceCache} {
		d := ttfa[s]
		slices.Sort(d)
		pct := func(p float64) time.Duration {
			if len(d) == 0 {
				return 0
			}
			return d[min(int(p*float64(len(d))), len(d)-1)]
		}
		fmt.Fprintf(&sb, "%-8s %10d %7.1f%% %9.1f%%   %v / %v (%d)\n", s, total[s], share(s), spotify[s],
			pct(0.5).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), len(d))
		b.ReportMetric(share(s), string(s)+"-%")
		b.ReportMetric(float64(pct(0.5).Microseconds())/1000, string(s)+"-ttfa-p50-ms")
		b.ReportMetric(float64(pct(0.95).Microseconds())/1000, string(s)+"-ttfa-p95-ms")
	}
	floor := 100 * float64(unique*trackSegments*segmentBytes) / float64(all)
	fmt.Fprintf(&sb, "origin floor (each of the %d distinct tracks once): %.1f%%\n", unique, floor)
	b.ReportMetric(floor, "origin-floor-%")
	fmt.Fprintf(&sb, "stalls: %d, in %d of %d plays (%.1f%%; Spotify: stutter in < 1%% of plays)\n",
		stalls, stalled, plays, 100*float64(stalled)/float64(plays))
	b.ReportMetric(float64(stalls), "stalls")
	b.ReportMetric(100*float64(stalled)/float64(plays), "stalled-plays-%")
	b.Log(sb.String())
}
