package nowplaying

import (
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/ui/styles"
)

func TestParseClock(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"45", 45 * time.Second},
		{"90", 90 * time.Second},
		{"1:30", 90 * time.Second},
		{"09:58", 9*time.Minute + 58*time.Second},
		{"9:58:00", 9*time.Hour + 58*time.Minute},
		{" 1:02:03 ", time.Hour + 2*time.Minute + 3*time.Second},
	} {
		got, err := ParseClock(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "abc", "1:60", "1:5", "1:2:3:4", "-1", "1.5", ":30", "1:", "+5", "1:99:00", "1234567"} {
		if d, err := ParseClock(in); err == nil || !strings.Contains(err.Error(), "MM:SS") {
			t.Errorf("ParseClock(%q) = %v, %v; want an error naming the format", in, d, err)
		}
	}
}

// FuzzParseClock: any input gives a position or an error, never a panic;
// a position reads back from Clock's text as the same position.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"9:58", "1:02:03", "45", "", "x", "1:60", "99999:59:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseClock(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseClock(%q) = %v, negative", s, d)
		}
		if back, err := ParseClock(Clock(d)); err != nil || back != d {
			t.Fatalf("ParseClock(%q) = %v; Clock gives %q which reads back as %v, %v", s, d, Clock(d), back, err)
		}
	})
}

func TestSourceBytes(t *testing.T) {
	var s Status
	if got := s.FormatPlayed(false) + s.FormatPlayed(true); got != "" {
		t.Fatalf("nothing fetched renders %q, want empty", got)
	}
	s.Played.Add(catalog.SourcePeer, 3<<20)
	s.Played.Add(catalog.SourceOrigin, 96<<10)
	s.Played.Add(catalog.SourceCache, 512)
	s.Played.Add(catalog.SourcePeer, 1<<20)
	if got, want := s.FormatPlayed(false), "512 B cache · 4.0 MiB peer · 96.0 KiB origin"; got != want {
		t.Fatalf("FormatPlayed(false) = %q, want %q", got, want)
	}
	s.Played.Peer = 0
	if got, want := s.FormatPlayed(true), "512 B cache · 96.0 KiB origin"; got != want {
		t.Fatalf("FormatPlayed(true) = %q, want %q", got, want)
	}
	// A Subsonic server's bytes are its own, not an origin's.
	s.OriginName = "Subsonic server"
	if got, want := s.FormatPlayed(false), "512 B cache · 0 B peer · 96.0 KiB Subsonic server"; got != want {
		t.Fatalf("FormatPlayed(false) from a Subsonic server = %q, want %q", got, want)
	}
}

// TestBarDrawsAnyPlayHead: the bar draws a play head before the start or
// past the end of its track (a player that reported one) as an empty or a
// full bar, where a negative one panicked the interface.
func TestBarDrawsAnyPlayHead(t *testing.T) {
	for _, c := range []struct {
		pos, dur time.Duration
		on       int // "━" drawn in 60 columns
	}{
		{-30 * time.Second, 46 * time.Second, 0},
		{0, 46 * time.Second, 0},
		{90 * time.Second, 46 * time.Second, 50},
		{-time.Second, 0, 0},
	} {
		b := NewBar(styles.New(nil))
		b.SetSize(60, BarHeight)
		b.SetStatus(Status{HasTrack: true, Track: catalog.Track{Title: "t"}, Position: c.pos, Duration: c.dur})
		lines := strings.Split(b.View(), "\n")
		if got := strings.Count(lines[len(lines)-1], "━"); got != c.on {
			t.Errorf("play head %v of %v: %d columns filled, want %d:\n%s", c.pos, c.dur, got, c.on, lines[len(lines)-1])
		}
	}
}
