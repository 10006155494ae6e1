package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"segue/player"
	"segue/ui/action"
	"segue/ui/notice"
	"segue/ui/nowplaying"
	"segue/ui/prompt"
	"segue/ui/queue"
)

// Player is what the interface asks of the playback engine; Control adapts
// a *player.Player to it, tests use a small fake.
type Player interface {
	// Do carries out one request and returns the status after it.
	Do(ctx context.Context, a action.Action) (player.Status, error)
	// Events returns the channel of playback events.
	Events() <-chan player.Event
}

// events carries what the player said since the last wait: one message for
// a burst, so a burst costs one redraw.
type events struct{ list []player.Event }

// eventsClosed says the player's channel is closed.
type eventsClosed struct{}

// maxBurst bounds how many already-queued events one wake-up takes.
const maxBurst = 64

// waitEvents is the Cmd that blocks on the player's channel; the root
// re-arms it after each delivery. It never polls.
func waitEvents(ch <-chan player.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return eventsClosed{}
		}
		list := []player.Event{e}
		for len(list) < maxBurst {
			select {
			case e, ok := <-ch:
				if !ok {
					return events{list}
				}
				list = append(list, e)
			default:
				return events{list}
			}
		}
		return events{list}
	}
}

// done is the answer to one Do.
type done struct {
	a      action.Action
	status player.Status
	err    error
}

// do runs a request in a Cmd; the root keeps one in flight at a time so
// requests reach the player in the order they were made.
func do(ctx context.Context, p Player, a action.Action) tea.Cmd {
	return func() tea.Msg {
		st, err := p.Do(ctx, a)
		if err != nil {
			err = fmt.Errorf("%s: %w", a, err)
		}
		return done{a: a, status: st, err: err}
	}
}

// fromStatus folds a full status into s and returns the queue it shows.
// The player knows a track's length only while its stream is open (not
// after a seek while paused, say): an unknown length keeps the one already
// shown for that track, else the catalog's.
func fromStatus(s *nowplaying.Status, st player.Status) queue.State {
	d := st.Duration
	if d <= 0 {
		d = time.Duration(st.Track.DurationMS) * time.Millisecond
		if s.HasTrack && s.Track.ID == st.Track.ID && s.Duration > 0 {
			d = s.Duration
		}
	}
	s.State = st.State
	if st.Track.ID != s.Track.ID || !s.HasTrack {
		// a track the events never announced (the queue restored at
		// start): nothing is known of its buffer
		s.Buffer, s.BufferUnknown = 0, true
	}
	s.Track, s.HasTrack = st.Track, st.Track.ID != ""
	s.Position, s.Duration, s.Volume = st.Position, d, st.Volume
	s.Preference, s.LinkKbps = string(st.Quality), st.LinkKbps
	if !s.HasTrack {
		noTrack(s)
	}
	return queue.State{Tracks: st.Queue, Index: st.Index, Repeat: st.Repeat.String(), Shuffle: st.Shuffle, Radio: st.Radio, Gone: st.Gone}
}

// apply folds e into s. index is the queue index a track change reports
// (-2 when e is not one); err is a problem to tell the user.
func apply(s *nowplaying.Status, e player.Event) (index int, err error) {
	index = -2
	switch e := e.(type) {
	case player.StateEvent:
		s.State = e.State
	case player.TrackEvent:
		s.Track, s.HasTrack = e.Track, e.Track.ID != ""
		if !e.Seek { // a seek's PositionEvent came first: keep its position
			s.Position = 0
		}
		s.Duration, s.Buffer, s.BufferUnknown = e.Duration, 0, true
		index = e.Index
	case player.PositionEvent:
		if e.TrackID == s.Track.ID {
			s.Position, s.Duration = e.Position, e.Duration
		}
	case player.SegmentEvent:
		s.Played.Add(e.From, e.Bytes)
		if e.TrackID == s.Track.ID {
			s.Source = e.From
			if s.Rendition == "" { // until playback reports its own
				s.Rendition = e.Rendition
			}
		}
	case player.RenditionEvent:
		if e.TrackID == s.Track.ID {
			s.Switch = ""
			if e.Switch && e.Kbps > s.Kbps {
				s.Switch = "↑"
			} else if e.Switch {
				s.Switch = "↓"
			}
			s.Rendition, s.Kbps = e.Rendition, e.Kbps
		}
	case player.BufferEvent:
		if e.TrackID == s.Track.ID {
			s.Buffer, s.BufferUnknown = e.Ahead, false
		}
	case player.ErrorEvent:
		if player.IsGone(e.Err) {
			// its own sentence names the track and says it was skipped
			return index, e.Err
		}
		what := "a track"
		if e.TrackID == s.Track.ID && s.Track.Title != "" {
			what = "“" + s.Track.Title + "”"
		}
		if e.Fatal {
			return index, fmt.Errorf("play %s, skipped it: %w", what, e.Err)
		}
		return index, fmt.Errorf("play %s, retrying: %w", what, e.Err)
	case player.EndEvent:
		s.State, s.HasTrack = player.Stopped, false
		noTrack(s)
		return -1, nil
	}
	return index, nil
}

// noTrack forgets what s knew of the track that played: with nothing
// playing the bar showed its length, rendition, source and buffer
// ("0:00 ──── 0:30", "auto 320k · origin") as if it were still there.
func noTrack(s *nowplaying.Status) {
	s.Position, s.Duration, s.Buffer, s.BufferUnknown = 0, 0, 0, true
	s.Rendition, s.Kbps, s.Switch, s.Source = "", 0, "", ""
}

// askSeek opens the prompt that jumps to a position of the playing track.
func (m *Model) askSeek() tea.Cmd {
	if !m.status.HasTrack {
		return m.line.show("nothing is playing: start a track, then t jumps to a time in it", false)
	}
	length := m.status.Duration
	m.prompt = prompt.New(prompt.Ask{Label: "Seek to (MM:SS or H:MM:SS):", Then: func(answer string) tea.Cmd {
		to, err := nowplaying.ParseClock(answer)
		switch {
		case err != nil:
			return notice.Error(err)
		case length > 0 && to >= length:
			return notice.Error(fmt.Errorf("%s is past the end of the track (%s long)", nowplaying.Clock(to), nowplaying.Clock(length)))
		}
		a := action.Action{Kind: action.SeekTo, To: to}
		return func() tea.Msg { return a }
	}})
	return nil
}

// seekPercent jumps to tenth n of the playing track (0 is its start).
func (m *Model) seekPercent(n int) tea.Cmd {
	if !m.status.HasTrack || m.status.Duration <= 0 {
		return nil
	}
	return m.request(action.Action{Kind: action.SeekTo, To: m.status.Duration * time.Duration(n) / 10})
}

// stallNote says what a stall means: playback waits for the network and
// goes on by itself, then how long it waited; with the origin not
// answering at all, that the track is skipped unless it answers soon.
func stallNote(e player.StallEvent) string {
	switch {
	case e.Ended:
		return fmt.Sprintf("playing again after %.0f s waiting for the network", e.Duration.Seconds())
	case e.Unreachable:
		return player.UnreachableStall(e.Source)
	}
	return "waiting for the network: playback goes on by itself when it is back"
}
