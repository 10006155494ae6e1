package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/cache"
	"segue/catalog"
	"segue/ctl"
	"segue/internal/spelling"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/share"
	"segue/sqlite"
)

// Exit statuses are part of the scripting contract (README "Exit statuses"),
// the same with and without --json.
const (
	ExitOK       = 0
	ExitError    = 1 // the command failed
	ExitUsage    = 2 // bad flags or arguments
	ExitNotFound = 3 // a target could not be resolved
	// ExitInterrupted: Ctrl-C, SIGTERM (or for play, SIGHUP) stopped the command
	ExitInterrupted = 130
	// ExitStdoutClosed: segue play stopped because the reader of its
	// standard output left (| head -1); 141 is 128 + SIGPIPE, the status
	// a shell saw when it died of the signal
	ExitStdoutClosed = 141
)

// exitError carries a specific exit status through cobra, overriding what
// exitStatus would read from the error's kind.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withExit(code int, err error) error { return &exitError{code: code, err: err} }

// interrupted is the error of a command that ctx, its signal context,
// stopped (Ctrl-C or SIGTERM) while it failed with err, which the stop
// caused whatever its words ("context canceled", or a child's "signal:
// killed"): the command (what), then what was kept and how to go on
// (kept); exit 130. It is nil when err is nil or no signal came, so a
// caller says its other failures its own way.
func interrupted(ctx context.Context, err error, what, kept string) error {
	if err == nil || ctx.Err() == nil {
		return nil
	}
	if exitStatus(err) == ExitInterrupted { // a step already said what it kept (opening the cache)
		return err
	}
	return withExit(ExitInterrupted, fmt.Errorf("%s: interrupted; %s", what, kept))
}

// usageError is a bad flag or argument: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// argsWords says cobra's count of cmd's arguments (err: "accepts 1
// arg(s), received 0") as what to give, from the arguments its Use line
// names ("playlist show ID|URL"): "give ID|URL", or "give NAME, not 2
// words: \"Evening\" \"Mix\" (quote a value with spaces)". err as it is when
// the Use line does not tell.
func argsWords(cmd *cobra.Command, args []string, err error) error {
	var need, max int
	var names []string
	more := false // the last argument takes any number
	for _, w := range strings.Fields(cmd.Use)[1:] {
		if w == "[flags]" || strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[-") {
			continue
		}
		more = more || strings.HasSuffix(w, "...") || strings.HasSuffix(w, "...]")
		if !strings.HasPrefix(w, "[") {
			need++
		}
		names = append(names, w)
		max++
	}
	switch {
	case max == 0:
	case len(args) < need:
		return fmt.Errorf("give %s", strings.Join(names[len(args):need], " "))
	case !more && len(args) > max:
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		return fmt.Errorf("give %s, not %d words: %s (quote a value with spaces)", strings.Join(names, " "), len(args), strings.Join(quoted, " "))
	}
	return err
}

// exitStatus is the one place an error becomes an exit status: an explicit
// withExit first, then a usage error (2), then the error's kind: a missing
// target (on the origin, in its catalog, or named to a running instance) is 3,
// a malformed share URL, a malformed control command or a playlist position it does not have 2
// (catalog.ErrBadPosition, from a Subsonic server's playlist), a request the origin
// refused as bad (400, e.g. a position past the end) is 2, and so is an
// origin URL of the wrong scheme; anything else 1.
func exitStatus(err error) int {
	var ee *exitError
	var se *originclient.StatusError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, new(*usageError)):
		return ExitUsage
	case errors.Is(err, ctl.ErrBadRequest), errors.Is(err, catalog.ErrBadPosition):
		return ExitUsage
	case slices.ContainsFunc(notFound, func(e error) bool { return errors.Is(err, e) }):
		return ExitNotFound
	case errors.As(err, &se) && plainToTLS(se, true):
		return ExitError // the URL is right: the proxy behind it is not
	case errors.As(err, &se) && se.Code == http.StatusBadRequest, errors.Is(err, http.ErrSchemeMismatch), originclient.SpeaksTLS(err):
		return ExitUsage
	}
	return ExitError
}

// plainToTLS says whether se is an https origin's answer to plain http,
// passed on by a proxy (behindProxy) or its own.
func plainToTLS(se *originclient.StatusError, behindProxy bool) bool {
	proxied, ok := se.PlainToTLS()
	return ok && proxied == behindProxy
}

// jsonErrorsAnnotation marks a command whose --json output is a stream of
// events: its error is an "error" event ({"event":"error",...}) instead of
// {"error":"..."}.
const jsonErrorsAnnotation = "segue/json-errors"

// fail reports err the one way every command does, and returns the exit
// status: one sentence on stderr; with --json the same sentence as JSON on
// stdout; the whole error chain (URLs, status lines) in the log.
func (a *app) fail(cmd *cobra.Command, args []string, err error) int {
	msg := sentence(err) + permissionAdvice(err) + a.diskFullAdvice(cmd, err)
	if errors.As(err, new(*originclient.NotFoundError)) { // an ID its source does not know: where the right ones are
		// (not for every 404: a share link unknown or revoked, a radio's
		// seed that holds no tracks were given that advice too)
		msg += idsHint
	}
	if errors.Is(err, originclient.ErrUnauthorized) {
		msg = strings.Replace(msg, originclient.ErrUnauthorized.Error(), a.tokenRefused(), 1)
	}
	if errors.Is(err, originclient.ErrPinMismatch) {
		msg = strings.Replace(msg, originclient.ErrPinMismatch.Error(), a.pinMismatch(cmd, err), 1)
	}
	fmt.Fprintln(a.stderr, "segue:", msg)
	if a.cfg.LogFile != "" && msg != err.Error() {
		if log := a.logger(); a.logErr == nil { // else the log is stderr: the sentence is enough
			log.Error("command failed", "command", cmd.CommandPath(), "err", err.Error())
		}
	}
	if takesJSON(cmd) && wantsJSON(args) {
		if cmd.Annotations[jsonErrorsAnnotation] == "event" {
			jsonEncoder(a.stdout).Encode(playEvent{Event: "error", Message: msg, Fatal: true})
		} else {
			jsonEncoder(a.stdout).Encode(map[string]string{"error": msg})
		}
	}
	return exitStatus(err)
}

// idsHint ends the sentence of an ID the origin does not know ("track
// t1 not found"), which said what was wrong but not where IDs are seen.
const idsHint = " (segue search WORDS, segue library and segue playlist list show the IDs there are)"

// permissionAdvice completes the sentence of a failure that ends in the
// system's "permission denied" on a path (a data dir, a catalog, a folder
// to ingest): which user was refused where, and what to do. It is "" for
// anything else, and where the command's words already go on after it.
func permissionAdvice(err error) string {
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(pe, fs.ErrPermission) || !strings.HasSuffix(err.Error(), pe.Error()) {
		return ""
	}
	where := pe.Path
	if _, serr := os.Lstat(where); serr != nil { // refused making it: its folder is the one to fix
		where = filepath.Dir(where)
	}
	return fmt.Sprintf(" (%s may not use %s: run segue as a user who may, change its owner or mode, or give another path)", currentUser(), where)
}

// diskFullAdvice completes the sentence of a command that could not write
// because its disk is full (SQLite's "database or disk is full", the
// system's "no space left on device") and whose words do not say what to
// do: the origin's token, user and events commands said only "database or
// disk is full". It names the command's data dir (--data, else the
// configured one) when it has that flag. It is "" for anything else, for
// the cache's and ingest's full disk, which say it themselves, and for
// standard output or error that could not be written (play --json >
// /dev/full: "write the events: write /dev/stdout: ..."), whose disk, if
// any, is where the user sent them, not segue's.
func (a *app) diskFullAdvice(cmd *cobra.Command, err error) string {
	if !sqlite.DiskFull(err) || errors.Is(err, cache.ErrDiskFull) || strings.Contains(err.Error(), "free space") {
		return ""
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) && (pe.Path == "/dev/stdout" || pe.Path == "/dev/stderr") {
		return ""
	}
	where := "its disk"
	if f := cmd.Flags().Lookup("data"); f != nil {
		dir := a.cfg.OriginSv.DataDir
		if f.Changed {
			dir = f.Value.String()
		}
		if dir != "" {
			where = "the disk of " + dir
		}
	}
	return fmt.Sprintf(" (the disk is full: free space on %s and run the command again)", where)
}

// currentUser names the user segue runs as, for a sentence: "user NAME".
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return "user " + u.Username
	}
	return "this user"
}

// tokenRefused says why the origin refused the request and what to do:
// with no token set, that it wants one and where one comes from; with one,
// that it is wrong or revoked.
func (a *app) tokenRefused() string {
	said := originclient.TokenRefused(a.cfg.Token != "")
	if a.cfg.Token == "" && a.cfg.LeftOut != "" {
		said += " (the token set beside the origin " + a.cfg.LeftOut + " is that origin's, and is not sent to another)"
	}
	return said
}

// pinMismatch says that the origin's certificate is not the pinned one,
// naming where the pin was set (it said --pin-sha256 of a pin in
// config.toml) and the fingerprint presented now, to pin once the origin's
// host confirms it is the origin's new certificate.
func (a *app) pinMismatch(cmd *cobra.Command, err error) string {
	from := "the share link's #sha256=" // no pin configured: the link's own
	if a.cfg.PinSHA256 != "" {
		from = a.settingFrom(cmd, "pin-sha256", "SEGUE_PIN_SHA256", "pin_sha256")
	}
	said := "the origin's certificate does not match the pin (" + from + ")"
	var pe *originclient.PinMismatchError
	if !errors.As(err, &pe) {
		return said + ": has the origin a new certificate, or is something in between?"
	}
	return said + ": it presents " + pe.Presented + " now; if its host says the origin made a new certificate (segue origin serve prints its fingerprint as it starts), pin that one, or else something in between answers for it"
}

// jsonErrorFlag gives cmd, which prints nothing on stdout when it succeeds
// (a removal), the --json its siblings have: its error is then
// {"error": ...} on stdout as theirs is.
func jsonErrorFlag(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().Bool("json", false, `print an error as JSON, {"error": "..."} (success prints nothing on stdout)`)
	return cmd
}

// takesJSON says whether cmd has --json or, being a group, one of its
// commands has (the group then fails for the command line a script meant
// for one of them: an unknown command).
func takesJSON(cmd *cobra.Command) bool {
	return cmd.Flags().Lookup("json") != nil || slices.ContainsFunc(cmd.Commands(), takesJSON)
}

// wantsJSON reads --json from the command line itself, since a flag error
// can stop parsing before --json is reached.
func wantsJSON(args []string) bool {
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	return slices.Contains(args, "--json") || slices.Contains(args, "--json=true")
}

// plainError is an error that is said as the one sentence Plain returns,
// whatever it wraps (storeError: a PostgreSQL catalog or S3 store not reached).
type plainError interface {
	error
	Plain() string
}

// ownWords is an error said as its text, a sentence written whole for a
// person (sentence, and the interface's status line, which would cut a
// long one to its first step, say it as it is).
type ownWords string

func (e ownWords) Error() string { return string(e) }

// Plain is the error's one sentence (see plainError).
func (e ownWords) Plain() string { return string(e) }

// notFound are the errors of exit status 3 (ExitNotFound); the hosting
// commands add the catalog's own (origin.ErrNotFound, in origin.go).
var notFound = []error{originclient.ErrNotFound, share.ErrBadURL, ctl.ErrNotFound}

// sentence returns err as one line a person reads: the command's own words,
// then, in place of the origin client's details (request URLs, status
// lines, Go network errors), a plain clause saying what happened. Errors
// that carry no such details are returned as they are, and so is a bad
// argument (exit 2): nothing was asked of the origin, even where its words
// quote a URL the user gave.
func sentence(err error) string {
	// Several failures at once (a run's error and a cleanup's, errors.Join,
	// which puts each on a line of its own) are one line too: each said as
	// a sentence, joined by "; ".
	if errs := joined(err); errs != nil {
		var parts []string
		for _, e := range errs {
			if s := sentence(e); !slices.Contains(parts, s) {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return strings.ReplaceAll(sentenceOf(err), "\n", "; ")
}

// joined returns the failures err joins (errors.Join, which puts each on
// a line of its own), or nil when it is not a join of several.
func joined(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok && len(u.Unwrap()) > 1 && strings.Contains(err.Error(), "\n") {
		return u.Unwrap()
	}
	return nil
}

// sentenceOf is sentence for an error that is not a join of several.
func sentenceOf(err error) string {
	var (
		ee *exitError
		pe plainError
	)
	switch {
	case errors.As(err, new(*usageError)) || errors.As(err, &ee) && ee.code == ExitUsage:
		return err.Error()
	case errors.As(err, &pe):
		return pe.Plain()
	}
	var own strings.Builder
	link := false
	for e := err; e != nil; {
		if _, ok := e.(*linkedOrigin); ok {
			link = true
		}
		if re, ok := e.(*ctl.RemoteError); ok {
			// the running instance already made its failure one sentence
			// (its share URL is the user's, not a request's)
			return own.String() + re.Msg
		}
		if nf, ok := e.(*originclient.NotFoundError); ok {
			// "<kind> <ID> not found on <source>", whichever source
			return own.String() + nf.Sentence()
		}
		if clause, ok := originClause(e, link); ok {
			return own.String() + clause
		}
		// several failures under one wrapper (a segment's, one a source):
		// each said as a sentence, as sentence does for a join on top
		if joined(e) != nil {
			return own.String() + sentence(e)
		}
		next := unwrapOne(e)
		if next == nil {
			break
		}
		part, ok := strings.CutSuffix(e.Error(), next.Error())
		if !ok { // the wrapper writes after its cause: keep its words whole
			return own.String() + e.Error()
		}
		own.WriteString(part)
		e = next
	}
	return err.Error()
}

// unwrapOne follows a chain through errors.Join and multi-%w wrappers only
// where there is a single cause.
func unwrapOne(err error) error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := u.Unwrap(); len(errs) == 1 {
			return errs[0]
		}
		return nil
	}
	return errors.Unwrap(err)
}

// originClause says in plain words what went wrong when err is where the
// origin client's details start: its failed request (a RequestError, whose
// text names the URL asked), a status answer or a network error. link says the origin was one a link or
// URL the user gave named, so the advice is to check that, not --origin.
func originClause(err error, link bool) (string, bool) {
	var (
		se *originclient.StatusError
		ue *url.Error
		oe *net.OpError
		sa *originclient.SubsonicCertError
	)
	// A Unix socket is the control socket of a running segue (segue ctl,
	// play --enqueue), never the origin: its failure keeps its own words.
	if errors.As(err, &oe) && strings.HasPrefix(oe.Net, "unix") {
		return "", false
	}
	// The origin's failures are known by their type (originDetail), not
	// by a URL in the text: a command's own words quote a share link or
	// path the user gave ("the music folder http://h/p/… does not exist"),
	// and were said as "asking the origin failed: …".
	if !originDetail(err) {
		return "", false
	}
	var (
		cut  *originclient.CutShortError
		page *originclient.WebPageError
	)
	switch {
	case errors.As(err, &cut):
		return strings.Replace(cut.Sentence(), originclient.LookBeforeAgain, lookAgain, 1), true
	case errors.As(err, &page):
		return page.Sentence(), true
	case errors.Is(err, originclient.ErrOffline) && misaddressed(err):
		// the URL is wrong, not the origin away: "not available offline:
		// no copy is stored here" went before the reason
		return unreachable(err, link), true
	case errors.Is(err, originclient.ErrOffline) && errors.As(err, &se) && se.RetryAfter() > 0:
		// it runs and said when to ask again: not "is it running?"
		return originclient.ErrOffline.Error() + ": no copy is stored here, and " + se.Sentence(), true
	case errors.Is(err, originclient.ErrOffline):
		return originclient.ErrOffline.Error() + ": no copy is stored here, and " + unreachable(err, link), true
	case errors.Is(err, originclient.ErrNotAPI):
		return originclient.ErrNotAPI.Error() + " (check " + checkWhat(link) + ")", true
	case errors.Is(err, originclient.ErrBadAnswer):
		return originclient.ErrBadAnswer.Error(), true
	case errors.As(err, &se) && plainToTLS(se, true):
		return "the proxy in front of the origin passes requests in plain http to an origin that serves https: " +
			"its host serves the origin in plain http behind the proxy (TLS ends at the proxy, docs/tls.md), or has the proxy speak https to it", true
	case errors.As(err, &se) && plainToTLS(se, false):
		return "the origin speaks https: " + beginWith("https", link), true
	case errors.As(err, &se):
		return se.Sentence(), true
	case errors.Is(err, originclient.ErrUnknownAuthority):
		return originclient.ErrUnknownAuthority.Error(), true
	case errors.As(err, &sa): // not segue origin serve's advice
		return sa.Error(), true
	case errors.Is(err, originclient.ErrPinMismatch):
		return originclient.ErrPinMismatch.Error(), true
	case originclient.Untrusted(err):
		if why := originclient.Refusal(err); why != "" {
			return why, true
		}
		var ve *tls.CertificateVerificationError
		errors.As(err, &ve)
		return "the origin's certificate is refused: " + ve.Err.Error(), true
	case errors.As(err, &ue), errors.As(err, &oe):
		return unreachable(err, link), true
	case errors.As(err, new(*json.SyntaxError)), errors.As(err, new(*json.UnmarshalTypeError)):
		return "the origin's answer is not segue's API (check " + checkWhat(link) + ")", true
	}
	root := err
	for next := unwrapOne(root); next != nil; next = unwrapOne(root) {
		root = next
	}
	return "asking " + sourceName(err) + " failed: " + root.Error(), true
}

// sourceName names the source err came from: the Subsonic server for its
// client's failures (subsonic.ErrServer), else the origin. A Subsonic
// server that reset the connection was said as "the origin is
// unreachable (is it running? ...)".
func sourceName(err error) string {
	if errors.Is(err, subsonic.ErrServer) {
		return subsonicName
	}
	return "the origin"
}

// originDetail says whether err is the origin client's failed request
// (RequestError), answer or network error, or wraps one beside another (a
// segment's "fetch chunk H: %w: %w" of catalog.ErrUnreachable and the
// *url.Error): the walk down a chain stops at such a wrapper, and play
// --json's and ctl watch's error events carried its Go words whole
// (Get "http://HOST/chunks/...": dial tcp ...: connection refused).
func originDetail(err error) bool {
	switch e := err.(type) {
	case *originclient.RequestError, *originclient.StatusError, *originclient.CutShortError, *originclient.WebPageError, *url.Error, *net.OpError:
		return true
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(e.Unwrap(), originDetail)
	}
	return false
}

// unreachable says which origin (or Subsonic server) could not be
// reached, why, and what to do, from a network error under err: nothing
// listening (connection refused), a host name that does not resolve, no
// answer in time, a plain http server asked for https or an https one in
// plain http, an answer that is not HTTP, or redirects without end.
func unreachable(err error, link bool) string {
	name := sourceName(err)
	where := name
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			where += " at " + u.Host
		}
	}
	var (
		dns  *net.DNSError
		ne   net.Error
		loop *originclient.RedirectLoopError
	)
	switch {
	case errors.Is(err, http.ErrSchemeMismatch):
		return where + " answered in plain http, not https: " + beginWith("http", link)
	case errors.As(err, &loop):
		return fmt.Sprintf("%s at %s redirected %d times without an answer (a redirect loop): check %s, or the proxy in front of it", name, loop.Host, loop.N, checkWhat(link))
	case originclient.SpeaksTLS(err):
		return where + " speaks https, not plain http: " + beginWith("https", link)
	case originclient.NotHTTP(err):
		return where + " answered with something that is not HTTP (another program's port, or a broken proxy between?): check " + checkWhat(link)
	case errors.As(err, &dns):
		return where + " is unreachable: the host name " + dns.Name + " is not found (check " + checkWhat(link) + ")"
	case errors.Is(err, syscall.ECONNREFUSED) && link:
		return where + " is unreachable: nothing listens there (connection refused); check the link, or whether that origin is running"
	case errors.Is(err, syscall.ECONNREFUSED) && errors.Is(err, subsonic.ErrServer):
		return where + " is unreachable: nothing listens there (connection refused); start it or check --origin"
	case errors.Is(err, syscall.ECONNREFUSED):
		return where + " is unreachable: nothing listens there (connection refused); start it (segue origin serve) or check --origin"
	case errors.As(err, &ne) && ne.Timeout() && errors.Is(err, originclient.ErrChangeUnanswered):
		return where + " did not answer in time (check the network and " + checkWhat(link) + "); " + strings.Replace(originclient.ErrChangeUnanswered.Error(), originclient.LookBeforeAgain, lookAgain, 1)
	case errors.As(err, &ne) && ne.Timeout():
		return where + " did not answer in time (check the network and " + checkWhat(link) + ")"
	}
	return where + " is unreachable (is it running? check " + checkWhat(link) + ")"
}

// lookAgain is where a playlist change that may have been made says to
// look, in place of the origin client's originclient.LookBeforeAgain: it
// said "look" and named no command (README promised playlist show).
const lookAgain = "look (segue playlist show ID, or segue playlist list for one being made) before making it again"

// misaddressed reports whether err says the origin's URL is wrong (https
// to a plain http origin or the reverse, another program's port, a
// redirect loop) rather than that the origin is away.
func misaddressed(err error) bool {
	var loop *originclient.RedirectLoopError
	return errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &loop) || originclient.SpeaksTLS(err) || originclient.NotHTTP(err)
}

// checkWhat names what names the origin: the link or URL the user gave,
// or the configured origin.
func checkWhat(link bool) string {
	if link {
		return "the link"
	}
	return "--origin"
}

// beginWith says to begin the origin's URL with scheme.
func beginWith(scheme string, link bool) string {
	if link {
		return "begin the link with " + scheme + ": instead"
	}
	return "begin the origin URL (--origin) with " + scheme + ": instead"
}

// linkedOrigin marks a failure of an origin that a share link or an API URL
// the user gave named, other than the configured one: sentence then says
// to check the link, since --origin has nothing to do with it.
type linkedOrigin struct{ err error }

func (e *linkedOrigin) Error() string { return e.err.Error() }
func (e *linkedOrigin) Unwrap() error { return e.err }

// unknownCommand is the usage error of a group given a word that is none
// of its commands, with the ones it most likely meant: "segue plya" asks
// whether play was meant.
func unknownCommand(group *cobra.Command, word string) error {
	return &usageError{fmt.Errorf("unknown command %q for %q (%ssee %[2]s --help)", word, group.CommandPath(), didYouMean(commandsLike(group, word)))}
}

// commandsLike returns the names of group's commands that word most likely
// meant (spelling.Nearest), a command's aliases standing for it.
func commandsLike(group *cobra.Command, word string) []string {
	var names []string
	of := map[string]string{} // a name or alias: the command's name
	for _, c := range group.Commands() {
		if !c.IsAvailableCommand() && c.Name() != "help" {
			continue
		}
		for _, n := range append([]string{c.Name()}, c.Aliases...) {
			names, of[n] = append(names, n), c.Name()
		}
	}
	var out []string
	for _, n := range spelling.Nearest(word, names) {
		if !slices.Contains(out, of[n]) {
			out = append(out, of[n])
		}
	}
	if len(out) == 0 && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, word) }) {
		out = nestedCommands(group, word)
	}
	return out
}

// nestedCommands returns, as "GROUP NAME", the commands one level further
// down named word (or with it as an alias): a command's words given in
// the wrong order or without their group, "segue ingest ~/Music" or
// "segue serve", meant origin ingest and origin serve (or peer serve),
// and said only "unknown command".
func nestedCommands(group *cobra.Command, word string) []string {
	var out []string
	for _, g := range group.Commands() {
		if !g.IsAvailableCommand() {
			continue
		}
		of := map[string]string{} // a name or alias: the command's name
		for _, c := range g.Commands() {
			if c.IsAvailableCommand() {
				for _, n := range append([]string{c.Name()}, c.Aliases...) {
					of[strings.ToLower(n)] = c.Name()
				}
			}
		}
		if !g.HasSubCommands() && !group.HasParent() {
			for _, n := range hostingCommands[g.Name()] { // a client build's: g has none
				of[n] = n
			}
		}
		if name, ok := of[strings.ToLower(word)]; ok {
			out = append(out, g.Name()+" "+name)
		}
	}
	return out[:min(len(out), spelling.MaxSuggestions)]
}

// didYouMean is the start of the parenthesis after an unknown word that
// names what it most likely meant ("did you mean play or playlist? "), or
// "" when nothing is near.
func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "did you mean " + listed(names, "or") + "? "
}

// listed joins words as a sentence does, conj before the last: "a",
// "a or b", "a, b or c".
func listed(words []string, conj string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// flagError is the usage error of a command whose flags do not parse: an
// unknown flag or one without its value points to the command's --help. A
// group's flags are parsed only when the word after it is none of its
// commands, and that word is the error to report: "segue serch x --json"
// and "segue ctl stauts --json" said "unknown flag: --json", as if --json
// were the mistake.
func flagError(cmd *cobra.Command, err error) error {
	if words := cmd.Flags().Args(); cmd.HasSubCommands() && len(words) > 0 {
		return unknownCommand(cmd, words[0])
	}
	// a group alone with a flag of its commands' ("segue cache --json")
	// lacks the command, as "segue ctl --json" does, not the flag; not
	// segue itself, whose words after a flag it does not know are taken
	// as that flag's value ("segue --json completion bash" named a command)
	if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok && cmd.HasSubCommands() && cmd.HasParent() &&
		slices.ContainsFunc(cmd.Commands(), func(c *cobra.Command) bool { return c.Flags().Lookup(name) != nil }) {
		return needsCommand(cmd)
	}
	// a negative number is no flag but pflag takes it for shorthand
	// ones ("unknown shorthand flag: '1' in -1", for ctl queue remove -1)
	if tok, ok := negativeNumber(err); ok {
		if listed := cmd.Annotations[positionsAnnotation]; listed != "" {
			return &usageError{fmt.Errorf("position %q: want a whole number from 1 (the first track; see %s)", tok, listed)}
		}
		return &usageError{fmt.Errorf("%s is no flag of %s: to give it as an argument, put -- before it (%[2]s -- %[1]s)", tok, cmd.CommandPath())}
	}
	// pflag's own words name the flag but not the one meant, nor where
	// the right ones are listed; a flag's value error says what it wants
	// already
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "flag needs an argument", "bad flag syntax"} {
		if strings.HasPrefix(err.Error(), p) {
			return &usageError{fmt.Errorf("%w (%ssee %s --help)", err, didYouMean(flagsLike(cmd, err)), cmd.CommandPath())}
		}
	}
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) { // Go's parser's words ("strconv.ParseBool: parsing ...") say nothing to a user
		if want := flagWants[bad.GetFlag().Value.Type()]; want != "" {
			return &usageError{fmt.Errorf("invalid argument %q for \"--%s\" flag: %s", bad.GetValue(), bad.GetFlag().Name, want)}
		}
	}
	return &usageError{err}
}

// helpTopic is the Args of cobra's help command: a topic is a command
// ("segue help origin ingest"); for any other words it is the usage error
// naming the topics they most likely meant ("segue help origin ingets":
// origin ingest), where cobra printed segue's help and exited 0.
func helpTopic(cmd *cobra.Command, args []string) error {
	target, rest, err := cmd.Root().Find(args)
	if len(args) == 0 || err == nil && target != cmd.Root() && len(rest) == 0 {
		return nil
	}
	if err != nil || len(rest) == 0 { // Find found no command at all
		target, rest = cmd.Root(), args
	}
	topic := strings.TrimPrefix(target.CommandPath()+" ", cmd.Root().Name()+" ")
	like := commandsLike(target, rest[0])
	for i, name := range like {
		like[i] = topic + name
	}
	return &usageError{fmt.Errorf("no help topic %q (%ssee %s --help)", strings.Join(args, " "), didYouMean(like), target.CommandPath())}
}

// flagsLike returns, as --NAME, the flags of cmd that the unknown flag of
// err most likely meant: pflag's "unknown flag: --shufle", or "unknown
// shorthand flag: 's' in -shuffle" for a long name given with one dash.
func flagsLike(cmd *cobra.Command, err error) []string {
	msg := err.Error()
	word, long := strings.CutPrefix(msg, "unknown flag: --")
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: "); ok {
		word = strings.TrimPrefix(rest[strings.LastIndex(rest, " in ")+len(" in "):], "-")
	}
	if !long && len([]rune(word)) < 2 { // -x: a shorthand it is
		return nil
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	like := spelling.Nearest(word, names)
	if !long && slices.Contains(names, word) {
		like = []string{word}
	}
	for i, n := range like {
		like[i] = "--" + n
	}
	return like
}

// positionsAnnotation marks a command whose arguments include positions
// counting from 1 (playlist remove ID N, playlist move ID FROM TO): its
// value is the command that lists them, for the sentence of a negative one.
const positionsAnnotation = "segue/positions"

// negativeNumber returns the argument of err, pflag's error for an
// argument it took for shorthand flags, when that is a negative whole
// number (-1, -12).
func negativeNumber(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "unknown shorthand flag: ")
	if !ok {
		return "", false
	}
	tok := rest[strings.LastIndex(rest, " in ")+len(" in "):]
	if digits, ok := strings.CutPrefix(tok, "-"); ok && digits != "" && strings.Trim(digits, "0123456789") == "" {
		return tok, true
	}
	return "", false
}

// flagWants says what a flag of a pflag type wants, for the types whose
// parse error is Go's; segue's own flag types say it themselves.
var flagWants = map[string]string{
	"bool":     "want true or false (the flag alone means true)",
	"duration": "want a length of time such as 2s, 500ms or 1m30s",
}

// needsCommand is the usage error of a group run without one of its
// commands: a script's empty $verb ("segue ctl $verb") was exit 0 with the
// group's help on stdout, as if the command had been done.
func needsCommand(group *cobra.Command) error {
	return &usageError{fmt.Errorf("%s needs a command (%[1]s --help lists them)", group.CommandPath())}
}

// strict makes every command of the tree take what it cannot use as a usage
// error (exit 2): a wrong number of arguments, an unknown subcommand of a
// command group, with --help too ("segue origin blobz --help" printed the
// group's help and exited 0), or a group given no command at all (its help
// is --help's). It also wires completion.
func (a *app) strict(c *cobra.Command) {
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = nil
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return needsCommand(cmd)
		}
	}
	if c.HasSubCommands() {
		// cobra answers --help before it looks at the words after the
		// group: the first one that is none of its commands is the error
		// (after its flags were parsed; "segue help GROUP" parses none)
		help := c.HelpFunc()
		c.SetHelpFunc(func(cmd *cobra.Command, args []string) {
			if words := cmd.Flags().Args(); cmd.HasSubCommands() && len(words) > 0 {
				a.helpErr = unknownCommand(cmd, words[0])
				return
			}
			help(cmd, args)
		})
	}
	if c.Name() == "help" && c.HasParent() { // cobra's help command prints an unknown topic and exits 0
		c.Args = helpTopic
	} else if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			switch {
			case err != nil && len(args) > 0 && cmd.HasSubCommands():
				// a group that prints its help when run alone (origin, token)
				return unknownCommand(cmd, args[0])
			case err != nil && len(args) > 0 && strings.HasPrefix(err.Error(), "unknown command"):
				// cobra.NoArgs calls a leaf's argument a command
				return &usageError{fmt.Errorf("%s takes no arguments, but was given %q (usage: %s)", strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "), args[0], cmd.UseLine())}
			case err != nil && cmd.HasParent():
				return &usageError{fmt.Errorf("%s: %w (usage: %s)", strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "), argsWords(cmd, args, err), cmd.UseLine())}
			case err != nil:
				return &usageError{fmt.Errorf("%w (see %s --help)", err, cmd.Name())}
			}
			return nil
		}
	}
	a.complete(c)
	for _, sub := range c.Commands() {
		a.strict(sub)
	}
}
