package originclient

import (
	"testing"
	"time"
)

// TestParseRetryAfter: Retry-After in seconds or as an HTTP-date (a date
// past is a second); anything else is no wait. Dates were no wait.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    string
		want time.Duration
	}{
		{"5", 5 * time.Second},
		{" 30 ", 30 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"", 0},
		{"soon", 0},
		{"Sat, 05 Dec 2026 07:00:12 GMT", 12 * time.Second},
		{"Sat, 05 Dec 2026 06:00:00 GMT", time.Second},
	} {
		if got := ParseRetryAfter(tc.h, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tc.h, got, tc.want)
		}
	}
}
