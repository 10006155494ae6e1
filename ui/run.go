package ui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// RunOptions says where the interface draws. Zero values use the process's
// terminal.
type RunOptions struct {
	Input  io.Reader
	Output io.Writer
}

// Run shows the interface until the user quits or ctx ends. Bubble Tea
// restores the terminal on every way out: quit, a panic in Update, View or a
// Cmd (it recovers and re-raises after restoring), SIGTERM (a quit) and ctx.
func Run(ctx context.Context, o Options, ro RunOptions) error {
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx)}
	if ro.Input != nil {
		opts = append(opts, tea.WithInput(ro.Input))
	}
	if ro.Output != nil {
		opts = append(opts, tea.WithOutput(ro.Output))
	}
	p := tea.NewProgram(New(ctx, o), opts...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // stopped from outside (signal, parent): not a failure
	}
	if err != nil {
		return fmt.Errorf("run the interface: %w", err)
	}
	return nil
}
