package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Warnings from below the player (the cache's disk filled up while
// playing) reach the status line one after the other.
func TestWarningsReachTheStatusLine(t *testing.T) {
	pl := newFakePlayer()
	pl.ch = nil
	warnings := make(chan string, 2)
	warnings <- "first warning"
	warnings <- "the cache is full: playing from the network"
	m := New(context.Background(), Options{Catalog: fixture(), Player: pl, Warnings: warnings})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())
	if v := m.View(); !strings.Contains(v, "the cache is full: playing from the network") {
		t.Fatalf("the second warning is not on the status line:\n%s", v)
	}
}
