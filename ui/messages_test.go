package ui

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/net/originclient"
	"segue/player"
)

// TestMessagesAreSentences: a failure shows as one sentence that fits the
// status line, naming the track, with no URL or Go error chain; the log
// gets the whole error.
func TestMessagesAreSentences(t *testing.T) {
	var logged bytes.Buffer
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: fixture(), Player: pl, Log: slog.New(slog.NewTextHandler(&logged, nil))})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())
	typeText(m, "/polar")
	send(m, "enter", "enter")
	cause := fmt.Errorf("get manifest of track t2: get http://127.0.0.1:7700/api/v1/tracks/t2/manifest: %w (the origin is unreachable: dial tcp 127.0.0.1:7700: connect: connection refused)", originclient.ErrOffline)
	_, cmd := m.Update(events{list: []player.Event{player.ErrorEvent{TrackID: "t2", Err: cause, Fatal: true}}})
	drive(m, cmd)
	want := "could not play “Polar Night”, skipped it: it is not available offline"
	if v := m.View(); !strings.Contains(v, want) || strings.Contains(v, "http://") || strings.Contains(v, "dial tcp") {
		t.Fatalf("the status line does not say %q alone:\n%s", want, v)
	}
	if !strings.Contains(logged.String(), "connection refused") || !strings.Contains(logged.String(), "http://127.0.0.1:7700/api/v1/tracks/t2/manifest") {
		t.Fatalf("the log lacks the whole error:\n%s", logged.String())
	}
}

// TestNoDeviceNotice: the start-up notice the command line gives when there
// is no sound device fits an 80-column status line whole, and the
// now-playing screen keeps saying playback is silent after it fades.
func TestNoDeviceNotice(t *testing.T) {
	const text = "no sound device, playing silently: choose one with --output or in config.toml"
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: fixture(), Player: pl, Notice: text, NoticeIsError: true, Silent: true})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())
	if v := m.View(); !strings.Contains(v, text) {
		t.Fatalf("the no-device notice is cut or missing:\n%s", v)
	}
	typeText(m, "/polar")
	send(m, "enter", "enter", "tab", "tab", "tab")
	if v := m.View(); !strings.Contains(v, "no sound device: playing silently") || !strings.Contains(v, "(choose an output with --output)") {
		t.Fatalf("now playing does not say playback is silent:\n%s", v)
	}
}
