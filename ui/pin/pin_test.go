package pin

import (
	"context"
	"errors"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// pinFunc is a Pinner whose Pin is the function; nothing is listed.
type pinFunc func(ref string) error

func (f pinFunc) Pinned() ([]string, error) { return nil, nil }
func (f pinFunc) Pin(_ context.Context, ref string, progress func(done, total int64)) error {
	progress(1, 2)
	return f(ref)
}
func (f pinFunc) Unpin(string) error { return nil }

// done runs cmd and its batch until a Done comes out.
func done(t *testing.T, cmd tea.Cmd) Done {
	t.Helper()
	var msgs []tea.Msg
	if cmd != nil {
		msgs = append(msgs, cmd())
	}
	for len(msgs) > 0 {
		msg := msgs[0]
		msgs = msgs[1:]
		switch msg := msg.(type) {
		case Done:
			return msg
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					msgs = append(msgs, c())
				}
			}
		}
	}
	t.Fatal("no Done")
	return Done{}
}

// TestFollow: a Follow of a ref not pinned does nothing; of a pinned one
// it downloads it again quietly and ends Followed with its note; one
// asked while the ref downloads runs after that download (which may have
// read the collection before the change); a failed one leaves the ref
// pinned (the copy pinned before stays).
func TestFollow(t *testing.T) {
	ctx := context.Background()
	var asked []string
	fail := errors.New("origin down")
	var err error
	p := pinFunc(func(ref string) error { asked = append(asked, ref); return err })
	s := NewState()

	if cmd, ok := s.Update(ctx, p, Follow{Ref: "pl1", Name: "playlist “A”"}); !ok || cmd != nil || s.Busy("pl1") {
		t.Fatalf("a Follow of a ref not pinned: cmd %v, busy %v; want nothing", cmd != nil, s.Busy("pl1"))
	}

	cmd, _ := s.Update(ctx, p, Toggle{Ref: "pl1", Name: "playlist “A”"})
	// the playlist is edited while it downloads
	if again, _ := s.Update(ctx, p, Follow{Ref: "pl1", Name: "playlist “A”", Note: "added “X” to “A”"}); again != nil {
		t.Fatal("a Follow during the download started another at once")
	}
	d := done(t, cmd)
	if !d.Pinned || d.Followed {
		t.Fatalf("the pin ended %+v; want pinned, not followed", d)
	}
	cmd, _ = s.Update(ctx, p, d) // the Follow that waited starts
	if !s.Busy("pl1") || cmd == nil {
		t.Fatal("the Follow asked during the download did not run after it")
	}
	d = done(t, cmd)
	if !d.Followed || d.Note != "added “X” to “A”" || d.Err != nil || len(asked) != 2 {
		t.Fatalf("the follow ended %+v after %v; want followed with its note, pl1 pinned twice", d, asked)
	}
	s.Update(ctx, p, d)

	err = fail
	cmd, _ = s.Update(ctx, p, Follow{Ref: "pl1", Name: "playlist “A”"})
	d = done(t, cmd)
	s.Update(ctx, p, d)
	if !errors.Is(d.Err, fail) || !s.Pinned("pl1") || s.Mark("pl1") != "● offline" {
		t.Fatalf("a failed follow: %+v, mark %q; want its error and pl1 still pinned", d, s.Mark("pl1"))
	}
}
