package cli

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// TestUnreachableOriginSays: an origin that cannot be reached is named in
// the one sentence, with why and what to do, and the exit status is the
// same with and without --json: nothing listening (1: start it), a host
// name that does not resolve (1: check it), https asked of a plain http
// origin and http asked of an https one (2: the URL's scheme is wrong), a
// proxy that speaks plain http to an https origin (1: the proxy is wrong).
func TestUnreachableOriginSays(t *testing.T) {
	closed := testkit.RefusedAddr(t)
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	secure := httptest.NewUnstartedServer(http.NotFoundHandler())
	secure.Config.ErrorLog = log.New(io.Discard, "", 0) // its handshake errors are what the test causes
	secure.StartTLS()
	defer secure.Close()
	httpsOfPlain := "https://" + strings.TrimPrefix(plain.URL, "http://")
	httpOfSecure := "http://" + strings.TrimPrefix(secure.URL, "https://")
	// secure's certificate trusted, but asked for by a name it does not
	// have: it said "the origin's certificate is refused: x509: certificate
	// is valid for example.com, not localhost", and --ca cannot fix that.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	otherName := "https://localhost:" + secure.URL[strings.LastIndex(secure.URL, ":")+1:]
	// a proxy speaking plain http to the https origin (proxy_pass http://
	// to an origin started with --tls-self-signed): the answer passed on
	// said "the origin speaks https: begin the origin URL with https:",
	// though the proxy's URL was right and its host had to change the proxy
	target, err := url.Parse(httpOfSecure)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer proxy.Close()

	for _, c := range []struct {
		name, origin string
		want         []string
		code         int
		flags        []string
	}{
		{"certificate for other names", otherName, []string{"the origin's certificate is not for localhost: it is for example.com, *.example.com, 127.0.0.1, ::1; reach the origin by one of its names, " +
			"make it one that names localhost (segue origin serve --tls-self-signed --tls-name localhost), or pin it with --pin-sha256 FP"}, ExitError, []string{"--ca", ca}},
		{"nothing listens", "http://" + closed, []string{"the origin at " + closed + " is unreachable: nothing listens there (connection refused)", "segue origin serve"}, ExitError, nil},
		{"unknown host", "http://no-such-host.invalid:7700", []string{"the origin at no-such-host.invalid:7700 is unreachable: the host name no-such-host.invalid is not found (check --origin)"}, ExitError, nil},
		{"https of a plain origin", httpsOfPlain, []string{"the origin at " + strings.TrimPrefix(plain.URL, "http://") + " answered in plain http, not https: begin the origin URL (--origin) with http: instead"}, ExitUsage, nil},
		{"http of an https origin", httpOfSecure, []string{"the origin speaks https: begin the origin URL (--origin) with https: instead"}, ExitUsage, nil},
		{"a proxy speaking http to an https origin", proxy.URL, []string{"the proxy in front of the origin passes requests in plain http to an origin that serves https: " +
			"its host serves the origin in plain http behind the proxy (TLS ends at the proxy, docs/tls.md), or has the proxy speak https to it"}, ExitError, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := append(append(clientEnv(t, c.origin), "--origin", c.origin), c.flags...)
			for _, args := range [][]string{{"search", "tone"}, {"search", "tone", "--json"}, {"playlist", "list"}} {
				_, errOut, code := segue(t, append(env, args...)...)
				msg := checkFailure(t, strings.Join(args, " "), errOut, code, c.code)
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: %q\nwant it to say %q", strings.Join(args, " "), msg, w)
					}
				}
			}
		})
	}
}

// TestTokenRefusedSays: an origin that wants a token tells apart none set
// (where one comes from) and a wrong or revoked one, with and without
// --json; both said "the origin refused the token".
func TestTokenRefusedSays(t *testing.T) {
	url, token, _, _, _ := tokenOrigin(t)
	env := clientEnv(t, url)
	for _, c := range []struct {
		name string
		args []string
		says string
	}{
		{"no token", nil, "the origin requires a token and none is set: ask its host for one (segue origin token create NAME, run there) and give it with --token, SEGUE_TOKEN or token in config.toml"},
		{"a wrong token", []string{"--token", token + "x"}, "the origin refused the token: it is wrong or was revoked (check --token, SEGUE_TOKEN or token in config.toml, or ask the origin's host for a new one)"},
	} {
		for _, json := range []bool{false, true} {
			args := append(append(slices.Clone(env), c.args...), "playlist", "list")
			if json {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			msg := checkFailure(t, c.name, errOut, code, ExitError)
			if msg != c.says || (json && !strings.Contains(out, c.says)) {
				t.Errorf("%s (json %v): %q, stdout %q; want %q", c.name, json, msg, out, c.says)
			}
		}
	}
}

// TestShareLinkOfUnreachableOrigin: a share link whose origin is down is
// said in one sentence naming that origin, for play and playlist import;
// both printed the Go chain ("get http://…/p/…: not available offline (the
// origin is unreachable: Get …: dial tcp …)").
func TestShareLinkOfUnreachableOrigin(t *testing.T) {
	down := testkit.RefusedAddr(t)
	link := "http://" + down + "/p/" + strings.Repeat("A", 43)
	env := clientEnv(t, "http://127.0.0.1:9")
	want := "open the shared playlist: not available offline: no copy is stored here, and the origin at " + down + " is unreachable: nothing listens there (connection refused)"
	for _, args := range [][]string{{"play", link, "--output", "null"}, {"playlist", "import", link}} {
		_, errOut, code := segue(t, append(slices.Clone(env), args...)...)
		msg := checkFailure(t, args[0], errOut, code, ExitError)
		if !strings.Contains(msg, want) {
			t.Errorf("segue %s: %q\nwant it to say %q", args[0], msg, want)
		}
	}
}

// TestLinkedOriginIsNotOrigin: an origin that a share link or an API URL
// named, other than the configured one, is unreachable: the sentence says
// to check the link, not --origin, which has nothing to do with it (play,
// playlist import, show and export, offline add of a link all said "start
// it (segue origin serve) or check --origin"). The configured origin keeps
// its advice.
func TestLinkedOriginIsNotOrigin(t *testing.T) {
	down := testkit.RefusedAddr(t)
	link := "http://" + down + "/p/" + strings.Repeat("A", 43)
	env := clientEnv(t, "http://"+testkit.RefusedAddr(t))
	refused := "the origin at " + down + " is unreachable: nothing listens there (connection refused); check the link, or whether that origin is running"
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"play", link, "--output", "null"}, "open the shared playlist: not available offline: no copy is stored here, and " + refused},
		{[]string{"playlist", "import", link}, refused},
		{[]string{"playlist", "show", link}, refused},
		{[]string{"playlist", "export", link}, refused},
		{[]string{"offline", "add", link}, refused},
		{[]string{"play", "http://" + down + "/api/v1/tracks/t1", "--output", "null"}, `resolve "http://` + down + `/api/v1/tracks/t1": not available offline: no copy is stored here, and ` + refused},
		{[]string{"play", "http://nosuchhost.invalid/api/v1/albums/al1", "--output", "null"}, "the host name nosuchhost.invalid is not found (check the link)"},
	} {
		for _, run := range [][]string{c.args, append(slices.Clone(c.args), "--json")} {
			_, errOut, code := segue(t, append(slices.Clone(env), run...)...)
			msg, _ := strings.CutPrefix(strings.TrimSpace(errOut), "segue: ")
			if code != ExitError || !strings.Contains(msg, c.says) || strings.Contains(msg, "--origin") {
				t.Errorf("segue %s: exit %d, %q\nwant %d saying %q and nothing of --origin", strings.Join(run, " "), code, msg, ExitError, c.says)
			}
		}
	}
	// the configured origin, down: its advice stays --origin's
	_, errOut, code := segue(t, append(slices.Clone(env), "play", "t1", "--output", "null")...)
	if code != ExitError || !strings.Contains(errOut, "start it (segue origin serve) or check --origin") {
		t.Errorf("segue play t1 of a configured origin that is down: exit %d, %q; want it to say check --origin", code, errOut)
	}
}
