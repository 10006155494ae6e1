package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"segue/cache"
	"segue/config"
	"segue/net/abr"
	"segue/net/originclient"
	"segue/net/stale"
	"segue/player"
)

// withClient runs fn with a client of the configured origin (segue's or
// a Subsonic server) whose documents are kept in the cache (so a segue
// origin's listings work offline), then closes the cache.
func (a *app) withClient(fn func(source) error) error {
	// Ctrl-C ends the opening's wait (see openDiskCache)
	return a.withCache(context.Background(), func(c *cache.Cache) error {
		if raw, ok := a.subsonicURL(); ok {
			sub, err := a.openSubsonic(raw, c, a.cfg.Player.Quality)
			if err != nil {
				return err
			}
			defer sub.Close()
			return a.sayStored(fn(sub), sub)
		}
		client, err := originclient.New(a.cfg.Origin, originclient.Options{Token: a.cfg.Token, Docs: c, TLS: a.tlsFor(a.cfg.Origin, "")})
		if err != nil {
			return withExit(ExitUsage, err)
		}
		defer client.Close()
		return a.sayStored(fn(client), client)
	})
}

// sayStored returns err, having said on stderr, when the command did not
// fail, that what it showed came from copies stored here because c's
// source (the origin at HOST, the Subsonic server at HOST) did not
// answer, and why: with the origin stopped, segue playlist list said "no
// playlists yet: make one ..." and library listed what it had stored,
// exit 0, without a word that the origin was not asked. The exit status
// stays the command's, with --json too.
func (a *app) sayStored(err error, c source) error {
	why := storedWhy(c)
	if err != nil || why == "" {
		return err
	}
	fmt.Fprintf(a.stderr, "segue: %s; this is the copy stored here when it last answered\n", why)
	return nil
}

// storedWhy says why copies stored here answered for c's source ("the
// origin at HOST did not answer within 0.5 s", or why it is unreachable),
// or "" when every answer was its own.
func storedWhy(c source) string {
	cause := c.Unanswered()
	if cause == nil {
		return ""
	}
	if errors.Is(cause, stale.ErrSlow) {
		return c.Source() + " did not answer within 0.5 s"
	}
	return unreachable(cause, false)
}

// isShareURL tells a share URL from a playlist ID: anything with a scheme
// is taken for a URL, so a malformed one gets the URL parser's reason.
func isShareURL(s string) bool { return strings.Contains(s, "://") }

// playerOptions returns the player settings of the configuration with the
// given rendition preference (auto, low, normal or high); the caller fills
// in the sources and the output.
func (a *app) playerOptions(quality string) (player.Options, error) {
	q, err := player.ParseQuality(quality)
	if err != nil {
		return player.Options{}, &usageError{err}
	}
	loud, err := player.ParseLoudnessMode(a.cfg.Player.LoudnessMode)
	if err != nil {
		return player.Options{}, fmt.Errorf("config player.loudness: %w", err)
	}
	boost := a.cfg.Player.MaxBoostDB // 0 to config.MaxBoostLimitDB, checked by config
	if boost == 0 {
		boost = player.NoBoost
	}
	maxQ, err := player.ParseMaxQuality(a.cfg.Player.MaxQuality)
	if err != nil {
		return player.Options{}, fmt.Errorf("config player.max_quality: %w", err)
	}
	if serr := a.stateProblem(); serr != nil && !a.tui && errors.As(serr, new(*usageError)) {
		// A mistyped state_dir is said once, as a mistyped cache path
		// is, unless the log's warning said it.
		if a.logger(); !a.stateSaid {
			a.warnLog(nil).Warn(serr.Error() + ": the throughput estimate and plays are not saved")
		}
	}
	est := abr.NewController(nil)
	if err := est.Load(a.cfg.StateDir); err != nil && a.stateProblem() == nil { // else said once by logger
		a.logger().Warn("starting without the saved throughput estimate", "err", err)
	}
	return player.Options{
		ReadAhead: time.Duration(a.cfg.Player.BufferSeconds * float64(time.Second)),
		Quality:   q, MaxQuality: maxQ, ABR: est,
		Loudness: loud, TargetLUFS: a.cfg.Player.LoudnessTarget, MaxBoostDB: boost,
	}, nil
}

// saveEstimate keeps the throughput estimate for the next run; failing to
// is only worth a warning in the log.
func (a *app) saveEstimate(o player.Options) {
	if a.stateProblem() != nil {
		return // said once
	}
	if err := o.ABR.Save(a.cfg.StateDir); err != nil {
		a.logger().Warn("throughput estimate not saved", "err", err)
	}
}

// isTerminal reports whether w is a terminal (progress bars and live lines
// only go to one; pipes and files get plain lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// interactive reports whether the interface can run here: standard input
// and a.stdout are a terminal.
func (a *app) interactive() bool { return isTerminal(a.stdout) && isTerminal(os.Stdin) }

// stateProblem says why the state dir cannot be written, or nil; it is
// checked once per run, so that everything kept there (queue, offline
// list, throughput estimate, log) is one warning, not one each. A
// state_dir given in config.toml whose folder does not exist is a
// *usageError naming the setting: no folder is made for it.
func (a *app) stateProblem() error {
	if !a.stateChecked {
		a.stateChecked = true
		a.stateErr = a.givenFolder("state_dir", a.cfg.StateDir, config.Default().StateDir)
		if a.stateErr == nil {
			a.stateErr = writableDir(a.cfg.StateDir)
		}
	}
	return a.stateErr
}

// stateCause says why nothing is kept in the state dir (stateProblem's
// err), as a sentence's start.
func (a *app) stateCause(err error) string {
	if errors.As(err, new(*usageError)) {
		return err.Error()
	}
	return fmt.Sprintf("the state dir %s cannot be written (%v)", a.cfg.StateDir, err)
}

// writableDir checks that files can be created in dir (creating dir when
// needed), so that a command can say so before any work whose result it
// could not save.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil { // private, as player.SaveState makes it
		return err
	}
	f, err := os.CreateTemp(dir, ".segue-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}
