package ui

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the screen's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	s.b.Reset()
	return out
}

func waitOutput(t *testing.T, buf *syncBuffer, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for {
		got += buf.take()
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen wrote %q", got)
		}
		<-time.After(time.Millisecond)
	}
}

// TestScreenDrawsOnlyChanges: the first frame is drawn whole, a frame with
// one changed line rewrites that line only, an equal frame writes nothing,
// and stop restores the terminal modes.
func TestScreenDrawsOnlyChanges(t *testing.T) {
	buf := &syncBuffer{}
	s := newScreen(buf)
	s.resized(5)
	s.start()
	s.set("aaaaa\nbbbbb\nccc")
	got := waitOutput(t, buf, func(o string) bool { return strings.Contains(o, "ccc") })
	if !strings.HasPrefix(got, enterModes) || !strings.Contains(got, "\x1b[1;1H\x1b[0maaaaa\x1b[0m\x1b[2;1H") {
		t.Fatalf("first frame = %q", got)
	}
	if !strings.Contains(got, "\x1b[3;1H\x1b[0mccc\x1b[0m\x1b[K") {
		t.Fatalf("a short line is not followed by erase-to-end: %q", got)
	}
	s.set("aaaaa\nBBBBB\nccc")
	got = waitOutput(t, buf, func(o string) bool { return strings.Contains(o, "BBBBB") })
	if got != "\x1b[2;1H\x1b[0mBBBBB\x1b[0m" {
		t.Fatalf("one changed line wrote %q", got)
	}
	s.set("aaaaa\nBBBBB\nccc")
	s.stop()
	if got := buf.take(); got != leaveModes {
		t.Fatalf("after an unchanged frame and stop the screen wrote %q, want only the mode reset", got)
	}
	s.stop() // twice is harmless
}
