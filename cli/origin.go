//go:build !segue_client

package cli

import (
	"github.com/spf13/cobra"

	"segue/origin"
)

func init() {
	register(originCmd)
	notFound = append(notFound, origin.ErrNotFound)
}

// originSubs are the subcommands of "segue origin"; each file adds its own
// with addOriginSub, so adding one touches only that file.
var originSubs []func(*app) *cobra.Command

func addOriginSub(f func(*app) *cobra.Command) { originSubs = append(originSubs, f) }

func originCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "origin",
		Short: originShort,
		Long: `The origin holds the catalog and the audio segments segue streams.

  segue origin ingest ~/Music     encode a music folder into the origin's data dir
  segue origin serve              serve it (loopback by default)
  segue origin token create NAME  a bearer token for segue clients off loopback
  segue origin user add NAME      a user for Subsonic apps (the OpenSubsonic API under /rest/)

The data dir defaults to $XDG_DATA_HOME/segue/origin (config: [origin_server] data_dir,
env SEGUE_DATA, or --data).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	for _, add := range originSubs {
		cmd.AddCommand(add(a))
	}
	return cmd
}
