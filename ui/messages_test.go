package ui

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"segue/net/originclient"
	"segue/player"
	"segue/ui/notice"
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

// TestRetryHintOnlyForLoads: a playlist edit the origin did not answer says
// so without "(ctrl+r retries)" (ctrl+r reloads the screen; it never makes
// the playlist), and a playback error the player retries on its own does
// not offer it either; what a screen loads still does.
func TestRetryHintOnlyForLoads(t *testing.T) {
	down, err := originclient.New("http://127.0.0.1:1", originclient.Options{}) // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: fixture(), Player: pl, Playlists: down, NoticeFor: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	drive(m, m.Init())
	send(m, "shift+tab", "N")
	typeText(m, "Road")
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "could not create playlist “Road”: the origin is unreachable") || strings.Contains(v, "ctrl+r") {
		t.Fatalf("a playlist the origin did not make: want it said without a ctrl+r that does not make it:\n%s", v)
	}

	send(m, "tab")
	typeText(m, "/polar")
	send(m, "enter", "enter")
	_, unreachable := http.Get("http://127.0.0.1:1/chunks/ab") // what the fetcher's client meets
	if unreachable == nil {
		t.Fatal("something answers on port 1")
	}
	_, cmd := m.Update(events{list: []player.Event{player.ErrorEvent{TrackID: "t2", Err: fmt.Errorf("fetch segment 2 of track t2: %w", unreachable)}}})
	drive(m, cmd)
	if v := m.View(); !strings.Contains(v, "could not play “Polar Night”, retrying: the origin is unreachable") || strings.Contains(v, "ctrl+r") {
		t.Fatalf("a segment the player fetches again on its own: want no ctrl+r:\n%s", v)
	}
	if s := notice.SayLoad(fmt.Errorf("list artists: %w", unreachable)); s != "could not list artists: the origin is unreachable (ctrl+r retries)" {
		t.Fatalf("a load the origin did not answer says %q, want ctrl+r offered", s)
	}
}
