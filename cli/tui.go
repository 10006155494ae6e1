package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/cache"
	"segue/catalog"
	"segue/ctl"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/player"
	"segue/ui"
	"segue/ui/action"
	"segue/ui/styles"
)

// processStart is when the program's packages were initialized: start-up
// time is measured from here to the first frame on the terminal.
var processStart = time.Now()

// Bare `segue` opens the interface.
func init() {
	rootRun = func(a *app, cmd *cobra.Command) error {
		opts := tuiOptions{Output: a.cfg.Player.Output, Quality: a.cfg.Player.Quality, Control: true}
		ctx := context.Background()
		if cmd != nil {
			if f := cmd.Flags().Lookup("instance"); f != nil {
				opts.Instance = f.Value.String()
			}
			if err := ctl.CheckInstance(opts.Instance); err != nil {
				return &usageError{fmt.Errorf("--instance: %w", err)}
			}
			if cmd.Context() != nil {
				ctx = cmd.Context()
			}
			if f := cmd.Flags().Lookup("output"); f != nil && f.Changed {
				opts.Output = f.Value.String()
			}
			if f := cmd.Flags().Lookup("quality"); f != nil && f.Changed {
				opts.Quality, opts.QualityFlag = f.Value.String(), true
			}
		}
		return a.runTUI(ctx, opts)
	}
}

// addTUIFlags defines the root command's own flags (the interface's); the
// root command calls it on root.Flags().
func addTUIFlags(fs *pflag.FlagSet) {
	choiceFlag(fs, new(string), "output", "", outputChoices, outputUsage)
	choiceFlag(fs, new(string), "quality", "", qualityChoices, "rendition `QUALITY`: auto, low, normal or high (default auto)")
	fs.String("instance", "", "serve the control socket as the instance `NAME` (segue ctl --instance NAME); for a second segue with its own state dir")
}

// tuiOptions are the interface's settings after flags and config.
type tuiOptions struct {
	// Output names the audio output as --output spells it.
	Output string
	// Quality is the rendition preference; the one saved with the queue
	// (the interface's last) wins over config's, QualityFlag's (--quality
	// given) over both.
	Quality     string
	QualityFlag bool
	// Control serves the control socket of Instance (see segue ctl); a
	// running instance there ends this one with ctl.ErrRunning.
	Control  bool
	Instance string
	// Term is where the interface draws; zero values use the process's
	// terminal (tests draw into a buffer).
	Term ui.RunOptions
}

// runTUI wires cache -> resolver (origin clients) -> fetch chain -> player
// under the interface (with playlists, `o`'s opener and offline pinning),
// runs it until the user quits (q, SIGTERM, SIGHUP), saving the queue,
// position, volume and modes as they change, and closes everything in
// reverse order. An unwritable state dir or log file is said once on the
// status line; nothing is logged over the interface.
func (a *app) runTUI(ctx context.Context, opts tuiOptions) (err error) {
	a.tui = true
	var warnings []string // said once, on the status line
	saveState := true
	if werr := a.stateProblem(); werr != nil {
		saveState = false
		warnings = append(warnings, a.stateCause(werr)+": the queue, volume, pins and log will not be saved")
	}
	log := a.logger()
	if a.logErr != nil { // nothing may write over the interface
		a.log = slog.New(slog.DiscardHandler)
		log = a.log
		if saveState { // else said above
			warnings = append(warnings, a.logErr.Error())
		}
	}
	popts, err := a.playerOptions(opts.Quality)
	if err != nil {
		return err
	}
	var srv *ctl.Server
	if opts.Control {
		srv, err = listenControl(opts.Instance)
		switch {
		case errors.Is(err, ctl.ErrRunning): // one player per instance
			// without XDG_RUNTIME_DIR every segue of the user shares one
			// socket; it said only to drive the running one
			return fmt.Errorf("%w; to run a second segue, start it with --instance NAME and its own state_dir (or XDG_STATE_HOME)", err)
		case err != nil:
			log.Warn("no control socket: segue ctl cannot reach this instance", "err", err)
		default:
			defer func() { err = errors.Join(err, srv.Close()) }()
		}
	}
	// After the control socket: one already running is the better answer.
	if opts.Term.Output == nil && !a.interactive() {
		return &usageError{errors.New("the interface needs a terminal: run segue in one; from scripts use segue search, segue play and segue ctl")}
	}
	// A disk that fills up while the interface runs is said on its status
	// line; one found full at start is among the start-up warnings.
	const diskFull = "the cache is full (no room on its disk): playing from the network; free space with segue cache clear or gc"
	warn := make(chan string, 1)
	var running atomic.Bool
	a.onDiskFull = func() {
		if running.Load() {
			select {
			case warn <- diskFull:
			default:
			}
		}
	}
	// So is a damaged cache file that a read taken for a miss met (see
	// damageMet); one met before the interface runs is said as it starts.
	a.onDamaged = func(de *cache.DamagedError) {
		if running.Load() && !a.damageSaid.Swap(true) {
			log.Warn(de.Plain())
			select {
			case warn <- de.Plain():
			default:
			}
		}
	}
	a.onBadEntry = func(be *cache.BadEntryError) {
		log.Warn(be.Plain())
		select {
		case warn <- be.Plain():
		default:
		}
	}
	limitClientMemory()
	c, err := a.openCache(ctx, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	switch {
	case a.cacheWarn != "":
		warnings = append(warnings, a.cacheWarn)
	case c.MovedAside() != "": // said only in the log: pinned albums were gone without a word
		warnings = append(warnings, c.MovedAside())
	case c.DiskFull():
		warnings = append(warnings, diskFull)
	}
	r, err := newResolver(a, c, opts.Quality)
	if err != nil {
		return withExit(ExitUsage, err)
	}
	defer r.close()
	tiers, manifests, node, err := a.withPeers(c, r, log, nil) // on stderr it would garble the screen; the log has it
	if err != nil {
		return err
	}
	if node != nil {
		defer func() { err = errors.Join(err, node.Close()) }()
	}
	f := fetch.New(c, tiers, fetch.Options{Logger: log})
	var notice string
	out, err := player.ParseOutput(opts.Output, player.OutputOptions{Log: a.alsaLog()})
	silent := errors.Is(err, player.ErrNoDevice)
	if silent {
		// The interface stays useful without a sound card: it plays to
		// null (real-time, silent) and says why.
		log.Warn("no audio device; playing silently", "err", err)
		notice = "no sound device, playing silently: choose one with --output or in config.toml"
		out, err = player.ParseOutput("null", player.OutputOptions{})
	}
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeOutput(out, true)) }() // leaving the interface stops the sound
	limitProcs(out)
	popts.Segments, popts.Manifests, popts.Output = f, manifests, out
	popts.Cached = c
	var subMans *subsonicManifests
	if r.sub != nil {
		subMans = subsonicPlayer(r.sub, f, &popts)
	}
	defer a.saveEstimate(popts)
	p := player.New(popts)
	if subMans != nil {
		subMans.quality = p.Quality
	}
	if err := p.Open(); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, p.Close()) }()
	var restored []catalog.Track
	if st, lerr := player.LoadState(a.cfg.StateDir); lerr != nil {
		notice = lerr.Error()
	} else {
		if opts.QualityFlag {
			st.Quality = ""
		}
		p.Restore(st)
		restored = st.Tracks
	}
	stateChanged, stateObserve := func() {}, func(player.Event) {}
	if saveState {
		// Written as it changes (every command and player event says so),
		// so SIGKILL or a closed terminal loses at most the last
		// DefaultSaveInterval, or PositionSaveInterval of play head.
		saver := player.NewStateSaver(a.cfg.StateDir, p.Snapshot, 0, func(err error) { log.Warn("save player state", "err", err) })
		defer func() { err = errors.Join(err, saver.Close()) }()
		stateChanged, stateObserve = saver.Changed, saver.Observe
	}
	if notice != "" {
		warnings = append(warnings, notice)
	}
	notice = strings.Join(warnings, "; ")
	// A closed terminal (SIGHUP), SIGTERM and SIGINT end the interface like
	// q does. They are caught here, before the first frame, and ui.Run turns
	// Bubble Tea's own handler off: it starts in a goroutine of Run, so a
	// SIGTERM before that killed segue unsaved (exit 143), and with two
	// handlers Run could wait forever on its handler's QuitMsg.
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer stopSignals()

	ro := opts.Term
	ro.FirstFrame = func() {
		log.Info("tui first frame", "since_start_ms", float64(time.Since(processStart).Microseconds())/1000)
	}
	if styles.NoColor() {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	// a download still running when the interface ends is cancelled and
	// waited for before the cache closes
	uctx, cancel := context.WithCancel(ctx)
	pins := &tuiPins{a: a, c: c, quality: offlineQuality(opts.Quality)}
	defer func() { cancel(); pins.close() }()
	pins.follow(uctx, log)
	if r.def != nil {
		var probe sync.WaitGroup
		probe.Add(1)
		go func() { defer probe.Done(); sayOriginDown(uctx, r.def.BaseURL(), warn) }()
		defer func() { cancel(); probe.Wait() }()
	}
	watch, stopScrobble := a.scrobbler(r.poster())
	defer stopScrobble()
	watch = observeAll(watch, newSteadyPages().observe)
	if r.sub != nil {
		np, stopNP := nowPlaying(r.sub, func(err error) { log.Warn("now playing", "err", err) })
		defer stopNP()
		watch = observeAll(watch, np)
	}
	media := a.openMPRIS(p, r, opts.Instance)
	if media != nil {
		defer func() { err = errors.Join(err, media.Close()) }()
	}
	if srv != nil {
		// served before the events are watched, so that srv.Observe sees
		// each with the player set (it is safe before Serve too, but tells
		// no watcher what it sees then)
		a.serveControl(srv, p, r, (&radioFeeder{c: r.src, p: p}).start)
	}
	control := watched(uctx, changing{ui.Control(p), stateChanged}, func(ev player.Event) {
		stateObserve(ev)
		watch(ev)
		if node != nil {
			node.observe(ev)
		}
		if srv != nil {
			srv.Observe(told(ev))
		}
		if media != nil {
			media.Observe(ev)
		}
	})
	// the restored queue's tracks removed from the catalog since are marked
	// gone now, not when playback reaches them; asked once the events are
	// watched, so that the marks' ChangedEvents reach the interface and
	// segue ctl watch
	checked := checkRestoredInBackground(uctx, p, r, restored, log)
	defer func() { cancel(); checked() }()
	running.Store(true)
	if de := c.Damage(); de != nil {
		a.onDamaged(de)
	}
	return ui.Run(uctx, ui.Options{
		Catalog: r.src, Player: control, Theme: a.cfg.Theme,
		Playlists: r.src, Opener: r, Pinner: pins, Radio: tuiRadio{r.src}, Autoplay: a.cfg.Player.Autoplay,
		Notice: notice, NoticeIsError: notice != "", Warnings: warn, Log: log, Silent: silent,
		SourceName: p.SourceName(),
	}, ro)
}

var (
	_ player.SegmentSource = (*fetch.Fetcher)(nil)
	_ player.Progress      = (*fetch.Fetcher)(nil)
	_ fetch.ProgressRemote = (*originclient.Client)(nil)
	_ ui.Catalog           = (*originclient.Client)(nil)
)

// changing is the interface's Player telling changed after every command.
type changing struct {
	ui.Player
	changed func()
}

// Do carries out a and says the state may have changed.
func (c changing) Do(ctx context.Context, a action.Action) (player.Status, error) {
	st, err := c.Player.Do(ctx, a)
	c.changed()
	return st, err
}

// watchedPlayer is the interface's Player with every event seen by watch
// on its way to the interface.
type watchedPlayer struct {
	ui.Player
	events chan player.Event
}

// watched returns p whose events pass through watch; the goroutine that
// forwards them ends with ctx.
func watched(ctx context.Context, p ui.Player, watch func(player.Event)) ui.Player {
	w := watchedPlayer{Player: p, events: make(chan player.Event)}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-p.Events():
				watch(ev)
				select {
				case w.events <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return w
}

// Events returns the forwarded events.
func (w watchedPlayer) Events() <-chan player.Event { return w.events }

// tuiRadio is the interface's radio on src: a seed src does not know is
// said as segue radio and show say it, an *originclient.NotFoundError
// ("track t0… not found on the origin at HOST"), not the origin's own
// "seed t0… not found" (no kind, no source). Other failures are src's.
type tuiRadio struct{ src source }

// Radio returns up to limit tracks to play after seed (a track, album,
// artist or playlist ID), as src's Radio does.
func (r tuiRadio) Radio(ctx context.Context, seed string, limit int) ([]catalog.Track, error) {
	ts, err := r.src.Radio(ctx, seed, limit)
	return ts, whichNotFound(ctx, r.src, err, seed)
}

// StandIns returns how many stored answers stood in for src so far, for
// the interface to tell an empty radio stored before from src's own.
func (r tuiRadio) StandIns() uint64 { return standInsOf(r.src) }

// sayOriginDown sends warn, once, which origin cannot be reached at base,
// why and what to do, as segue search says it, when nothing answers a
// connection there: the screens said only "offline", naming neither the
// address nor the fix (a typo in --origin, an origin not started). It
// returns when ctx ends or the sentence is taken.
func sayOriginDown(ctx context.Context, base string, warn chan<- string) {
	u, err := url.Parse(base)
	if err != nil {
		return
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	conn, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "tcp", host)
	if err == nil {
		conn.Close()
		return
	}
	if ctx.Err() != nil {
		return
	}
	select {
	case warn <- unreachable(&url.Error{Op: "Get", URL: base, Err: err}, false):
	case <-ctx.Done():
	}
}
