package ui

import (
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

func waitOutput(t *testing.T, buf *testkit.Buffer, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for {
		got += buf.Take()
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
	buf := &testkit.Buffer{}
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
	s.stop(nil)
	if got := buf.Take(); got != leaveModes {
		t.Fatalf("after an unchanged frame and stop the screen wrote %q, want only the mode reset", got)
	}
	s.stop(nil) // twice is harmless
}
