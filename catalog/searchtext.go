package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// SearchWord is one word of text as search compares it: folded, with the
// punctuation inside it removed.
type SearchWord struct {
	// Text is the folded word: "AC/DC" -> "acdc", "Don't" -> "dont",
	// "ザ・ブック" -> "サフック".
	Text string
	// Parts are the pieces punctuation separated, when there are two or
	// more: "AC/DC" -> "ac", "dc". Nil otherwise.
	Parts []string
	// Symbol is true for a word that is one symbol or emoji ("♥", "🎵").
	Symbol bool
}

// SearchWords folds s the one way search compares text, so a title and
// anything typed to find it meet whatever form either is in, and cuts it
// into words. The folding, in order:
//
//   - compatibility decomposition (NFKD) and full Unicode case folding, so
//     canonical and compatibility forms (NFC, NFD, NFKC, NFKD; full-width
//     and half-width letters, ligatures) and case ("ß" = "ss") are one;
//   - nonspacing and enclosing marks are dropped: Latin diacritics
//     ("Beyoncé" = "beyonce") and the Japanese voiced and semi-voiced marks
//     ("ビ" = "ヒ", "パ" = "ハ", in any of their four encodings), as are
//     format characters (zero-width joiners, soft hyphens), variation
//     selectors and emoji skin-tone modifiers;
//   - hiragana is written as katakana ("よあそび" = "ヨアソビ");
//   - letters, digits and spacing marks make words; spaces and controls
//     separate them; punctuation (and modifier symbols such as ^) joins the
//     pieces of a word and is dropped around it ("(R.E.M.)" = "rem");
//   - every other symbol or emoji, and any character Unicode has not yet
//     assigned, is a word of its own ("♥", "🎵"), so a title made only of
//     them is still found.
//
// Noncharacters (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF) never reach a word: the
// search index may use them as markers.
func SearchWords(s string) []SearchWord {
	s = foldText(s)
	var (
		words []SearchWord
		runs  []string // pieces of the current word
		run   strings.Builder
	)
	endRun := func() {
		if run.Len() > 0 {
			runs = append(runs, run.String())
			run.Reset()
		}
	}
	endWord := func() {
		endRun()
		switch len(runs) {
		case 0:
		case 1:
			words = append(words, SearchWord{Text: runs[0]})
		default:
			words = append(words, SearchWord{Text: strings.Join(runs, ""), Parts: runs})
		}
		runs = nil
	}
	for _, r := range s {
		switch classify(r) {
		case runeWord:
			run.WriteRune(r)
		case runeJoin:
			endRun()
		case runeSpace:
			endWord()
		case runeSymbol:
			endWord()
			words = append(words, SearchWord{Text: string(r), Symbol: true})
		}
	}
	endWord()
	return words
}

// SearchKey is text reduced to what search compares, without the
// boundaries between words: "AC/DC", "AC DC" and "acdc" have one key.
func SearchKey(s string) string {
	var b strings.Builder
	for _, w := range SearchWords(s) {
		b.WriteString(w.Text)
	}
	return b.String()
}

// foldText decomposes and case-folds s, drops what SearchWords drops, and
// writes hiragana as katakana. ASCII needs only lower-casing.
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	// Bytes that are not UTF-8 become U+FFFD first: the normalizer leaves
	// the text after them undecomposed. The spacing voiced marks decompose
	// to a space and the combining mark: dropped first, "カ゛" is "ガ" is "カ".
	s = strings.NewReplacer("\u309b", "", "\u309c", "", " \u3099", "", " \u309a", "").Replace(strings.ToValidUTF8(s, "\ufffd"))
	// NFKD before and after folding: folding a decomposed letter can give
	// a character that decomposes again.
	out, _, err := transform.String(transform.Chain(norm.NFKD, cases.Fold(), norm.NFKD), s)
	if err != nil {
		out = strings.ToLower(norm.NFKD.String(s))
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x3041 && r <= 0x3096, r == 0x309d, r == 0x309e: // hiragana
			return r + 0x60
		case unicode.Is(unicode.Cherokee, r): // a fuzzer find, kept as a seed
			return cherokeeFold(r)
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf), isNoncharacter(r),
			r >= 0x1f3fb && r <= 0x1f3ff: // skin-tone modifiers
			return -1
		}
		return r
	}, out)
}

func isNoncharacter(r rune) bool {
	return r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe
}

// What a folded rune does in a word.
const (
	runeWord = iota
	runeJoin
	runeSpace
	runeSymbol
)

func classify(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r):
		return runeWord
	case unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp, unicode.Cc):
		return runeSpace
	case unicode.IsPunct(r) || unicode.Is(unicode.Sk, r):
		return runeJoin
	}
	return runeSymbol
}
