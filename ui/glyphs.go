package ui

import (
	"os"
	"strings"

	"github.com/charmbracelet/x/ansi"
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

// toASCII rewrites frame in ASCII: the interface's glyphs by their
// stand-ins, any other character (a title's é, a wide CJK character) by as
// many '?' as the cells it took. Escape sequences are ASCII already.
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
			b.WriteString(strings.Repeat("?", ansi.StringWidth(string(r))))
		}
	}
	return b.String()
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
