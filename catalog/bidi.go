package catalog

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// IsBidiControl reports whether r is one of Unicode's bidirectional
// formatting characters (property Bidi_Control): the embeddings and
// overrides U+202A-U+202E, the isolates U+2066-U+2069 and the marks
// U+200E, U+200F and U+061C. They are invisible and reorder the text
// around them, so a name holding one can show reversed or as another
// row of a listing ("Trojan Source", CVE-2021-42574).
func IsBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// StripBidi returns s without its bidirectional formatting characters
// (IsBidiControl), for showing text stored before they were refused.
func StripBidi(s string) string {
	if strings.IndexFunc(s, IsBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// CheckNameChars says what is wrong with a name a person gave (a
// playlist's, a token's) that holds a character no name may: a control
// character (NUL, tab, line break) or a bidirectional formatting one
// (IsBidiControl), named by its code point. It is nil for a name
// without any; what carries it says whose name it is.
func CheckNameChars(name string) error {
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return errors.New("the name has a control character (a NUL, tab or line break): give it on one line")
	}
	if i := strings.IndexFunc(name, IsBidiControl); i >= 0 {
		r := []rune(name[i:])[0]
		return fmt.Errorf("the name has an invisible text-direction character (U+%04X), which can make a listing show it reversed or as another name: give it without one", r)
	}
	return nil
}
