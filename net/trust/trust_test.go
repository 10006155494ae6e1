package trust

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestParsePin(t *testing.T) {
	hex64 := strings.Repeat("0a", 32)
	colons := strings.TrimSuffix(strings.Repeat("0A:", 32), ":")
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{hex64, hex64},
		{strings.ToUpper(hex64), hex64},
		{colons, hex64},
		{"sha256:" + hex64, hex64},
		{" SHA256:" + colons + "\n", hex64},
		{hex64[:62], ""},
		{hex64 + "00", ""},
		{strings.Repeat("zz", 32), ""},
		{"", ""},
	}
	for _, tt := range tests {
		pin, err := ParsePin(tt.in)
		got := ""
		if err == nil {
			got = hex.EncodeToString(pin[:])
		} else if !strings.Contains(err.Error(), "64 hex digits") {
			t.Errorf("ParsePin(%q): %v; want an error naming 64 hex digits", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParsePin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParsePin: no input panics, and a parsed pin reads back from its hex.
func FuzzParsePin(f *testing.F) {
	for _, s := range []string{strings.Repeat("ab", 32), "sha256:" + strings.Repeat("AB:", 31) + "AB", "", ":::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pin, err := ParsePin(s)
		if err != nil {
			return
		}
		again, err := ParsePin(hex.EncodeToString(pin[:]))
		if err != nil || again != pin {
			t.Fatalf("%q -> %x -> %x, %v", s, pin, again, err)
		}
	})
}
