package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/catalog"
	"segue/ctl"
	"segue/mpris"
	"segue/net/originclient"
	"segue/player"
)

func init() { register(ctlCmd) }

// ctlVerbs are the commands that take no flag of their own but --instance,
// with their usage line and help.
var ctlVerbs = []struct{ use, short string }{
	{"play", "Resume playback"},
	{"pause", "Pause playback"},
	{"toggle", "Pause when playing, resume when paused"},
	{"next", "Skip to the next track"},
	{"prev", "Go back a track (or to the start of this one when past its first seconds)"},
	{"stop", "Stop and rewind the current track, keeping the queue"},
	{"seek [+-]SECONDS|[+-]MM:SS", "Jump to a position, or by an offset with + or -"},
	{"volume [+-]N", "Set the volume 0-100, or change it with + or -"},
	{"quality auto|low|normal|high", "Set the rendition preference (a higher one is heard from the next segment on where the link carries it)"},
	{"shuffle on|off", "Play the tracks after the current one in random order, or in their order again"},
	{"repeat off|all|one", "Stop when the queue ends, play it again, or play the current track again"},
	{"open URL|ID", "Play a track, album, artist or shared playlist now"},
	{"radio ID", "Play a radio after a track, album, artist or playlist now, as the interface's R does"},
}

// queueIDs is, for each verb of segue ctl queue that takes IDs, the
// idsAnnotation of the arguments after the verb: queue cannot carry one
// itself, its first word being the verb and cobra leaving its flags among
// its arguments (DisableFlagParsing), so its RunE trims them as pastedIDs
// does once ctlArgs has taken the flags out ("al1." is al1, as for
// segue play), and its completion offers these kinds.
var queueIDs = map[string]string{
	"add":  targetIDs + " " + idsRepeat,
	"next": targetIDs + " " + idsRepeat,
}

func ctlCmd(a *app) *cobra.Command {
	var instance string
	cmd := &cobra.Command{
		Use:   "ctl COMMAND",
		Short: "Drive the running segue (the interface or segue play) from scripts",
		Long: `ctl sends one command to the segue already running for this user, over
its control socket ($XDG_RUNTIME_DIR/segue/ctl.sock, or ctl-NAME.sock for
--instance NAME), and prints what it says. The socket is mode 0600 and the
instance refuses any other user.

Exit status: 0 done; 1 when no segue is running, or it is stopped (Ctrl-Z),
or it does not answer within 5 s (hung; 65 s for open, queue add and next,
and radio, which resolve targets; 2 minutes while it starts), or it failed;
2 for a malformed command or argument (checked before connecting); 3 for a
target or queue position that does not exist, or a seek past the end of
the track.`,
		Example: `  segue ctl status --json
  segue ctl toggle
  segue ctl seek -10
  segue ctl seek 1:30
  segue ctl volume +5
  segue ctl queue add al3f2c9a1b0d4e5f67
  segue ctl watch --json`,
	}
	cmd.PersistentFlags().StringVar(&instance, "instance", "", "the instance `NAME` to drive (as started with --instance NAME)")
	send := func(ctx context.Context, req ctl.Request) (ctl.Response, error) {
		if err := ctl.Check(req); err != nil { // before looking for an instance
			return ctl.Response{}, err
		}
		path, err := ctlSocket(instance)
		if err != nil {
			return ctl.Response{}, err
		}
		resp, err := ctl.Do(ctx, path, req) // waits at most ctl.AnswerWait (ResolveWait for open, queue add...)
		if err != nil {
			what := req.Cmd
			if req.Cmd == "queue" && len(req.Args) > 0 {
				what += " " + req.Args[0] // its verb: add, remove...
			}
			return resp, fmt.Errorf("ctl %s: %w", what, err)
		}
		return resp, nil
	}
	var asJSON bool
	// printStatus prints the status a command answered: the line a person
	// reads, or with --json the object status --json prints.
	printStatus := func(st ctl.Status) error {
		if asJSON {
			return a.printJSON(st)
		}
		_, err := fmt.Fprintln(a.stdout, statusLine(st))
		return err
	}
	for _, v := range ctlVerbs {
		verb, arg, _ := strings.Cut(v.use, " ")
		var words []string // quality, shuffle, repeat: their argument's words
		if arg != "" && arg == strings.ToLower(arg) {
			words = strings.Split(arg, "|")
		}
		takes := cobra.ArbitraryArgs // the server's parse says what is wrong with them
		if arg == "" {
			// said as every command that takes none says it ("toggle
			// takes no arguments" was worded unlike "status takes ...")
			takes = cobra.NoArgs
		}
		sub := &cobra.Command{
			Use: v.use, Short: v.short, Args: takes,
			ValidArgsFunction: completeWords(words...),
			RunE: func(cmd *cobra.Command, args []string) error {
				if verb == "seek" || verb == "volume" { // -5 is an argument, not a flag
					var (
						helped bool
						err    error
					)
					if args, helped, err = ctlArgs(cmd, args); err != nil || helped {
						return err
					}
				}
				resp, err := send(cmd.Context(), ctl.Request{Cmd: verb, Args: args})
				if err == nil && resp.Status != nil {
					return printStatus(*resp.Status)
				}
				return err
			},
		}
		sub.DisableFlagParsing = verb == "seek" || verb == "volume"
		switch verb {
		case "open":
			sub.Annotations = ids(targetIDs)
		case "radio":
			sub.Annotations = ids(radioSeedIDs)
		}
		sub.Flags().BoolVar(&asJSON, "json", false, "print the status after it as JSON, as status --json does")
		cmd.AddCommand(sub)
	}
	status := &cobra.Command{
		Use: "status", Short: "Show what the running segue plays", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			resp, err := send(cmd.Context(), ctl.Request{Cmd: "status"})
			if err != nil {
				return err
			}
			return printStatus(*resp.Status)
		},
	}
	queue := &cobra.Command{
		Use:   "queue list|add TARGET...|next TARGET...|play N|move N TO|remove N|clear",
		Short: "List or change the running segue's queue",
		Long: `queue list shows the queue (positions count from 1; * marks the current
track); add appends targets, next inserts them after the current track,
play N plays position N now, move N TO puts the track at N at position TO
(the others shift, as the interface's J and K do), remove N drops position
N, clear empties the queue and stops. A position past the queue's end is
exit status 3. A segue play
ends, as when its queue runs out, once nothing is left: a clear, or the
removal of the current last track (stop keeps the queue: play waits).`,
		Args: cobra.MinimumNArgs(1),
		// -1 is an argument, as for seek: a position below 1 is refused as
		// 0 and abc are (it was "position \"-1\": want a whole number
		// from 1 ...", worded unlike them)
		DisableFlagParsing: true,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			args = ctlWords(cmd, args) // cobra leaves flags in them (DisableFlagParsing)
			if len(args) > 0 && queueIDs[args[0]] != "" {
				return a.completeIDs(cmd, targetKinds, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
			return completeWords("list", "add", "next", "play", "move", "remove", "clear")(cmd, args, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			args, helped, err := ctlArgs(cmd, args)
			if err != nil || helped {
				return err
			}
			if err := cmd.ValidateArgs(args); err != nil { // queue --json alone, as queue alone
				return err
			}
			if kinds := queueIDs[args[0]]; kinds != "" { // IDs as pasted, as pastedIDs takes them
				args = append(args[:1:1], trimPastedIDs(kinds, args[1:])...)
			}
			resp, err := send(cmd.Context(), ctl.Request{Cmd: "queue", Args: args})
			switch {
			case err != nil:
				return err
			case args[0] != "list" && resp.Status != nil:
				return printStatus(*resp.Status)
			case asJSON:
				return a.printJSON(append([]ctl.QueueEntry{}, resp.Queue...))
			}
			return a.printTables(queueTable(resp.Queue))
		},
	}
	watch := &cobra.Command{
		Use:   "watch",
		Short: "Print the running segue's events until it ends or is interrupted",
		Long: `watch prints one line per event until Ctrl-C or until segue stops: the
track (when one starts, or on a skip while paused), the state, the position
(once a second while playing, and after a seek), the volume when it changes,
the rendition, errors. With --json each line is a JSON object with an "event" field:
track, state, position, volume, rendition or error.

Exit status: 0 when the segue it watched ended as it should (q in the
interface, a segue play done or stopped); 130 after Ctrl-C, SIGTERM or
SIGHUP; 141 when the reader of its standard output left (segue ctl watch |
head -1), at once even while nothing plays; 1 when no segue runs or the
connection to it was lost (it was killed or crashed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := ctlSocket(instance)
			if err != nil {
				return err
			}
			// it ends as segue play does: Ctrl-C, SIGTERM or a closed
			// terminal is exit 130, its reader leaving 141 (at once, not
			// at the next event, which a paused segue may never send)
			ctx, stop := notifyStop(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			ctx, stopOut := untilStdoutCloses(ctx, a.stdout)
			defer stopOut()
			w := a.stdout
			if !asJSON {
				w = humanEvents{a}
			}
			err = ctl.Watch(ctx, path, w)
			switch {
			case context.Cause(ctx) == errStdoutClosed || errors.Is(err, syscall.EPIPE):
				return withExit(ExitStdoutClosed, errWatchStdoutClosed)
			case ctx.Err() != nil:
				return withExit(ExitInterrupted, errors.New("ctl watch: interrupted"))
			case err != nil:
				return fmt.Errorf("ctl watch: %w", err)
			}
			return nil
		},
	}
	for _, c := range []*cobra.Command{status, queue, watch} {
		c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		cmd.AddCommand(c)
	}
	// also before the command (segue ctl --json status), which was "unknown
	// flag: --json"; each command's own --json says what it prints
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON (as each command's --json)")
	return cmd
}

// ctlSocket is the control socket of the instance segue ctl --instance
// names; a name no instance can have is a usage error of --instance, as
// segue play and the interface say it (it was "bad control command").
func ctlSocket(instance string) (string, error) {
	if err := ctl.CheckInstance(instance); err != nil {
		return "", &usageError{fmt.Errorf("--instance: %w", err)}
	}
	return ctl.SocketPath(ctl.RuntimeDir(), instance)
}

// errWatchStdoutClosed ends a segue ctl watch whose standard output's
// reader left (exit 141).
var errWatchStdoutClosed = errors.New("ctl watch: stopped: the reader of its standard output left")

// queueTable lists the queue as every listing is (columns by display
// width, titles cut to the terminal; it was one line a track with the ID
// wherever the title ended), "*" marking the current track, "~" those a
// radio queued and "x" those removed from the origin's catalog (the
// TRACK column says "(gone)" after the title).
func queueTable(q []ctl.QueueEntry) *table {
	t := newTable("", "#", "TRACK", "ARTIST", "ALBUM", "LENGTH", "ID").whole("", "#", "LENGTH", "ID").
		orSay("the queue is empty: add to it with segue ctl queue add TARGET")
	for _, e := range q {
		mark := ""
		if e.Current {
			mark = "*"
		}
		if e.Radio {
			mark += "~"
		}
		title := e.Track.Title
		if e.Gone {
			mark += "x"
			title += " (gone)"
		}
		t.row(mark, strconv.Itoa(e.Index), title, e.Track.Artist, e.Track.Album, catalog.Clock(e.Track.DurationMS), e.Track.ID)
	}
	return t
}

// ctlArgs parses the command line of a command whose flags cobra leaves
// alone, so that -5 is an argument: --NAME[=VALUE] of any flag the command
// knows (--instance, the global ones, which ctl does not use) and -h are
// flags, everything else an argument. helped says it printed the help
// instead (a missing argument is the server's parse to refuse, as for
// every other verb: seek and volume alone exited 0 saying nothing).
func ctlArgs(cmd *cobra.Command, raw []string) (args []string, helped bool, err error) {
	args, help, err := ctlSplit(cmd, raw, setFlag)
	if err == nil && help {
		return nil, true, cmd.Help()
	}
	return args, false, err
}

// ctlWords is raw, a command line as ctlArgs reads it, without its flags,
// which it sets (the global --config FILE tells the origin to complete
// IDs from): the words a completion goes by. Before, --config FILE were
// the first words, and queue offered nothing.
func ctlWords(cmd *cobra.Command, raw []string) []string {
	words, _, _ := ctlSplit(cmd, raw, setFlag)
	return words
}

// setFlag sets f to value as the command line gave it.
func setFlag(f *pflag.Flag, value string) error {
	if err := f.Value.Set(value); err != nil {
		return &usageError{fmt.Errorf("--%s: %w", f.Name, err)}
	}
	f.Changed = true
	return nil
}

// ctlSplit walks raw as ctlArgs reads it, giving each flag and its value
// to set and returning the arguments; help says -h or --help came first.
func ctlSplit(cmd *cobra.Command, raw []string, set func(f *pflag.Flag, value string) error) (args []string, help bool, err error) {
	for i := 0; i < len(raw); i++ {
		s := raw[i]
		switch {
		case s == "-h" || s == "--help":
			return nil, true, nil
		case s == "--":
			return append(args, raw[i+1:]...), false, nil
		case !strings.HasPrefix(s, "--"):
			args = append(args, s)
			continue
		}
		name, value, hasValue := strings.Cut(s[2:], "=")
		f := cmd.Flag(name)
		if f == nil {
			return nil, false, flagError(cmd, fmt.Errorf("unknown flag: --%s", name))
		}
		if !hasValue && f.NoOptDefVal == "" {
			if i+1 == len(raw) {
				return nil, false, flagError(cmd, fmt.Errorf("flag needs an argument: --%s", name))
			}
			i++
			value = raw[i]
		} else if !hasValue {
			value = f.NoOptDefVal
		}
		if err := set(f, value); err != nil {
			return nil, false, err
		}
	}
	return args, false, nil
}

// statusLine is a Status as one line a person reads.
func statusLine(s ctl.Status) string {
	if s.Track == nil {
		return fmt.Sprintf("%s, queue %s, volume %d, quality %s", s.State, catalog.Count(s.QueueLength, "track"), s.Volume, s.Quality) + modes(s)
	}
	t := catalog.Track{ID: s.Track.ID, Title: s.Track.Title, Artist: s.Track.Artist}
	line := fmt.Sprintf("%s  %s  %s / %s  %d/%d  volume %d  quality %s", s.State, trackLabel(t),
		catalog.Clock(s.PositionMS), catalog.Clock(s.Track.DurationMS),
		s.QueueIndex+1, s.QueueLength, s.Volume, s.Quality)
	if s.Rendition != "" {
		line += fmt.Sprintf(" (%s from %s)", s.Rendition, s.Source)
	}
	return line + modes(s)
}

// modes is the status line's end for the queue's modes that are on.
func modes(s ctl.Status) string {
	var m string
	if s.QueueGone > 0 {
		m += fmt.Sprintf("  %s removed from the catalog (skipped)", catalog.Count(s.QueueGone, "track"))
	}
	if s.Shuffle {
		m += "  shuffle"
	}
	if s.Repeat != "" && s.Repeat != "off" {
		m += "  repeat " + s.Repeat
	}
	return m
}

// humanEvents writes watch's JSON lines as plain lines.
type humanEvents struct{ a *app }

func (h humanEvents) Write(line []byte) (int, error) {
	var e ctl.Event
	if err := json.Unmarshal(line, &e); err != nil {
		return 0, fmt.Errorf("read segue's event: %w", err)
	}
	var text string
	switch e.Event {
	case "track":
		text = trackLabel(catalog.Track{ID: e.Track.ID, Title: e.Track.Title, Artist: e.Track.Artist})
	case "state":
		text = e.State
	case "position":
		text = catalog.Clock(*e.PositionMS)
	case "volume":
		text = strconv.Itoa(*e.Volume)
	case "rendition":
		text = e.Rendition
	case "error":
		text = e.Message
	}
	_, err := fmt.Fprintf(h.a.stdout, "%-9s %s\n", e.Event, text)
	return len(line), err
}

// listenControl takes this instance's control socket (see ctl.Listen):
// ctl.ErrRunning when another instance holds it.
func listenControl(instance string) (*ctl.Server, error) {
	path, err := ctl.SocketPath(ctl.RuntimeDir(), instance)
	if err != nil {
		return nil, &usageError{err}
	}
	return ctl.Listen(path)
}

// serveControl answers the socket with p, resolving targets with r and
// starting radios with radio; the
// caller forwards p's events to srv.Observe.
func (a *app) serveControl(srv *ctl.Server, p *player.Player, r *resolver, radio func(ctx context.Context, seed string) error) {
	srv.Serve(ctl.Options{Player: p, Logger: a.logger(), Resolve: ctlResolve(r), Radio: func(ctx context.Context, seed string) error {
		if err := radio(ctx, seed); err != nil {
			return ctlError(err) // segue ctl says "ctl radio: " before it
		}
		return nil
	}})
}

// openMPRIS puts p on the D-Bus session bus (see package mpris) under the
// name of instance (mpris.InstanceName; the instance<pid> one when another
// segue holds it), with the album cover as mpris:artUrl; with no bus it logs one line and returns nil. The caller forwards p's events to
// Observe and closes it.
func (a *app) openMPRIS(p *player.Player, r *resolver, instance string) *mediaKeys {
	art := &coverArt{src: r.src, dir: ctl.RuntimeDir()}
	m, err := mpris.Open(mpris.Options{Player: p, Resolve: ctlResolve(r), Art: art.url, Instance: instance})
	if err != nil {
		a.logger().Info("no media keys (MPRIS)", "err", err)
		return nil
	}
	return &mediaKeys{m, art}
}

// ctlResolve resolves targets named by a script or the desktop, marking a
// missing one ctl.ErrNotFound and a malformed one ctl.ErrBadRequest.
func ctlResolve(r *resolver) func(context.Context, []string) ([]catalog.Track, error) {
	return func(ctx context.Context, targets []string) ([]catalog.Track, error) {
		tracks, empty, err := r.resolve(ctx, targets, "")
		if err == nil && len(tracks) == 0 && len(empty) > 0 {
			// the running segue said only "the targets hold no tracks"
			return nil, ctl.NotFound(noTracks("", "try", empty))
		}
		if err == nil {
			return tracks, nil
		}
		return nil, ctlError(err)
	}
}

// ctlError is err as a running segue replies it to segue ctl: the one
// sentence segue would print here, not the origin client's details (which
// segue ctl could only reduce to "not found"), marked with its kind.
func ctlError(err error) error {
	msg := sentence(err)
	if errors.As(err, new(*originclient.NotFoundError)) { // where IDs are seen, as fail says it here
		msg += idsHint
	}
	err = said{msg, err}
	switch exitStatus(err) {
	case ExitNotFound:
		return ctl.NotFound(err)
	case ExitUsage:
		return ctl.BadRequest(err)
	}
	return err
}

// told is ev as segue ctl watch and MPRIS pass it on: an error event's
// error says its one sentence (see sentence), not the origin client's
// request URLs and Go network errors.
func told(ev player.Event) player.Event {
	if e, ok := ev.(player.ErrorEvent); ok {
		e.Err = said{sentence(e.Err), e.Err}
		return e
	}
	return ev
}

// said is err told in msg, its one sentence (see sentence); its kind stays
// err's.
type said struct {
	msg string
	err error
}

func (s said) Error() string { return s.msg }
func (s said) Unwrap() error { return s.err }
