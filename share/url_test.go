package share

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tok := NewToken()
	tests := []struct {
		in, origin, pin, why string
	}{
		{in: "https://music.example/p/" + tok + "#sha256=" + strings.Repeat("AB", 32), origin: "https://music.example", pin: strings.Repeat("ab", 32)},
		{in: "https://music.example/p/" + tok + "#sha256=abc", why: "64 hex digits"},
		{in: "https://music.example/p/" + tok + "#sha256=" + strings.Repeat("zz", 32), why: "64 hex digits"},
		{in: "http://music.example/p/" + tok + "#sha256=" + strings.Repeat("ab", 32), why: "needs https"},
		{in: "https://music.example/p/" + tok, origin: "https://music.example"},
		{in: " http://127.0.0.1:7700/p/" + tok + "/ ", origin: "http://127.0.0.1:7700"},
		{in: "http://[::1]:7700/p/" + tok + "?utm=x#frag", origin: "http://[::1]:7700"},
		{in: "HTTPS://Music.Example/p/" + tok, origin: "https://music.example"},
		// as mail and Markdown wrap a link (RFC 3986 appendix C): it was
		// "cannot parse"
		{in: "<https://music.example/p/" + tok + ">", origin: "https://music.example"},
		{in: " <URL:https://music.example/p/" + tok + "> ", origin: "https://music.example"},
		// as a sentence or chat message puts it: the punctuation after it,
		// brackets and quotes around it, a zero-width space from a chat app
		// (it was "token is malformed" or "missing the scheme"); a token,
		// pin or port never holds one of them, so dropping them is safe
		{in: "https://music.example/p/" + tok + ".", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + "),", origin: "https://music.example"},
		{in: "(https://music.example/p/" + tok + ")", origin: "https://music.example"},
		{in: `"https://music.example/p/` + tok + `"!`, origin: "https://music.example"},
		{in: "«“https://music.example/p/" + tok + "”»", origin: "https://music.example"},
		{in: "'https://music.example/p/" + tok + "/'?", origin: "https://music.example"},
		{in: "[<https://music.example/p/" + tok + ">];", origin: "https://music.example"},
		{in: "\u200bhttps://music.example/p/" + tok + "\u200b\ufeff", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + "#sha256=" + strings.Repeat("ab", 32) + ".", origin: "https://music.example", pin: strings.Repeat("ab", 32)},
		{in: "https://music.example/p/short.", why: "token is malformed"},
		// a chat message with the link in it, copied whole: it was "scheme
		// listen is not http or https" (segue play, the interface's o)
		{in: "Listen: <https://music.example/p/" + tok + ">.", origin: "https://music.example"},
		{in: "this one!\n\nhttps://music.example/p/" + tok + " \u2014 enjoy", origin: "https://music.example"},
		{in: "try HTTPS://music.example/p/" + tok, origin: "https://music.example"},
		{in: "https://a.example/p/" + tok + " or https://b.example/p/" + tok, why: "holds 2 links"},
		{in: "music.example/p/" + tok + " is the link", why: "no http(s) link"},
		// a plain-text mail wrapped the link in its token: the parts
		// together are the token (it was "cannot parse")
		{in: "https://music.example/p/" + tok[:20] + "\n" + tok[20:], origin: "https://music.example"},
		{in: "Listen:\n> https://music.example/p/" + tok[:30] + "\r\n> " + tok[30:] + "\n> -- A", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + "\nnext line", origin: "https://music.example"},
		// the link's playlist file (TOKEN.m3u8), as the share page offers
		// it to players, is the same playlist: it was "token is malformed"
		{in: "https://music.example/p/" + tok + ".m3u8", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + ".xspf.", origin: "https://music.example"},
		// in capitals, as a file's ending is any case: it was "token is malformed"
		{in: "https://music.example/p/" + tok + ".M3U8", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + ".Xspf", origin: "https://music.example"},
		{in: "https://music.example/p/" + tok + ".mp3", why: "token is malformed"},
		{in: "(", why: "empty"},
		{in: "<>", why: "empty"},
		{in: "", why: "empty"},
		{in: "music.example/p/" + tok, why: "missing the scheme"},
		{in: "ftp://music.example/p/" + tok, why: "scheme ftp"},
		{in: "https:///p/" + tok, why: "missing host"},
		{in: "https://u:pw@music.example/p/" + tok, why: "user info"},
		{in: "https://music.example/x/" + tok, why: "path is not"},
		// An origin under a path (--public-url https://host/music): it was
		// "path is not /p/TOKEN", so playlist share failed on such an origin.
		{in: "https://music.example/music/p/" + tok, origin: "https://music.example/music"},
		{in: "https://music.example/a/b%2Fc/p/" + tok + "/", origin: "https://music.example/a/b%2Fc"},
		{in: "https://music.example//p/" + tok, why: "path is not"},
		{in: "https://music.example/a/../p/" + tok, why: "path is not"},
		{in: "https://music.example/p/" + tok + "/more", why: "path is not"},
		{in: "https://music.example/p/short", why: "token is malformed"},
		{in: "https://music.example/p/" + strings.Repeat("a", 30) + "%2F", why: "token is malformed"},
		{in: "https://music.example:99999999/p/" + tok, why: "port"},
		{in: "https:music.example/p/" + tok, why: "missing //"},
		{in: "http://%zz/p/" + tok, why: "cannot parse"},
		// A percent escape in the host was taken as its letter: the link's
		// origin "http://%" parsed no more (found by FuzzParseURL).
		{in: "http://%25/p/" + tok, why: "host is not"},
	}
	for _, tt := range tests {
		l, err := ParseURL(tt.in)
		if tt.why != "" {
			if !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("ParseURL(%q) = %v, %v; want error containing %q", tt.in, l, err, tt.why)
			}
			continue
		}
		if err != nil || l.Origin != tt.origin || l.Token != tok || l.Pin != tt.pin {
			t.Errorf("ParseURL(%q) = %+v, %v; want origin %q", tt.in, l, err, tt.origin)
		}
	}
}

func TestNewTokenIsUniqueAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := NewToken()
		if !ValidToken(tok) || seen[tok] || len(tok) < 22 {
			t.Fatalf("token %q: valid %v, seen %v", tok, ValidToken(tok), seen[tok])
		}
		seen[tok] = true
	}
}

// FuzzParseURL: no input panics, and whatever parses renders back to a URL
// that parses to the same link.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://h/p/" + NewToken(), "https://h/m%2Fx/p/" + NewToken(), "http://[::1]:1/p/aaaaaaaaaaaaaaaaaaaaaa", "x", "https://h/p/%41", "", "https://h/p/" + NewToken() + "#sha256=" + strings.Repeat("0f", 32),
		"Listen: <https://h/p/" + NewToken() + ">.", "https://h/p/" + NewToken()[:20] + "\n> " + NewToken()[20:] + " a https://g/p/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("error %v does not wrap ErrBadURL", err)
			}
			return
		}
		l2, err := ParseURL(l.String())
		if err != nil || l2 != l {
			t.Fatalf("round trip of %q: %+v -> %+v, %v", s, l, l2, err)
		}
	})
}

// TrimPastedEnd drops what a sentence or a chat app put after a link and
// nothing a token, a playlist file's ending or a port ends in.
func TestTrimPastedEnd(t *testing.T) {
	tok := NewToken()
	for in, want := range map[string]string{
		tok:                    tok,
		tok + ").":             tok,
		tok + ".m3u8,":         tok + ".m3u8",
		tok + "\u200b":         tok,
		tok + "»\"'!?;:":       tok,
		"host:7700":            "host:7700",
		tok + "-_":             tok + "-_",
		"":                     "",
		").":                   "",
		tok + ".xspf\u2060 \n": tok + ".xspf",
	} {
		if got := TrimPastedEnd(in); got != want {
			t.Errorf("TrimPastedEnd(%q) = %q; want %q", in, got, want)
		}
	}
}
