package origin

import (
	"testing"

	"segue/catalog"
)

// BenchmarkTracker measures the tracker in the catalog on each engine,
// with 500 peers announced, each holding 100 of 5000 tracks (so about 10
// peers per track): a re-announce of the same tracks (renew, what each
// client does every 30 s: one UPDATE), an announce of a changed set of 100
// (replace), and a lookup of one track's peers. Per operation, one at a
// time; PostgreSQL's statistics are brought up to date after the load, as
// autovacuum does.
func BenchmarkTracker(b *testing.B) {
	const peers, held, tracks = 500, 100, 5000
	announce := func(p, shift int) catalog.PeerAnnounce {
		a := catalog.PeerAnnounce{ID: "p" + itoa(p), Addr: "10.0.0.1:" + itoa(1000+p)}
		for i := range held {
			a.Tracks = append(a.Tracks, "tr"+itoa((p*held/10+i+shift)%tracks))
		}
		return a
	}
	for _, e := range []engine{sqliteEngine, postgresEngine} {
		b.Run(string(e), func(b *testing.B) {
			db := newFixtureOn(b, e).db
			tr := NewTracker(db, 0, nil)
			ctx := b.Context()
			for p := range peers {
				if err := tr.Announce(ctx, "", announce(p, 0)); err != nil {
					b.Fatal(err)
				}
			}
			if e == postgresEngine { // as autovacuum would after the load
				if _, err := db.Exec(`ANALYZE peers, peer_tracks`); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("renew", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := tr.Announce(ctx, "", announce(i%peers, 0)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("replace", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := tr.Announce(ctx, "", announce(i%peers, 1+i/peers)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("lookup", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := tr.Peers(ctx, "", "tr"+itoa(i%tracks), "", false); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
