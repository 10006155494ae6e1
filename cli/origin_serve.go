//go:build !segue_client

package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"segue/config"
	"segue/origin"
	"segue/origin/subsonic"
)

func init() { addOriginSub(originServeCmd) }

func originServeCmd(a *app) *cobra.Command {
	var o origin.ServerOptions
	var t tlsFlags
	var blobsURL string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the catalog, search and segments over HTTP",
		Long: `Serve the origin's data dir: the JSON API under /api/v1 (search, artists,
albums, tracks, manifests, covers) and the segments under /chunks/{sha256}.

On a loopback address (the default) the origin runs open unless
--require-token is given. On any other address every request needs a bearer
token: create one with "segue origin token create NAME" and give it to clients
(--token, SEGUE_TOKEN or token in config.toml).

The origin also runs the peer tracker (POST /api/v1/peers/announce, GET
/api/v1/peers?track=ID): a client learns only of peers behind its own token
unless --peers-across-tokens is given.

With --tls-cert and --tls-key the origin serves https only (TLS 1.2 at
least, HTTP/2); SIGHUP reads the files again without dropping connections.
--tls-self-signed makes (once, in DATA/tls) a P-256 certificate for
localhost, 127.0.0.1, ::1 and each --tls-name (a name it lacks is added,
its old names and key kept: --ca clients keep trusting it, pins must be
renewed), and prints its SHA-256 fingerprint: clients give it to --pin-sha256, or the certificate file to
--ca. Behind a reverse proxy that terminates TLS, give --public-url (or
--trusted-proxy for X-Forwarded-For/Proto/Host) so share URLs say https
and rate limits and peers see the client, not the proxy; see docs/tls.md.

Limits: a request (body included) must arrive within 60 s; a response that
makes no progress for 30 s is cut off (a download that moves may take any
time), one of audio or a cover only after --pause-timeout (10 min: a paused
player reads nothing); at most 1024 connections at once (a newcomer closes the connection
idle longest, or waits); at most 32 JSON documents answered at once and 2x
the CPUs catalog connections (more requests wait); request bodies are
capped per route (1 MiB for playlist edits, 4 MiB for play events, 64 KiB
otherwise) with 413; after 10 refused tokens from an address, its further
refused ones get 429 for a while (a valid token from it is still served).

With --blobs s3://BUCKET/PREFIX?endpoint=URL&region=R the segments and covers
are read from an S3-compatible object store (as written by "segue origin
ingest --blobs"), with the same caching headers, ETag and Range answers;
serve refuses to start while the store cannot be used (credentials refused,
no such bucket, the endpoint unreachable), saying which.
With --catalog postgres://... the catalog, playlists, tokens and play events
are in PostgreSQL instead of DATA/catalog.db: any number of serve replicas
can share it (and one bucket); the schema is created or migrated on start.

The OpenSubsonic API is served under /rest/ (see "segue origin user" for its
users, and the README for the methods): Subsonic apps sign in with a user's
name and password or its API key, never with a bearer token.

An access log goes to stderr; its first line ("origin serving") names the
catalog and blob store served from. SIGINT or SIGTERM stops accepting connections
and lets requests in flight finish.`,
		Example: `  segue origin serve
  segue origin serve --addr 0.0.0.0:7700 --data /srv/segue
  segue origin serve --addr 0.0.0.0:7443 --tls-self-signed --tls-name music.lan
  segue origin serve --tls-cert /etc/segue/fullchain.pem --tls-key /etc/segue/key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("data") {
				o.DataDir = a.cfg.OriginSv.DataDir
			}
			if err := a.checkDataDir(cmd, o.DataDir); err != nil {
				return err
			}
			if !cmd.Flags().Changed("addr") {
				o.Addr = a.cfg.OriginSv.Addr
			} else if err := config.CheckAddr(o.Addr); err != nil {
				return &usageError{fmt.Errorf("--addr: %w", err)}
			}
			if err := t.apply(&o); err != nil {
				return &usageError{err}
			}
			if err := a.pauseTimeout(cmd, &o.PauseTimeout); err != nil {
				return err
			}
			if err := checkCatalog(o.Catalog); err != nil {
				return err
			}
			store, err := a.openBlobs(cmd.Context(), blobsUse{what: "origin serve", flag: "--blobs", readOnly: true}, blobsURL)
			if err != nil {
				return err
			}
			o.Blobs = store
			return a.runServe(cmd.Context(), o, t.selfSigned)
		},
	}
	t.flags(cmd)
	cmd.Flags().Var(pathVar(&o.DataDir, ""), "data", dataFlagUsage())
	cmd.Flags().StringVar(&o.Addr, "addr", "127.0.0.1:7700", "listen address, `HOST:PORT`")
	cmd.Flags().BoolVar(&o.RequireToken, "require-token", false, "demand bearer tokens even on loopback")
	timeoutFlag(cmd.Flags(), &o.PauseTimeout, "pause-timeout", config.DefaultPauseTimeout,
		"how long a media answer (audio, a cover) waits for a client that stopped reading (a paused player) before it is cut off, a `DURATION` such as 10m or 90s (default from config origin_server.pause_timeout, else 10m)")
	cmd.Flags().BoolVar(&o.PeersAcrossTokens, "peers-across-tokens", false, "let the peer tracker list peers of any token (default: only the asker's own)")
	addBlobsFlag(cmd, &blobsURL)
	addCatalogFlag(cmd, &o.Catalog, false)
	return cmd
}

// pauseTimeout sets *d, for serve and proxy-config, from config.toml's
// origin_server.pause_timeout (else config.DefaultPauseTimeout) unless
// cmd was given --pause-timeout.
func (a *app) pauseTimeout(cmd *cobra.Command, d *time.Duration) error {
	if cmd.Flags().Changed("pause-timeout") {
		return nil
	}
	v, err := a.cfg.OriginSv.PauseTimeoutOrDefault()
	if err != nil {
		return &usageError{err}
	}
	*d = v
	return nil
}

// runServe serves with o (its Logger is set here) until ctx ends or a signal.
// With selfSigned it first makes (or keeps) the certificate in the data dir.
func (a *app) runServe(ctx context.Context, o origin.ServerOptions, selfSigned []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// SIGHUP reloads the certificate of an https origin (reloadOnHangup);
	// an http one has nothing to reload, so a hangup (its terminal closed)
	// stops it as Ctrl-C does, finishing what is in flight, rather than
	// killing it mid-request.
	stopping := []os.Signal{syscall.SIGINT, syscall.SIGTERM}
	if selfSigned == nil && o.TLSCert == "" {
		stopping = append(stopping, syscall.SIGHUP)
	}
	ctx, stop := notifyStop(ctx, stopping...)
	defer stop()
	o.CommandFlags = sameCatalog(o.DataDir, o.Catalog)
	logs := origin.NewLogHandler(a.stderr)
	defer logs.Close() // after srv.Close: the last access log lines
	o.Logger = slog.New(logs)
	if selfSigned != nil {
		var err error
		if o.TLSCert, o.TLSKey, err = origin.SelfSigned(o.DataDir, selfSigned, o.Logger); err != nil {
			return err
		}
		o.PinShareURLs = true
	}
	srv, err := origin.New(o)
	if err != nil {
		return explainCatalog("origin serve", "--catalog", o.Catalog, err)
	}
	defer srv.Close()
	// Listening first: a port another program holds is the one thing to
	// say, not after warnings about a serving that never starts.
	ln, err := srv.Listen()
	if err != nil {
		return err
	}
	defer ln.Close() // Serve closes it too; this is for the returns before
	if artists, err := srv.Reader().Artists(ctx); err == nil && len(artists) == 0 {
		// a mistyped --data would otherwise serve an empty catalog
		// without a word
		fmt.Fprintf(a.stderr, "segue: the catalog in %s holds no music yet: ingest a folder with segue origin ingest MUSIC_DIR%s\n", o.DataDir, sameCatalog(o.DataDir, o.Catalog))
	}
	if err := mountSubsonic(srv, o.Logger); err != nil {
		return err
	}
	if fp := srv.Fingerprint(); fp != "" {
		fmt.Fprintf(a.stderr, "segue: serving https; certificate SHA-256 %s (clients: --pin-sha256 %s or --ca %s)\n", fp, fp, o.TLSCert)
		stopHUP := reloadOnHangup(srv, o.Logger)
		defer stopHUP()
	} else if !origin.IsLoopback(o.Addr) && !strings.HasPrefix(o.PublicURL, "https://") {
		// the tokens this origin then requires would be sent in the clear
		fmt.Fprintf(a.stderr, "segue: serving plain http on %s, off loopback: tokens and Subsonic passwords cross the network readable by anyone on it; "+
			"serve https (--tls-self-signed, or --tls-cert and --tls-key), or behind a proxy that does, saying so with --public-url https://HOST\n", o.Addr)
	}
	if srv.RequiresToken() {
		tokens, err := srv.Tokens(ctx)
		live := 0
		for _, t := range tokens {
			if t.RevokedAt == nil {
				live++
			}
		}
		if err == nil && live == 0 {
			fmt.Fprintf(a.stderr, "segue: this origin requires bearer tokens and has none: create one with segue origin token create NAME%s\n", sameCatalog(o.DataDir, o.Catalog))
		}
	}
	return srv.Serve(ctx, ln)
}

// mountSubsonic answers the OpenSubsonic API under /rest/ on srv (README
// "Subsonic apps"), on origin serve's origin and the demo's alike.
func mountSubsonic(srv *origin.Server, log *slog.Logger) error {
	api, err := subsonic.New(srv, subsonic.Options{Logger: log})
	if err != nil {
		return err
	}
	srv.Mount(subsonic.Prefix, api)
	return nil
}
