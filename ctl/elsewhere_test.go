package ctl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoInstanceSaysWhereOneListens: a script run from cron or over ssh
// often has no XDG_RUNTIME_DIR (or another one) than the session whose
// segue it drives, so segue ctl looked for the socket elsewhere and said
// only "no segue is running (nothing listens on ...)" while one played.
// It now names the socket a segue answers on and the XDG_RUNTIME_DIR to
// give; exit status stays 1 (ErrNoInstance).
func TestNoInstanceSaysWhereOneListens(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_RUNTIME_DIR", "") // the segue is started as cron would start it: the fallback dir
	srv, s, p := listenedPlayerAt(t, filepath.Join(fallbackRuntimeDir(), "segue", "ctl.sock"))
	srv.Serve(Options{Player: p})
	session := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", session) // the script has another
	path, err := SocketPath(RuntimeDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Do(context.Background(), path, Request{Cmd: "status"})
	want := "one listens on " + s + ": give segue ctl the XDG_RUNTIME_DIR=" + fallbackRuntimeDir()
	if !errors.Is(err, ErrNoInstance) || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ctl status with the segue under another runtime dir: %v; want ErrNoInstance saying %q", err, want)
	}
	// and nothing is said of a socket nobody answers on
	os.Remove(s)
	if _, err = Do(context.Background(), path, Request{Cmd: "status"}); err == nil || strings.Contains(err.Error(), "one listens") {
		t.Errorf("ctl status with no segue anywhere: %v; want no other socket named", err)
	}
}
