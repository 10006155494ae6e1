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
}

// startRadio asks for the radio after seed in a Cmd.
func (m *Model) startRadio(seed, from string) tea.Cmd {
	if m.radio == nil {
		return m.line.show("radio needs "+m.source+": it is not available here", true)
	}
	ctx, r := m.ctx, m.radio
	return func() tea.Msg {
		ts, err := r.Radio(ctx, seed, radioBatch)
		return radioLoaded{tracks: ts, from: from, err: err}
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
	case len(msg.tracks) == 0:
		return m.line.show("radio after "+msg.from+": nothing new to play", false)
	}
	return m.request(action.Action{Kind: action.PlayNow, Tracks: msg.tracks, From: "radio after " + msg.from, Radio: true})
}
