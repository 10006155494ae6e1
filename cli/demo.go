//go:build !segue_client

package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"

	"segue/config"
	"segue/demo"
	"segue/origin"
)

func init() { register(demoCmd) }

func demoCmd(a *app) *cobra.Command {
	var addr string
	var noTUI bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: demoShort,
		Long: `demo creates a demo library once (synthesized music by three artists on
four albums, one of them gapless) in the XDG data dir, ingests it into a data
dir of its own ($XDG_DATA_HOME/segue/demo-origin: the origin you host, in
--data, is never touched), starts an origin on loopback and opens the
interface against it. With --no-tui it keeps serving until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// a hangup (the terminal closed) stops it as Ctrl-C does: with
			// --no-tui nothing else would stop it cleanly
			ctx, stop := notifyStop(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			return a.runDemo(ctx, addr, noTUI)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:7700", "address for the demo origin, `HOST:PORT` on loopback")
	cmd.Flags().BoolVar(&noTUI, "no-tui", false, "serve only; do not open the interface")
	return cmd
}

func (a *app) runDemo(ctx context.Context, addr string, noTUI bool) error {
	// What can fail at once is checked before the library is made.
	if !noTUI && !a.interactive() {
		return &usageError{errors.New("demo: the interface needs a terminal; run segue demo in one, or segue demo --no-tui to serve the demo library only")}
	}
	if err := config.CheckAddr(addr); err != nil {
		return &usageError{fmt.Errorf("%s: %w", demoAddrName(), err)}
	}
	if err := a.stateProblem(); errors.As(err, new(*usageError)) { // a mistyped state_dir: the origin's log goes there
		return err
	}
	if !origin.IsLoopback(addr) {
		// off loopback the origin demands tokens the demo has none of: its
		// interface and the commands it suggests were refused
		return &usageError{fmt.Errorf("%s: the demo origin serves loopback only (give 127.0.0.1:PORT); to serve a network, ingest with segue origin ingest and run segue origin serve, whose clients need a token (segue origin token create NAME)", demoAddrGiven(addr))}
	}
	ln, err := origin.Listen(addr)
	if err != nil {
		return fmt.Errorf("start demo origin on %s: %w (%s, e.g. %s)", addr, err, config.ListenAdvice(err, demoAddrName()), demoAddrExample(nextPort(addr)))
	}
	defer ln.Close()

	libDir := filepath.Join(xdg.DataHome, "segue", "demo-library")
	fmt.Fprintf(a.stdout, "demo library: %s\n", libDir)
	if err := demo.Build(ctx, libDir, func(p string) { fmt.Fprintf(a.stdout, "  made %s\n", filepath.Base(p)) }); err != nil {
		if ierr := interrupted(ctx, err, "demo", "the demo library is not made yet: run segue demo again to make it"); ierr != nil {
			return ierr
		}
		return err
	}
	// The demo's catalog is its own: ingested into the origin a household
	// serves, its tracks stayed there for good (an ingest of the emptied
	// demo library is refused, as a drive not mounted is).
	dataDir := filepath.Join(xdg.DataHome, "segue", "demo-origin")
	fmt.Fprintf(a.stdout, "ingesting into %s\n", dataDir)
	sum, err := origin.Ingest(ctx, libDir, origin.IngestOptions{DataDir: dataDir, Progress: a.ingestProgress(false)})
	if err != nil {
		if ierr := interrupted(ctx, err, "demo", "the tracks it ingested are in the catalog: run segue demo again to finish"); ierr != nil {
			return ierr
		}
		return err
	}
	fmt.Fprintf(a.stdout, "ingested: %d added, %d updated, %d unchanged, %d skipped\n", sum.Added, sum.Updated, sum.Unchanged, len(sum.Skipped))

	// The origin's access log goes to a file of its own, not into the
	// client's log, where it would bury what the interface reports.
	originLog := filepath.Join(a.cfg.StateDir, "demo-origin.log")
	logFile, err := openAppend(originLog)
	if err != nil {
		return fmt.Errorf("demo origin log %s: %w (the state dir must be writable; set XDG_STATE_HOME to move it)", originLog, err)
	}
	defer logFile.Close()
	fmt.Fprintf(a.stdout, "origin log: %s\n", originLog)
	log := slog.New(slog.NewJSONHandler(logFile, nil))
	srv, err := origin.New(origin.ServerOptions{DataDir: dataDir, Addr: addr, Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := mountSubsonic(srv, log); err != nil { // Subsonic apps can try the demo too
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ctx, ln) }()
	url := "http://" + config.ListenedAddr(addr, ln.Addr())
	a.cfg.Rebind(url) // config.toml's token and pin are its origin's, not the demo's

	if !noTUI && rootRun != nil {
		err := rootRun(a, nil)
		srv.Close()
		return errors.Join(err, <-serveErr)
	}
	fmt.Fprintf(a.stdout, `origin serving %s (Ctrl-C stops it). Try:
  segue --origin %[1]s search "aurora"
  segue --origin %[1]s play --search "continuum" --output wav:/tmp/continuum.wav --fast
  curl %[1]s/api/v1/artists
`, url)
	return <-serveErr
}

// underMake reports whether make demo runs segue demo, passing its
// DEMO_ADDR as --addr: its recipe sets SEGUE_MAKE_DEMO=1 (MAKELEVEL would
// also be set under make test, whose tests run segue demo themselves).
func underMake() bool { return os.Getenv("SEGUE_MAKE_DEMO") == "1" }

// demoAddrName names what set the demo origin's address, for the advice of
// its errors: --addr, or under make the Makefile's DEMO_ADDR (make demo
// gives no --addr of the user's to change).
func demoAddrName() string {
	if underMake() {
		return "DEMO_ADDR"
	}
	return "--addr"
}

// demoAddrGiven is the demo origin's address addr as the user gives it:
// --addr ADDR, or under make DEMO_ADDR=ADDR.
func demoAddrGiven(addr string) string {
	if underMake() {
		return "DEMO_ADDR=" + addr
	}
	return "--addr " + addr
}

// demoAddrExample is how to run the demo on addr instead: --addr ADDR,
// or under make, make demo DEMO_ADDR=ADDR.
func demoAddrExample(addr string) string {
	if underMake() {
		return "make demo " + demoAddrGiven(addr)
	}
	return demoAddrGiven(addr)
}

// nextPort is addr (HOST:PORT) with the port after its own, for an
// example of an address to try when its own is taken; 127.0.0.1:7701
// when addr has no such port.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 1 || n >= 65535 {
		return "127.0.0.1:7701"
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}
