package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeCA writes a self-signed certificate as PEM into dir and returns its
// path.
func writeCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "segue test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLSSettingsNameTheirSource: an authority file or a pin that cannot
// be right is refused where it was set: config.toml's ca and pin_sha256
// with the file, line and key, SEGUE_CA and SEGUE_PIN_SHA256 with the
// variable. Both were taken, and the first request said "the authority
// file (--ca) X does not exist" (naming a flag the user never gave) or
// "certificate pin "zz": ..." (naming nothing).
func TestTLSSettingsNameTheirSource(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "typo.pem")
	notPEM := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbled := filepath.Join(dir, "garbled.pem")
	if err := os.WriteFile(garbled, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeCA(t, dir)
	q := strconv.Quote
	for _, c := range []struct {
		name, body, key string
		line            int
		says            string
	}{
		{"ca that is not there", "ca = " + q(none) + "\n", "ca", 1, "ca: the authority file " + none + " does not exist (check the path)"},
		{"ca a folder", "origin = \"https://h\"\nca = " + q(dir) + "\n", "ca", 2, "ca: the authority file " + dir + " is a folder: give a file"},
		{"ca not PEM", "ca = " + q(notPEM) + "\n", "ca", 1, "ca: the authority file " + notPEM + " holds no PEM certificate"},
		{"ca PEM that is no certificate", "ca = " + q(garbled) + "\n", "ca", 1, "holds no PEM certificate"},
		{"pin not hex", "# mine\n\npin_sha256 = \"zz\"\n[cache]\nsize = \"1GiB\"\n", "pin_sha256", 3, `pin_sha256: certificate pin "zz": want the certificate's SHA-256 fingerprint, 64 hex digits`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, true)
			var ce *Error
			if !errors.As(err, &ce) || ce.File != path || ce.Key != c.key || ce.Line != c.line || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Load: %v; want %s:%d naming %s and saying %q", err, path, c.line, c.key, c.says)
			}
		})
	}
	for _, c := range []struct{ name, value, says string }{
		{"SEGUE_CA", none, "SEGUE_CA: the authority file " + none + " does not exist (check the path)"},
		{"SEGUE_CA", dir, "SEGUE_CA: the authority file " + dir + " is a folder: give a file"},
		{"SEGUE_CA", notPEM, "SEGUE_CA: the authority file " + notPEM + " holds no PEM certificate: give the certificate of the authority that signed the origin's, in PEM (-----BEGIN CERTIFICATE-----)"},
		{"SEGUE_PIN_SHA256", "zz", `SEGUE_PIN_SHA256: certificate pin "zz": want the certificate's SHA-256 fingerprint, 64 hex digits (as segue origin serve prints it)`},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			if _, err := Load(filepath.Join(t.TempDir(), "none.toml"), false); err == nil || err.Error() != c.says {
				t.Errorf("Load with %s=%s: %v; want %q", c.name, c.value, err, c.says)
			}
		})
	}
	pin := strings.Repeat("ab", 32)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("ca = "+q(good)+"\npin_sha256 = "+q(pin)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path, true); err != nil || c.CA != good || c.PinSHA256 != pin {
		t.Errorf("Load of a good ca and pin: %+v, %v", c, err)
	}
}
