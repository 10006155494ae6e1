package origin

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"segue/internal/atomicfile"
	"segue/internal/filelock"
)

// selfSignedWait is how long SelfSigned waits for another origin making
// the data dir's certificate (a P-256 key and a signature: milliseconds).
const selfSignedWait = 30 * time.Second

// TLSDir is where --tls-self-signed keeps its certificate and key, under
// the data dir.
const TLSDir = "tls"

// certSource holds the serving certificate and swaps it on Reload; its
// GetCertificate is consulted on every handshake, so connections already
// open keep the certificate they started with and new ones get the new one.
type certSource struct {
	certFile, keyFile string

	mu   sync.RWMutex // guards cert
	cert *tls.Certificate
}

func newCertSource(certFile, keyFile string) (*certSource, error) {
	c := &certSource{certFile: certFile, keyFile: keyFile}
	return c, c.Reload()
}

// Reload reads the certificate and key files again. On an error the
// certificate served so far stays.
func (c *certSource) Reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

func (c *certSource) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}

// fingerprint is the SHA-256 of the leaf certificate's DER, 64 hex digits.
func (c *certSource) fingerprint() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	sum := sha256.Sum256(c.cert.Certificate[0])
	return hex.EncodeToString(sum[:])
}

// tlsConfig is the server side: TLS 1.2 at least, and for 1.2 only AEAD
// suites with forward secrecy (Mozilla's "intermediate" profile; TLS 1.3
// suites are not configurable in Go and are all modern). HTTP/2 is offered
// through ALPN by http.Server.ServeTLS.
func (c *certSource) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: c.getCertificate,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// SelfSigned returns the certificate and key files of a self-signed P-256
// certificate in dataDir/tls valid for localhost, 127.0.0.1, ::1 and names
// (host names or IP addresses). An existing one is kept when it covers all
// of them and is valid for 30 more days. Otherwise a new one (valid 825
// days, the CA/Browser Forum's former ceiling) replaces it, covering the
// old certificate's names as well as names: two origins sharing a data dir
// with different --tls-name sets each made one for its own names alone,
// so each start undid the other's and broke the clients of the other. The
// new one keeps the old key and subject when the old pair loads, so a
// client that trusts the old certificate as its authority (--ca) verifies
// the new one; a pin (the certificate's SHA-256) does not carry over. The
// making is logged on log (nil: not logged). The key is written 0600. The
// check and the making hold the lock dataDir/tls/lock, so origins started
// at once on one data dir serve one pair: the second takes the pair the
// first made. Without it each wrote its own over the other's, and one
// failed on a key that was not its certificate's or served a certificate
// the file no longer held. A lock held for selfSignedWait (an origin
// stopped mid-write cannot hold it: the kernel lets it go) is an error.
func SelfSigned(dataDir string, names []string, log *slog.Logger) (certFile, keyFile string, err error) {
	dir := filepath.Join(dataDir, TLSDir)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	dns, ips := subjectAltNames(names)
	if _, _, ok := covers(certFile, keyFile, dns, ips); ok {
		return certFile, keyFile, nil // as before, with no lock file: a read-only data dir serves its pair
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), selfSignedWait)
	defer cancel()
	unlock, err := filelock.Lock(ctx, filepath.Join(dir, "lock"), nil)
	if errors.Is(err, context.DeadlineExceeded) {
		return "", "", fmt.Errorf("self-signed certificate: another segue origin on the data dir %s has been making its certificate for %v: "+
			"stop the other origin serving from it, or give each origin a data dir of its own", dataDir, selfSignedWait)
	}
	if err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	defer unlock()
	old, oldKey, ok := covers(certFile, keyFile, dns, ips) // made by the origin that held the lock
	if ok {
		return certFile, keyFile, nil
	}
	if old == nil {
		old = readLeaf(certFile) // a key lost or not this certificate's: its names still count
	}
	lacked := uncovered(old, dns, ips) // before dns and ips become the union
	subject := pkix.Name{CommonName: "segue origin " + dns[len(dns)-1]}
	key, reused := oldKey.(*ecdsa.PrivateKey)
	if old != nil {
		// the old names first, so each origin sharing the dir stays covered
		union := slices.Clone(old.DNSNames)
		for _, ip := range old.IPAddresses {
			union = append(union, ip.String())
		}
		dns, ips = subjectAltNames(append(union, names...))
		subject = old.Subject
	}
	if !reused {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return "", "", fmt.Errorf("self-signed certificate: %w", err)
		}
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(825 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so --ca can take the certificate itself
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	if err := writePEM(keyFile, "PRIVATE KEY", keyDER); err != nil {
		return "", "", err
	}
	if err := writePEM(certFile, "CERTIFICATE", der); err != nil {
		return "", "", err
	}
	if log != nil {
		covered := slices.Clone(dns)
		for _, ip := range ips {
			covered = append(covered, ip.String())
		}
		why := "there was none"
		if old != nil {
			why = "the old one did not cover " + strings.Join(lacked, ", ")
			if len(lacked) == 0 {
				why = "the old one expires on " + old.NotAfter.Format(time.DateOnly)
			}
			if reused {
				why += "; its names stay covered and its key is kept, so clients given the old certificate with --ca still trust this one, " +
					"but clients that pinned the old fingerprint (--pin-sha256) must pin the new one"
			} else {
				why += "; its names stay covered, but its key did not load, " +
					"so clients must take the new certificate (--ca) or pin its fingerprint (--pin-sha256)"
			}
		}
		log.Warn("made a self-signed certificate: "+why, "file", certFile, "names", strings.Join(covered, ", "), "sha256", hex.EncodeToString(sha256Sum(der)))
	}
	return certFile, keyFile, nil
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// subjectAltNames splits localhost, 127.0.0.1, ::1 and names into the DNS
// names and IP addresses a certificate lists, each once: names compare
// without case (RFC 4343), addresses by value (::ffff:127.0.0.1 is
// 127.0.0.1), so `--addr 127.0.0.1:7700` or a repeated --tls-name adds
// nothing twice. The first spelling seen is kept, in order.
func subjectAltNames(names []string) (dns []string, ips []net.IP) {
	for _, n := range append([]string{"localhost", "127.0.0.1", "::1"}, names...) {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
		} else if n != "" && !slices.ContainsFunc(dns, func(d string) bool { return strings.EqualFold(d, n) }) {
			dns = append(dns, n)
		}
	}
	return dns, ips
}

// covers reports whether the pair on disk loads, is valid for 30 more days
// and names every one of dns and ips. The pair's certificate and key are
// returned whenever it loads (nil, nil when not), for a new certificate
// to keep its names and key.
func covers(certFile, keyFile string, dns []string, ips []net.IP) (leaf *x509.Certificate, key crypto.PrivateKey, ok bool) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, false
	}
	leaf, err = x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, false
	}
	if time.Now().Add(30 * 24 * time.Hour).After(leaf.NotAfter) {
		return leaf, pair.PrivateKey, false
	}
	return leaf, pair.PrivateKey, len(uncovered(leaf, dns, ips)) == 0
}

// uncovered lists those of dns and ips that c does not name (none when c
// is nil).
func uncovered(c *x509.Certificate, dns []string, ips []net.IP) []string {
	var out []string
	if c == nil {
		return nil
	}
	for _, d := range dns {
		if !slices.ContainsFunc(c.DNSNames, func(l string) bool { return strings.EqualFold(l, d) }) {
			out = append(out, d)
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
			out = append(out, ip.String())
		}
	}
	return out
}

// readLeaf is the certificate in certFile, nil when it does not parse.
func readLeaf(certFile string) *x509.Certificate {
	b, err := os.ReadFile(certFile)
	if err != nil {
		return nil
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil
	}
	return c
}

// writePEM writes one PEM block to path with mode 0600, whole and
// durably (atomicfile).
func writePEM(path, typ string, der []byte) error {
	return atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}
