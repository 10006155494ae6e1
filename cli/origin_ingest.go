//go:build !segue_client

package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/adrg/xdg"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/config"
	"segue/origin"
)

func init() { addOriginSub(originIngestCmd) }

func originIngestCmd(a *app) *cobra.Command {
	var dataDir string
	var jobs int
	var asJSON bool
	var blobsURL, catalogURL string
	cmd := &cobra.Command{
		Use:   "ingest DIR",
		Short: "Encode a music folder into the origin's catalog and segment store",
		Long: `Ingest walks DIR for audio files (mp3, flac, ogg, opus, m4a, wav, aiff...),
reads their tags and cover art, encodes three MP3 renditions (96k, 160k,
320k), cuts them into segments and records everything in the origin's data
dir. Running it again only encodes new and changed files and removes the
tracks whose files under DIR disappeared. One catalog holds every folder
ingested into it: ingesting another folder (~/Podcasts after ~/Music) adds
its tracks and keeps the others. A file whose path inside DIR equals that of
a track from another folder is skipped with why (a track's ID follows that
path).

A file that cannot be used (damaged, not audio, empty, unreadable) is skipped
and listed with the reason; a track whose file changed into such a file keeps
the version ingested before until the file can be read. The exit status is 0 as long as the library and
the data dir can be used and ffmpeg is installed. When the data dir's disk
fills up, every file it stopped is listed as "disk full", the report is
printed (with --json, before the {"error": ...} object) and the exit status
is 1; free space and run ingest again.

With --blobs s3://BUCKET/PREFIX?endpoint=URL&region=R the segments and covers
go to an S3-compatible object store (the bucket is created when missing)
instead of DATA/blobs; a store that cannot be used (credentials refused, the
endpoint unreachable) is refused before anything is encoded. With --catalog postgres://USER@HOST/DB the catalog is
written to PostgreSQL instead of DATA/catalog.db, so ingest can run on
another machine than serve.`,
		Example: `  segue origin ingest ~/Music
  segue origin ingest ~/Music --data /srv/segue --jobs 4 --json
  segue origin ingest ~/Music --blobs 's3://music/segue?endpoint=http://127.0.0.1:9000'
  segue origin ingest ~/Music --catalog postgres://segue@db.lan/segue --blobs 's3://music/segue?endpoint=http://minio.lan:9000'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			args[0] = config.HomePath(args[0]) // a quoted "~/Music", as --data=~/x
			if !cmd.Flags().Changed("data") {
				dataDir = a.cfg.OriginSv.DataDir
			}
			if err := checkCatalog(catalogURL); err != nil {
				return err
			}
			if err := errors.Join(checkFolder("origin ingest", args[0]), a.checkDataDir(cmd, dataDir)); err != nil {
				return err
			}
			store, err := a.openBlobs(cmd.Context(), blobsUse{what: "ingest", flag: "--blobs", creates: true}, blobsURL)
			if err != nil {
				return err
			}
			return a.runIngest(cmd.Context(), args[0], origin.IngestOptions{DataDir: dataDir, Jobs: jobs, Blobs: store, Catalog: catalogURL}, asJSON)
		},
	}
	cmd.Flags().Var(pathVar(&dataDir, ""), "data", dataFlagUsage())
	intFlag(cmd.Flags(), &jobs, "jobs", 0, 0, maxJobs, fmt.Sprintf("`N` files encoded in parallel, 1-%d (default 0: the number of CPUs)", maxJobs))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	addBlobsFlag(cmd, &blobsURL)
	addCatalogFlag(cmd, &catalogURL, false)
	return cmd
}

// ingestReport is the --json form of an ingest run.
type ingestReport struct {
	Library string `json:"library"`
	DataDir string `json:"data_dir"`
	// Catalog and Blobs name the catalog and blob store written:
	// DATA/catalog.db or a postgres:// URL without its password, DATA/blobs
	// or an s3:// URL.
	Catalog string `json:"catalog"`
	Blobs   string `json:"blobs"`
	origin.IngestSummary
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	XRealtime      float64 `json:"x_realtime"`
}

// runIngest ingests dir with o (its Progress and Logger are set here).
func (a *app) runIngest(ctx context.Context, dir string, o origin.IngestOptions, asJSON bool) error {
	ctx, stop := stopOnSignal(ctx)
	defer stop()
	progress := a.ingestProgress(false)
	o.Progress, o.Logger = progress, a.logger()
	sum, err := origin.Ingest(ctx, dir, o)
	if progress != nil {
		progress(origin.IngestProgress{Action: "done"})
	}
	if err := interrupted(ctx, err, "origin ingest", "the files it finished are in the catalog: run the same command again to go on from there (encoding the files left, or measuring the tracks left for the radio)"); err != nil {
		return err
	}
	if err != nil && !errors.Is(err, origin.ErrDiskFull) {
		if empty := (*origin.EmptyLibraryError)(nil); errors.As(err, &empty) {
			if empty.Under == 0 && len(empty.Folders) > 0 {
				// No track comes from it: nothing would be removed, and
				// it said so; most likely a mistyped path.
				return &usageError{fmt.Errorf("origin ingest: %s holds no files, and no track of the catalog comes from it (its tracks come from %s): "+
					"check the path; put music in it first to add a folder", dir, strings.Join(empty.Folders, ", "))}
			}
			n := empty.Under
			if n == 0 { // tracks of older ingests, whose folder is not known
				n = empty.Tracks
			}
			return &usageError{fmt.Errorf("origin ingest: %s holds no files, and the catalog holds %s an earlier ingest made: "+
				"ingesting it would remove those that were under it with their segments; check the path (is a drive not mounted?)",
				dir, catalog.Count(n, "track"))}
		}
		if errors.Is(err, origin.ErrDataHoldsLibrary) {
			return &usageError{fmt.Errorf("origin ingest: the data dir %s is the music folder %s or holds it, and ingest reads nothing in its data dir: give --data a folder of its own (by default %s)",
				o.DataDir, dir, filepath.Join(xdg.DataHome, "segue", "origin"))}
		}
		if errors.Is(err, origin.ErrLibrary) && errors.Is(err, fs.ErrNotExist) {
			return withExit(ExitNotFound, fmt.Errorf("origin ingest: the music folder %s does not exist (check the path)", dir))
		}
		return explainCatalog("ingest", "--catalog", o.Catalog, fmt.Errorf("ingest: %w", err))
	}
	if perr := a.printIngestReport(dir, o, sum, asJSON); perr != nil {
		return perr
	}
	if err != nil { // a full disk: the report lists what it stopped
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// printIngestReport prints what an ingest run of dir with o did, as JSON
// or text. The text names the data dir when the catalog and blobs are
// there, else the catalog and blob store themselves: it named the data
// dir, which held neither, after an ingest into PostgreSQL and S3.
func (a *app) printIngestReport(dir string, o origin.IngestOptions, sum origin.IngestSummary, asJSON bool) error {
	rep := ingestReport{Library: dir, DataDir: o.DataDir, IngestSummary: sum, ElapsedSeconds: sum.Elapsed.Seconds()}
	if sum.Elapsed > 0 {
		rep.XRealtime = sum.AudioSeconds / sum.Elapsed.Seconds()
	}
	if rep.Skipped == nil {
		rep.Skipped = []origin.SkippedFile{}
	}
	if rep.Cut == nil {
		rep.Cut = []origin.CutFile{}
	}
	if rep.Unmeasured == nil {
		rep.Unmeasured = []origin.SkippedFile{}
	}
	if rep.Moved == nil {
		rep.Moved = []origin.MovedFolder{}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		rep.Library = abs
	}
	if abs, err := filepath.Abs(o.DataDir); err == nil {
		rep.DataDir = abs
	}
	rep.Catalog, rep.Blobs = origin.CatalogName(o.Catalog, rep.DataDir), filepath.Join(rep.DataDir, origin.BlobDir)
	if o.Blobs != nil {
		rep.Blobs = fmt.Sprint(o.Blobs)
	}
	if asJSON {
		return a.printJSON(rep)
	}
	w := &report{w: a.stdout}
	if o.Catalog == "" && o.Blobs == nil {
		w.printf("ingested %s into %s\n", rep.Library, rep.DataDir)
	} else {
		w.printf("ingested %s into the catalog %s and the blob store %s\n", rep.Library, rep.Catalog, rep.Blobs)
	}
	w.printf("  %d added, %d updated, %d unchanged, %d removed, %d skipped, %s deleted\n",
		sum.Added, sum.Updated, sum.Unchanged, sum.Removed, len(sum.Skipped), catalog.Count(sum.BlobsRemoved, "unused blob"))
	if sum.AudioSeconds > 0 {
		w.printf("  encoded %s of audio in %s (%.1fx real time)\n",
			audioLength(sum.AudioSeconds), sum.Elapsed.Round(time.Millisecond), rep.XRealtime)
	}
	for _, m := range sum.Moved {
		w.printf("  took over %s from %s, which is not there any more: the library moved here, and they keep their IDs (playlists and plays too)\n",
			catalog.Count(m.Tracks, "track"), cellText(m.From))
	}
	for _, s := range sum.Skipped {
		w.printf("  skipped %s: %s\n", cellText(s.Path), cellText(s.Reason))
	}
	for _, c := range sum.Cut {
		w.printf("  cut %s of %s to %d characters (the catalog keeps no more of a tag)\n", tagWords(c.Tags), cellText(c.Path), catalog.MaxTagText)
	}
	for _, u := range sum.Unmeasured {
		w.printf("  not measured %s: %s; the radio matches it by its tags alone until an ingest measures it\n", cellText(u.Path), cellText(u.Reason))
	}
	if sum.Added+sum.Updated+sum.Unchanged+len(sum.Skipped) == 0 {
		fmt.Fprintf(a.stderr, "segue: no audio files in %s: ingest reads MP3, FLAC, Ogg, Opus, M4A, WAV, AIFF and other audio files in it and its folders\n", rep.Library)
	}
	return w.err
}

// audioLength says how much audio an ingest encoded: to a tenth of a
// second under a minute (a half-second file said "0s": the seconds were
// truncated), to the second above.
func audioLength(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// tagWords names tags as a sentence does: "the title tag", "the title
// and artist tags", "the title, artist and album tags".
func tagWords(tags []string) string {
	switch len(tags) {
	case 0:
		return "no tag"
	case 1:
		return "the " + tags[0] + " tag"
	}
	return "the " + listed(tags, "and") + " tags"
}

// cutClause ends a progress line of a file whose tags were cut to
// catalog.MaxTagText: "" when none was.
func cutClause(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s cut to %d characters)", tagWords(tags), catalog.MaxTagText)
}

// ingestSteps are the steps of an ingest after its files, by the Action
// that starts one (see origin.IngestProgress): the line that says what it
// does with how many, and its bar's name on a terminal.
var ingestSteps = map[string]struct{ line, bar string }{
	"retag":   {"files whose tags to read again (a catalog made by an older segue): %d", "retag"},
	"measure": {"tracks to measure for the radio (tempo, fingerprint): %d", "measure"},
	"remove":  {"tracks to take out of the catalog: %d", "remove"}, // origin remove
	"collect": {"blobs no track uses any more, to delete: %d", "delete blobs"},
}

// scanLine says how far the walk of the library is (with the files of any
// kind it met so far).
const scanLine = "walking the library: %d files seen so far"

// tallySteps are the bar descriptions of the ingest steps counted with no
// total (walks).
var tallySteps = map[string]string{"scan": "walk library", "walk": "find unused blobs"}

// walkLine says how far the walk of the blob store that finds the blobs no
// track uses is (with the blobs walked so far).
const walkLine = "finding the blobs no track uses: %d of the store's blobs checked so far"

// maxJobs bounds ingest --jobs: each job runs ffmpeg processes, and more
// than this many at once only thrash a machine.
const maxJobs = 256

// ingestProgress returns the progress reporter for origin.Ingest: a bar with
// ETA when stderr is a terminal, one plain line per file otherwise, nothing
// when quiet. The bar finishes with the last file, or when called with
// Action "done" (for a run that ends early).
func (a *app) ingestProgress(quiet bool) func(origin.IngestProgress) {
	if quiet {
		return nil
	}
	if !isTerminal(a.stderr) {
		return func(p origin.IngestProgress) {
			switch p.Action {
			case "done":
			case "start":
				fmt.Fprintf(a.stderr, "files to encode: %d\n", p.Total)
			case "retag", "measure", "remove", "collect":
				fmt.Fprintf(a.stderr, ingestSteps[p.Action].line+"\n", p.Total)
			case "scan": // every 10,000 files the walk of the library met
				fmt.Fprintf(a.stderr, scanLine+"\n", p.Done)
			case "walk": // every 10,000 blobs walked, while finding the unused ones
				fmt.Fprintf(a.stderr, walkLine+"\n", p.Done)
			case "collected": // every 500 blobs, not each
				fmt.Fprintf(a.stderr, "[%d/%d] blobs deleted\n", p.Done, p.Total)
			case "skipped", "unmeasured":
				fmt.Fprintf(a.stderr, "[%d/%d] %s %s: %s\n", p.Done, p.Total, p.Action, cellText(p.Path), cellText(p.Reason))
			default:
				fmt.Fprintf(a.stderr, "[%d/%d] %s %s%s\n", p.Done, p.Total, p.Action, cellText(p.Path), cutClause(p.Cut))
			}
		}
	}
	var bar *progressbar.ProgressBar
	finished := false
	tallying := "" // the tallySteps action bar counts, when it counts one
	finish := func() {
		if bar != nil && !finished {
			bar.Finish()
			fmt.Fprintln(a.stderr)
			finished = true
		}
	}
	return func(p origin.IngestProgress) {
		if p.Action == "done" {
			finish()
			return
		}
		if tally, ok := tallySteps[p.Action]; ok {
			// a count with no total: the library's or the store's size
			// is known at the end
			if tallying != p.Action {
				finish()
				bar, finished, tallying = a.tallyBar(tally), false, p.Action
			}
			bar.Set(p.Done)
			return
		}
		if tallying != "" {
			// the walk ended: what follows has a bar of its own
			finish()
			bar, finished, tallying = nil, false, ""
		}
		desc := "ingest"
		step, later := ingestSteps[p.Action]
		if later {
			// The files are done; each later step has a bar of its own.
			finish()
			fmt.Fprintf(a.stderr, step.line+"\n", p.Total)
			bar, finished, desc = nil, false, step.bar
		}
		if bar == nil {
			bar = progressbar.NewOptions(p.Total,
				progressbar.OptionSetWriter(a.stderr),
				progressbar.OptionSetDescription(desc),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		if p.Action == "start" || later {
			return
		}
		switch {
		case p.Action == "skipped" || p.Action == "unmeasured":
			bar.Clear()
			fmt.Fprintf(a.stderr, "%s %s: %s\n", p.Action, cellText(p.Path), cellText(p.Reason))
		case len(p.Cut) > 0:
			bar.Clear()
			fmt.Fprintf(a.stderr, "%s %s%s\n", p.Action, cellText(p.Path), cutClause(p.Cut))
		}
		bar.Set(p.Done)
		if p.Done == p.Total {
			finish()
		}
	}
}
