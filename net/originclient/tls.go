package originclient

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// TLSOptions say which certificates an https origin may present. The zero
// value trusts the system roots only. Verification is never skipped.
type TLSOptions struct {
	// CAFile is a PEM file of extra certificate authorities trusted besides
	// the system roots (--ca).
	CAFile string
	// PinSHA256 is the SHA-256 fingerprint of the origin's certificate
	// (--pin-sha256, as ParsePin reads it). When set, the certificate must
	// have exactly this fingerprint and be valid now; the authority that
	// signed it and the names in it do not matter (a self-signed origin).
	PinSHA256 string
}

// ParsePin reads a certificate's SHA-256 fingerprint: 64 hex digits, in
// either case, optionally in colon-separated pairs as "openssl x509
// -fingerprint -sha256" prints them, optionally after "sha256:".
func ParsePin(s string) ([sha256.Size]byte, error) {
	var pin [sha256.Size]byte
	h := strings.TrimSpace(s)
	if len(h) > 7 && strings.EqualFold(h[:7], "sha256:") {
		h = h[7:]
	}
	h = strings.ReplaceAll(h, ":", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return pin, fmt.Errorf("certificate pin %q: want the certificate's SHA-256 fingerprint, 64 hex digits (as segue origin serve prints it)", clipPin(s))
	}
	copy(pin[:], b)
	return pin, nil
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as 64
// lowercase hex digits, the form --pin-sha256 takes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func clipPin(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
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
		pem, err := os.ReadFile(o.CAFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the authority file (--ca) %s does not exist (check the path)", o.CAFile)
		}
		if errors.Is(err, syscall.EISDIR) {
			return nil, fmt.Errorf("the authority file (--ca) %s is a folder: give a file", o.CAFile)
		}
		if err != nil {
			return nil, fmt.Errorf("read the authority file (--ca) %s: %w", o.CAFile, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read --ca %s: no PEM certificate in it", o.CAFile)
		}
		tc.RootCAs = pool
	}
	if o.PinSHA256 != "" {
		pin, err := ParsePin(o.PinSHA256)
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
	ErrPinMismatch = errors.New("the origin's certificate does not match --pin-sha256 (has the origin a new certificate, or is something in between?)")
	// ErrUnknownAuthority means an https origin's certificate is signed by
	// no authority trusted here; the text says which option fixes it.
	ErrUnknownAuthority = errors.New("the origin's certificate is signed by an authority this machine does not trust: give the authority with --ca FILE, or pin the certificate with --pin-sha256 FP (segue origin serve --tls-self-signed prints its fingerprint)")
)

func verifyPin(cs tls.ConnectionState, pin [sha256.Size]byte) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the origin presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	if sha256.Sum256(leaf.Raw) != pin {
		return fmt.Errorf("%w: it presented %s", ErrPinMismatch, Fingerprint(leaf.Raw))
	}
	if now := time.Now(); now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return fmt.Errorf("pinned certificate is valid from %s to %s, not now", leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly))
	}
	return nil
}

// hintTransport adds to a failed handshake with an unknown authority which
// option fixes it.
type hintTransport struct{ next http.RoundTripper }

func (h hintTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(r)
	var ua x509.UnknownAuthorityError
	if err != nil && errors.As(err, &ua) {
		return nil, fmt.Errorf("%w (%w)", ErrUnknownAuthority, err)
	}
	return resp, err
}

// Untrusted reports whether err is a refused certificate (unknown authority,
// wrong name, wrong pin): the origin answered, but not as one we trust.
func Untrusted(err error) bool {
	var ve *tls.CertificateVerificationError
	return errors.As(err, &ve) || errors.Is(err, ErrPinMismatch)
}
