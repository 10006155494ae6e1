package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/term"
)

// RunOptions says where the interface draws. Zero values use the process's
// terminal.
type RunOptions struct {
	Input  io.Reader
	Output io.Writer
	// Width and Height are the size used when Output is not a terminal
	// (tests drawing into a buffer); a terminal reports its own.
	Width, Height int
	// FirstFrame, when set, is called once the first full frame has been
	// written to the terminal (for start-up measurements).
	FirstFrame func()
}

// Run shows the interface until the user quits or ctx ends.
//
// Frames are drawn by screen, only when they change, instead of Bubble
// Tea's renderer, which flushes from a 60 Hz ticker even when idle. With its
// renderer off Bubble Tea still reads input, handles signals and recovers
// panics, but leaves the terminal alone, so Run sets raw mode and reports
// the window size (and SIGWINCH) itself. The terminal is restored on every
// way out: quit, SIGTERM (Bubble Tea turns it into a quit), ctx, and a panic
// in Update, View or a Cmd (recovered; Run returns an error).
func Run(ctx context.Context, o Options, ro RunOptions) error {
	in, out := ro.Input, ro.Output
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
		o.ASCII = o.ASCII || asciiTerminal() // the locale is the process's terminal's
	}
	if f, ok := out.(*os.File); ok && !term.IsTerminal(int(f.Fd())) {
		return errors.New("open the interface: standard output is not a terminal (from scripts use segue search, segue play and friends)")
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		old, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return fmt.Errorf("put the terminal in raw mode: %w", err)
		}
		defer func() { _ = term.Restore(int(f.Fd()), old) }()
	}
	w, closeW := terminalWriter(out)
	scr := newScreen(w)
	scr.firstFrame = ro.FirstFrame
	scr.start()
	defer scr.stop(closeW) // runs before the raw mode is restored

	p := tea.NewProgram(painted{m: New(ctx, o), scr: scr},
		tea.WithoutRenderer(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out),
		// The caller turns signals into ctx's end before the first frame.
		// Bubble Tea's own handler would race it: it sends QuitMsg to a
		// loop that has already ended and Run waits for it forever.
		tea.WithoutSignalHandler())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			watchSize(p, int(f.Fd()), stop)
		}()
	}
	if ro.Width > 0 && ro.Height > 0 {
		go p.Send(tea.WindowSizeMsg{Width: ro.Width, Height: ro.Height}) // Send blocks until the loop runs
	}
	_, err := p.Run()
	close(stop)
	wg.Wait()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // stopped from outside (signal, parent): not a failure
	}
	if err != nil {
		return fmt.Errorf("run the interface: %w", err)
	}
	return nil
}

// watchSize sends the terminal's size now and after every SIGWINCH until
// stop is closed.
func watchSize(p *tea.Program, fd int, stop <-chan struct{}) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	defer signal.Stop(sig)
	for {
		if w, h, err := term.GetSize(fd); err == nil {
			go p.Send(tea.WindowSizeMsg{Width: w, Height: h}) // Send blocks until the loop runs
		}
		select {
		case <-stop:
			return
		case <-sig:
		}
	}
}

// painted hands the root model's frames to a screen: Bubble Tea's renderer
// is off, so View only feeds the screen.
type painted struct {
	m   *Model
	scr *screen
}

// Init starts the root model.
func (p painted) Init() tea.Cmd { return p.m.Init() }

// Update routes to the root model; a resize makes the next frame a full one.
func (p painted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		p.scr.resized(ws.Width)
	}
	_, cmd := p.m.Update(msg)
	if out := p.m.takeOutput(); out != "" {
		p.scr.write(out)
	}
	return p, cmd
}

// View hands the frame to the screen, which draws it if it changed.
func (p painted) View() string {
	p.scr.set(p.m.View())
	return ""
}

// terminalWriter is what the screen writes frames to: a quietTerminal when
// out is a terminal it can open again (Linux), else out itself. close
// releases what it opened.
func terminalWriter(out io.Writer) (w io.Writer, close func()) {
	if f, ok := out.(*os.File); ok {
		if q, err := newQuietTerminal(f); err == nil {
			return q, func() { _ = q.Close() }
		}
	}
	return out, func() {}
}
