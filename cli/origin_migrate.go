//go:build !segue_client

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/origin"
	"segue/origin/subsonic"
)

func init() { addOriginSub(originMigrateCmd) }

func originMigrateCmd(a *app) *cobra.Command {
	var o origin.MigrateOptions
	var blobsURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate --from DATA --to-catalog postgres://... [--to-blobs s3://...]",
		Short: "Copy a single-machine origin into PostgreSQL (and its blobs into S3)",
		Long: `Migrate copies the origin in a data dir (catalog.db and blobs/) into a
PostgreSQL catalog and, with --to-blobs, its segments and covers into an
S3-compatible object store; then "segue origin serve --catalog ... --blobs ..."
answers as the data dir did. The data dir is only read.

Every blob is hashed before it is stored and read back after; every table
is compared with the source by a hash of its rows at the end. A run that
stopped (interrupted, a lost connection) resumes where it was when run again:
what the target already holds is not copied twice. A damaged source blob is
named and stops the run (ingest the library again to rebuild it).`,
		Example: `  segue origin migrate --from ~/.local/share/segue/origin \
    --to-catalog postgres://segue@db.lan/segue \
    --to-blobs 's3://music/segue?endpoint=http://minio.lan:9000&region=us-east-1'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.From == "" || o.ToCatalog == "" {
				return &usageError{errors.New("migrate needs --from DATA and --to-catalog postgres://...")}
			}
			if err := checkToCatalog(o.ToCatalog); err != nil {
				return err
			}
			if err := checkOrigin("migrate --from", o.From); err != nil {
				return err
			}
			store, err := a.openBlobs(cmd.Context(), blobsUse{what: "migrate", flag: "--to-blobs", creates: true}, blobsURL)
			if err != nil {
				return err
			}
			o.ToBlobs = store
			return a.runMigrate(cmd.Context(), o, asJSON)
		},
	}
	cmd.Flags().Var(pathVar(&o.From, ""), "from", "data `DIR` of the origin to copy (catalog.db, blobs/)")
	cmd.Flags().StringVar(&o.ToCatalog, "to-catalog", "", "PostgreSQL catalog `URL` to copy into: postgres://USER:PASS@HOST:PORT/DB")
	cmd.Flags().StringVar(&blobsURL, "to-blobs", "", "blob store `URL` to copy segments and covers into: "+
		"s3://BUCKET/PREFIX?endpoint=URL&region=R (default: they stay in DATA/blobs)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// runMigrate runs o until done or interrupted (a later run resumes) and
// prints its summary.
func (a *app) runMigrate(ctx context.Context, o origin.MigrateOptions, asJSON bool) error {
	ctx, stop := stopOnSignal(ctx)
	defer stop()
	o.Progress = a.migrateProgress()
	sum, err := origin.Migrate(ctx, o)
	if err := interrupted(ctx, err, "origin migrate", "what it copied is kept: run the same command again to resume"); err != nil {
		return err
	}
	if err != nil {
		// its own advice already says so, or running it again would fail the same way
		if !strings.Contains(err.Error(), "run the same command again") && !errors.Is(err, origin.ErrMigrateTargetHolds) {
			err = fmt.Errorf("%w (run the same command again to resume)", err)
		}
		return explainCatalog("migrate", "--to-catalog", o.ToCatalog, err)
	}
	if key := filepath.Join(o.From, subsonic.KeyFile); keyExists(key) {
		sum.SubsonicKey = key
	}
	if asJSON {
		return a.printJSON(sum)
	}
	w := &report{w: a.stdout}
	w.printf("migrated %s: %s copied, %d already there; rows verified:", o.From, catalog.Count(sum.BlobsCopied, "blob"), sum.BlobsPresent)
	tables := make([]string, 0, len(sum.Rows))
	for t := range sum.Rows {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		w.printf(" %s %d", t, sum.Rows[t])
	}
	w.printf("\n")
	if sum.SubsonicKey != "" {
		w.printf("copy %s (mode 0600) into the data dir of every segue origin serve on this catalog: it seals the Subsonic users' passwords, which cannot be checked without it\n", sum.SubsonicKey)
	}
	return w.err
}

// migrateProgress says how far origin migrate is on stderr, with --json too
// (stdout holds the summary alone, and a copy into S3 may take hours): on
// a terminal a bar for each stage (the blobs, each table, each table's
// check), else a line "STAGE: DONE/TOTAL" each time Migrate reports (at a
// stage's start and end, and every 500 blobs or rows), or "STAGE: DONE so
// far" while the total is not known (the listing of the target's blobs,
// every 10,000).
func (a *app) migrateProgress() func(origin.MigrateProgress) {
	if !isTerminal(a.stderr) {
		return func(p origin.MigrateProgress) {
			if p.Total < 0 {
				fmt.Fprintf(a.stderr, "%s: %d so far\n", p.Stage, p.Done)
				return
			}
			fmt.Fprintf(a.stderr, "%s: %d/%d\n", p.Stage, p.Done, p.Total)
		}
	}
	stage, bar, clear := "", func(int) {}, func() {}
	return func(p origin.MigrateProgress) {
		if p.Stage != stage {
			clear()
			stage, clear = p.Stage, func() {}
			if p.Total < 0 {
				// a walk whose total is known only at its end
				tally := a.tallyBar(p.Stage)
				bar, clear = func(n int) { tally.Set(n) }, func() { tally.Clear() }
			} else {
				bar = a.countProgress(p.Stage, p.Total)
			}
		}
		bar(p.Done)
	}
}

// keyExists says whether path is a file there (a subsonic.key to copy).
func keyExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
