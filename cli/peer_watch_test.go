package cli

import (
	"context"
	"testing"
	"time"

	"segue/net/peer"
	"segue/player"
	"segue/ui"
	"segue/ui/action"
)

// eventsOnly is a ui.Player whose events the test sends.
type eventsOnly struct{ ch chan player.Event }

func (e eventsOnly) Do(context.Context, action.Action) (player.Status, error) {
	return player.Status{}, nil
}
func (e eventsOnly) Events() <-chan player.Event { return e.ch }

var _ ui.Player = eventsOnly{}

// The interface's events pass through the peer node on their way: the
// player's buffer drives the gauge (uploads stop while it is low) and every
// event still reaches the interface, in order.
func TestWatchedPlayerFeedsTheGauge(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := &peerNode{gauge: peer.NewGauge(5 * time.Second)}
	src := eventsOnly{ch: make(chan player.Event)}
	w := watched(ctx, src, n.observe)
	for _, c := range []struct {
		ev  player.Event
		low bool
	}{
		{player.BufferEvent{Ahead: time.Second}, true},
		{player.BufferEvent{Ahead: 12 * time.Second}, false},
		{player.BufferEvent{Ahead: 2 * time.Second}, true},
		{player.EndEvent{}, false},
	} {
		src.ch <- c.ev
		if got := <-w.Events(); got != c.ev {
			t.Fatalf("forwarded %#v, want %#v", got, c.ev)
		}
		if n.gauge.Low() != c.low {
			t.Fatalf("after %#v the gauge is low=%v, want %v", c.ev, n.gauge.Low(), c.low)
		}
	}
}
