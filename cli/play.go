package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/config"
	"segue/ctl"
	"segue/net/fetch"
	"segue/player"
)

func init() { register(playCmd) }

// playFlags are `segue play`'s own flags.
type playFlags struct {
	output, quality, search string
	radio, instance         string
	fast, shuffle, asJSON   bool
	enqueue                 bool
	volume                  int
}

func playCmd(a *app) *cobra.Command {
	var f playFlags
	cmd := &cobra.Command{
		Use:   "play [flags] TARGET...",
		Short: "Play tracks, albums, artists or a shared playlist without the interface",
		Long: `Play resolves each TARGET and plays them in order, gapless, then exits.

A TARGET is a track ID (t...), an album ID (al...), an artist ID (ar...),
a playlist ID (pl...), a URL the origin serves (.../api/v1/tracks/ID,
.../albums/ID, .../artists/ID) or a playlist share URL
(https://HOST/p/TOKEN). With --search "QUERY" the first track segue search
QUERY lists is played as well.

Exit status: 0 when everything played, 2 for bad flags or arguments, 3 when
a target cannot be resolved, 1 when a track could not be played (for example
"not available offline", or removed from the origin's catalog since it was
queued), 130 after Ctrl-C, SIGTERM or SIGHUP, 141 when the reader of its
standard output left (segue play --json | head -1), both also before
anything played. With --json a run that fails ends with an "error" event
saying why.

A track taken out of the origin's catalog while it is queued or playing
(segue origin remove, or its file deleted and ingested again) is skipped at
once, without retries, and said once: a stderr line, or with --json a "gone"
event (track_id, track, message); a queue left with only such tracks ends
saying so (a "gone" event with only a message), also on segue ctl repeat all.`,
		Example: `  segue play al3f2c9a1b0d4e5f67
  segue play --search "blue in green" --output wav:out.wav --fast
  segue play --json --quality low https://music.example/p/TOKEN`,
		Annotations: map[string]string{
			idsAnnotation:        targetIDs + " " + idsRepeat,
			jsonErrorsAnnotation: "event",
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && f.search == "" && f.radio == "" {
				return &usageError{errors.New("play: give at least one TARGET, --search QUERY or --radio SEED")}
			}
			if err := ctl.CheckInstance(f.instance); err != nil {
				return &usageError{fmt.Errorf("--instance: %w", err)}
			}
			f.radio = pastedID(f.radio) // as the targets (pastedIDs)
			if f.radio != "" && !catalog.IsID(f.radio) {
				return fmt.Errorf("--radio: %w", notAnID(f.radio, false))
			}
			outputFrom := "--output"
			if !cmd.Flags().Changed("output") {
				// where SEGUE_OUTPUT or config.toml set it: it said "--output"
				f.output, outputFrom = a.cfg.Player.Output, a.cfg.Player.OutputFrom
			}
			if f.fast && !strings.HasPrefix(f.output, "wav") {
				return &usageError{fmt.Errorf("play: --fast renders a wav output as fast as it can; it cannot apply to --output %s (use --output wav:FILE)", cmp.Or(f.output, "alsa"))}
			}
			if _, file, ok := strings.Cut(f.output, ":"); ok { // wav:FILE, wav16:FILE
				if err := checkOutputFile(outputFrom, file); err != nil {
					return err
				}
				if err := checkOverwrite(outputFrom, file, "a WAV file segue renders", player.IsRender); err != nil {
					return err
				}
			}
			if !cmd.Flags().Changed("quality") {
				f.quality = a.cfg.Player.Quality
			}
			if !cmd.Flags().Changed("volume") {
				f.volume = a.cfg.Player.Volume
			}
			for _, t := range args {
				if err := playWords(t); err != nil {
					return err
				}
			}
			return a.play(cmd.Context(), f, args)
		},
	}
	fs := cmd.Flags()
	choiceFlag(fs, &f.output, "output", "", outputChoices, outputUsage)
	fs.BoolVar(&f.fast, "fast", false, "render a wav output as fast as possible instead of in real time")
	intFlag(fs, &f.volume, "volume", 100, 0, 100, "volume `N`, 0-100")
	choiceFlag(fs, &f.quality, "quality", "", qualityChoices, "rendition `QUALITY`: auto, low, normal or high (default auto)")
	fs.StringVar(&f.search, "search", "", "also play the first track the search `QUERY` finds")
	fs.StringVar(&f.radio, "radio", "", "play a radio after `SEED`, a track, album, artist or playlist ID, without end (fetching more as it goes)")
	fs.BoolVar(&f.shuffle, "shuffle", false, "play the resolved tracks in random order (shuffle mode on: segue ctl shuffle off restores their order)")
	fs.BoolVar(&f.enqueue, "enqueue", false, "add the tracks to the queue of the segue already running (the interface or another play), if any, and exit")
	fs.StringVar(&f.instance, "instance", "", "serve the control socket as the instance `NAME`, or enqueue to it (see segue ctl)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON event per line (started, progress, segment, rendition, buffering, stall, track-changed, gone, finished, error; radio-ended with --radio; enqueued with --enqueue)")
	return cmd
}

// play wires cache -> origin client(s) -> fetch chain -> player -> output,
// plays the resolved tracks and reports events until the queue ends.
func (a *app) play(ctx context.Context, f playFlags, targets []string) (err error) {
	popts, err := a.playerOptions(f.quality)
	if err != nil {
		return err
	}
	// A closed terminal (SIGHUP) ends it as Ctrl-C does: the sound stops,
	// the control socket goes and unsent plays are kept (exit 130).
	ctx, stop := notifyStop(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, stopOut := untilStdoutCloses(ctx, a.stdout)
	defer stopOut()
	defer func() {
		// stopped before it played (resolving its targets, an origin slow
		// to answer): it said "asking the origin failed: context canceled",
		// exit 1, where the README promises 130 or 141
		if err != nil && ctx.Err() != nil && !errors.As(err, new(*exitError)) {
			err = stoppedErr(ctx)
			if f.asJSON && !errors.Is(err, errStdoutClosed) { // as a run stopped while it plays: nothing played
				var none int
				var zero int64
				var mean float64
				jsonEncoder(a.stdout).Encode(playEvent{Event: "finished", Played: &none, Failed: &none, Stalls: &none, StallMS: &zero,
					Switches: &none, MeanKbps: &mean, StartupMS: &zero, Interrupted: true})
			}
		}
	}()

	// segments a damaged cache file hides play from the network: said at
	// once, not as play ends
	a.onDamaged = a.sayDamage
	limitClientMemory()
	c, err := a.openCache(ctx, nil) // a signal ends its wait: play: interrupted, as below
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	r, err := newResolver(a, c, f.quality)
	if err != nil {
		return withExit(ExitUsage, err)
	}
	defer r.close()
	var tracks []catalog.Track
	var empty []emptyShare // shared playlists with no tracks
	if f.radio == "" {
		if tracks, empty, err = r.resolve(ctx, targets, f.search); err != nil {
			return err
		}
	} else if len(targets) > 0 || f.search != "" {
		return &usageError{errors.New("play: --radio SEED plays the radio alone; give no TARGET or --search with it")}
	}
	if len(tracks) == 0 && f.radio == "" {
		return withExit(ExitNotFound, noTracks("play: ", "play", empty))
	}
	srv, err := listenControl(f.instance)
	switch {
	case errors.Is(err, ctl.ErrRunning) && f.enqueue:
		if f.radio != "" { // the radio's first batch; it said "bad control command: queue add: give at least one TARGET"
			since := standInsOf(r.src)
			tracks, err = r.src.Radio(ctx, f.radio, radioBatch)
			if err := radioErr(r.src, since, f.radio, len(tracks), whichNotFound(ctx, r.src, err, f.radio)); err != nil {
				return fmt.Errorf("play --radio: %w", err)
			}
		}
		if f.shuffle { // into another's queue: in random order, its shuffle mode its own
			rand.Shuffle(len(tracks), func(i, j int) { tracks[i], tracks[j] = tracks[j], tracks[i] })
		}
		return a.enqueue(ctx, f, tracks)
	case err != nil: // another instance plays too, or no runtime dir: play on our own, saying so
		// (it was said only in the log, so segue ctl pause paused the other)
		hint := ""
		if errors.Is(err, ctl.ErrRunning) {
			hint = "; give --instance NAME to reach this one as segue ctl --instance NAME, or --enqueue to add to the running queue"
		}
		fmt.Fprintf(a.stderr, "segue: segue ctl cannot reach this play: %s%s\n", sentence(err), hint)
	default:
		defer func() { err = errors.Join(err, srv.Close()) }()
	}

	out, err := player.ParseOutput(f.output, player.OutputOptions{Fast: f.fast, Log: a.alsaLog()})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeOutput(out, ctx.Err() != nil)) }()
	limitProcs(out)
	tiers, manifests, node, err := a.withPeers(c, r, a.logger(), a.sayOnStderr)
	if err != nil {
		return err
	}
	watch, stopScrobble := a.scrobbler(r.poster())
	defer stopScrobble()
	watch = observeAll(watch, newSteadyPages().observe)
	if node != nil {
		defer func() { err = errors.Join(err, node.Close()) }()
		watch = observeAll(watch, node.observe)
	}
	popts.Segments, popts.Manifests, popts.Output = fetch.New(c, tiers, fetch.Options{Logger: a.logger()}), manifests, out
	popts.Cached = c
	if r.sub != nil {
		subsonicPlayer(r.sub, popts.Segments, &popts)
		np, stopNP := nowPlaying(r.sub, func(err error) { a.logger().Warn("now playing", "err", err) })
		defer stopNP()
		watch = observeAll(watch, np)
	}
	defer a.saveEstimate(popts)
	p := player.New(popts)
	if err := p.Open(); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, p.Close()) }()
	feed := &radioFeeder{ctx: ctx, c: r.src, p: p, say: func(_ catalog.Track, why string, failed bool) {
		if !failed { // a failure is said once, as the run's error when the queue ends
			a.sayOnStderr(why)
		}
	}}
	if f.asJSON { // said in the report's goroutine (the feeder's observe), as its events are
		feed.say = func(last catalog.Track, why string, _ bool) {
			jsonEncoder(a.stdout).Encode(playEvent{Event: "radio-ended", TrackID: last.ID, Message: why})
		}
	}
	watch = observeAll(watch, feed.observe)
	if srv != nil {
		watch = observeAll(watch, func(ev player.Event) { srv.Observe(told(ev)) })
	}
	if m := a.openMPRIS(p, r, f.instance); m != nil {
		defer func() { err = errors.Join(err, m.Close()) }()
		watch = observeAll(watch, m.Observe)
	}
	p.SetVolume(f.volume)
	total := len(tracks) // 0 for a radio: no end known
	if f.radio != "" {
		if err := feed.start(ctx, f.radio); err != nil {
			return fmt.Errorf("play --radio: %w", err)
		}
	} else {
		if f.shuffle { // a random track first, then the queue's shuffle mode for the rest
			i := rand.IntN(len(tracks))
			tracks = append([]catalog.Track{tracks[i]}, append(tracks[:i:i], tracks[i+1:]...)...)
		}
		p.Play(tracks...)
		if f.shuffle {
			// the mode, not a shuffled list: segue ctl status and MPRIS said
			// shuffle off, and shuffle off had no order to go back to
			p.SetShuffle(true, rand.Uint64())
		}
	}
	if srv != nil {
		// only now that the queue is in: segue ctl found an empty queue
		// when it came between the socket's first answer and the radio's
		// first batch (a script's `segue play --radio SEED &` then
		// `segue ctl queue list`); until here it waits in the socket's
		// backlog
		a.serveControl(srv, p, r, feed.start)
	}
	if err := a.report(ctx, p, f.asJSON, total, watch); err != nil {
		return err
	}
	if err := feed.failure(); err != nil {
		// the radio ended the queue for want of the origin: exit as its
		// start does then (1), not 0
		return fmt.Errorf("play --radio: %w", err)
	}
	return nil
}

// limitProcs runs Go on one processor when out is the sound device
// (player.LimitProcs says why); the other outputs leave it as it is.
func limitProcs(out player.Output) {
	if _, ok := out.(*player.ALSA); ok {
		player.LimitProcs()
	}
}

// alsaLog is where alsa-lib's messages go while the sound device opens:
// segue's log once logger could open its file (it makes the state dir),
// else nowhere (nil), never the terminal an interface draws on. A log that
// cannot be written must not keep the device from opening: segue play on
// a machine with no state dir yet failed with "open log for alsa
// messages", and the interface fell back to silence.
func (a *app) alsaLog() *slog.Logger {
	if log := a.logger(); a.logErr == nil {
		return log
	}
	return nil
}

// closeOutput closes out. When the listener stopped (quit the interface,
// Ctrl-C), the sound stops at once: the output is paused first (Idler:
// the device is dropped now), and Close then drops what a pause held,
// where Close alone plays out what the device holds (seconds with ALSA,
// the buffer of issue 14), as the end of a queue wants.
func closeOutput(out player.Output, stopped bool) error {
	if i, ok := out.(player.Idler); ok && stopped {
		i.Idle(false)
	}
	return out.Close()
}

// enqueue adds tracks to the running instance's queue (`play --enqueue`).
func (a *app) enqueue(ctx context.Context, f playFlags, tracks []catalog.Track) error {
	path, err := ctl.SocketPath(ctl.RuntimeDir(), f.instance)
	if err != nil {
		return err
	}
	args := []string{"add"}
	for _, t := range tracks {
		args = append(args, t.ID)
	}
	if _, err := ctl.Do(ctx, path, ctl.Request{Cmd: "queue", Args: args}); err != nil {
		return fmt.Errorf("play --enqueue: %w", err)
	}
	msg := fmt.Sprintf("added %s to the running segue's queue", catalog.Count(len(tracks), "track"))
	if f.asJSON {
		return jsonEncoder(a.stdout).Encode(playEvent{Event: "enqueued", Message: msg})
	}
	_, err = fmt.Fprintln(a.stdout, msg)
	return err
}

// playEvent is one --json line.
type playEvent struct {
	Event      string         `json:"event"`
	Index      *int           `json:"index,omitempty"`
	Track      *catalog.Track `json:"track,omitempty"`
	TrackID    string         `json:"track_id,omitempty"`
	PositionMS *int64         `json:"position_ms,omitempty"`
	DurationMS int64          `json:"duration_ms,omitempty"`
	BufferMS   *int64         `json:"buffer_ms,omitempty"`
	Rendition  string         `json:"rendition,omitempty"`
	Replaces   string         `json:"replaces,omitempty"` // segment: the rendition of the buffered copy it replaced
	Source     string         `json:"source,omitempty"`   // where segment bytes came from: cache, peer or origin
	Bytes      *int           `json:"bytes,omitempty"`
	TookMS     *int64         `json:"took_ms,omitempty"` // segment: always, 0 included (a cache hit), as bytes
	Message    string         `json:"message,omitempty"`
	Fatal      bool           `json:"fatal,omitempty"`
	Played     *int           `json:"played,omitempty"`
	Failed     *int           `json:"failed,omitempty"`
	Kbps       int            `json:"kbps,omitempty"`
	// stall: how long the play head waited; finished: the session's total
	Stalls    *int     `json:"stalls,omitempty"`
	StallMS   *int64   `json:"stall_ms,omitempty"`
	Switches  *int     `json:"switches,omitempty"`
	MeanKbps  *float64 `json:"mean_kbps,omitempty"`
	StartupMS *int64   `json:"startup_ms,omitempty"`
	// finished: a signal ended the run before the queue did (exit 130)
	Interrupted bool `json:"interrupted,omitempty"`
}

// errStdoutClosed ends a play whose standard output's reader left
// (untilStdoutCloses).
var errStdoutClosed = errors.New("play: stopped: the reader of its standard output left")

// stoppedErr is the error of a play whose ctx a signal (Ctrl-C, SIGTERM,
// SIGHUP: exit 130) or its standard output's reader leaving (141) ended.
func stoppedErr(ctx context.Context) error {
	if context.Cause(ctx) == errStdoutClosed {
		return withExit(ExitStdoutClosed, errStdoutClosed)
	}
	return withExit(ExitInterrupted, errors.New("play: interrupted"))
}

// report prints the player's events until the queue ends or ctx is done;
// watch sees every event first. total is the queue's length (counted again
// at each track, as segue ctl may change it), 0 for a radio (whose end is
// not known).
func (a *app) report(ctx context.Context, p *player.Player, asJSON bool, total int, watch func(player.Event)) error {
	enc := jsonEncoder(a.stdout)
	var emitErr error // the first event that could not be written: the run ends at the next
	emit := func(e playEvent) {
		if asJSON && emitErr == nil {
			emitErr = enc.Encode(e)
		}
	}
	live := !asJSON && isTerminal(a.stdout) // one line that updates each second
	var (
		started, failed  int
		goneTracks       int    // of failed: removed from the catalog (player.GoneError)
		startedFailed    int    // tracks that failed after they started
		current          string // the ID of the track that started last
		currentFailed    bool   // it is counted in startedFailed
		heardFrom        int64  // where its play head began: its start, or the last seek
		currentHeard     bool   // its play head has moved past heardFrom: audio of it was heard
		firstErr         error
		lastSecond       = int64(-1)
		retrySaid        string // the track whose retrying was said (once a track)
		buffer           int64
		rendition, where string
	)
	// finish emits the session's summary: at the queue's end, or when a
	// signal ends the run (interrupted), so a script sees what played.
	// failStarted counts the track that started last as failed once, when
	// trackID is it (a track that failed before it started is not).
	failStarted := func(trackID string) {
		if trackID != "" && trackID == current && !currentFailed {
			startedFailed, currentFailed = startedFailed+1, true
		}
	}
	finish := func(interrupted bool) {
		if live {
			fmt.Fprintln(a.stdout)
		}
		// a track that failed before it started (its manifest did not
		// come) is in failed but not in started; one a signal ended before
		// any of its audio was heard did not play
		played := started - startedFailed
		if interrupted && current != "" && !currentFailed && !currentHeard {
			played--
		}
		st := p.Stats()
		stallMS, startupMS, mean := st.Stalled.Milliseconds(), st.Startup.Milliseconds(), math.Round(st.MeanKbps*10)/10
		emit(playEvent{Event: "finished", Played: &played, Failed: &failed, Stalls: &st.Stalls, StallMS: &stallMS,
			Switches: &st.Switches, MeanKbps: &mean, StartupMS: &startupMS, Interrupted: interrupted})
	}
	for {
		select {
		case <-ctx.Done():
			finish(true)
			return stoppedErr(ctx)
		case ev := <-p.Events():
			if errors.Is(emitErr, syscall.EPIPE) { // seen before untilStdoutCloses saw it
				return withExit(ExitStdoutClosed, errStdoutClosed)
			}
			if emitErr != nil {
				// a script's events went nowhere (a full disk, a closed
				// file) while the run went on and exited 0
				return withExit(ExitError, fmt.Errorf("play: write the events: %w", emitErr))
			}
			watch(ev)
			switch e := ev.(type) {
			case player.TrackEvent:
				if e.Seek { // the same track from where a seek put it: not one more played
					lastSecond = -1
					break
				}
				kind := "track-changed"
				if started == 0 {
					kind = "started"
				}
				started++
				current, currentFailed, heardFrom, currentHeard = e.Track.ID, false, 0, false
				lastSecond = -1
				idx, tr := e.Index, e.Track
				emit(playEvent{Event: kind, Index: &idx, Track: &tr, DurationMS: e.Duration.Milliseconds()})
				if live && started > 1 {
					fmt.Fprintln(a.stdout)
				}
				if total > 0 { // the queue as it is now: segue ctl may have added or removed tracks
					total = len(p.Status().Queue)
				}
				if !asJSON {
					of := fmt.Sprintf("/%d", total)
					if total == 0 { // a radio: no end known
						of = ""
					}
					fmt.Fprintf(a.stdout, "▶ %d%s %s (%s)\n", idx+1, of, trackLabel(tr), catalog.Clock(e.Duration.Milliseconds()))
				}
			case player.StallEvent:
				pos := e.Position.Milliseconds()
				msg := "waiting for the network"
				if e.Unreachable {
					msg = player.UnreachableStall(e.Source)
				}
				if e.Ended {
					msg = fmt.Sprintf("resumed after %.1f s without audio", e.Duration.Seconds())
					ms := e.Duration.Milliseconds()
					emit(playEvent{Event: "stall", TrackID: e.TrackID, PositionMS: &pos, StallMS: &ms, Message: msg})
				} else {
					emit(playEvent{Event: "buffering", TrackID: e.TrackID, PositionMS: &pos, Message: msg})
				}
				if !asJSON {
					if live {
						fmt.Fprint(a.stdout, "\r\x1b[K")
					}
					fmt.Fprintf(a.stdout, "  %s %s\n", catalog.Clock(e.Position.Milliseconds()), msg)
				}
			case player.RenditionEvent:
				if e.Switch {
					idx := e.Index
					emit(playEvent{Event: "rendition", TrackID: e.TrackID, Index: &idx, Rendition: e.Rendition, Kbps: e.Kbps})
				}
			case player.PositionEvent:
				if e.TrackID == current {
					if pos := e.Position.Milliseconds(); e.Seek {
						heardFrom = pos
					} else if pos > heardFrom {
						currentHeard = true
					}
				}
				if s := int64(e.Position / time.Second); s != lastSecond {
					lastSecond = s
					pos, buf := e.Position.Milliseconds(), buffer
					emit(playEvent{Event: "progress", TrackID: e.TrackID, PositionMS: &pos, DurationMS: e.Duration.Milliseconds(),
						BufferMS: &buf, Rendition: rendition, Source: where})
					if live {
						fmt.Fprintf(a.stdout, "\r\x1b[K  %s / %s  %s from %s, %ds buffered", catalog.Clock(e.Position.Milliseconds()),
							catalog.Clock(e.Duration.Milliseconds()), rendition, where, buffer/1000)
					}
				}
			case player.BufferEvent:
				buffer = e.Ahead.Milliseconds()
			case player.SegmentEvent:
				rendition, where = e.Rendition, string(e.From)
				idx, n, took := e.Index, e.Bytes, e.Took.Milliseconds()
				emit(playEvent{Event: "segment", TrackID: e.TrackID, Index: &idx, Rendition: e.Rendition, Replaces: e.Replaces,
					Source: where, Bytes: &n, TookMS: &took})
			case player.ErrorEvent:
				if errors.As(e.Err, new(*player.OutputError)) {
					// the player paused on it, and nobody resumes a play: it
					// waited for ever after a full disk under --output wav:FILE
					failed++
					failStarted(current) // an output fault ends the track playing
					finish(false)
					return withExit(ExitError, fmt.Errorf("play: %w", e.Err))
				}
				if gone := new(player.GoneError); errors.As(e.Err, &gone) {
					// said once, plainly: the track is out of the catalog,
					// skipped without a retry (it was "get manifest of
					// track X: track X not found", an error like any other)
					failed++
					goneTracks++
					failStarted(e.TrackID)
					if firstErr == nil {
						firstErr = e.Err
					}
					emit(playEvent{Event: "gone", TrackID: e.TrackID, Track: &gone.Track, Message: gone.Error()})
					if !asJSON {
						if live {
							fmt.Fprint(a.stdout, "\r\x1b[K")
						}
						fmt.Fprintf(a.stderr, "segue: %s\n", gone.Error())
					}
					break
				}
				emit(playEvent{Event: "error", TrackID: e.TrackID, Message: sentence(e.Err), Fatal: e.Fatal})
				if !e.Fatal && !asJSON && e.TrackID != retrySaid {
					// without it a segment that never came (a link slower than
					// the lowest rendition, an origin failing) left the line
					// "▶ 1/1 ..." and silence, for as long as it retried
					retrySaid = e.TrackID
					if live {
						fmt.Fprint(a.stdout, "\r\x1b[K")
					}
					fmt.Fprintf(a.stdout, "  %s retrying: %s\n", catalog.Clock(max(lastSecond, 0)*1000), retryNote(e.Err, p.SourceName()))
				}
				if e.Fatal {
					failed++
					failStarted(e.TrackID)
					if firstErr == nil {
						firstErr = e.Err
					}
					if !asJSON {
						fmt.Fprintf(a.stderr, "segue: %s\n", sentence(e.Err))
					}
				}
			case player.EndEvent:
				if e.Gone {
					// every track left was removed: said once, not a loop
					// of them (repeat all went round them for ever)
					msg := player.AllGone(p.SourceName())
					emit(playEvent{Event: "gone", Message: msg})
					if !asJSON {
						fmt.Fprintf(a.stderr, "segue: %s\n", msg)
					}
				}
				finish(false)
				if failed > 0 && failed == goneTracks {
					// each was said as it was skipped: the summary counts them
					return withExit(ExitError, fmt.Errorf("play: %d of %s could not be played: %w", failed, catalog.Count(max(total, started), "track"),
						&goneSummary{n: goneTracks, source: p.SourceName()}))
				}
				if failed > 0 {
					return withExit(ExitError, fmt.Errorf("play: %d of %s could not be played: %w", failed, catalog.Count(max(total, started), "track"), firstErr))
				}
				return nil
			}
		}
	}
}

// retryNote says why a segment is fetched again, without the chain of
// steps and the segment's hash: a download that took longer than its time
// ("context deadline exceeded"), or what the origin answered. source is
// the player's SourceName ("the origin", "the Subsonic server").
func retryNote(err error, source string) string {
	if errors.Is(err, fetch.ErrSilent) {
		return "not a byte of a segment came in time: the network is down, or " + source + " (or a proxy between) does not answer"
	}
	if errors.Is(err, player.ErrStalled) {
		return "a segment's bytes stopped coming mid-download (a connection that stalled): asking " + source + " again"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "a segment did not arrive in time (is the link slower than the lowest quality, 96 kbit/s?)"
	}
	if errors.As(err, new(*url.Error)) || errors.As(err, new(*net.OpError)) {
		return unreachable(err, false) // under a join of two, which the walk below stops at
	}
	for e := err; e != nil; e = unwrapOne(e) {
		if clause, ok := originClause(e, false); ok {
			return clause
		}
	}
	return sentence(err)
}

func trackLabel(t catalog.Track) string {
	switch {
	case t.Title == "":
		return t.ID
	case t.Artist == "":
		return t.Title
	}
	return t.Artist + " — " + t.Title
}

// goneSummary ends a segue play whose failed tracks were all removed from
// the catalog, each said as it was skipped: "1 was removed from the
// origin's catalog" (catalog.ErrTrackGone).
type goneSummary struct {
	n      int
	source string
}

func (g *goneSummary) Error() string {
	if g.n == 1 {
		return "1 was removed from " + g.source + "'s catalog"
	}
	return fmt.Sprintf("%d were removed from %s's catalog", g.n, g.source)
}

func (g *goneSummary) Unwrap() error { return catalog.ErrTrackGone }

// playWords refuses (2) a target of segue play that is words, not an ID,
// URL, file or folder (a title, as a music app takes it), saying that
// --search plays what a search for them finds; it said only where IDs are
// listed. nil for any other t (resolve says what is wrong with it).
func playWords(t string) error {
	if catalog.IsID(t) || strings.ContainsAny(t, "/\\:") || catalog.FileHint(t) != "" {
		return nil
	}
	if st, err := os.Stat(config.HomePath(t)); err == nil && st.IsDir() {
		return nil // a music folder: notAnID says to ingest it
	}
	return &usageError{fmt.Errorf("%q is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL: "+
		"segue play --search %q plays the first track a search for it finds (segue search WORDS lists them all, with their IDs)", t, t)}
}
