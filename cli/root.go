// Package cli builds segue's command tree: one file per subcommand, each with
// its own flags and usage text. It wires the packages together by hand and is
// imported by nothing but main.
package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"segue/cache"
	"segue/config"
	"segue/net/originclient"
)

// app is what every command shares: the settings after the overlay and the
// standard streams. Flags write into it before any RunE runs.
type app struct {
	cfg        config.Config
	configPath string
	stdout     io.Writer
	stderr     io.Writer
	stdin      io.Reader // what "-" reads (nil: os.Stdin; a test gives its own)

	// global flag values, applied over cfg by load
	origin, token, cachePath string
	passwordFile             string // a Subsonic server's password (see subsonicPassword)
	ca, pin                  string
	cacheSize                config.Size
	cacheFlag                bool // --cache was given (see cacheSetting)
	peer                     peerFlags

	log    *slog.Logger // see logger
	logErr error        // why the log file could not be opened, if it could not

	cacheWarn string // why the cache file could not be used, if it could not (see openCache)
	// cacheInMemory keeps openCache off the disk: a shell completion with a
	// --cache or SEGUE_CACHE naming no cache (see givenCacheThere), which
	// made one there at a tab press
	cacheInMemory bool
	tui           bool // the interface runs: nothing may be written to the terminal

	stateChecked bool  // stateErr is known (see stateProblem)
	stateErr     error // why the state dir cannot be written, if it cannot
	stateSaid    bool  // the log's warning said stateErr
	// onDiskFull (may be nil) is called once when the cache finds its
	// disk full; the interface shows it.
	onDiskFull func()
	// onDamaged (may be nil) says at once that the cache met damage in its
	// file: a running play, peer serve or interface sets it; other commands
	// say it as they end (see damageMet).
	onDamaged func(*cache.DamagedError)
	// damageSaid: that the cache file is damaged was said this run
	damageSaid atomic.Bool
	// onBadEntry (may be nil) says an entry found damaged in the cache
	// and fetched again where stderr is not the place (the interface);
	// else it is said on stderr at once (see badEntryMet).
	onBadEntry func(*cache.BadEntryError)
	// badEntrySaid: a damaged entry was said this run
	badEntrySaid atomic.Bool
	// helpErr is the unknown command a group's --help met (see strict):
	// the help is not printed and the run fails with it.
	helpErr error
}

// Main runs segue with args and returns the process exit status.
func Main(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	return runApp(&app{stdout: stdout, stderr: stderr}, args)
}

// runApp is run for an app whose streams are set (a test gives stdin).
func runApp(a *app, args []string) int {
	stdout, stderr := a.stdout, a.stderr
	root := a.rootCmd()
	args = jsonAfterCommand(root, completionWithoutJSON(args))
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if hostingRoute != nil {
		if routed, err := hostingRoute(root, args); routed {
			return a.fail(root, args, err)
		}
	}
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		plainUsages(root)
		if beforeCompletion != nil {
			beforeCompletion(root, args[1:])
		}
	}
	cmd, err := root.ExecuteC()
	if err == nil && a.helpErr != nil { // --help after a word that is no command
		err = a.helpErr
	}
	if err == nil {
		return ExitOK
	}
	return a.fail(cmd, args, err)
}

// jsonAfterCommand moves a --json given before the command's words
// ("segue --json search tone") to right after them, where cobra looks for
// the command's own flag: before them cobra took the command's name for
// the value of a flag segue does not have. It goes right after the words,
// not last, so that it is never taken for the value of a flag given last
// without one (search tone --limit). args are returned unchanged when the
// command has no --json or it comes after the words already.
func jsonAfterCommand(root *cobra.Command, args []string) []string {
	for i, arg := range args {
		if arg == "--" {
			break
		}
		if arg != "--json" && !strings.HasPrefix(arg, "--json=") {
			continue
		}
		rest := slices.Delete(slices.Clone(args), i, i+1)
		cmd, _, err := root.Find(rest)
		if err != nil || cmd == root || cmd.Flags().Lookup("json") == nil {
			return args
		}
		var path []*cobra.Command // the command's words, from root's child down
		for c := cmd; c != root; c = c.Parent() {
			path = append([]*cobra.Command{c}, path...)
		}
		for j, word := range rest {
			if len(path) > 0 && (word == path[0].Name() || slices.Contains(path[0].Aliases, word)) {
				if path = path[1:]; len(path) == 0 {
					if j >= i { // the words came after --json
						return slices.Insert(rest, j+1, arg)
					}
					return args
				}
			}
		}
		return args
	}
	return args
}

// completionWithoutJSON drops --json from the words of a shell completion
// request (cobra's __complete) but the one being typed: a --json before
// the command's words ("segue --json search ...", which jsonAfterCommand
// cannot move while they are half typed) made every completion after it
// fail on an unknown flag, and --json changes no completion. Other args are
// returned unchanged.
func completionWithoutJSON(args []string) []string {
	i := slices.IndexFunc(args, func(s string) bool {
		return s == cobra.ShellCompRequestCmd || s == cobra.ShellCompNoDescRequestCmd
	})
	if i < 0 || len(args) < i+2 {
		return args
	}
	words, typed := args[i+1:len(args)-1], args[len(args)-1]
	flags, rest := words, []string(nil) // after "--", a --json is an argument
	if j := slices.Index(words, "--"); j >= 0 {
		flags, rest = words[:j], words[j:]
	}
	flags = slices.DeleteFunc(slices.Clone(flags), func(s string) bool { return s == "--json" || strings.HasPrefix(s, "--json=") })
	return slices.Concat(args[:i+1], flags, rest, []string{typed})
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "segue",
		Short: "A terminal music client and the origin server it streams from",
		Long: `segue streams music from an origin server in small content-addressed
segments, through a bounded disk cache, and plays it gapless in your terminal.

Run "segue" with no arguments to open the interface, or use the commands below
from scripts (every listing has --json).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Name() == cobra.ShellCompRequestCmd || cmd.Name() == cobra.ShellCompNoDescRequestCmd {
				// a completion reads the settings only for what needs them
				// (completeIDs); refused, they made every completion fail,
				// the words of commands and flags too, unseen by the shell
				return nil
			}
			return a.load(cmd)
		},
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rootRun == nil {
				return cmd.Help()
			}
			return rootRun(a, cmd)
		},
	}
	root.SetFlagErrorFunc(flagError)
	root.Version = version() // segue --version, as segue version
	root.SetVersionTemplate("{{.Version}}")
	root.Flags().BoolP("version", "v", false, "print segue's version, the commit it was built from and the Go that built it (as segue version)")
	pf := root.PersistentFlags()
	pf.Var(pathVar(&a.configPath, config.DefaultPath()), "config", "config `FILE`")
	pf.StringVar(&a.origin, "origin", "", "origin `URL` (default "+config.DefaultOrigin+"; env SEGUE_ORIGIN)")
	pf.StringVar(&a.token, "token", "", "bearer `TOKEN` for the origin (env SEGUE_TOKEN)")
	pf.Var(pathVar(&a.ca, ""), "ca", "PEM `FILE` of an authority trusted for an https origin besides the system's (env SEGUE_CA)")
	pf.StringVar(&a.pin, "pin-sha256", "", "SHA-256 fingerprint `FP` of a self-signed https origin's certificate (env SEGUE_PIN_SHA256)")
	pf.Var(pathVar(&a.cachePath, ""), "cache", "`PATH` of the cache database (env SEGUE_CACHE)")
	a.cacheSize = config.Default().Cache.Size
	pf.Var(&a.cacheSize, "cache-size", "the cache's cap, a `SIZE` such as 500MB or 10GiB (env SEGUE_CACHE_SIZE)")

	addSourceFlags(pf, &a.passwordFile)
	addPeerFlags(pf, &a.peer)
	addTUIFlags(root.Flags())
	for _, add := range commands {
		root.AddCommand(add(a))
	}
	root.AddCommand(completionCmd(a))
	root.InitDefaultHelpCmd() // now, so strict reaches it too
	a.strict(root)
	pastedIDs(root)
	return root
}

// rootRun opens the interface when segue runs with no subcommand; the TUI's
// file sets it.
var rootRun func(a *app, cmd *cobra.Command) error

// hostingRoute, in a client build, runs segue-origin for help on and
// completion of the hosting commands it leaves out (hosting_exec.go); it
// returns only when that fails, or false when args are the client's own.
var hostingRoute func(root *cobra.Command, args []string) (bool, error)

// beforeCompletion, in a build with the hosting commands, narrows what the
// shell completion of args (the words after __complete) offers
// (origin.go); nil in a client build, which leaves such completions to
// segue-origin.
var beforeCompletion func(root *cobra.Command, args []string)

// commands is filled by each subcommand file's init, so adding a command
// touches only its own file.
var commands []func(*app) *cobra.Command

func register(f func(*app) *cobra.Command) { commands = append(commands, f) }

// load reads the config file and environment, then applies the flags the
// user set.
func (a *app) load(cmd *cobra.Command) error {
	cfg, err := config.Load(a.configPath, cmd.Flags().Changed("config"))
	if err != nil {
		return withExit(ExitUsage, err) // the user fixes the file or the variable
	}
	for _, w := range config.EnvWarnings(os.Environ()) {
		fmt.Fprintf(a.stderr, "segue: %s\n", w)
	}
	flags := cmd.Flags()
	if flags.Changed("origin") {
		a.origin = config.CleanOrigin(a.origin)
		if err := config.CheckOrigin(a.origin); err != nil {
			return &usageError{fmt.Errorf("--origin: %w", err)}
		}
		cfg.Rebind(a.origin)
	}
	if flags.Changed("token") {
		cfg.Token = a.token
	}
	if flags.Changed("ca") {
		if err := config.CheckCA(a.ca); err != nil {
			return &usageError{fmt.Errorf("--ca: %w", err)}
		}
		cfg.CA = a.ca
	}
	if flags.Changed("pin-sha256") {
		if err := config.CheckPin(a.pin); err != nil {
			return &usageError{fmt.Errorf("--pin-sha256: %w", err)}
		}
		cfg.PinSHA256 = a.pin
	}
	if flags.Changed("cache") {
		cfg.Cache.Path, a.cacheFlag = a.cachePath, true
	}
	if flags.Changed("cache-size") {
		if err := config.CheckCacheSize(a.cacheSize); err != nil {
			return &usageError{fmt.Errorf("--cache-size %s: %w", a.cacheSize, err)}
		}
		cfg.Cache.Size = a.cacheSize
	}
	if err := config.CheckListen(a.peer.listen); err != nil {
		return &usageError{fmt.Errorf("--peer-listen: %w", err)}
	}
	a.peer.apply(flags, &cfg.Peer)
	a.cfg = cfg
	return a.checkPinScheme(cmd)
}

// checkPinScheme refuses a certificate pin beside a plain http origin: the
// pin checks an https origin's certificate, and over http there is none,
// so the token and the music went unencrypted while the user believed the
// origin pinned. The origin's own commands (serve, demo) use neither.
func (a *app) checkPinScheme(cmd *cobra.Command) error {
	path := strings.Fields(cmd.CommandPath())
	if a.cfg.PinSHA256 == "" || len(path) > 1 && (path[1] == "origin" || path[1] == "demo") {
		return nil
	}
	u, err := url.Parse(a.cfg.Origin)
	if err != nil || !strings.HasSuffix(u.Scheme, "http") { // http, subsonic+http
		return nil
	}
	from := a.settingFrom(cmd, "pin-sha256", "SEGUE_PIN_SHA256", "pin_sha256")
	return &usageError{fmt.Errorf("%s pins the certificate of an https origin, and the origin at %s is plain http: "+
		"begin the origin URL with https: (over http nothing is checked, and the token and music travel unencrypted), or drop the pin", from, u.Host)}
}

// tokenFor is the bearer token to send to the origin at base: the
// configured origin's, and to any other none (an API URL named as a
// target sent the token to whatever host it named).
func (a *app) tokenFor(base string) string {
	if sameOrigin(base, a.cfg.Origin) {
		return a.cfg.Token
	}
	return ""
}

// sameOrigin reports whether two origin base URLs name one origin.
func sameOrigin(a, b string) bool { return strings.TrimRight(a, "/") == strings.TrimRight(b, "/") }

// tlsFor returns which certificates the origin at base may present: the
// configured authorities, and the configured pin when base is the
// configured origin (a share link carries its own pin, given as pin).
func (a *app) tlsFor(base, pin string) originclient.TLSOptions {
	o := originclient.TLSOptions{CAFile: a.cfg.CA, PinSHA256: pin}
	if pin == "" && sameOrigin(base, a.cfg.Origin) {
		o.PinSHA256 = a.cfg.PinSHA256
	}
	return o
}

// logger returns the diagnostics log: JSON lines appended to cfg.LogFile,
// so nothing but the interface draws on the terminal. When the file cannot
// be opened, warnings go to stderr as text and logErr says why (the
// interface then logs nowhere rather than draw over itself).
func (a *app) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	typo := a.givenFolder("log_file", a.cfg.LogFile, config.Default().LogFile)
	err := typo
	var f *os.File
	if err == nil {
		f, err = openAppend(a.cfg.LogFile)
	}
	if err != nil {
		a.logErr = typo
		if typo == nil {
			a.logErr = fmt.Errorf("the log file cannot be written: %w", err)
			if serr := a.stateProblem(); serr != nil {
				a.logErr = fmt.Errorf("%s: the log, queue, offline list, plays and throughput estimate are not saved", a.stateCause(serr))
				a.stateSaid = true
			}
		}
		a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if !a.tui { // the interface says it on its status line
			a.log.Warn(a.logErr.Error() + "; warnings go to stderr")
		}
		return a.log
	}
	a.log = slog.New(slog.NewJSONHandler(f, nil)) // closed by process exit
	return a.log
}

// givenFolder refuses a path config.toml's key gave (not def, segue's
// own) whose folder does not exist: no folder is made for it, as for
// the cache's path.
func (a *app) givenFolder(key, path, def string) error {
	if path == def {
		return nil
	}
	return missingFolder("config "+a.configPath+": "+key, path)
}

// openAppend opens a log for appending, private to the user (0600, in a
// folder made 0700) as the queue and the plays are: a log holds request
// URLs, share links (capabilities) among them. A log made readable by
// others before is made private.
func openAppend(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// printJSON writes v as indented JSON (two spaces), the stable --json form
// of every command that prints one document (a listing, a report, ctl's
// status). Event streams (play --json, ctl watch --json) print one compact
// object a line instead, and a failure's {"error": ...} is one line too
// (see fail), so a script reads it after a report with one line read.
func (a *app) printJSON(v any) error {
	enc := jsonEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonEncoder is the encoder of everything --json writes: &, < and > as
// they are, where Go's default wrote \u0026, \u003c and \u003e (escapes for
// an HTML page), so a script looking for "Rock & Roll" found nothing.
func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
