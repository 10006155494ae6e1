//go:build !segue_client

package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/origin"
)

func init() { addOriginSub(originRemoveCmd) }

// removeReport is what origin remove prints with --json; Folder is the
// folder given, absolute and cleaned.
type removeReport struct {
	Folder string `json:"folder"`
	origin.RemoveSummary
}

func originRemoveCmd(a *app) *cobra.Command {
	var folder, dataDir, blobsURL, catalogURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "remove --folder DIR",
		Short: "Take the tracks of a folder out of the catalog (its files stay)",
		Long: `remove takes out of the catalog every track whose file lies under DIR, with
the albums and artists left empty and the segments and covers nothing else
uses, as an ingest of DIR after all its files were deleted would: for a folder
ingested once that is gone, moved or not wanted any more (a demo library). DIR
need not exist any longer. The files in DIR are not touched, and playlists keep
the tracks' IDs: segue origin ingest DIR brings the tracks back under them.`,
		Example: `  segue origin remove --folder ~/.local/share/segue/demo-library
  segue origin remove --folder /mnt/old-drive/Music --data /srv/segue --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("folder") {
				return &usageError{errors.New("origin remove: give the folder whose tracks to take out with --folder DIR")}
			}
			if !cmd.Flags().Changed("data") {
				dataDir = a.cfg.OriginSv.DataDir
			}
			if err := checkCatalog(catalogURL); err != nil {
				return err
			}
			if err := errors.Join(checkFolder("--folder", folder), checkFolder("--data", dataDir)); err != nil {
				return err
			}
			if abs, err := filepath.Abs(folder); err == nil {
				// named as origin ingest's report names it, in every
				// output: --json's "folder" was the path as given
				folder = abs
			}
			if catalogURL == "" {
				if err := checkOrigin("--data", dataDir); err != nil {
					return err
				}
			}
			store, err := a.openBlobs(cmd.Context(), blobsUse{what: "origin remove", flag: "--blobs"}, blobsURL)
			if err != nil {
				return err
			}
			// how far it is, on stderr (with --json too): a drive's worth
			// of tracks took minutes without a word
			progress := a.ingestProgress(false)
			ctx, stop := stopOnSignal(cmd.Context())
			defer stop()
			sum, err := origin.RemoveFolder(ctx, folder, origin.IngestOptions{DataDir: dataDir, Blobs: store, Catalog: catalogURL, Progress: progress})
			if progress != nil {
				progress(origin.IngestProgress{Action: "done"})
			}
			if ierr := interrupted(ctx, err, "origin remove", fmt.Sprintf("the %s it took out so far stay out, the rest are still in the catalog: run the same command again to take out the rest "+
				"(the blobs nothing uses any more are deleted by it or by the next origin ingest)", catalog.Count(sum.Removed, "track"))); ierr != nil {
				return ierr
			}
			if err != nil {
				return explainCatalog("origin remove", "--catalog", catalogURL, fmt.Errorf("origin remove: %w", err))
			}
			if asJSON {
				return a.printJSON(removeReport{Folder: folder, RemoveSummary: sum})
			}
			again := sameCatalog(dataDir, catalogURL)
			if blobsURL != "" {
				again += " --blobs '" + blobsURL + "'"
			}
			_, err = fmt.Fprintf(a.stdout, "removed %s of %s from the catalog, %s deleted; its files stay (segue origin ingest %[2]s%[4]s brings them back)\n",
				catalog.Count(sum.Removed, "track"), folder, catalog.Count(sum.BlobsRemoved, "unused blob"), again)
			return err
		},
	}
	cmd.Flags().Var(pathVar(&folder, ""), "folder", "the folder `DIR` whose tracks to take out (as it was given to origin ingest)")
	cmd.Flags().Var(pathVar(&dataDir, ""), "data", dataFlagUsage())
	addBlobsFlag(cmd, &blobsURL)
	addCatalogFlag(cmd, &catalogURL, false)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print what was removed as JSON")
	return cmd
}
