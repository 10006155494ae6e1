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
	// Pin downloads and pins ref, calling progress after each segment; a
	// ref pinned already takes its collection as it is now (Follow).
	Pin(ctx context.Context, ref string, progress func(done, total int64)) error
	// Unpin unpins ref; its data may then be evicted.
	Unpin(ref string) error
}

// Toggle asks to pin Ref (or unpin it when it is pinned). Name is what the
// status line calls it.
type Toggle struct {
	Ref, Name string
}

// Follow asks that the offline copy of Ref, when it is pinned, take its
// collection as it is now: a playlist edited here (tracks added, removed,
// moved; renamed) kept the tracks it was pinned with until the next start,
// marked "● offline" all the while. Its new tracks are downloaded and what
// only the old ones held is unpinned (Pinner.Pin of a pinned ref). A
// Follow while Ref downloads runs after that download. Note is what the
// status line said of the change, said again with "its offline copy is up
// to date" when it is: the download's notices would have replaced it.
type Follow struct {
	Ref, Name, Note string
}

// Progress reports a running download.
type Progress struct {
	Ref, Name   string
	Done, Total int64
	ch          <-chan Progress
	follow      bool // of a Follow, which says nothing until it is done
}

// Quiet reports whether the progress is a Follow's, which the status line
// leaves to the row's mark ("⇣ 42%"): the line says the change until the
// copy is up to date.
func (p Progress) Quiet() bool { return p.follow }

// Done ends a pin or an unpin.
type Done struct {
	Ref, Name string
	Pinned    bool   // the state after it
	Followed  bool   // it ended a Follow (which leaves Ref pinned, failed or not)
	Note      string // the Follow's Note
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
	pct    map[string]int    // ref -> percent of a running download
	again  map[string]Follow // ref -> a Follow that came while ref downloaded
}

// NewState returns an empty state.
func NewState() *State {
	return &State{pinned: map[string]bool{}, pct: map[string]int{}, again: map[string]Follow{}}
}

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
func (s *State) Busy(ref string) bool {
	if s == nil {
		return false
	}
	_, ok := s.pct[ref]
	return ok
}

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
		return s.download(ctx, p, Follow{Ref: msg.Ref, Name: msg.Name}, false), true
	case Follow:
		switch {
		case p == nil:
		case s.Busy(msg.Ref):
			// being pinned (O just now) or following: that download
			// may have read the collection before the change
			s.again[msg.Ref] = msg
		case !s.pinned[msg.Ref]:
		default:
			return s.download(ctx, p, msg, true), true
		}
		return nil, true
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
		if f, ok := s.again[msg.Ref]; ok {
			delete(s.again, msg.Ref)
			return s.Update(ctx, p, f)
		}
		return nil, true
	}
	return nil, false
}

// download pins f.Ref through p in a Cmd, reporting its progress; follow
// says f.Ref is pinned already and this makes its copy follow a change.
func (s *State) download(ctx context.Context, p Pinner, f Follow, follow bool) tea.Cmd {
	s.pct[f.Ref] = 0
	ch := make(chan Progress, 1)
	run := func() tea.Msg {
		err := p.Pin(ctx, f.Ref, func(done, total int64) {
			// keep only the latest report: a slow redraw never slows the download
			pr := Progress{Ref: f.Ref, Name: f.Name, Done: done, Total: total, follow: follow}
			select {
			case <-ch:
			default:
			}
			ch <- pr
		})
		close(ch)
		switch {
		case err != nil && follow:
			// the copy pinned before stays as it was
			return Done{Ref: f.Ref, Name: f.Name, Pinned: true, Followed: true, Note: f.Note,
				Err: fmt.Errorf("update the offline copy of %s: %w", f.Name, err)}
		case err != nil:
			return Done{Ref: f.Ref, Name: f.Name, Err: fmt.Errorf("pin %s for offline: %w", f.Name, err)}
		}
		return Done{Ref: f.Ref, Name: f.Name, Pinned: true, Followed: follow, Note: f.Note}
	}
	return tea.Batch(run, wait(ch))
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
