package catalog

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// CutTag keeps a tag of MaxTagText characters whole and cuts a longer one
// to MaxTagText characters, at a character (never inside a UTF-8
// sequence), ending in "…" after no space.
func TestCutTag(t *testing.T) {
	for _, c := range []struct {
		in, want string
		cut      bool
	}{
		{"", "", false},
		{strings.Repeat("a", MaxTagText), strings.Repeat("a", MaxTagText), false},
		{strings.Repeat("é", MaxTagText), strings.Repeat("é", MaxTagText), false},
		{strings.Repeat("a", MaxTagText+1), strings.Repeat("a", MaxTagText-1) + "…", true},
		{strings.Repeat("🎵", 100_000), strings.Repeat("🎵", MaxTagText-1) + "…", true},
		{strings.Repeat("a", MaxTagText-3) + "   " + strings.Repeat("b", 10), strings.Repeat("a", MaxTagText-3) + "…", true},
	} {
		got, cut := CutTag(c.in)
		if got != c.want || cut != c.cut || !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxTagText {
			t.Errorf("CutTag(%d characters) = %d characters, %v; want %d, %v", utf8.RuneCountInString(c.in), utf8.RuneCountInString(got), cut, utf8.RuneCountInString(c.want), c.cut)
		}
	}
}
