package abr

import "time"

// Buffered is a segment fetched ahead of the play head that has not
// started playing: its level and Starts, the audio before it counted like
// Metrics.Buffer (the segments between the one playing and it, without
// what is left of the one playing).
type Buffered struct {
	Level  int
	Starts time.Duration
}

// ReplaceRule is dash.js's fast switching (StreamProcessor.js,
// _prepareForFastQualitySwitch, streaming.buffer.fastSwitchEnabled): when
// the level chosen for the next segment is above that of segments already
// buffered, the first of them that starts one segment or more after the
// segment playing is fetched again at that level before the next one, and
// replaces the buffered copy if it arrives before that segment plays.
// It returns the index in ahead of the segment to replace; ok is false
// when there is none.
//
// dash.js replaces from 1.5 segments after the play head on, with at least
// that much buffered; Starts leaves out what is left of the segment
// playing (0 to 1 segment), so one segment of Starts is 1 to 2 segments
// after the play head, 1.5 on average.
//
// A replacement adds no audio to the buffer, so it is worth its download
// only on a link that carries the level with bandwidth to spare: ours
// asks the estimate to carry it as ThroughputRule requires to rise to it
// (Safety and UpMargin), and the download, at the estimate, to take at
// most InsufficientBufferSafety of the time before the segment plays.
// On issue 12's oscillation trace (1 Mbit/s and 120 kbit/s, 30 s each)
// the segments loaded at normal at the end of each dip were still
// buffered when the link came back; refetched at high, the mean bitrate
// rose from 91% to 94% of the oracle's (abrtest.TestSimulatedTraces).
func ReplaceRule(m Metrics, level int, ahead []Buffered) (int, bool) {
	if level <= 0 || level >= len(m.Levels) || !m.Carries(level, m.Throughput) {
		return 0, false
	}
	for k, b := range ahead {
		if b.Level >= level || b.Starts < m.Segment {
			continue
		}
		if !m.InTime(level, m.Throughput, b.Starts) {
			continue
		}
		return k, true
	}
	return 0, false
}

// Replace applies ReplaceRule with the controller's estimate: the index in
// ahead of the segment to fetch again at level, the level chosen for the
// next segment. The player reports the replacement's download with
// Downloaded, and not with Chose: the level of the next segment is what
// the rules compare with.
func (c *Controller) Replace(m Metrics, level int, ahead []Buffered) (int, bool) {
	c.mu.Lock()
	m.Throughput = c.est.Kbps()
	c.mu.Unlock()
	return ReplaceRule(m, level, ahead)
}

// InTime reports whether a segment of level, downloaded at kbps kbit/s,
// takes at most InsufficientBufferSafety of before, the time until it
// plays: the margin ReplaceRule and InsufficientBufferRule leave for an
// estimate that is too high. It is false for kbps <= 0 (nothing known).
func (m Metrics) InTime(level int, kbps float64, before time.Duration) bool {
	return kbps > 0 && m.segKbit(level)/kbps <= InsufficientBufferSafety*before.Seconds()
}

// Carries reports whether a link of kbps kbit/s carries level with
// bandwidth to spare (LinkCarries).
func (m Metrics) Carries(level int, kbps float64) bool {
	return level >= 0 && level < len(m.Levels) && LinkCarries(kbps, m.Levels[level].Kbps)
}

// LinkCarries reports whether a link of kbps kbit/s carries a rendition of
// bitrate kbit/s with bandwidth to spare, as ThroughputRule requires to
// rise to it (Safety and UpMargin: 409 kbit/s for 320k): a segment
// fetched again at that bitrate is then worth its download. It is false
// for kbps <= 0 (nothing known).
func LinkCarries(kbps float64, bitrate int) bool {
	return kbps > 0 && Safety*kbps >= UpMargin*float64(bitrate)
}
