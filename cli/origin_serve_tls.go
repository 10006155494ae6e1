//go:build !segue_client

package cli

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"regexp"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"segue/origin"
)

// tlsFlags are serve's TLS and public-address flags.
type tlsFlags struct {
	cert, key      string
	selfSignedOn   bool
	names          []string
	publicURL      string
	trustedProxies []string
	// selfSigned is nil without --tls-self-signed, else the names the
	// certificate covers besides the loopback ones (never nil then).
	selfSigned []string
}

func (t *tlsFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Var(pathVar(&t.cert, ""), "tls-cert", "PEM certificate `FILE` (with its chain) to serve https with; reloaded on SIGHUP")
	f.Var(pathVar(&t.key, ""), "tls-key", "PEM private key `FILE` of --tls-cert")
	f.BoolVar(&t.selfSignedOn, "tls-self-signed", false, "serve https with a self-signed certificate kept in DATA/tls (its fingerprint is printed)")
	f.StringSliceVar(&t.names, "tls-name", nil, "`HOST` name or address the self-signed certificate also covers (repeatable)")
	f.StringVar(&t.publicURL, "public-url", "", "`URL` people reach the origin at, for share URLs (e.g. https://music.example behind a proxy)")
	f.StringSliceVar(&t.trustedProxies, "trusted-proxy", nil, "address or `CIDR` whose X-Forwarded-Proto/Host are believed (repeatable)")
}

// hostName is a DNS name a certificate can cover: dot-separated labels of
// letters, digits and inner hyphens, 253 characters at most, the first
// label "*" for a wildcard (RFC 1035 section 2.3.1, RFC 6125 section 6.4.3).
var hostName = regexp.MustCompile(`^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// apply checks the flags' combination and fills o.
func (t *tlsFlags) apply(o *origin.ServerOptions) error {
	if t.selfSignedOn && (t.cert != "" || t.key != "") {
		return errors.New("--tls-self-signed makes its own certificate: drop --tls-cert/--tls-key, or drop --tls-self-signed")
	}
	if (t.cert == "") != (t.key == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if len(t.names) > 0 && !t.selfSignedOn {
		return errors.New("--tls-name only applies to --tls-self-signed")
	}
	if err := checkPEMFiles("--tls-cert", t.cert, "--tls-key", t.key); err != nil {
		return err
	}
	if t.cert != "" {
		if _, err := tls.LoadX509KeyPair(t.cert, t.key); err != nil {
			return fmt.Errorf("--tls-cert %s and --tls-key %s: want a PEM certificate and its PEM private key (%v)", t.cert, t.key, err)
		}
	}
	for _, n := range t.names {
		if net.ParseIP(n) == nil && (len(n) > 253 || !hostName.MatchString(n)) {
			return fmt.Errorf("--tls-name %q: want a host name (music.lan, *.music.lan) or an address", n)
		}
	}
	o.TLSCert, o.TLSKey = t.cert, t.key
	if t.selfSignedOn {
		t.selfSigned = append([]string{}, t.names...)
		if host, _, err := net.SplitHostPort(o.Addr); err == nil && host != "" && !net.ParseIP(host).IsUnspecified() {
			t.selfSigned = append(t.selfSigned, host)
		}
	}
	if t.publicURL != "" {
		u, err := origin.ParsePublicURL(t.publicURL)
		if err != nil {
			return err
		}
		o.PublicURL = u
	}
	ps, err := origin.ParseProxies(t.trustedProxies)
	if err != nil {
		return err
	}
	o.TrustedProxies = ps
	return nil
}

// reloadOnHangup reloads srv's certificate on every SIGHUP until the
// returned stop is called (which waits for the watcher to end).
func reloadOnHangup(srv *origin.Server, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-hup:
				if err := srv.ReloadCertificate(); err != nil {
					log.Error("TLS certificate not reloaded; the old one stays", "err", err)
				}
			case <-done:
				return
			}
		}
	})
	return func() {
		signal.Stop(hup)
		close(done)
		wg.Wait()
	}
}
