//go:build !segue_client

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/config"
	"segue/origin"
)

// catalogFlagUsage is the --catalog help text of the origin commands.
const catalogFlagUsage = "catalog database `URL`: postgres://USER:PASS@HOST:PORT/DB?sslmode=... for PostgreSQL " +
	"(shared by any number of serve replicas); default: DATA/catalog.db (SQLite)"

// addCatalogFlag adds --catalog to cmd's flags (persistent: for its
// subcommands too), storing its value in spec.
func addCatalogFlag(cmd *cobra.Command, spec *string, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.StringVar(spec, "catalog", "", catalogFlagUsage)
}

// sameCatalog is what a command this one suggests must be given to reach
// the same origin: " --data DIR" for a data dir other than the default
// (its blobs too), " --catalog URL" (its password hidden), both, or "".
// Without it, "segue origin token create NAME" after "serve --data
// /srv/segue" made a token in another catalog, one the origin never reads.
func sameCatalog(dataDir, catalogURL string) string {
	var s string
	if dataDir != config.Default().OriginSv.DataDir {
		s += " --data " + catalog.ShellWord(dataDir)
	}
	if catalogURL != "" {
		if u, err := url.Parse(catalogURL); err == nil {
			catalogURL = u.Redacted()
		}
		s += " --catalog '" + catalogURL + "'"
	}
	return s
}

// checkCatalog refuses a --catalog that names no catalog the origin can
// open, as a usage error.
func checkCatalog(spec string) error {
	if spec != "" && !origin.IsPostgresURL(spec) {
		return &usageError{fmt.Errorf("--catalog %q: %w: want postgres://USER@HOST:PORT/DB, or no --catalog for DATA/catalog.db", spec, origin.ErrCatalogURL)}
	}
	return nil
}

// checkToCatalog refuses a migrate --to-catalog that is not a PostgreSQL
// URL, naming that flag (it was told "--catalog ..., or no --catalog").
func checkToCatalog(spec string) error {
	if !origin.IsPostgresURL(spec) {
		return &usageError{fmt.Errorf("--to-catalog %q: %w: want postgres://USER@HOST:PORT/DB", spec, origin.ErrCatalogURL)}
	}
	return nil
}

// checkOrigin says what is wrong with the data dir of an origin that must
// be there already, for the command what: a file is a bad argument (2), a
// folder with no catalog, or none, a target not found (3), said before
// anything else is asked (migrate's PostgreSQL) and with nothing made
// there. The sentence names the folder looked at and the commands that
// make an origin's catalog there (makeOrigin).
func checkOrigin(what, dir string) error {
	if err := checkFolder(what, dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, origin.CatalogFile)); err != nil {
		if _, derr := os.Stat(dir); errors.Is(derr, fs.ErrNotExist) {
			// said apart: "(no catalog.db)" read as a folder there without one
			return withExit(ExitNotFound, fmt.Errorf("%s: no origin in %s: the folder does not exist; check the path, or %s", what, dir, makeOrigin(dir)))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return withExit(ExitNotFound, fmt.Errorf("%s: no origin in %s (no %s): check the path, or %s", what, dir, origin.CatalogFile, makeOrigin(dir)))
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// makeOrigin says how an origin's catalog is made in the data dir dir:
// ingesting a library there, or starting an origin there with none yet.
func makeOrigin(dir string) string {
	data := sameCatalog(dir, "")
	return fmt.Sprintf("make an origin there first: segue origin ingest MUSIC_FOLDER%s ingests a library into a new catalog, segue origin serve%[1]s starts an empty one", data)
}
