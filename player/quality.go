package player

import (
	"fmt"
	"sync"
	"time"

	"segue/catalog"
)

// Quality is the user's rendition preference: a fixed rendition name, or
// QualityAuto to choose per segment from the measured bandwidth.
type Quality string

// QualityAuto chooses the rendition per segment.
const QualityAuto Quality = "auto"

// ParseQuality reads auto, low, normal or high.
func ParseQuality(s string) (Quality, error) {
	switch s {
	case "", string(QualityAuto):
		return QualityAuto, nil
	case catalog.RenditionLow, catalog.RenditionNormal, catalog.RenditionHigh:
		return Quality(s), nil
	}
	return "", fmt.Errorf("quality %q: want auto, low, normal or high", s)
}

// bandwidth is a simple moving estimate of how fast segments arrive from the
// network. Cache hits say nothing about the network and are not counted. A
// later issue (net/abr) replaces this with real ABR.
type bandwidth struct {
	mu  sync.Mutex // guards bps
	bps float64    // bytes per second; 0 while unknown
}

func (b *bandwidth) observe(n int, took time.Duration, from Source) {
	if from == catalog.SourceCache || n <= 0 {
		return
	}
	rate := float64(n) / max(took.Seconds(), 1e-4)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bps == 0 {
		b.bps = rate
	} else {
		b.bps = 0.7*b.bps + 0.3*rate
	}
}

func (b *bandwidth) estimate() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bps
}

// chooseRendition picks the rendition for the next segment. Auto starts at
// the highest rendition while nothing is known (a fast source is the common
// case: cache or LAN), then takes the highest rendition whose bitrate fits
// in half the estimated bandwidth, and the lowest when the buffer is nearly
// empty.
func chooseRendition(q Quality, m *catalog.Manifest, bps float64, ahead time.Duration) *catalog.Rendition {
	if q != QualityAuto {
		if r := m.Rendition(string(q)); r != nil {
			return r
		}
	}
	best := &m.Renditions[0]
	lowest := best
	for i := range m.Renditions {
		r := &m.Renditions[i]
		if r.Bitrate < lowest.Bitrate {
			lowest = r
		}
		if r.Bitrate > best.Bitrate {
			best = r
		}
	}
	if q != QualityAuto || bps == 0 {
		return best
	}
	if ahead < 3*time.Second && bps < float64(best.Bitrate)*1000/8*4 {
		return lowest
	}
	pick := lowest
	for i := range m.Renditions {
		r := &m.Renditions[i]
		if float64(r.Bitrate)*1000/8*2 <= bps && r.Bitrate > pick.Bitrate {
			pick = r
		}
	}
	return pick
}
