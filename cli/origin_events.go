//go:build !segue_client

package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/config"
	"segue/origin"
	"segue/origin/subsonic"
)

func init() { addOriginSub(originEventsCmd) }

func originEventsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Import and export play events (what the recommender learns from)",
		Long: `Play events are one JSON object a line (JSON Lines):

  {"listener":"local","track_id":"t1a2b3","played_ms":183000,"completed":true,
   "at":"2026-11-30T17:00:00Z","session":"s1"}

with optional "id" (events with an ID already stored are skipped; without one
the ID is derived from listener, track_id, at and session, so importing a
file twice adds nothing) and "position_ms" (where a skipped track stopped).`,
	}
	open, same := catalogFlag(a, cmd)

	var importJSON bool
	imp := &cobra.Command{
		Use:     "import FILE.jsonl|-",
		Short:   "Load play events from a JSON Lines file (- reads standard input)",
		Example: `  segue origin events import history.jsonl`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := a.standardInput()
			if args[0] != "-" {
				args[0] = config.HomePath(args[0])
				f, err := openInput("origin events import", args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			db, err := open(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			// how far it is, on stderr (with --json too): a file of a
			// million plays was a minute without a word
			report, done := a.importProgress()
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			read, added, err := origin.NewEvents(db).ImportReporting(ctx, in, report)
			done()
			kept := catalog.Count(added, "new event")
			if ierr := interrupted(ctx, err, "origin events import",
				fmt.Sprintf("what it read is stored (%s, %d new): run the same command again to import the rest (what is stored is never added twice)", catalog.Count(read, "event"), added)); ierr != nil {
				return ierr
			}
			if errors.Is(err, catalog.ErrBadEvent) {
				// bad input, as a playlist import's file that does not parse (2); it was 1
				return &usageError{fmt.Errorf("origin events import %s: %w; %s (kept the %s before it; what is stored is never added twice)", inputName(args[0]), err, fixAndAgain(args[0], "the events"), kept)}
			}
			if err != nil {
				return fmt.Errorf("origin events import %s: %w (kept the %s before it)", inputName(args[0]), err, kept)
			}
			if importJSON {
				return a.printJSON(map[string]int{"read": read, "added": added})
			}
			_, err = fmt.Fprintf(a.stdout, "%s read, %d new\n", catalog.Count(read, "event"), added)
			return err
		},
	}
	imp.Flags().BoolVar(&importJSON, "json", false, "print the counts as JSON")

	var listener string
	exp := &cobra.Command{
		Use:   "export",
		Short: "Write every play event as JSON Lines to standard output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			// stopped says a stop between two events as such (exit 130):
			// each event is one whole line, written at once
			stopped := func(n int, err error) error {
				return interrupted(ctx, err, "origin events export",
					fmt.Sprintf("standard output holds the first %s, each a whole line: run the same command again to export them all", catalog.Count(n, "event")))
			}
			n, err := origin.NewEvents(db).Export(ctx, a.stdout, listener)
			if ierr := stopped(n, err); ierr != nil {
				return ierr
			}
			if errors.Is(err, origin.ErrNotFound) {
				// not an ID: the name a host gave a token or a user
				// (it was "no listener", for the names token list and
				// user list show first)
				id, rerr := listenerByName(cmd.Context(), db, listener)
				if rerr != nil {
					return rerr
				}
				if id != "" {
					n, err = origin.NewEvents(db).Export(ctx, a.stdout, id)
					if ierr := stopped(n, err); ierr != nil {
						return ierr
					}
				}
			}
			if errors.Is(err, origin.ErrNotFound) {
				// it printed nothing and exited 0, as for a listener with no plays
				return withExit(ExitNotFound, fmt.Errorf("origin events export: no listener %q on this origin: give a token's ID or name (segue origin token list%s), a Subsonic user's ID or name (segue origin user list%[2]s) or local", listener, same(cmd)))
			}
			return err
		},
	}
	exp.Flags().StringVar(&listener, "listener", "", "only the events of `LISTENER`: a token's or a Subsonic user's ID or name, or local")
	exp.Flags().Bool("json", false, `print an error as JSON, {"error": "..."} (the events are JSON Lines either way)`)
	cmd.AddCommand(imp, exp)
	return cmd
}

// listenerByName is the ID of the token (tokenRef: the active one, else
// the last revoked one) or the Subsonic user called name (ignoring case,
// as each keeps its names apart), the token first; "" when neither is.
func listenerByName(ctx context.Context, db *sql.DB, name string) (string, error) {
	if id, err := tokenRef(ctx, db, name); err != nil || id != name {
		return id, err
	}
	users, err := subsonic.ListUsers(ctx, db)
	if err != nil {
		return "", err
	}
	if i := slices.IndexFunc(users, func(u subsonic.User) bool { return sameUserName(u.Name, name) }); i >= 0 {
		return users[i].ID, nil
	}
	return "", nil
}

// catalogFlag adds --data and --catalog to cmd and its subcommands and
// returns what opens the catalog they name: --catalog's PostgreSQL (whose
// schema opening makes, as every origin does), else the SQLite catalog of
// --data (or of SEGUE_DATA, the configured data dir). A data dir with no
// catalog is a target not found (3) and nothing is made in it (see
// checkOrigin), for the commands that list what is there and for those
// that add to it (token create, user add, events import) alike: a mistyped
// --data made an empty catalog there, and a token, user or plays put in it
// were seen by no origin. origin ingest and origin serve make a catalog.
// The second function is sameCatalog of what was given, for the commands
// it suggests.
func catalogFlag(a *app, cmd *cobra.Command) (open func(cmd *cobra.Command) (*sql.DB, error), same func(cmd *cobra.Command) string) {
	var dataDir, catalogURL string
	cmd.PersistentFlags().Var(pathVar(&dataDir, ""), "data", dataFlagUsage())
	addCatalogFlag(cmd, &catalogURL, true)
	dirOf := func(cmd *cobra.Command) string {
		if cmd.Flags().Changed("data") {
			return dataDir
		}
		return a.cfg.OriginSv.DataDir
	}
	same = func(cmd *cobra.Command) string { return sameCatalog(dirOf(cmd), catalogURL) }
	open = func(cmd *cobra.Command) (*sql.DB, error) {
		if err := checkCatalog(catalogURL); err != nil {
			return nil, err
		}
		dir := dirOf(cmd)
		check := checkFolder("--data", dir)
		if catalogURL != "" {
			// the data dir holds only subsonic.key then (user add makes
			// it there): a given one in a folder that does not exist is
			// a bad setting (2), as it was for the commands that add
			check = a.checkDataDir(cmd, dir)
		}
		if err := check; err != nil {
			return nil, err
		}
		if catalogURL == "" {
			from := "--data"
			switch {
			case cmd.Flags().Changed("data"):
			case dir == config.Default().OriginSv.DataDir:
				from = "the default data dir (--data, SEGUE_DATA, [origin_server] data_dir)"
			default:
				from = a.settingFrom(cmd, "data", "SEGUE_DATA", "origin_server.data_dir")
			}
			if err := checkOrigin(from, dir); err != nil {
				return nil, err
			}
		}
		db, err := origin.OpenCatalogAt(cmd.Context(), catalogURL, dir)
		return db, explainCatalog(strings.TrimPrefix(cmd.CommandPath(), "segue "), "--catalog", catalogURL, err)
	}
	return open, same
}

// importProgress says how far origin events import is on stderr: a
// counting bar on a terminal, else a line every origin.ImportReport events
// ("[N] events read, M new so far"). done ends the bar.
func (a *app) importProgress() (report func(read, added int), done func()) {
	if !isTerminal(a.stderr) {
		return func(read, added int) {
			fmt.Fprintf(a.stderr, "[%d] events read, %d new so far\n", read, added)
		}, func() {}
	}
	var bar *progressbar.ProgressBar
	return func(read, _ int) {
			if bar == nil {
				bar = a.tallyBar("import events")
			}
			bar.Set(read)
		}, func() {
			if bar != nil {
				bar.Clear()
			}
		}
}
