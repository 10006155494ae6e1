// Package share owns how playlists travel: share URLs (http(s)://HOST/p/TOKEN)
// and the M3U8 and XSPF formats for import and export. It parses outside
// input and must never trust it: every parser here is fuzzed. It does no I/O.
package share

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// TokenBytes is the randomness of a share token: 256 bits, far above the
// 128 that make it unguessable.
const TokenBytes = 32

// ErrBadURL is wrapped by ParseURL for every malformed share URL.
var ErrBadURL = errors.New("not a segue share URL")

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{22,86}$`)

// tokenLen is the length of a token NewToken makes (TokenBytes in base64url).
var tokenLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// wrappedRE finds a link whose token a plain-text mail wrapped onto the
// next line: the token's two parts, together as long as a whole token,
// are the token (a part as long as a whole one alone is left as it is).
var wrappedRE = regexp.MustCompile(`(?i)(https?://[^\s/]+(?:/[^\s/]+)*/p/([A-Za-z0-9_-]+))(\r?\n[ \t>]*)([A-Za-z0-9_-]+)`)

// Link is a parsed share URL: the origin it names and the capability token.
type Link struct {
	Origin string // scheme://host[:port][/path], no trailing slash
	Token  string
	// Pin is the SHA-256 fingerprint of a self-signed https origin's
	// certificate (64 lowercase hex digits) or "". It travels in the
	// fragment, #sha256=HEX, which browsers never send to the server.
	Pin string
	// Page is a share URL that is not segue's: the one a Subsonic server's
	// createShare answered (Navidrome's /share/ID page). String gives it
	// as it is; Origin, Token and Pin are then empty.
	Page string
}

// PinPrefix starts a share URL's fragment that carries a certificate pin.
const PinPrefix = "sha256="

// String renders the canonical share URL.
func (l Link) String() string {
	if l.Page != "" {
		return l.Page
	}
	if l.Pin != "" {
		return l.Origin + "/p/" + l.Token + "#" + PinPrefix + l.Pin
	}
	return l.Origin + "/p/" + l.Token
}

// NewToken returns a fresh unguessable share token (base64url, no padding).
func NewToken() string {
	b := make([]byte, TokenBytes)
	rand.Read(b) // crypto/rand.Read never fails on Linux (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Around a pasted link: what a sentence or a chat message puts before and
// after it. None of these can end a share URL (a token, a pin and a port
// hold none) nor begin one (a scheme begins with a letter), so dropping
// them never changes what a link names.
const (
	linkOpeners = `<([{"'“‘«`
	linkClosers = `>)]}"'”’».,;:!?`
)

// invisible reports whether r is a space or a character that shows
// nothing (a chat app's zero-width space, a word joiner, a BOM).
func invisible(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u2060' || r == '\ufeff'
}

// TrimPastedEnd drops from the end of s, a share URL or the last segment
// of its path, what a sentence, a chat app or mail put after the link:
// closing brackets and quotes, a sentence's punctuation, spaces and
// invisible characters ("TOKEN).", "TOKEN.m3u8,"). A token, a playlist
// file's ending and a port end in none of them, so what is left names
// what the link named. A chat app that takes them into the link sends
// them to the origin, which redirects to what is left.
func TrimPastedEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return invisible(r) || strings.ContainsRune(linkClosers, r)
	})
}

// unwrapURL drops what is around a pasted link: spaces and invisible
// characters (a chat app's zero-width space), the <...> and "URL:" of
// mail and Markdown (RFC 3986, appendix C), brackets and quotes, and the
// punctuation of the sentence it ended.
func unwrapURL(raw string) string {
	s := raw
	for {
		t := strings.TrimLeftFunc(s, invisible)
		t = strings.TrimLeft(t, linkOpeners)
		t = TrimPastedEnd(t)
		if len(t) >= 4 && strings.EqualFold(t[:4], "URL:") {
			t = t[4:]
		}
		if t == s {
			return s
		}
		s = t
	}
}

// ValidToken reports whether s has the shape of a share token.
func ValidToken(s string) bool { return tokenRE.MatchString(s) }

// ParseURL parses a share URL such as https://music.example/p/TOKEN,
// optionally with #sha256=FINGERPRINT (a self-signed origin's certificate),
// as pasted: spaces and invisible characters around it, the <...> or
// <URL:...> that mail and Markdown put around a link (RFC 3986 appendix C),
// brackets and quotes around it and a sentence's punctuation after it
// ("(https://host/p/TOKEN).") are dropped, and of a message holding
// one http(s) link ("Listen: <https://host/p/TOKEN>."), the link is taken. The
// error says exactly what is wrong, for a one-line message to the user.
func ParseURL(raw string) (Link, error) {
	bad := func(why string) (Link, error) {
		return Link{}, fmt.Errorf("%w: %q: %s (want http(s)://HOST/p/TOKEN)", ErrBadURL, clip(raw), why)
	}
	s := unwrapURL(raw)
	if s == "" {
		return bad("empty")
	}
	s = wrappedRE.ReplaceAllStringFunc(s, func(m string) string { // a link mail wrapped in its token
		sub := wrappedRE.FindStringSubmatch(m)
		if len(sub[2])+len(sub[4]) == tokenLen {
			return sub[1] + sub[4]
		}
		return m
	})
	if strings.ContainsFunc(s, invisible) { // a message holding the link: "Listen: <https://host/p/TOKEN>."
		var links []string
		for _, w := range strings.FieldsFunc(s, invisible) {
			if w = unwrapURL(w); hasScheme(w, "http://") || hasScheme(w, "https://") {
				links = append(links, w)
			}
		}
		switch len(links) {
		case 0:
			return bad("no http(s) link in it")
		case 1:
			s = links[0]
		default:
			return bad(fmt.Sprintf("it holds %d links: give one of them", len(links)))
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("cannot parse")
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return bad("missing the scheme, http or https")
	default:
		return bad("scheme " + u.Scheme + " is not http or https")
	}
	if u.User != nil {
		return bad("user info is not allowed")
	}
	if u.Opaque != "" {
		return bad("missing // after the scheme")
	}
	if u.Host == "" || u.Hostname() == "" {
		return bad("missing host")
	}
	// url.Parse decodes escapes in the host ("%25" is "%"): a "%" left in
	// it made an origin ("http://%") that parsed no more. No host name has
	// one (an IPv6 zone, "[fe80::1%25eth0]", is link-local, never a share
	// link's host).
	if strings.Contains(u.Host, "%") {
		return bad("the host is not a host name or IP address")
	}
	// An origin reached under a path (--public-url https://host/music behind
	// a proxy) shares /music/p/TOKEN: the path before /p/ is the origin's.
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	i := strings.LastIndex(path, "/p/")
	prefix, token := "", ""
	if i >= 0 {
		prefix, token = path[:i], path[i+len("/p/"):]
	}
	if i < 0 || strings.Contains(token, "/") || !cleanPrefix(prefix) {
		return bad("path is not /p/TOKEN")
	}
	token, _ = CutFormat(token) // the playlist file of the link (TOKEN.m3u8): the same playlist
	if !ValidToken(token) {
		return bad("token is malformed (22-86 characters of A-Z a-z 0-9 _ -)")
	}
	if p := u.Port(); p != "" && (len(p) > 5 || strings.Trim(p, "0123456789") != "") {
		return bad("bad port")
	}
	l := Link{Origin: u.Scheme + "://" + strings.ToLower(u.Host) + prefix, Token: token}
	// Another fragment (a page anchor) means nothing to segue.
	if pin, ok := strings.CutPrefix(u.Fragment, PinPrefix); ok {
		pin = strings.ToLower(pin)
		if len(pin) != 64 || strings.Trim(pin, "0123456789abcdef") != "" {
			return bad("the pin after #sha256= is not the certificate's fingerprint, 64 hex digits")
		}
		if u.Scheme != "https" {
			return bad("a certificate pin needs https")
		}
		l.Pin = pin
	}
	return l, nil
}

// hasScheme reports whether s begins with scheme ("https://"), in any case.
func hasScheme(s, scheme string) bool {
	return len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme)
}

// cleanPrefix reports whether p, the escaped path before /p/TOKEN, can be
// an origin's: empty, or segments that are neither empty, "." nor "..".
func cleanPrefix(p string) bool {
	if p == "" {
		return true
	}
	for _, seg := range strings.Split(p, "/")[1:] {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return strings.HasPrefix(p, "/")
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
