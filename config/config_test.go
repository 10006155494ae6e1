package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "500MB", want: 500e6},
		{in: "10GiB", want: 10 << 30},
		{in: "2g", want: 2 << 30},
		{in: " 1.5 MiB ", want: 1536 << 10},
		{in: "4096", want: 4096},
		{in: "0", want: 0},
		{in: "", bad: true},
		{in: "GiB", bad: true},
		{in: "-1MB", bad: true},
		{in: "12 parsecs", bad: true},
		{in: "1e30TB", bad: true},
		{in: "NaN", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "size") {
				t.Errorf("ParseSize(%q) = %d, %v; want an error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 2 << 30: "2.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// The overlay: file over defaults, environment over file.
func TestLoadOverlay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte("origin = \"http://file:1\"\n[cache]\nsize = \"5GiB\"\n[player]\nvolume = 40\n"), 0o644)
	t.Setenv("SEGUE_ORIGIN", "http://env:2")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != "http://env:2" || c.Cache.Size != 5<<30 || c.Player.Volume != 40 || c.Player.Quality != "auto" {
		t.Fatalf("overlay: origin %q size %d volume %d quality %q", c.Origin, c.Cache.Size, c.Player.Volume, c.Player.Quality)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); err != nil {
		t.Fatalf("a missing file is not an error: %v", err)
	}
	os.WriteFile(path, []byte("origin = [broken"), 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken file must name itself: %v", err)
	}
	t.Setenv("SEGUE_CACHE_SIZE", "lots")
	os.WriteFile(path, nil, 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "SEGUE_CACHE_SIZE") {
		t.Fatalf("a bad env size must name the variable: %v", err)
	}
}
