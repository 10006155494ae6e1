package catalog

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func texts(ws []SearchWord) string {
	var out []string
	for _, w := range ws {
		s := w.Text
		if w.Parts != nil {
			s += "(" + strings.Join(w.Parts, "+") + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSearchWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Beyoncé", "beyonce"},
		{"Beyonce\u0301", "beyonce"},
		{"BJÖRK Jóga", "bjork joga"},
		{"Straße", "strasse"},
		{"ＡＢＣ ｶﾞｸ", "abc カク"},
		{"ヨアソビ", "ヨアソヒ"},
		{"ヨアソヒ\u3099", "ヨアソヒ"},
		{"ヨアソヒ\u309b", "ヨアソヒ"},
		{"ﾖｱｿﾋﾞ", "ヨアソヒ"},
		{"よあそび", "ヨアソヒ"},
		{"パン バン ハン", "ハン ハン ハン"},
		{"ザ・ブック", "サフック(サ+フック)"},
		{"AC/DC", "acdc(ac+dc)"},
		{"Don't Stop", "dont(don+t) stop"},
		{"(R.E.M.)", "rem(r+e+m)"},
		{"  --- ", ""},
		{"Guns N' Roses", "guns n roses"},
		{"C++ & $", "c + + $"},
		{"Love ❤️ you", "love ❤ you"},
		{"👍🏽👍", "👍 👍"},
		{"👨\u200d👩\u200d👧", "👨 👩 👧"},
		{"co\u00adop", "coop"},
		{"ﬁne ①", "fine 1"},
		{"Dvořák\tSymphony\nNo.9", "dvorak symphony no9(no+9)"},
		{"日本語の歌", "日本語ノ歌"},
		{"x\ufdd0y", "xy"},
		{"Sigur Ro\u0301s", "sigur ros"},
	} {
		if got := texts(SearchWords(c.in)); got != c.want {
			t.Errorf("SearchWords(%q) = %q; want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ a, b string }{{"AC/DC", "ac dc"}, {"AC/DC", "ACDC"}, {"What?", "What_"}, {"Hold-Up", "hold up"}} {
		if SearchKey(c.a) != SearchKey(c.b) {
			t.Errorf("SearchKey(%q) = %q, SearchKey(%q) = %q; want equal", c.a, SearchKey(c.a), c.b, SearchKey(c.b))
		}
	}
}

// FuzzSearchWords: every normal form of a text folds to the same words, and
// folding is stable (the folded words fold to themselves), so a title and a
// search for it in any form meet.
func FuzzSearchWords(f *testing.F) {
	for _, s := range []string{"Beyoncé", "ヨアソビ", "ザ・ブック", "ﾖｱｿﾋﾞ", "AC/DC", "ᾳ", "ǅ", "ﬃ", "İstanbul", "Ⅻ", "\u0345", "❤️", "👨‍👩‍👧", "한국어", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := SearchWords(s)
		for _, form := range []norm.Form{norm.NFC, norm.NFD, norm.NFKC, norm.NFKD} {
			if got := SearchWords(form.String(s)); !reflect.DeepEqual(got, want) {
				t.Fatalf("form %v of %q folds to %q; the text folds to %q", form, s, texts(got), texts(want))
			}
		}
		for _, w := range want {
			again := SearchWords(w.Text)
			if len(again) != 1 || again[0].Text != w.Text {
				t.Fatalf("word %q of %q folds again to %q", w.Text, s, texts(again))
			}
		}
	})
}
