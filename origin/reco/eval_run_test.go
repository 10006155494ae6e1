package reco

import (
	"os"
	"strings"
	"testing"
)

// TestRecommenderBeatsBaselines is issue 16's goal on a small synthetic
// world: hit rate@10 at least twice the popularity baseline's.
func TestRecommenderBeatsBaselines(t *testing.T) {
	var out strings.Builder
	w := synthWorld(1, worldSize{clusters: 6, artistsPerCluster: 5, albums: 2, tracksPerAlbum: 10, listeners: 80, sessions: 12, sessionLen: 12})
	model, popular := evalTable(&out, w, 10)
	t.Log("\n" + out.String())
	if model.hitRate < 2*popular.hitRate || model.hitRate == 0 {
		t.Fatalf("hit rate@10 %.3f, want at least twice popularity's %.3f", model.hitRate, popular.hitRate)
	}
}

// BenchmarkReco is `make bench-reco`: the table on a larger world.
func BenchmarkReco(b *testing.B) {
	w := synthWorld(2026, worldSize{clusters: 12, artistsPerCluster: 10, albums: 3, tracksPerAlbum: 10, listeners: 400, sessions: 30, sessionLen: 15})
	for range b.N {
		evalTable(os.Stdout, w, 10)
	}
}
