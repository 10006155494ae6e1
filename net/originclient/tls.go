package originclient

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"segue/net/trust"
)

// TLSOptions say which certificates an https origin may present. The zero
// value trusts the system roots only. Verification is never skipped.
type TLSOptions struct {
	// CAFile is a PEM file of extra certificate authorities trusted besides
	// the system roots (--ca).
	CAFile string
	// PinSHA256 is the SHA-256 fingerprint of the origin's certificate
	// (--pin-sha256, as trust.ParsePin reads it). When set, the certificate must
	// have exactly this fingerprint and be valid now; the authority that
	// signed it and the names in it do not matter (a self-signed origin).
	PinSHA256 string
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as 64
// lowercase hex digits, the form --pin-sha256 takes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// Config returns the tls.Config for o: TLS 1.2 at least, the system roots
// plus CAFile, or the pin. Errors name the file or the pin that is wrong.
func (o TLSOptions) Config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		certs, err := trust.ReadCA(o.CAFile) // the same sentences as the setting's own check (config.CheckCA)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
		tc.RootCAs = pool
	}
	if o.PinSHA256 != "" {
		pin, err := trust.ParsePin(o.PinSHA256)
		if err != nil {
			return nil, err
		}
		// The chain is not checked against any authority (the point of a pin
		// is a certificate no authority signed), so Go's chain verification
		// is replaced, not skipped: VerifyConnection checks the fingerprint
		// and the validity period on every handshake, and the handshake
		// proves the origin holds the certificate's key. The host name is
		// not checked: the pin names one certificate, whatever its names.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error { return verifyPin(cs, pin) }
	}
	return tc, nil
}

// Certificate errors; match them with errors.Is.
var (
	// ErrPinMismatch means an https origin presented a certificate other
	// than the pinned one.
	ErrPinMismatch = errors.New("the origin's certificate does not match the pin (--pin-sha256, SEGUE_PIN_SHA256 or pin_sha256 in config.toml): has the origin a new certificate, or is something in between?")
	// ErrUnknownAuthority means an https origin's certificate is signed by
	// no authority trusted here; the text says which option fixes it.
	ErrUnknownAuthority = errors.New("the origin's certificate is signed by an authority this machine does not trust: give the authority with --ca FILE, or pin the certificate with --pin-sha256 FP (segue origin serve --tls-self-signed prints its fingerprint)")
	// ErrSubsonicUnknownAuthority is ErrUnknownAuthority for a Subsonic
	// server (NewSubsonicHTTPClient), which segue origin serve's options
	// do not apply to; SubsonicCertError says what does.
	ErrSubsonicUnknownAuthority = errors.New("the Subsonic server's certificate is signed by an authority this machine does not trust")
)

// PinMismatchError is ErrPinMismatch with the fingerprint of the
// certificate the origin presented instead (64 hex digits, as
// Fingerprint gives it): a pin to update after the origin made a new
// certificate (segue origin serve --tls-self-signed given a new
// --tls-name makes one), once its host confirms it.
type PinMismatchError struct{ Presented string }

func (e *PinMismatchError) Error() string {
	return ErrPinMismatch.Error() + ": it presented " + e.Presented
}

// Is makes errors.Is(err, ErrPinMismatch) hold.
func (e *PinMismatchError) Is(target error) bool { return target == ErrPinMismatch }

func verifyPin(cs tls.ConnectionState, pin [sha256.Size]byte) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the origin presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	if sha256.Sum256(leaf.Raw) != pin {
		return &PinMismatchError{Presented: Fingerprint(leaf.Raw)}
	}
	if now := time.Now(); now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return fmt.Errorf("pinned certificate is valid from %s to %s, not now", leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly))
	}
	return nil
}

// hintTransport adds to a failed handshake with an unknown authority which
// option fixes it, for a segue origin or (subsonic) a Subsonic server.
type hintTransport struct {
	next     http.RoundTripper
	subsonic bool
}

func (h hintTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(r)
	var (
		ua x509.UnknownAuthorityError
		he x509.HostnameError
	)
	switch {
	case err == nil:
		return resp, nil
	case h.subsonic && (errors.As(err, &ua) || errors.As(err, &he)):
		return nil, &SubsonicCertError{HostPort: hostPort(r.URL), Err: err}
	case errors.As(err, &ua):
		return nil, fmt.Errorf("%w (%w)", ErrUnknownAuthority, err)
	}
	return resp, err
}

// SubsonicCertError is a Subsonic server's certificate refused for being
// signed by an authority this machine does not trust (then errors.Is
// ErrSubsonicUnknownAuthority) or for not naming the host asked for; its
// text says what applies to such a server, not segue origin serve's
// --tls-self-signed.
type SubsonicCertError struct {
	HostPort string // the server's, for the command that prints its fingerprint
	Err      error  // the handshake's
}

func (e *SubsonicCertError) Error() string {
	fingerprint := "(openssl s_client -connect " + e.HostPort + " </dev/null | openssl x509 -noout -fingerprint -sha256 prints it)"
	var he x509.HostnameError
	if errors.As(e.Err, &he) && he.Certificate != nil {
		return fmt.Sprintf("the Subsonic server's certificate is not for %s: %s; reach the server by one of its names, "+
			"give it a certificate that names %[1]s, or pin it with --pin-sha256 FP %[3]s", he.Host, certNames(he.Certificate), fingerprint)
	}
	return ErrSubsonicUnknownAuthority.Error() + ": give that authority with --ca FILE, pin the certificate with --pin-sha256 FP " +
		fingerprint + ", or give the server a certificate from an authority this machine trusts"
}

func (e *SubsonicCertError) Unwrap() error { return e.Err }

func (e *SubsonicCertError) Is(target error) bool {
	var ua x509.UnknownAuthorityError
	return target == ErrSubsonicUnknownAuthority && errors.As(e.Err, &ua)
}

// hostPort is u's host with its port, 443 when u gives none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

// Refusal says in one sentence why the certificate under err was refused
// and what fixes it, for a certificate that does not name the host asked
// for (which --ca cannot fix); "" for any other refusal. Go's own words
// ("x509: cannot validate certificate for 127.0.0.1 because it doesn't
// contain any IP SANs") named neither the certificate's names nor a fix.
func Refusal(err error) string {
	var he x509.HostnameError
	if !errors.As(err, &he) || he.Certificate == nil {
		return ""
	}
	return fmt.Sprintf("the origin's certificate is not for %s: %s; reach the origin by one of its names, "+
		"make it one that names %[1]s (segue origin serve --tls-self-signed --tls-name %[1]s), or pin it with --pin-sha256 FP", he.Host, certNames(he.Certificate))
}

// certNames says which hosts and addresses c is for.
func certNames(c *x509.Certificate) string {
	names := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	has := "it names no host or address"
	if len(names) > 0 {
		has = "it is for " + strings.Join(names, ", ")
	} else if c.Subject.CommonName != "" {
		has += fmt.Sprintf(" (only a common name, %s, which clients no longer read)", c.Subject.CommonName)
	}
	return has
}

// WrongName is the host err refused a certificate for not naming, or "".
func WrongName(err error) string {
	var he x509.HostnameError
	if errors.As(err, &he) {
		return he.Host
	}
	return ""
}

// Untrusted reports whether err is a refused certificate (unknown authority,
// wrong name, wrong pin): the origin answered, but not as one we trust.
func Untrusted(err error) bool {
	var ve *tls.CertificateVerificationError
	return errors.As(err, &ve) || errors.Is(err, ErrPinMismatch)
}
