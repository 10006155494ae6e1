// Package trust reads what an https origin is trusted by: the PEM files of
// authorities (--ca) and certificate pins (--pin-sha256). config checks the
// settings with it and net/originclient verifies origins with it; it reads
// no settings itself and makes no connections.
package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

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
		return pin, fmt.Errorf("certificate pin %q: want the certificate's SHA-256 fingerprint, 64 hex digits (as segue origin serve prints it)", clip(s))
	}
	copy(pin[:], b)
	return pin, nil
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// MaxCABytes is the most an authority file may hold: a system's whole
// bundle (Debian's ca-certificates.crt) is about 220 KiB.
const MaxCABytes = 16 << 20

var errTooLarge = errors.New("too large")

// readBounded is os.ReadFile reading at most limit+1 bytes: more is
// errTooLarge (/dev/zero, a film named by mistake was read until the
// process died of it). Not internal/boundedread: trust imports nothing of
// segue's.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, err
}

// ReadCA reads the authority file at path and returns its certificates,
// refusing a file that is missing, a folder, or holds no PEM certificate
// with a sentence that names the file but not the setting that gave it.
func ReadCA(path string) ([]*x509.Certificate, error) {
	text, err := readBounded(path, MaxCABytes)
	switch {
	case errors.Is(err, errTooLarge):
		return nil, fmt.Errorf("the authority file %s is larger than %d MiB, more than any bundle of certificates: check the path", path, MaxCABytes>>20)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("the authority file %s does not exist (check the path)", path)
	case errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("the authority file %s is a folder: give a file", path)
	case err != nil:
		return nil, fmt.Errorf("read the authority file %s: %w", path, unwrapPath(err))
	}
	var certs []*x509.Certificate
	for rest := text; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if c, err := x509.ParseCertificate(b.Bytes); b.Type == "CERTIFICATE" && err == nil {
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("the authority file %s holds no PEM certificate: give the certificate of the authority that signed the origin's, in PEM (-----BEGIN CERTIFICATE-----)", path)
	}
	return certs, nil
}

// unwrapPath drops the *fs.PathError's own copy of the path, which the
// sentence already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
