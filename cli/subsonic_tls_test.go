package cli

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubsonicUntrustedCertificate: a Subsonic server whose certificate no
// trusted authority signed is said as a Subsonic server's, with what
// applies to one (--ca, --pin-sha256 with how to read its fingerprint, or
// a certificate from a trusted authority); it suggested segue origin
// serve --tls-self-signed, which only a segue origin has.
func TestSubsonicUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	env := append(clientEnv(t, "http://127.0.0.1:9"), "--origin", "subsonic+https://ann@"+host, "--password-file", pw)
	_, errOut, code := segue(t, append(env, "search", "x")...)
	want := "the Subsonic server's certificate is signed by an authority this machine does not trust: " +
		"give that authority with --ca FILE, pin the certificate with --pin-sha256 FP " +
		"(openssl s_client -connect " + host + " </dev/null | openssl x509 -noout -fingerprint -sha256 prints it), " +
		"or give the server a certificate from an authority this machine trusts"
	if code != ExitError || !strings.Contains(errOut, want) || strings.Contains(errOut, "tls-self-signed") {
		t.Errorf("search on a Subsonic server with an untrusted certificate: exit %d, stderr %q; want exit %d and %q", code, errOut, ExitError, want)
	}

	// Its certificate trusted (--ca) but asked for by a name it does not
	// have: no segue origin serve --tls-name either.
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	other := "localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	env = append(clientEnv(t, "http://127.0.0.1:9"), "--origin", "subsonic+https://ann@"+other, "--password-file", pw, "--ca", ca)
	_, errOut, code = segue(t, append(env, "search", "x")...)
	want = "the Subsonic server's certificate is not for localhost: it is for example.com, *.example.com, 127.0.0.1, ::1; " +
		"reach the server by one of its names, give it a certificate that names localhost, or pin it with --pin-sha256 FP " +
		"(openssl s_client -connect " + other + " </dev/null | openssl x509 -noout -fingerprint -sha256 prints it)"
	if code != ExitError || !strings.Contains(errOut, want) || strings.Contains(errOut, "tls-self-signed") {
		t.Errorf("search on a Subsonic server by a name its certificate lacks: exit %d, stderr %q; want exit %d and %q", code, errOut, ExitError, want)
	}
}
