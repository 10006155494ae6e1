package origin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"segue/net/originclient"
)

// startTLS serves an empty catalog in dir over https with the self-signed
// certificate of dir/tls, on a loopback port.
func startTLS(t *testing.T, dir string) (*running, string) {
	t.Helper()
	cert, key, err := SelfSigned(dir, []string{"music.lan"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: dir, TLSCert: cert, TLSKey: key, PinShareURLs: true}, "127.0.0.1:0")
	r.base = strings.Replace(r.base, "http://", "https://", 1)
	return r, cert
}

func tlsClient(t *testing.T, o originclient.TLSOptions) *http.Client {
	t.Helper()
	tc, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	return originclient.NewHTTPClient(tc)
}

func TestTLSClientsVerifyTheOrigin(t *testing.T) {
	dir := t.TempDir()
	r, certFile := startTLS(t, dir)
	ctx := context.Background()
	fp := r.srv.Fingerprint()
	if len(fp) != 64 {
		t.Fatalf("fingerprint %q: want 64 hex digits", fp)
	}
	for _, f := range []string{certFile, filepath.Join(dir, TLSDir, "key.pem")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
	leaf := readCert(t, certFile)
	if leaf.PublicKeyAlgorithm != x509.ECDSA || !slices.Equal(leaf.DNSNames, []string{"localhost", "music.lan"}) || len(leaf.IPAddresses) != 2 {
		t.Fatalf("certificate: %v %v %v; want P-256 for localhost, music.lan, 127.0.0.1, ::1", leaf.PublicKeyAlgorithm, leaf.DNSNames, leaf.IPAddresses)
	}

	good := []originclient.TLSOptions{{CAFile: certFile}, {PinSHA256: fp}, {PinSHA256: strings.ToUpper(fp)}}
	for _, o := range good {
		c, err := originclient.New(r.base, originclient.Options{TLS: o})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Artists(ctx); err != nil {
			t.Errorf("client %+v: %v; want the artists", o, err)
		}
	}
	resp, err := tlsClient(t, originclient.TLSOptions{CAFile: certFile}).Get(r.base + "/api/v1/artists")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || resp.TLS.Version < 0x0303 {
		t.Errorf("protocol %s, TLS version %x; want HTTP/2.0 over TLS 1.2 or later", resp.Proto, resp.TLS.Version)
	}

	bare, _ := originclient.New(r.base, originclient.Options{})
	_, err = bare.Artists(ctx)
	if err == nil || !strings.Contains(err.Error(), "--ca FILE") || !strings.Contains(err.Error(), "--pin-sha256") {
		t.Errorf("system roots only: %v; want an unknown-authority error naming --ca and --pin-sha256", err)
	}
	wrong, _ := originclient.New(r.base, originclient.Options{TLS: originclient.TLSOptions{PinSHA256: strings.Repeat("ab", 32)}})
	if _, err := wrong.Artists(ctx); !errors.Is(err, originclient.ErrPinMismatch) {
		t.Errorf("wrong pin: %v; want ErrPinMismatch", err)
	}
	if _, err := originclient.New(r.base, originclient.Options{TLS: originclient.TLSOptions{PinSHA256: "abc"}}); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Errorf("malformed pin: %v; want an error saying 64 hex digits", err)
	}

	// TLS 1.1 is refused.
	old, _ := (originclient.TLSOptions{CAFile: certFile}).Config()
	old.MinVersion, old.MaxVersion = 0x0302, 0x0302
	if _, err := originclient.NewHTTPClient(old).Get(r.base + "/api/v1/artists"); err == nil {
		t.Error("a TLS 1.1 client was served; want a refused handshake")
	}

	out, err := exec.Command("curl", "-sS", "--cacert", certFile, r.base+"/api/v1/artists").CombinedOutput()
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(out), []byte("[")) {
		t.Errorf("curl --cacert: %v: %s; want a JSON list", err, out)
	}
}

// TestTLSShareURLIsHTTPSWithPin: a playlist shared over a self-signed origin
// gets an https share URL carrying the certificate's pin.
func TestTLSShareURLIsHTTPSWithPin(t *testing.T) {
	r, certFile := startTLS(t, t.TempDir())
	hc := tlsClient(t, originclient.TLSOptions{CAFile: certFile})
	var pl struct {
		ID       string `json:"id"`
		ShareURL string `json:"share_url"`
	}
	do := func(method, url, body string, v any) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %s %s", method, url, resp.Status, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
		}
	}
	do("POST", r.base+"/api/v1/playlists", `{"name":"road"}`, &pl)
	do("POST", r.base+"/api/v1/playlists/"+pl.ID+"/share", ``, &pl)
	want := r.base + "/p/"
	if !strings.HasPrefix(pl.ShareURL, want) || !strings.HasSuffix(pl.ShareURL, "#sha256="+r.srv.Fingerprint()) {
		t.Fatalf("share URL %q; want %s...#sha256=%s", pl.ShareURL, want, r.srv.Fingerprint())
	}
}

// TestTLSReloadKeepsDownloadsInFlight: a 16 MB download that started before
// the certificate is replaced finishes; a new connection gets the new one.
func TestTLSReloadKeepsDownloadsInFlight(t *testing.T) {
	dir := t.TempDir()
	r, certFile := startTLS(t, dir)
	old := r.srv.Fingerprint()
	blob := bytes.Repeat([]byte("sixteen megabytes of segment...\n"), 16<<20/32)
	hash, err := r.srv.blobs.Put(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tlsClient(t, originclient.TLSOptions{PinSHA256: old}).Get(r.base + "/chunks/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, resp.Body, 1<<20); err != nil {
		t.Fatal(err)
	}

	// A new certificate (another name) replaces the files, as certbot would.
	next := t.TempDir()
	c2, k2, err := SelfSigned(next, []string{"other.lan"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{c2: certFile, k2: filepath.Join(dir, TLSDir, "key.pem")} {
		b, _ := os.ReadFile(src)
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.srv.ReloadCertificate(); err != nil {
		t.Fatal(err)
	}
	fresh := r.srv.Fingerprint()
	if fresh == old {
		t.Fatal("the fingerprint did not change on reload")
	}
	resp2, err := tlsClient(t, originclient.TLSOptions{PinSHA256: fresh}).Get(r.base + "/api/v1/artists")
	if err != nil {
		t.Fatalf("new connection with the new pin: %v", err)
	}
	resp2.Body.Close()

	if _, err := io.Copy(h, resp.Body); err != nil {
		t.Fatalf("download in flight across the reload: %v", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		t.Fatalf("download in flight: sha256 %s; want %s", got, hash)
	}

	// A broken file keeps the certificate served.
	os.WriteFile(certFile, []byte("not pem"), 0o600)
	if err := r.srv.ReloadCertificate(); err == nil || r.srv.Fingerprint() != fresh {
		t.Fatalf("reload of a broken file: %v, fingerprint %s; want an error and %s kept", err, r.srv.Fingerprint(), fresh)
	}
}

func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", file)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSelfSignedListsEachNameOnce: the loopback names serve adds itself,
// the host of --addr 127.0.0.1:7700 (what serve passes by default) and
// repeated --tls-name values are each listed once: 127.0.0.1 was listed
// twice. Names compare without case, addresses by value.
func TestSelfSignedListsEachNameOnce(t *testing.T) {
	dir := t.TempDir()
	names := []string{"127.0.0.1", "music.lan", "::1", "LOCALHOST", "Music.LAN", "::ffff:127.0.0.1", "10.0.0.7", "0:0:0:0:0:0:0:1", "10.0.0.7", "music.lan"}
	certFile, _, err := SelfSigned(dir, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf := readCert(t, certFile)
	if want := []string{"localhost", "music.lan"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS names %q; want %q", leaf.DNSNames, want)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "10.0.0.7"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %q; want %q", ips, want)
	}

	// The same names in another case are covered: the certificate stays.
	before, _ := os.ReadFile(certFile)
	if _, _, err := SelfSigned(dir, []string{"MUSIC.LAN", "127.0.0.1"}, nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(certFile); !bytes.Equal(before, after) {
		t.Error("the certificate was made again for names it covers in another case; want it kept")
	}
}

// Two origins started at once on one data dir with --tls-self-signed (by
// mistake, or a restart that overlapped the old process) each made a
// certificate and wrote its key and certificate over the other's: tried
// by hand, one of the two often failed "tls: private key does not match
// public key" (it loaded the other's key beside its own certificate), or
// both served, each its own certificate, and the file held one of them,
// so the other's printed pin and --ca DATA/tls/cert.pem did not match
// what it served. Now the check and the making are one step under a lock
// in DATA/tls: whoever comes second finds the pair made and takes it.
func TestSelfSignedAtOnceMakesOnePair(t *testing.T) {
	for round := range 10 {
		data := t.TempDir()
		const n = 6
		var wg sync.WaitGroup
		prints := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				certFile, keyFile, err := SelfSigned(data, []string{"music.lan"}, nil)
				if err != nil {
					errs[i] = err
					return
				}
				pair, err := tls.LoadX509KeyPair(certFile, keyFile)
				if err != nil {
					errs[i] = err
					return
				}
				sum := sha256.Sum256(pair.Certificate[0])
				prints[i] = hex.EncodeToString(sum[:])
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: origin %d of %d started at once: %v", round, i+1, n, errs[i])
			}
			if prints[i] != prints[0] {
				t.Fatalf("round %d: origins started at once serve different certificates: %v", round, prints)
			}
		}
	}
}

// Two origins on one data dir with --tls-self-signed and different
// --tls-name sets remade each other's certificate at every start (each
// found its own names missing and made one for its names alone), so a
// client that trusted the certificate of one broke whenever the other
// started. Now a start that asks for a name the certificate lacks makes
// one for the old names and the new, with the old key and subject, and
// says so; the starts after keep it. A client given the old certificate
// with --ca still verifies the new one (same key and subject); a pin
// (the certificate's SHA-256) does not carry over.
func TestSelfSignedSharedDataDirKeepsBothOriginsNames(t *testing.T) {
	data := t.TempDir()
	start := func(names ...string) (*x509.Certificate, []byte, string) {
		t.Helper()
		var log bytes.Buffer
		certFile, _, err := SelfSigned(data, names, slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(certFile)
		return readCert(t, certFile), b, log.String()
	}
	a, aPEM, _ := start("a.lan")
	b, bPEM, said := start("b.lan", "10.0.0.9")
	for _, want := range []string{"localhost", "a.lan", "b.lan"} {
		if !slices.Contains(b.DNSNames, want) {
			t.Errorf("certificate after the second origin's start names %q; want %q among them (the first origin's kept)", b.DNSNames, want)
		}
	}
	if !strings.Contains(said, "a.lan") || !strings.Contains(said, "did not cover b.lan, 10.0.0.9") || !strings.Contains(said, "--pin-sha256") {
		t.Errorf("the second start logged %q; want a line naming the names missing, those the new certificate covers and that pins must be renewed", said)
	}
	// Each origin restarted, in turn: nothing is made again.
	for _, names := range [][]string{{"a.lan"}, {"b.lan"}, {"a.lan"}, {"10.0.0.9", "B.LAN"}} {
		if _, again, said := start(names...); !bytes.Equal(again, bPEM) || said != "" {
			t.Fatalf("a restart with --tls-name %q made the certificate again (logged %q); want the one covering both origins kept", names, said)
		}
	}
	if bytes.Equal(aPEM, bPEM) {
		t.Fatal("the second origin's names were not added")
	}
	// A client that trusted the first certificate as its authority (--ca)
	// still verifies the union one for the first origin's name.
	roots := x509.NewCertPool()
	roots.AddCert(a)
	if _, err := b.Verify(x509.VerifyOptions{Roots: roots, DNSName: "a.lan"}); err != nil {
		t.Errorf("--ca with the first certificate refuses the certificate with both origins' names: %v", err)
	}
	// A key that no longer loads: a new key, but the names still add up.
	if err := os.WriteFile(filepath.Join(data, TLSDir, "key.pem"), []byte("lost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, said := start("c.lan")
	for _, want := range []string{"a.lan", "b.lan", "c.lan"} {
		if !slices.Contains(c.DNSNames, want) {
			t.Errorf("certificate made after the key was lost names %q; want %q among them", c.DNSNames, want)
		}
	}
	if !strings.Contains(said, "key did not load") {
		t.Errorf("made with a new key, logged %q; want it said", said)
	}
}
