package peer

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/mdns"

	"segue/catalog"
)

// Service is the DNS-SD service type segue peers advertise on the LAN.
const Service = "_segue._tcp"

// LANOptions configure StartLAN. Zero values take the documented defaults.
type LANOptions struct {
	// ID is this process's peer ID, the mDNS instance name (required).
	ID string
	// Addr is this peer endpoint's host:port (required); an unspecified
	// host advertises the machine's private IPv4 addresses.
	Addr string
	// Every is how often the LAN is asked for peers (default 10 s); a peer
	// not heard of for three rounds is forgotten.
	Every time.Duration
	// Logger receives discovery news (default slog.Default()).
	Logger *slog.Logger
}

// LAN advertises this peer with multicast DNS (github.com/hashicorp/mdns)
// and keeps the set of segue peers heard on the LAN: a Discovery that needs
// no tracker. A LAN peer may hold any track; one that does not answers 404.
type LAN struct {
	opts   LANOptions
	server *mdns.Server
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex           // guards found
	found map[string]time.Time // addr -> last heard
}

// StartLAN advertises o.Addr and starts browsing; Close stops both.
func StartLAN(o LANOptions) (*LAN, error) {
	if o.Every <= 0 {
		o.Every = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	host, portStr, err := net.SplitHostPort(o.Addr)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil || port == 0 {
		return nil, fmt.Errorf("advertise peer on the LAN: address %q: want host:port", o.Addr)
	}
	var ips []net.IP
	if ip, err := netip.ParseAddr(host); err == nil && !ip.IsUnspecified() {
		// without its zone (%eth0): a listener takes its own interface's,
		// the one the answer came in on. net.ParseIP took no zone, so a
		// link-local host advertised the IPv4 addresses, where nothing
		// served.
		ips = []net.IP{ip.WithZone("").AsSlice()}
	} else {
		ips = privateIPv4s()
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("advertise peer on the LAN: %s has no private IPv4 address to advertise", o.Addr)
	}
	zone, err := mdns.NewMDNSService(o.ID, Service, "", "segue-"+o.ID+".", port, ips, []string{"id=" + o.ID})
	if err != nil {
		return nil, fmt.Errorf("advertise peer on the LAN: %w", err)
	}
	srv, err := mdns.NewServer(&mdns.Config{Zone: zone, Logger: mdnsLogger(o.Logger)})
	if err != nil {
		return nil, fmt.Errorf("advertise peer on the LAN (multicast DNS): %w", noMulticastWhy(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &LAN{opts: o, server: srv, cancel: cancel, done: make(chan struct{}), found: map[string]time.Time{}}
	go l.browse(ctx)
	return l, nil
}

// Close stops browsing and advertising and waits for the browser.
func (l *LAN) Close() error {
	l.cancel()
	<-l.done
	return l.server.Shutdown()
}

func (l *LAN) browse(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.opts.Every)
	defer t.Stop()
	failing := false
	for {
		peers, err := Browse(ctx, time.Second, l.opts.ID, l.opts.Logger)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			// said once as it begins (a debug line every round said
			// nothing to segue peer serve --peer-lan on a machine with no
			// network), then quiet until a round works again
			l.opts.Logger.Warn("no peers can be found on the LAN until this works", "err", err)
			failing = true
		case err != nil && ctx.Err() == nil:
			l.opts.Logger.Debug("LAN peer browse failed", "err", err)
		case err == nil && failing:
			l.opts.Logger.Info("the LAN can be browsed for peers again")
			failing = false
		}
		now := time.Now()
		l.mu.Lock()
		for _, p := range peers {
			if _, known := l.found[p.Addr]; !known {
				l.opts.Logger.Info("found a peer on the LAN", "peer", p.Addr, "id", p.ID)
			}
			l.found[p.Addr] = now
		}
		for addr, at := range l.found {
			if now.Sub(at) > 3*l.opts.Every {
				delete(l.found, addr)
			}
		}
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Peers returns the LAN peers heard lately, whatever the track.
func (l *LAN) Peers(context.Context, string) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.found))
	for addr := range l.found {
		out = append(out, addr)
	}
	return out, nil
}

// Browse asks the LAN once for segue peers, waiting up to timeout for
// answers, and returns them without the peer self. It asks over IPv4 and,
// where the machine has it, IPv6: an answer over IPv6 is what gives a
// link-local peer address its zone (the interface it came in on).
func Browse(ctx context.Context, timeout time.Duration, self string, logger *slog.Logger) ([]catalog.Peer, error) {
	entries := make(chan *mdns.ServiceEntry, 64)
	var peers []catalog.Peer
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		seen := map[string]bool{}
		for e := range entries {
			id := strings.TrimPrefix(strings.Join(e.InfoFields, ""), "id=")
			addr := entryAddr(e)
			if addr == "" || id == self || id == "" {
				continue
			}
			if !seen[addr] {
				seen[addr] = true
				peers = append(peers, catalog.Peer{ID: id, Addr: addr})
			}
		}
	}()
	query := func(v6 bool) error {
		return mdns.QueryContext(ctx, &mdns.QueryParam{Service: Service, Domain: "local", Timeout: timeout,
			Entries: entries, DisableIPv4: v6, DisableIPv6: !v6, Logger: mdnsLogger(logger)})
	}
	v6done := make(chan error, 1)
	go func() { v6done <- query(true) }()
	err := query(false)
	if err6 := <-v6done; err6 != nil && logger != nil {
		logger.Debug("LAN peer browse over IPv6 failed", "err", err6) // a machine without IPv6
	}
	close(entries)
	<-collected
	if err != nil {
		return peers, fmt.Errorf("browse the LAN for peers: %w", noMulticastWhy(err))
	}
	return peers, nil
}

// noMulticastWhy replaces the mdns package's failure to join the
// multicast DNS group on any interface ("failed to bind to any multicast
// udp port", "no multicast listeners could be started": plain
// fmt.Errorf, so known by their text) by a sentence that says why and
// what to do: the kernel refuses the group (ENODEV) when no interface
// routes multicast, as on a machine connected to no network (loopback
// alone) or one whose network has no default route. Other errors stay.
func noMulticastWhy(err error) error {
	switch err.Error() {
	case "failed to bind to any multicast udp port", "no multicast listeners could be started":
		return fmt.Errorf("no network interface here takes multicast DNS (224.0.0.251, ff02::fb): " +
			"this machine has no route for multicast, as when it is connected to no network; " +
			"connect it to the LAN the peers are on (or route 224.0.0.0/4 to its interface), " +
			"or find peers through the origin's tracker, which needs no multicast")
	}
	return err
}

// entryAddr is the host:port an mDNS answer names: its IPv4 address, else
// its IPv6 one; "" for a link-local IPv6 address that came without a zone
// (an answer over IPv4), which cannot be dialed.
func entryAddr(e *mdns.ServiceEntry) string {
	port := strconv.Itoa(e.Port)
	if e.AddrV4 != nil {
		return net.JoinHostPort(e.AddrV4.String(), port)
	}
	a := e.AddrV6IPAddr
	if a == nil || (a.IP.IsLinkLocalUnicast() && a.Zone == "") {
		return ""
	}
	return net.JoinHostPort(a.String(), port)
}

// mdnsLogger routes the mdns package's log lines to logger at debug level.
func mdnsLogger(logger *slog.Logger) *log.Logger {
	if logger == nil {
		return log.New(io.Discard, "", 0)
	}
	return slog.NewLogLogger(logger.Handler(), slog.LevelDebug)
}

// privateIPv4s are the machine's private (RFC 1918) IPv4 addresses.
func privateIPv4s() []net.IP {
	addrs, _ := net.InterfaceAddrs()
	var out []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsPrivate() {
			out = append(out, n.IP)
		}
	}
	return out
}

// DefaultListen is where a peer endpoint listens unless configured: a free
// port on the machine's first private IPv4 address, never a public one;
// loopback when there is none.
func DefaultListen() string {
	if ips := privateIPv4s(); len(ips) > 0 {
		return net.JoinHostPort(ips[0].String(), "0")
	}
	return "127.0.0.1:0"
}
