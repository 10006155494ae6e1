package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOneLengthEverywhere: a track's length reads the same in every
// command. The demo's "Continuum I" (46.6 s) was 0:46 in search, library
// and playlist show but 0:47 in play and ctl (which rounded), and past an
// hour play and ctl wrote 61:02 where the listings wrote 1:01:02.
func TestOneLengthEverywhere(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	makeTone(t, filepath.Join(lib, "01.flac"), 2.7, "title=Lengthy", "artist=Clock Band", "album=Clock Album")
	o := serveLibrary(t, lib, t.TempDir())
	env := clientEnv(t, "http://"+o.addr)
	search := segueOK(t, append(slices.Clone(env), "search", "lengthy")...)
	if !strings.Contains(search, "Lengthy  Clock Band  Clock Album  0:02") {
		t.Fatalf("search shows:\n%s\nwant the 2.7 s track as 0:02", search)
	}
	wav := filepath.Join(t.TempDir(), "out.wav")
	play := segueOK(t, append(slices.Clone(env), "play", "--search", "lengthy", "--output", "wav:"+wav, "--fast")...)
	if !strings.Contains(play, "Clock Band — Lengthy (0:02)") {
		t.Errorf("play shows:\n%s\nwant the length search shows, 0:02", play)
	}
}
