//go:build !segue_client

package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/origin"
)

func init() {
	register(originCmd)
	notFound = append(notFound, origin.ErrNotFound)
	beforeCompletion = completeHosting
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
		// the origin's commands and not the root's, so that a client
		// setting given to one is refused before the settings are read
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := refuseClientGlobals(cmd); err != nil {
				return err
			}
			return a.load(cmd)
		},
	}
	for _, add := range originSubs {
		cmd.AddCommand(add(a))
	}
	cmd.SetUsageFunc(hostingUsage)
	return cmd
}

// hostingGlobals are the global flags that mean something to the origin's
// commands: the config file, for [origin_server] and log_file.
var hostingGlobals = []string{"config"}

// hostingUsage prints the usage (and so the help) of an origin command as
// cobra does, with only hostingGlobals among its global flags: the
// client's (--origin, --cache, --peer...) were listed there and do nothing.
func hostingUsage(c *cobra.Command) error {
	defer hideClientGlobals(c.Root())()
	return c.Root().UsageFunc()(c)
}

// hideClientGlobals hides the global flags of root but hostingGlobals from
// help and completion, until the returned function shows them again.
func hideClientGlobals(root *cobra.Command) (show func()) {
	var hidden []*pflag.Flag
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && !slices.Contains(hostingGlobals, f.Name) {
			f.Hidden = true
			hidden = append(hidden, f)
		}
	})
	return func() {
		for _, f := range hidden {
			f.Hidden = false
		}
	}
}

// refuseClientGlobals is a usage error naming the global flags given to
// cmd, an origin command, that are not hostingGlobals: such a flag (--origin,
// --cache, --peer...) was accepted and did nothing. A flag of cmd's own with
// a global's name (proxy-config's --cache-size) is cmd's, and so are the
// flags a group of origin commands shares.
func refuseClientGlobals(cmd *cobra.Command) error {
	var given []string
	globals := cmd.Root().PersistentFlags()
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) {
		if f.Changed && globals.Lookup(f.Name) == f && !slices.Contains(hostingGlobals, f.Name) {
			given = append(given, "--"+f.Name)
		}
	})
	if len(given) == 0 {
		return nil
	}
	name := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	if len(given) == 1 {
		return &usageError{fmt.Errorf("%s is a client setting; %s does not read it", given[0], name)}
	}
	return &usageError{fmt.Errorf("%s and %s are client settings; %s does not read them", strings.Join(given[:len(given)-1], ", "), given[len(given)-1], name)}
}

// completeHosting offers, when the shell completes the words of an origin
// command (args after __complete), only the global flags that apply to it,
// as its help lists them.
func completeHosting(root *cobra.Command, args []string) {
	c, _, err := root.Find(args)
	for ; err == nil && c != nil; c = c.Parent() {
		if c.Name() == "origin" && c.Parent() == root {
			hideClientGlobals(root) // for this run, which only completes
			return
		}
	}
}

// dataFlagUsage is the usage of the origin commands' --data: it names the
// folder used when neither SEGUE_DATA nor config.toml gives one, which the
// help said only as "default from config".
func dataFlagUsage() string {
	return fmt.Sprintf("origin data `DIR` (default: env SEGUE_DATA, else [origin_server] data_dir in config.toml, else %s)",
		filepath.Join(xdg.DataHome, "segue", "origin"))
}
