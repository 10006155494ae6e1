package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"segue/origin"
)

// catalogFlagUsage is the --catalog help text of the origin commands.
const catalogFlagUsage = "catalog database: postgres://USER:PASS@HOST:PORT/DB?sslmode=... for PostgreSQL " +
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

// checkCatalog refuses a --catalog that names no catalog the origin can
// open, as a usage error.
func checkCatalog(spec string) error {
	if spec != "" && !origin.IsPostgresURL(spec) {
		return &usageError{fmt.Errorf("--catalog %q: %w: want postgres://USER@HOST:PORT/DB, or no --catalog for DATA/catalog.db", spec, origin.ErrCatalogURL)}
	}
	return nil
}
