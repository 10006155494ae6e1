package abr

import (
	"fmt"
	"sync"
	"time"
)

// Controller combines the rules and keeps their state: the estimate, the
// last level, the strategy in use (throughput or BOLA) and the switch
// history. It is safe for concurrent use; one Controller serves every
// track of a session so the estimate carries across tracks.
type Controller struct {
	now func() time.Time

	mu   sync.Mutex // guards everything below
	est  Estimator
	last int
	bola bool
	// filled: the buffer has reached the up-switch minimum since the
	// start (or the last Reset); before that the climb is free.
	filled bool
	hist   History
}

// NewController returns a Controller that knows nothing yet; now is the
// clock (time.Now when nil).
func NewController(now func() time.Time) *Controller {
	if now == nil {
		now = time.Now
	}
	return &Controller{now: now, est: NewEstimator(), last: -1}
}

// Choose returns the level for the next segment. m.Last and m.Throughput
// are filled in from the controller's state. The order of the rules: the
// strategy (throughput or BOLA, DYNAMIC), capped by InsufficientBufferRule
// and SwitchHistoryRule, then an up-switch only with MinBufferToSwitchUp
// buffered once the buffer has reached it: during startup the level
// climbs as fast as InsufficientBufferRule allows (each download must
// fit in 0.7 of the buffer), so the buffer does not fill with the lowest
// level while the estimate already carries more.
func (c *Controller) Choose(m Metrics) Choice {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Last, m.Throughput = c.last, c.est.Kbps()
	switch {
	case c.bola && m.Buffer < ThroughputBelow:
		c.bola = false
	case !c.bola && m.Buffer > BolaAbove:
		c.bola = true
	}
	ch := ThroughputRule(m)
	if c.bola {
		ch = BolaRule(m)
	}
	for _, cap := range []Choice{InsufficientBufferRule(m), SwitchHistoryRule(m, &c.hist, c.now())} {
		if cap.Level < ch.Level {
			ch = cap
		}
	}
	gate := minBufferToSwitchUp(m.Target)
	c.filled = c.filled || m.Buffer >= gate
	if c.filled && c.last >= 0 && ch.Level > c.last && m.Buffer < gate {
		ch = Choice{c.last, fmt.Sprintf("%.1f s buffered: below %v, no switch up", m.Buffer.Seconds(), minBufferToSwitchUp(m.Target))}
	}
	return ch
}

// Chose records the level actually used for a segment (a cached segment
// may be better than the choice); a lower level than the last counts as a
// drop.
func (c *Controller) Chose(level int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last >= 0 && level < c.last {
		c.hist.Drop(c.last, c.now())
	}
	c.last = level
}

// Downloaded records a segment of n bytes holding audio of duration d,
// fetched from the network in took. Cache hits must not be reported.
func (c *Controller) Downloaded(n int, took, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.est.Add(n, took.Seconds(), d.Seconds())
}

// Stalled records that the play head waited while level was playing.
func (c *Controller) Stalled(level int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hist.Drop(level, c.now())
}

// Kbps returns the throughput estimate in kbit/s, 0 while unknown.
func (c *Controller) Kbps() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.est.Kbps()
}

// Reset forgets the last level and the strategy (a new track starts, or a
// seek): the next choice is a start, but the estimate and history stay.
func (c *Controller) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.bola, c.filled = -1, false, false
}
