package notice

import (
	"context"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"unicode/utf8"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/player"
	"segue/share"
)

// Say turns err into one sentence for the status line: what was being done
// and why it failed, in words, with what to do where there is something to
// do. Go's error chains, URLs and library text stay out of it; Msg carries
// err itself to the log.
//
// err's text is "what: cause: cause…" (STYLE.md rule 5). A short chain with
// none of the origin client's details in it (originDetail: a failed
// request, status answer or network error, known by type) was written for
// people, even when it quotes a link the user gave, and is said as it is;
// anything else says its first step ("open album Tides"), unless that step
// is the client's request itself, and the reason of its kind, or that the
// log has the details. A sentinel's own text at the
// end of a chain written for people adds nothing and is dropped. An error
// with a Plain method is said as Plain says it.
func Say(err error) string {
	var plain interface{ Plain() string }
	if errors.As(err, &plain) {
		// said in its own words on purpose (cli's ownWords: "nothing to
		// play: the shared playlist … holds no tracks; ask its owner…"),
		// which a long name pushed past the length kept as it is
		return plain.Plain()
	}
	text := err.Error()
	if errors.Is(err, share.ErrBadURL) {
		// written for people, but quoting the link back: what is wrong
		// with it is the sentence
		return quotedURL.ReplaceAllString(text, "")
	}
	for _, s := range []error{originclient.ErrOffline, originclient.ErrNotFound} {
		// "…, it was never opened here: not available offline" says it
		// twice; but in "open al0…: not found on the origin" it is the
		// only reason, and the line said "open al0…" alone
		if t, ok := strings.CutSuffix(text, ": "+s.Error()); ok && len(clauses(t)) > 1 {
			text = t
		}
	}
	clauses := clauses(text)
	asked, ok := originDetail(err)
	if !ok && len(clauses) <= 3 && len(text) <= 100 {
		return text
	}
	what := clauses[0]
	if strings.HasPrefix(what, subsonic.StepPrefix) {
		// the Subsonic client's own step, as the origin client's
		// request below: the line said "could not subsonic server H: …"
		what = ""
	}
	// the first step is the origin client's own ("get http://HOST/…")
	// when its request's text starts no later than that step ends
	if full := err.Error(); what == text || ok && strings.HasSuffix(full, asked) && len(full)-len(asked) <= len(what) {
		what = ""
	}
	reason := Reason(err)
	if reason == "" {
		reason = "it failed (the log has the details)"
	}
	if what == "" {
		return reason
	}
	return "could not " + what + ": " + reason
}

// clauses splits text at each ": " outside quotes ("…" as %q writes them,
// or “…”): a title quoted in a step ("radio after “Continuum I: Dawn”")
// is one clause, where it was cut at its own colon.
func clauses(text string) []string {
	var (
		out      []string
		start    int
		straight bool // inside "…"
		curly    int  // “ opened and not yet closed
	)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\\' && straight: // an escaped character of a %q string
			i += size
			_, size = utf8.DecodeRuneInString(text[i:])
		case r == '"':
			straight = !straight
		case r == '“':
			curly++
		case r == '”' && curly > 0:
			curly--
		case r == ':' && !straight && curly == 0 && strings.HasPrefix(text[i+1:], " "):
			out = append(out, text[start:i])
			start, size = i+2, 2
		}
		i += size
	}
	return append(out, text[start:])
}

// quotedURL is a quoted link with ": " before it, as share.ParseURL's
// errors quote the link they refuse.
var quotedURL = regexp.MustCompile(`: "[^"]*://[^"]*"`)

// originDetail finds in err's chain the first of the origin client's
// details, by type (as cli's originDetail does): its failed request
// (originclient.RequestError, whose text names the URL asked), a status
// answer (the Subsonic client's too, and its Subsonic errors), or a
// network error. It returns that error's text. A URL in
// err's own words is no such detail: a share link the user gave, quoted
// back, was cut to "it failed".
func originDetail(err error) (string, bool) {
	for err != nil {
		switch e := err.(type) {
		case *originclient.RequestError, *originclient.StatusError, *subsonic.HTTPError, *subsonic.AnswerError, *url.Error, *net.OpError:
			return err.Error(), true
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if _, ok := originDetail(inner); ok {
					return err.Error(), true
				}
			}
			return "", false
		}
		err = errors.Unwrap(err)
	}
	return "", false
}

// SayLoad is Say for what a screen loads, which ctrl+r asks for again: when
// the source (the origin or a Subsonic server) did not answer it adds
// "(ctrl+r retries)". Say alone does not: a playlist edit that failed said
// "ctrl+r retries", and ctrl+r only reloaded the screen without the edit.
func SayLoad(err error) string {
	s := Say(err)
	if _, retry := reason(err); retry {
		s += " (ctrl+r retries)"
	}
	return s
}

// Reason says in words why err happened, for the kinds of failure a
// listener can act on; "" for any other. It names the source err came
// from (Source).
func Reason(err error) string {
	r, _ := reason(err)
	return r
}

// Source names in a sentence the source err came from: "the Subsonic
// server" for its client's failures (subsonic.ErrServer in the chain),
// else "the origin" (player.DefaultSourceName); nil is the origin.
// A Subsonic server's were said as "the origin is unreachable" and "it is
// not on the origin"; the screens' own sentences ("search needs the
// origin") name it with Source too.
func Source(err error) string {
	if errors.Is(err, subsonic.ErrServer) {
		return "the Subsonic server"
	}
	return player.DefaultSourceName
}

// reason is Reason, and whether it is one that a try again may cure (the
// source did not answer, or not in time). Only a load is tried again by
// ctrl+r (SayLoad); an edit, a play or a radio is not.
func reason(err error) (why string, retry bool) {
	switch {
	case errors.Is(err, originclient.ErrPinMismatch):
		return "the certificate does not match the pin (a new one, or something in between?)", false
	case originclient.WrongName(err) != "":
		// --ca cannot fix a certificate made for other names
		return "the certificate is not for " + originclient.WrongName(err) + ": use a name it has, or --pin-sha256 FP", false
	case originclient.Untrusted(err):
		// short enough for the line to keep what to do (docs/tls.md)
		return "untrusted certificate: give --ca FILE or --pin-sha256 FP", false
	case errors.Is(err, originclient.ErrOffline), errors.Is(err, player.ErrNotOffline):
		// the player's own sentinel (a track it cannot fetch): a track
		// skipped with the origin down said "it failed (the log has the
		// details)"
		return "it is not available offline", false
	case Unreachable(err):
		return Source(err) + " is unreachable", true
	case errors.Is(err, originclient.ErrNotFound):
		return "it is not on " + Source(err), false
	case errors.Is(err, originclient.ErrUnauthorized):
		if sent, _ := originclient.TokenSent(err); sent {
			return "the origin refused the token: it is wrong or was revoked (check --token, SEGUE_TOKEN or token in config.toml)", false
		}
		return "the origin requires a token and none is set (set one with --token, SEGUE_TOKEN or token in config.toml)", false
	case errors.Is(err, player.ErrStalled):
		// the player asks again on its own: the line said "it failed
		// (the log has the details)" once the track's ID made it long
		return "its download stalled mid-segment, so it is asked again", false
	case errors.Is(err, context.DeadlineExceeded):
		return Source(err) + " took too long to answer", true
	case errors.Is(err, cache.ErrPinFull):
		return "the cache's cap is too small for it (raise [cache] size, or unpin something)", false
	case errors.Is(err, syscall.ENOSPC):
		return "the disk is full (segue cache gc frees space)", false
	}
	// a Subsonic server's answer, which its client says in words: the
	// line said "it failed (the log has the details)"
	var status *subsonic.HTTPError
	if errors.As(err, &status) {
		return status.Sentence(), status.Temporary()
	}
	var answer *subsonic.AnswerError
	if errors.As(err, &answer) {
		return answer.Sentence(), false
	}
	var refused *originclient.StatusError
	if errors.As(err, &refused) && refused.Code/100 == 4 {
		// the origin said why it refused (a playlist name with a
		// text-direction character, a track not in the catalog): the
		// line said "it failed (the log has the details)"
		return refused.Sentence(), false
	}
	if errors.Is(err, catalog.ErrPlaylistChanged) {
		// a Subsonic source's refusal, made here: what the position
		// holds now and to reload, as the origin's 409 says it
		_, now, _ := strings.Cut(err.Error(), catalog.ErrPlaylistChanged.Error()+": ")
		return now, false
	}
	return "", false
}

// Unreachable reports whether err says the origin could not be reached:
// ErrOffline, or a network failure under an HTTP request. A refused
// certificate is not one: the origin answered, and the fix is a setting
// (docs/tls.md), not waiting; the screens said "offline" for it.
func Unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	if originclient.Untrusted(err) {
		return false
	}
	return errors.Is(err, originclient.ErrOffline) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.As(err, &oe) || errors.As(err, &ue) || errors.As(err, &ne)
}
