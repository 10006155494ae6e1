package demo

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBuildMakesATaggedLibrary builds the real demo library with ffmpeg and
// checks what the issues promise: >= 12 tracks of 45 s or more each (long
// enough to explore), >= 3 artists, >= 4 albums, real tags, cover art for
// every album, and gapless cuts that are not MP3-frame aligned.
func TestBuildMakesATaggedLibrary(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Fatal("ffprobe is required: run make deps (it installs ffmpeg)")
	}
	dir := t.TempDir()
	var files []string
	if err := Build(context.Background(), dir, func(p string) { files = append(files, p) }); err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("built %d tracks, want >= 12", len(files))
	}
	artists, albumsSeen := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", f).Output()
		if err != nil {
			t.Fatalf("ffprobe %s: %v", f, err)
		}
		var probe struct {
			Format struct {
				Duration string            `json:"duration"`
				Tags     map[string]string `json:"tags"`
			} `json:"format"`
			Streams []struct {
				CodecType string            `json:"codec_type"`
				Tags      map[string]string `json:"tags"`
			} `json:"streams"`
		}
		if err := json.Unmarshal(out, &probe); err != nil {
			t.Fatal(err)
		}
		if d, err := strconv.ParseFloat(probe.Format.Duration, 64); err != nil || d < minTrackSeconds {
			t.Errorf("%s: lasts %q s, want %d or more", f, probe.Format.Duration, minTrackSeconds)
		}
		tags := map[string]string{}
		for k, v := range probe.Format.Tags {
			tags[strings.ToLower(k)] = v
		}
		for _, s := range probe.Streams { // Ogg keeps its tags on the stream
			for k, v := range s.Tags {
				tags[strings.ToLower(k)] = v
			}
		}
		if tags["title"] == "" || tags["artist"] == "" || tags["album"] == "" {
			t.Errorf("%s: missing tags %v", f, tags)
		}
		artists[tags["artist"]] = true
		albumsSeen[tags["album"]] = true
		hasPic := false
		for _, s := range probe.Streams {
			hasPic = hasPic || s.CodecType == "video"
		}
		cover, _ := filepath.Glob(filepath.Join(filepath.Dir(f), "cover.*"))
		if !hasPic && len(cover) == 0 {
			t.Errorf("%s: no embedded or folder cover", f)
		}
	}
	if len(artists) < 3 || len(albumsSeen) < 4 {
		t.Errorf("artists %d albums %d, want >= 3 and >= 4", len(artists), len(albumsSeen))
	}
	for _, al := range albums() {
		for _, c := range al.CutSeconds {
			if int(c*rate)%1152 == 0 {
				t.Errorf("gapless cut at %v s is MP3-frame aligned", c)
			}
		}
	}
	// A second Build finds the marker and does nothing.
	files = nil
	if err := Build(context.Background(), dir, func(p string) { files = append(files, p) }); err != nil || len(files) != 0 {
		t.Fatalf("rebuild wrote %d files, err %v; want none", len(files), err)
	}
}
