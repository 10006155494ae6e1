package config

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// ParsePin reads a certificate's SHA-256 fingerprint: 64 hex digits, in
// either case, optionally in colon-separated pairs as "openssl x509
// -fingerprint -sha256" prints them, optionally after "sha256:". It is here,
// beside the other settings' checks, so that a pin from config.toml or
// SEGUE_PIN_SHA256 is refused naming where it came from.
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

// CheckPin reports whether s is "" (no pin) or a fingerprint ParsePin reads.
func CheckPin(s string) error {
	if s == "" {
		return nil
	}
	_, err := ParsePin(s)
	return err
}

// CheckCA reports whether path is "" (the system's authorities only) or a
// file holding at least one PEM certificate. Its sentences do not name the
// setting: the caller says which one (--ca, SEGUE_CA or the file's ca).
func CheckCA(path string) error {
	if path == "" {
		return nil
	}
	_, err := ReadCA(path)
	return err
}

// ReadCA reads the authority file at path and returns its certificates,
// refusing with CheckCA's sentences a file that is missing, a folder, or
// holds no PEM certificate.
func ReadCA(path string) ([]*x509.Certificate, error) {
	text, err := os.ReadFile(path)
	switch {
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
