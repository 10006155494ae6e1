// Package pin owns what the interface knows about offline pinning: which
// playlists and albums are pinned, which are downloading and how far, and
// the messages that toggle them. Views ask with a Toggle and draw Mark;
// the root runs the download through a Pinner in Cmds. Progress reaches the
// interface as messages from a Cmd that waits on the download's progress
// channel and re-arms itself: there is no ticker.
package pin

import (
	"context"
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"
)

// Pinner pins collections for offline play (cli adapts the offline package
// and the cache to it).
type Pinner interface {
	// Pinned lists the refs (playlist, album or track IDs) pinned now.
	Pinned() ([]string, error)
	// Pin downloads and pins ref, calling progress after each segment.
	Pin(ctx context.Context, ref string, progress func(done, total int64)) error
	// Unpin unpins ref; its data may then be evicted.
	Unpin(ref string) error
}

// Toggle asks to pin Ref (or unpin it when it is pinned). Name is what the
// status line calls it.
type Toggle struct {
	Ref, Name string
}

// Progress reports a running download.
type Progress struct {
	Ref, Name   string
	Done, Total int64
	ch          <-chan Progress
}

// Done ends a pin or an unpin.
type Done struct {
	Ref, Name string
	Pinned    bool // the state after it
	Err       error
}

// Loaded carries the refs pinned at start.
type Loaded struct {
	Refs []string
	Err  error
}

// State is the pinned and downloading refs. The root owns it; views read it
// through Mark.
type State struct {
	pinned map[string]bool
	pct    map[string]int // ref -> percent of a running download
}

// NewState returns an empty state.
func NewState() *State { return &State{pinned: map[string]bool{}, pct: map[string]int{}} }

// Refs returns the pinned refs, sorted.
func (s *State) Refs() []string {
	if s == nil {
		return nil
	}
	refs := make([]string, 0, len(s.pinned))
	for r := range s.pinned {
		refs = append(refs, r)
	}
	slices.Sort(refs)
	return refs
}

// Pinned reports whether ref is pinned.
func (s *State) Pinned(ref string) bool { return s != nil && s.pinned[ref] }

// Busy reports whether ref is downloading.
func (s *State) Busy(ref string) bool { _, ok := s.pct[ref]; return ok }

// Percent returns how far ref's download is, and whether one runs.
func (s *State) Percent(ref string) (int, bool) { p, ok := s.pct[ref]; return p, ok }

// Mark is the row marker for ref: "⇣ 42%" while downloading, "● offline"
// when pinned, "" otherwise.
func (s *State) Mark(ref string) string {
	if s == nil {
		return ""
	}
	if p, ok := s.pct[ref]; ok {
		return fmt.Sprintf("⇣ %d%%", p)
	}
	if s.pinned[ref] {
		return "● offline"
	}
	return ""
}

// Load asks p for the pinned refs.
func Load(p Pinner) tea.Cmd {
	if p == nil {
		return nil
	}
	return func() tea.Msg {
		refs, err := p.Pinned()
		return Loaded{Refs: refs, Err: err}
	}
}

// Update folds msg into the state and returns the Cmd that carries on a
// download (or starts one for a Toggle). It reports whether msg was one of
// the package's messages.
func (s *State) Update(ctx context.Context, p Pinner, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case Loaded:
		for _, r := range msg.Refs {
			s.pinned[r] = true
		}
		return nil, true
	case Toggle:
		if p == nil || s.Busy(msg.Ref) {
			return nil, true
		}
		if s.pinned[msg.Ref] {
			return func() tea.Msg {
				if err := p.Unpin(msg.Ref); err != nil {
					return Done{Ref: msg.Ref, Name: msg.Name, Pinned: true, Err: fmt.Errorf("unpin %s: %w", msg.Name, err)}
				}
				return Done{Ref: msg.Ref, Name: msg.Name}
			}, true
		}
		s.pct[msg.Ref] = 0
		ch := make(chan Progress, 1)
		run := func() tea.Msg {
			err := p.Pin(ctx, msg.Ref, func(done, total int64) {
				// keep only the latest report: a slow redraw never slows the download
				pr := Progress{Ref: msg.Ref, Name: msg.Name, Done: done, Total: total}
				select {
				case <-ch:
				default:
				}
				ch <- pr
			})
			close(ch)
			if err != nil {
				return Done{Ref: msg.Ref, Name: msg.Name, Err: fmt.Errorf("pin %s for offline: %w", msg.Name, err)}
			}
			return Done{Ref: msg.Ref, Name: msg.Name, Pinned: true}
		}
		return tea.Batch(run, wait(ch)), true
	case Progress:
		if _, ok := s.pct[msg.Ref]; ok && msg.Total > 0 {
			s.pct[msg.Ref] = int(msg.Done * 100 / msg.Total)
		}
		return wait(msg.ch), true
	case Done:
		delete(s.pct, msg.Ref)
		if msg.Pinned {
			s.pinned[msg.Ref] = true
		} else {
			delete(s.pinned, msg.Ref)
		}
		return nil, true
	}
	return nil, false
}

// wait delivers the next progress report of ch; the Progress it returns
// re-arms it. A closed channel ends it.
func wait(ch <-chan Progress) tea.Cmd {
	return func() tea.Msg {
		pr, ok := <-ch
		if !ok {
			return nil
		}
		pr.ch = ch
		return pr
	}
}
