package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"segue/origin"
)

func init() { addOriginSub(originServeCmd) }

func originServeCmd(a *app) *cobra.Command {
	var o origin.ServerOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the catalog, search and segments over HTTP",
		Long: `Serve the origin's data dir: the JSON API under /api/v1 (search, artists,
albums, tracks, manifests, covers) and the segments under /chunks/{sha256}.

On a loopback address (the default) the origin runs open unless
--require-token is given. On any other address every request needs a bearer
token: create one with "segue origin token create NAME" and give it to clients
(--token or SEGUE_TOKEN).

The origin also runs the peer tracker (POST /api/v1/peers/announce, GET
/api/v1/peers?track=ID): a client learns only of peers behind its own token
unless --peers-across-tokens is given.

An access log goes to stderr. SIGINT or SIGTERM stops accepting connections
and lets requests in flight finish.`,
		Example: `  segue origin serve
  segue origin serve --addr 0.0.0.0:7700 --data /srv/segue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("data") {
				o.DataDir = a.cfg.OriginSv.DataDir
			}
			if !cmd.Flags().Changed("addr") {
				o.Addr = a.cfg.OriginSv.Addr
			}
			return a.runServe(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.DataDir, "data", "", "origin data dir (default from config, env SEGUE_DATA)")
	cmd.Flags().StringVar(&o.Addr, "addr", "127.0.0.1:7700", "listen address host:port")
	cmd.Flags().BoolVar(&o.RequireToken, "require-token", false, "demand bearer tokens even on loopback")
	cmd.Flags().BoolVar(&o.PeersAcrossTokens, "peers-across-tokens", false, "let the peer tracker list peers of any token (default: only the asker's own)")
	return cmd
}

// runServe serves with o (its Logger is set here) until ctx ends or a signal.
func (a *app) runServe(ctx context.Context, o origin.ServerOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	o.Logger = slog.New(slog.NewTextHandler(a.stderr, nil))
	srv, err := origin.New(o)
	if err != nil {
		return err
	}
	defer srv.Close()
	if srv.RequiresToken() {
		tokens, err := srv.Tokens(ctx)
		live := 0
		for _, t := range tokens {
			if t.RevokedAt == nil {
				live++
			}
		}
		if err == nil && live == 0 {
			fmt.Fprintln(a.stderr, "segue: this origin requires bearer tokens and has none: create one with segue origin token create NAME")
		}
	}
	return srv.ListenAndServe(ctx)
}
