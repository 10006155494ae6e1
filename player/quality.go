package player

import (
	"fmt"
	"slices"

	"segue/catalog"
	"segue/net/abr"
)

// Quality is the user's rendition preference: a fixed rendition name, or
// QualityAuto to choose per segment with net/abr.
type Quality string

// QualityAuto chooses the rendition per segment.
const QualityAuto Quality = "auto"

// Qualities lists the preferences in the order the interface cycles them.
var Qualities = []Quality{QualityAuto, catalog.RenditionLow, catalog.RenditionNormal, catalog.RenditionHigh}

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

// ParseMaxQuality reads the data-saver cap: low, normal or high, or ""
// for none.
func ParseMaxQuality(s string) (string, error) {
	if s == "" || catalog.Bitrates[s] > 0 {
		return s, nil
	}
	return "", fmt.Errorf("max quality %q: want low, normal or high (or nothing for no cap)", s)
}

// Next returns the preference after q in Qualities, wrapping around.
func (q Quality) Next() Quality {
	i := slices.Index(Qualities, q)
	return Qualities[(i+1)%len(Qualities)]
}

// ladder is a track's renditions, lowest bitrate first, as the ABR rules
// see them.
type ladder struct {
	rends  []*catalog.Rendition
	levels []abr.Level
	max    int // highest level within max_quality
}

func newLadder(m *catalog.Manifest, maxQuality string) ladder {
	var l ladder
	for i := range m.Renditions {
		l.rends = append(l.rends, &m.Renditions[i])
	}
	slices.SortStableFunc(l.rends, func(a, b *catalog.Rendition) int { return a.Bitrate - b.Bitrate })
	for i, r := range l.rends {
		l.levels = append(l.levels, abr.Level{Name: r.Name, Kbps: r.Bitrate})
		if maxQuality == "" || r.Bitrate <= catalog.Bitrates[maxQuality] {
			l.max = i
		}
	}
	return l
}

// fixed returns the level of a fixed preference (the highest within the
// cap when the track lacks it, or when the cap is lower).
func (l ladder) fixed(q Quality) int {
	if i := l.levelOf(string(q)); i >= 0 {
		return min(i, l.max)
	}
	return l.max
}

// levelOf returns the level of the rendition called name, or -1.
func (l ladder) levelOf(name string) int {
	for i, r := range l.rends {
		if r.Name == name {
			return i
		}
	}
	return -1
}
