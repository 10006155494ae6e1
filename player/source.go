package player

import (
	"context"

	"segue/catalog"
)

// Urgency says how soon a segment is needed. It is catalog.Urgency, aliased so
// the player's callers can spell it either way.
type Urgency = catalog.Urgency

// Source names where a segment's bytes came from ("cache", "peer", "origin").
type Source = catalog.Source

// SegmentSource yields the verified bytes of one segment. net/fetch.Fetcher
// satisfies it; tests use an in-memory map.
type SegmentSource interface {
	Segment(ctx context.Context, hash string, u Urgency) (data []byte, from Source, err error)
}

// ManifestSource yields the manifest of a track (from the origin, or a cached
// copy when offline).
type ManifestSource interface {
	Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error)
}
