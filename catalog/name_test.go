package catalog

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNameKey(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"Sigur Ro\u0301s", "Sigur Rós"},          // NFD (macOS) and NFC
		{"A\u0301gætis Byrjun", "ágætis  byrjun"}, // case and white space
		{"  Björk\t", "BJÖRK"},                    // trimmed, upper case
		{"Straße", "STRASSE"},                     // full case folding
		{"ＹＯＡＳＯＢＩ", "yoasobi"},                    // full-width letters (NFKC)
		{"ﬁve", "five"},                           // ligature (NFKC)
		{"Kino\u00a0Band", "kino band"},           // no-break space collapses
	} {
		if ka, kb := NameKey(c.a), NameKey(c.b); ka != kb {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q: want one key", c.a, ka, c.b, kb)
		}
	}
	if NameKey("Sigur Rós") == NameKey("Sigur Ros") {
		t.Error("NameKey drops diacritics: Sigur Rós and Sigur Ros are different names")
	}
}

func TestSortKey(t *testing.T) {
	for _, c := range []struct{ name, tag, want string }{
		{"The Beetles", "Beetles, The", "beetles, the"},
		{"The Beetles", "", "beetles"},
		{"A Tribe Called Quest", "", "tribe called quest"},
		{"An Pierlé", "", "pierle"},
		{"Émilie Simon", "", "emilie simon"},
		{"Die Ärzte", "", "die arzte"},
		{"Zaz", "Ästhetik", "asthetik"},
		{"Theatre of Tragedy", "", "theatre of tragedy"},
		{"The", "", "the"},
		{"ABBA", "", "abba"},
		{"Björk", "Bjork", "bjork"},
	} {
		if got := SortKey(c.name, c.tag); got != c.want {
			t.Errorf("SortKey(%q, %q) = %q, want %q", c.name, c.tag, got, c.want)
		}
	}
}

// FuzzNameKey: the key of any text is stable (a key's key is itself) and
// the same for the text's NFC and NFD forms.
func FuzzNameKey(f *testing.F) {
	f.Add("Sigur Ro\u0301s")
	f.Add("ﬀ ＡＢ ß\u0345")
	f.Add("\xff\xfe")
	f.Add("\u13ec \uabbc \u13fd") // Cherokee: x/text's fold swapped its cases
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		k := NameKey(s)
		if NameKey(k) != k {
			t.Errorf("NameKey(%q) = %q is not stable: %q", s, k, NameKey(k))
		}
		if d := NameKey(norm.NFD.String(s)); d != k {
			t.Errorf("NFD of %q keys to %q, NFC to %q", s, d, k)
		}
	})
}

func TestAlbumNumber(t *testing.T) {
	one, two := Album{}, Album{Discs: 2}
	for _, c := range []struct {
		a    Album
		t    Track
		want string
	}{
		{one, Track{TrackNo: 3}, "3"},
		{one, Track{TrackNo: 3, DiscNo: 1}, "3"},
		{one, Track{}, ""},
		{two, Track{TrackNo: 3, DiscNo: 2}, "2-03"},
		{two, Track{TrackNo: 12, DiscNo: 1}, "1-12"},
		{two, Track{DiscNo: 2}, "2-00"},
		{two, Track{}, ""},
	} {
		if got := c.a.Number(c.t); got != c.want {
			t.Errorf("album of %d discs, track %+v: %q, want %q", c.a.Discs, c.t, got, c.want)
		}
	}
}

// TestText: tags are stored NFC, valid UTF-8 and free of control
// characters (PostgreSQL text holds no NUL and no invalid UTF-8).
func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"  Sigur Ro\u0301s ":   "Sigur Rós",
		"Artist A\x00Artist B": "Artist A; Artist B", // ID3v2.4's value separator
		"Title\x00":            "Title",              // a terminator
		"Line\nbreak\tand tab": "Line break and tab",
		"bad \xff byte":        "bad \ufffd byte",
		"\x00\x00":             "",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlaylistName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Road\ntrip", "Road trip"},
		{"  a \t\t b  ", "a b"},
		{strings.Repeat("a", MaxPlaylistName), strings.Repeat("a", MaxPlaylistName)},
		{strings.Repeat("a", MaxPlaylistName+1), strings.Repeat("a", MaxPlaylistName-3) + "…"},
		{strings.Repeat("é", 150), strings.Repeat("é", 98) + "…"}, // never half a character
		// a title's text-direction characters, which the origin refuses
		{"Road \u202egnp.exe\u202c \u2067x\u2069\u200e\u200f\u061c", "Road gnp.exe x"},
	} {
		if got := PlaylistName(c.in); got != c.want || len(got) > MaxPlaylistName {
			t.Errorf("PlaylistName(%.30q) = %.30q (%d bytes); want %.30q", c.in, got, len(got), c.want)
		}
	}
}

// TestNameKeyOfCherokee: both cases of a Cherokee name are one key, which
// is its own key (golang.org/x/text's fold swapped the cases: "Ꮼ" keyed to
// "ꮼ" and "ꮼ" to "Ꮼ"), folded to capitals as Unicode's CaseFolding.txt has.
func TestNameKeyOfCherokee(t *testing.T) {
	for _, s := range []string{"\u13ec\u13a0", "\uabbc\uab70", "\u13ec\uab70"} {
		if k := NameKey(s); k != "\u13ec\u13a0" || NameKey(k) != k {
			t.Errorf("NameKey(%q) = %q (its key %q), want %q", s, k, NameKey(k), "\u13ec\u13a0")
		}
	}
	if k := NameKey("\u13fd"); k != "\u13f5" {
		t.Errorf("NameKey(U+13FD) = %q, want U+13F5", k)
	}
}
