package ui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/net/originclient"
	"segue/ui/action"
	"segue/ui/notice"
)

// Radio answers what to play after a seed (originclient.Client.Radio).
type Radio interface {
	Radio(ctx context.Context, seed string, limit int) ([]catalog.Track, error)
}

// radioBatch is how many tracks one radio queues.
const radioBatch = 20

// radioLoaded carries a radio's tracks to the root.
type radioLoaded struct {
	tracks []catalog.Track
	from   string
	err    error
	// stood: a copy stored here from an earlier ask stood in for the
	// source, which did not answer (its StandIns counted up meanwhile)
	stood bool
}

// startRadio asks for the radio after seed in a Cmd.
func (m *Model) startRadio(seed, from string) tea.Cmd {
	if m.radio == nil {
		return m.line.show("radio needs "+m.source+": it is not available here", true)
	}
	ctx, r := m.ctx, m.radio
	return func() tea.Msg {
		since := standIns(r)
		ts, err := r.Radio(ctx, seed, radioBatch)
		return radioLoaded{tracks: ts, from: from, err: err, stood: standIns(r) > since}
	}
}

// radioLoaded plays a radio's tracks now, marked in the queue.
func (m *Model) radioLoaded(msg radioLoaded) tea.Cmd {
	var unknown *originclient.NotFoundError
	switch {
	case errors.As(msg.err, &unknown):
		// as segue radio says an unknown seed ("track t0… not found on
		// the origin at HOST"); it was "could not radio after “X”: it
		// is not on the origin", or the origin's "seed t0… not found"
		m.log.Warn("interface", "err", msg.err)
		return m.line.show("no radio after "+msg.from+": "+unknown.Sentence(), true)
	case notice.Unreachable(msg.err):
		// it said "could not radio after “X”: it is not available
		// offline" of a track playing from the cache right there
		m.log.Warn("interface", "err", msg.err)
		return m.line.show("no radio after "+msg.from+": a radio needs "+notice.Source(msg.err)+", which is unreachable", true)
	case msg.err != nil:
		return m.fail(fmt.Errorf("radio after %s: %w", msg.from, msg.err))
	case len(msg.tracks) == 0 && msg.stood:
		// the empty radio stored when R was pressed before, with the
		// source down: it said "nothing new to play"
		return m.line.show("no radio after "+msg.from+": a radio needs "+m.source+", which did not answer (only an empty answer stored here came)", true)
	case len(msg.tracks) == 0:
		return m.line.show("radio after "+msg.from+": nothing new to play", false)
	}
	return m.request(action.Action{Kind: action.PlayNow, Tracks: msg.tracks, From: "radio after " + msg.from, Radio: true})
}

// standIns returns how many stored answers stood in for r so far (the
// origin's and the Subsonic client's StandIns), or 0 for one that keeps
// none.
func standIns(r Radio) uint64 {
	if s, ok := r.(interface{ StandIns() uint64 }); ok {
		return s.StandIns()
	}
	return 0
}
