package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/net/originclient"
	"segue/net/peer"
)

func init() { register(peerCmd) }

func peerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "peer",
		Short: "Share the segment cache with other segue clients",
		Long: `Peers serve each other the segments they hold, so the origin carries only what
no peer has. Every segment is checked against its sha256; a peer that sends
wrong bytes is banned. Off unless [peer] enabled = true in config.toml or
--peer is given; "segue peer serve" shares the cache without playing.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(peerServeCmd(a), peerDiscoverCmd(a))
	return cmd
}

func peerServeCmd(a *app) *cobra.Command {
	var listen string
	var asJSON bool
	var rate config.Size
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR]",
		Short: "Serve the cache to peers until interrupted",
		Long: `serve answers peers' GET /chunks/{sha256} from the local cache only (at most 4
peers at once, under an upload rate cap), announces the tracks it holds in
full to the origin's tracker every 30 s, and with [peer] lan (or --peer-lan)
advertises itself on the LAN with multicast DNS. It prints the address it
listens on, then runs until SIGINT or SIGTERM. When the tracker does not
take an announce (the origin is down, the token is refused) it says so on
stderr, and again when the tracker takes them once more.`,
		Example: `  segue peer serve
  segue peer serve --listen 192.168.1.20:7701 --peer-lan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("listen") {
				if err := config.CheckListen(listen); err != nil {
					return &usageError{fmt.Errorf("--listen: %w", err)}
				}
				a.cfg.Peer.Listen = listen
			}
			if cmd.Flags().Changed("upload-rate") {
				a.cfg.Peer.UploadRate = rate
			}
			return a.peerServe(cmd.Context(), asJSON)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "`HOST:PORT` to serve peers on (default [peer] listen, else a free port on a private address)")
	cmd.Flags().Var(&rate, "upload-rate", "cap on the bytes per second sent to peers, a `RATE` such as 500KB; 0 takes the default ([peer] upload_rate, else 2MiB)")
	// The usage names the default; pflag would add "(default 0 B)", the
	// zero that stands for it, which read as no upload at all.
	cmd.Flags().Lookup("upload-rate").DefValue = ""
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the address as JSON")
	return cmd
}

func (a *app) peerServe(ctx context.Context, asJSON bool) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// A --cache or SEGUE_CACHE naming no file is made, as the default
	// cache is, to fill as segue plays or pins beside it (a household's
	// first run names its path so), saying so: a mistyped one served peers
	// nothing without a word. One whose folder is not there is exit 2.
	if err := a.givenCacheThere("serve"); err != nil {
		if ee := (*exitError)(nil); !errors.As(err, &ee) || ee.code != ExitNotFound {
			return err
		}
		a.sayOnStderr(fmt.Sprintf("no cache was at %s: made a new, empty one, which peers are served from as segue plays or pins into it (if you meant a cache that is there, check %s)",
			a.cfg.Cache.Path, a.cacheSetting()))
	}
	opening := ctx // the opening says its own interruption (see openDiskCache)
	ctx, stop := notifyStop(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := a.logger()
	a.onDamaged = a.sayDamage // it serves until stopped: said at once, not as it ends
	return a.withCache(opening, func(c *cache.Cache) error {
		tracker, err := originclient.New(a.cfg.Origin, originclient.Options{Token: a.cfg.Token, TLS: a.tlsFor(a.cfg.Origin, "")})
		if err != nil {
			return withExit(ExitUsage, err)
		}
		notices := &announceNotices{TrackerClient: tracker, say: a.sayOnStderr}
		n, err := a.startPeer(c, notices, tracker.BaseURL(), log, "--listen or [peer] listen")
		if err != nil {
			return err
		}
		if asJSON {
			a.printJSON(catalog.Peer{ID: n.id, Addr: n.addr})
		} else {
			fmt.Fprintf(a.stdout, "serving the cache to peers on %s\n", n.addr)
		}
		<-ctx.Done()
		return n.Close()
	})
}

// sayOnStderr prints s as a line of segue's on stderr.
func (a *app) sayOnStderr(s string) { fmt.Fprintf(a.stderr, "segue: %s\n", s) }

// announceNotices is the tracker client of peer serve and play --peer: it
// says on stderr when the origin's tracker stops taking this peer's
// announces (unreachable, a token refused) and when it takes them again.
// Serving while no tracker lists the peer is sharing with nobody outside
// the LAN, and that was only in the log: the terminal said "serving the
// cache to peers" and no more. It also says when the tracker lists the
// peer at another address than the one it serves on: the tracker takes
// the host the announce came from, not the one announced; and when the
// peer serves on loopback alone beside the origin, which the tracker then
// gives to no other machine.
type announceNotices struct {
	peer.TrackerClient
	say func(string)

	mu       sync.Mutex // guards failed, listed and loopback
	failed   bool       // the last announce failed, and it was said
	listed   string     // the address the tracker lists the peer at, when it was said
	loopback bool       // it was said that the peer serves on loopback alone
}

// AnnouncePeer announces through the wrapped client, saying a change of
// outcome: the first failure after a success (or at the start), and the
// first success after a failure.
func (t *announceNotices) AnnouncePeer(ctx context.Context, ann catalog.PeerAnnounce) (catalog.PeerAnnounceReply, error) {
	reply, err := t.TrackerClient.AnnouncePeer(ctx, ann)
	if ctx.Err() != nil {
		return reply, err // stopping: not the tracker's doing
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil && !t.failed:
		t.say(fmt.Sprintf("the origin's tracker did not take this peer, so other peers find it only on the LAN (--peer-lan); trying again every %s: %s",
			peer.DefaultAnnounceEvery, sentence(err)))
	case err == nil && t.failed:
		t.say(fmt.Sprintf("the origin's tracker takes this peer again (%s held in full)", catalog.Count(len(ann.Tracks), "track")))
	}
	t.failed = err != nil
	if err == nil && elsewhere(ann.Addr, reply.Addr) && reply.Addr != t.listed {
		t.say(fmt.Sprintf("the origin's tracker lists this peer at %s, the address the origin sees this machine at, while it serves on %s: peers reach it through the tracker only if that address leads here (serve on every address with [peer] listen = \"0.0.0.0:PORT\", or forward the port on a NAT router); peers on this LAN find it with --peer-lan",
			reply.Addr, ann.Addr))
		t.listed = reply.Addr
	}
	if err == nil && loopbackOnly(ann.Addr, reply.Addr) && !t.loopback {
		t.say(fmt.Sprintf("this peer serves on %s, on loopback alone, so the origin's tracker gives it only to segue on this machine: other machines cannot reach it there (to share with them, serve on every address with [peer] listen = \"0.0.0.0:PORT\", or on this machine's LAN address)",
			ann.Addr))
		t.loopback = true
	}
	return reply, err
}

// loopbackOnly reports whether a peer announced at announced serves on
// loopback alone and the tracker lists it there (it runs on the origin's
// machine): the tracker then gives it to no other machine.
func loopbackOnly(announced, listed string) bool {
	a, aerr := netip.ParseAddrPort(announced)
	l, lerr := netip.ParseAddrPort(listed)
	return aerr == nil && lerr == nil && a.Addr().Unmap().IsLoopback() && l.Addr().Unmap().IsLoopback()
}

// elsewhere reports whether the tracker listed a peer announced at
// announced (its endpoint's host:port) at another host: not when the
// endpoint serves on every address (an unspecified host) or the origin is
// too old to say (listed empty).
func elsewhere(announced, listed string) bool {
	host, _, err := net.SplitHostPort(announced)
	if listed == "" || err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && !ip.IsUnspecified() && listed != announced
}

func peerDiscoverCmd(a *app) *cobra.Command {
	var timeout time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "discover",
		Short: "List the segue peers on the LAN (multicast DNS)",
		Long: `discover asks the LAN once for segue peers (service _segue._tcp) and lists
the ones that answer within --timeout. It needs no tracker and no origin.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return &usageError{fmt.Errorf("--timeout %s: want a time to wait for answers, more than 0 (e.g. 2s)", timeout)}
			}
			peers, err := peer.Browse(cmd.Context(), timeout, "", a.logger())
			if err != nil {
				return err
			}
			if asJSON {
				if peers == nil {
					peers = []catalog.Peer{}
				}
				return a.printJSON(peers)
			}
			t := newTable("ADDRESS", "ID").whole("ADDRESS", "ID").
				orSay(fmt.Sprintf("no peers answered within %s (a peer on the LAN is a segue run with --peer-lan)", timeout))
			for _, p := range peers {
				t.row(p.Addr, p.ID)
			}
			return a.printTables(t)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Second, "how long to wait for answers, a `DURATION` such as 2s or 500ms")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
