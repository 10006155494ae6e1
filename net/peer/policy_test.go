package peer

import (
	"slices"
	"testing"
	"time"

	"segue/catalog"
)

// script is a scripted history for one peer, replayed into a Policy.
type script func(p *Policy, now time.Time)

func delivered(addr string, n int64, took time.Duration) script {
	return func(p *Policy, _ time.Time) { p.Delivered(addr, n, took) }
}
func failed(addr string) script        { return func(p *Policy, now time.Time) { p.Failed(addr, now) } }
func banned(addr string) script        { return func(p *Policy, now time.Time) { p.Ban(addr, now) } }
func owes(addr string, n int64) script { return func(p *Policy, _ time.Time) { p.Start(addr, n) } }

func TestPolicyRank(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	const seg = 100_000 // bytes
	cases := []struct {
		name    string
		history []script
		at      time.Duration // after t0
		cands   []string
		u       catalog.Urgency
		want    []string
	}{
		{"unmeasured peers keep their order for read-ahead", nil, 0, []string{"a", "b", "a"}, catalog.UrgencySoon, []string{"a", "b"}},
		{"unmeasured peers are never asked for the play head", nil, 0, []string{"a", "b"}, catalog.UrgencyNow, []string{}},
		{"faster measured rate first",
			[]script{delivered("a", seg, time.Second), delivered("b", seg, 10*time.Millisecond)},
			0, []string{"a", "b"}, catalog.UrgencySoon, []string{"b", "a"}},
		// b is 10 MB/s but owes 5 MB: 0.51 s; a is 1 MB/s owing nothing: 0.1 s.
		{"outstanding bytes count against a fast peer",
			[]script{delivered("a", seg, 100*time.Millisecond), delivered("b", seg, 10*time.Millisecond), owes("b", 5_000_000)},
			0, []string{"b", "a"}, catalog.UrgencySoon, []string{"a", "b"}},
		{"the play head waits only on a peer measured fast (10 ms < 250 ms)",
			[]script{delivered("a", seg, time.Second), delivered("b", seg, 10*time.Millisecond)},
			0, []string{"a", "b", "c"}, catalog.UrgencyNow, []string{"b"}},
		{"a failed peer cools for 5 s", []script{failed("a")}, 4 * time.Second, []string{"a", "b"}, catalog.UrgencySoon, []string{"b"}},
		{"and is asked again after", []script{failed("a")}, 5*time.Second + 1, []string{"a", "b"}, catalog.UrgencySoon, []string{"a", "b"}},
		{"the cooling doubles per failure in a row", []script{failed("a"), failed("a")}, 9 * time.Second, []string{"a"}, catalog.UrgencySoon, []string{}},
		{"a delivery ends the streak", []script{failed("a"), failed("a"), delivered("a", seg, time.Second), failed("a")},
			5*time.Second + 1, []string{"a"}, catalog.UrgencySoon, []string{"a"}},
		{"a banned peer is left out for 10 min", []script{banned("a")}, 9 * time.Minute, []string{"a", "b"}, catalog.UrgencySoon, []string{"b"}},
		{"and forgiven after", []script{banned("a")}, 10*time.Minute + 1, []string{"a"}, catalog.UrgencySoon, []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewPolicy(PolicyOptions{})
			for _, s := range c.history {
				s(p, t0)
			}
			got := p.Rank(c.cands, seg, c.u, t0.Add(c.at))
			if !slices.Equal(got, c.want) {
				t.Fatalf("Rank = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPolicyHedgeAndStats(t *testing.T) {
	p := NewPolicy(PolicyOptions{})
	// Unmeasured: 100 kB at the 1 MB/s prior is 100 ms, doubled: 200 ms.
	if got := p.HedgeAfter("a", 100_000); got != 200*time.Millisecond {
		t.Errorf("HedgeAfter unmeasured = %v, want 200ms", got)
	}
	p.Delivered("a", 100_000, time.Second) // 100 kB/s: 1 s, doubled: 2 s (the cap)
	if got := p.HedgeAfter("a", 100_000); got != 2*time.Second {
		t.Errorf("HedgeAfter slow = %v, want 2s", got)
	}
	// The rate moves by 30% toward a new sample: 0.7*100k + 0.3*1M = 370 kB/s.
	p.Delivered("a", 100_000, 100*time.Millisecond)
	p.Missed("a")
	p.Start("a", 10)
	p.Done("a", 10)
	until := p.Ban("b", time.Unix(0, 0))
	st := p.Stats()
	if len(st) != 2 || st[0].Addr != "a" || st[0].Segments != 2 || st[0].Bytes != 200_000 || st[0].Misses != 1 ||
		int(st[0].RateBPS) != 370_000 || st[1].BadSegments != 1 || !st[1].BannedUntil.Equal(until) {
		t.Fatalf("Stats = %+v", st)
	}
}
