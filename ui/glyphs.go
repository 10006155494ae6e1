package ui

import (
	"os"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/norm"
)

// asciiGlyphs are the stand-ins for the interface's own glyphs where the
// locale is not UTF-8. Each takes the one cell its glyph took, so a frame
// keeps its exact size.
var asciiGlyphs = map[rune]rune{
	'›': '>', '‹': '<', '▶': '>', '⏸': '=', '■': '#', '…': '.',
	'━': '=', '─': '-', '—': '-', '–': '-', '·': '|', '•': '|',
	'“': '"', '”': '"', '‘': '\'', '’': '\'',
	'●': '*', '⇣': 'v', '↑': '^', '↓': 'v', '←': '<', '→': '>',
	'█': '#', '▓': '%', '▒': ':', '░': '.', '▀': '"',
}

// asciiLetters are the Latin letters with no decomposition that have a
// plain letter of their own (Ørchestra, Łódź).
var asciiLetters = map[rune]rune{
	'Ø': 'O', 'ø': 'o', 'Ł': 'L', 'ł': 'l', 'Đ': 'D', 'đ': 'd', 'Ħ': 'H', 'ħ': 'h', 'ı': 'i',
}

// toASCII rewrites frame in ASCII: the interface's glyphs by their
// stand-ins, an accented Latin letter by its plain letter (é by e: "café"
// showed as "caf?"), any other character (a wide CJK character) by as many
// '?' as the cells it took. Escape sequences are ASCII already.
func toASCII(frame string) string {
	var b strings.Builder
	b.Grow(len(frame))
	for _, r := range frame {
		switch a, ok := asciiGlyphs[r]; {
		case r < 0x80:
			b.WriteRune(r)
		case ok:
			b.WriteRune(a)
		default:
			if l := plainLetter(r); l != 0 {
				b.WriteRune(l)
			} else {
				b.WriteString(strings.Repeat("?", ansi.StringWidth(string(r))))
			}
		}
	}
	return b.String()
}

// plainLetter is the ASCII letter r is made of with accents (é: e, Å: A, ø:
// o), or 0 when it is no such letter.
func plainLetter(r rune) rune {
	if a, ok := asciiLetters[r]; ok {
		return a
	}
	d := []rune(norm.NFD.String(string(r)))
	if len(d) < 2 || d[0] >= 0x80 || !unicode.IsLetter(d[0]) {
		return 0
	}
	for _, m := range d[1:] {
		if !unicode.Is(unicode.Mn, m) {
			return 0
		}
	}
	return d[0]
}

// utf8Locale reports whether the locale's character set is UTF-8, the way
// setlocale(3) picks it: the first of LC_ALL, LC_CTYPE and LANG that is
// set decides; none set is the C locale, which is ASCII.
func utf8Locale(getenv func(string) string) bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// asciiTerminal reports whether this process's locale wants ASCII glyphs.
func asciiTerminal() bool { return !utf8Locale(os.Getenv) }
