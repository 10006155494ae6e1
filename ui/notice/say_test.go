package notice

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
	"segue/player"
	"segue/share"
)

// refusedName is what the origin answers a playlist name holding a
// text-direction character.
var refusedName = catalog.CheckNameChars("Eve\u202ening").Error()

// TestSay: what the status line says for real failures of the origin
// client: one sentence, no URL, no Go error chain, and what to do.
func TestSay(t *testing.T) {
	ctx := context.Background()
	down, _ := originclient.New("http://127.0.0.1:1", originclient.Options{}) // nothing listens on port 1
	_, unreachable := down.Artists(ctx)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			http.Error(w, `{"error":"`+refusedName+`"}`, http.StatusBadRequest)
			return
		}
		if strings.Contains(r.URL.Path, "/albums/") {
			http.Error(w, `{"error":"no such album"}`, http.StatusNotFound)
			return
		}
		http.Error(w, `{"error":"database is locked"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	up, _ := originclient.New(srv.URL, originclient.Options{Token: "t"})
	_, badToken := share.ParseURL("http://127.0.0.1:1/p/abc")
	_, noScheme := share.ParseURL("music.example/p/" + strings.Repeat("A", 43))
	_, notFound := up.Album(ctx, "al_x")
	_, broken := up.Artists(ctx)
	_, refused := up.RenamePlaylist(ctx, "pl1", "Eve\u202ening")
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // a self-signed certificate
	defer tlsSrv.Close()
	strange, _ := originclient.New(tlsSrv.URL, originclient.Options{})
	_, untrusted := strange.Artists(ctx)
	pinned, _ := originclient.New(tlsSrv.URL, originclient.Options{TLS: originclient.TLSOptions{PinSHA256: strings.Repeat("ab", 32)}})
	_, wrongPin := pinned.Artists(ctx)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	byOtherName, _ := originclient.New("https://localhost:"+tlsSrv.URL[strings.LastIndex(tlsSrv.URL, ":")+1:], originclient.Options{TLS: originclient.TLSOptions{CAFile: ca}})
	_, wrongName := byOtherName.Artists(ctx)

	// a request the origin client made, as it marks them
	asked := func(err error) error { return &originclient.RequestError{Err: err} }
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("list artists: %w", unreachable), "could not list artists: it is not available offline"},
		{fmt.Errorf("open al0000000000000000: %w", originclient.ErrNotFound), "open al0000000000000000: not found on the origin"},
		{fmt.Errorf("open t1: %w", originclient.ErrOffline), "open t1: not available offline"},
		{fmt.Errorf("open album Tides: %w", notFound), "could not open album Tides: it is not on the origin"},
		{fmt.Errorf("list artists: %w", broken), "could not list artists: it failed (the log has the details)"},
		// the origin's reason for refusing an edit: it said "it failed
		// (the log has the details)"
		{fmt.Errorf("rename playlist Evening: %w", refused), "could not rename playlist Evening: " + refusedName},
		{errors.New(`not a segue share URL: "htp:/bad": scheme htp is not http or https (want http(s)://HOST/p/TOKEN)`),
			`not a segue share URL: "htp:/bad": scheme htp is not http or https (want http(s)://HOST/p/TOKEN)`},
		{asked(fmt.Errorf("get %s/x: %w", srv.URL, notFound)), "it is not on the origin"},
		// a link refused is said without quoting it back (the "http://" in it
		// made this "could not not a segue share URL: it failed")
		{badToken, "not a segue share URL: token is malformed (22-86 characters of A-Z a-z 0-9 _ -) (want http(s)://HOST/p/TOKEN)"},
		{noScheme, `not a segue share URL: "music.example/p/` + strings.Repeat("A", 43) + `": missing the scheme, http or https (want http(s)://HOST/p/TOKEN)`},
		{fmt.Errorf("open shared playlist: its origin 127.0.0.1:1 is unreachable and it was never opened here: %w", originclient.ErrOffline),
			"open shared playlist: its origin 127.0.0.1:1 is unreachable and it was never opened here"},
		// a title's own colon is not where the step ends: it said "could
		// not radio after “Continuum I: it is not available offline"
		{fmt.Errorf("radio after “Continuum I: Dawn”: resolve: %w", unreachable), "could not radio after “Continuum I: Dawn”: it is not available offline"},
		{fmt.Errorf(`open album "Live: At \"Home\": Vol. 2": %w`, asked(fmt.Errorf("get %s/x: %w", srv.URL, notFound))), `could not open album "Live: At \"Home\": Vol. 2": it is not on the origin`},
		// a refused certificate is a setting to fix, not an outage: the
		// screens said "offline" (docs/tls.md)
		{fmt.Errorf("list artists: %w", untrusted), "could not list artists: untrusted certificate: give --ca FILE or --pin-sha256 FP"},
		// --ca cannot fix a certificate for other names; it said to give it
		{fmt.Errorf("list artists: %w", wrongName), "could not list artists: the certificate is not for localhost: use a name it has, or --pin-sha256 FP"},
		// pinning beyond the cache's cap said "it failed (the log has the details)"
		{fmt.Errorf("offline add album \"Night\": %w: it needs 3.0 MiB more, and the cache's cap of 2.0 MiB holds 1.0 MiB pinned already", cache.ErrPinFull), `could not offline add album "Night": the cache's cap is too small for it (raise [cache] size, or unpin something)`},
		// a link the user gave, in the error's own words, is no request of
		// the origin client's: it said "it failed (the log has the details)"
		{fmt.Errorf("offline remove %q: not pinned", "http://h/p/AAAAAAAAAAAAAAAAAAAAAA"),
			`offline remove "http://h/p/AAAAAAAAAAAAAAAAAAAAAA": not pinned`},
		// a track the player skipped with the origin down (its own
		// sentinel, as player/choose.go wraps it) said "it failed (the log
		// has the details)"
		{fmt.Errorf("play “Continuum I: Dawn”, skipped it: %w", fmt.Errorf("play %q: %w: the origin is unreachable and segment 9 of it is cached in no rendition", "Continuum I: Dawn", player.ErrNotOffline)),
			"could not play “Continuum I: Dawn”, skipped it: it is not available offline"},
		{fmt.Errorf("list artists: %w", wrongPin), "could not list artists: the certificate does not match the pin (a new one, or something in between?)"},
	} {
		got := Say(c.err)
		if got != c.want {
			t.Errorf("Say(%q)\n = %q\nwant %q", c.err, got, c.want)
		}
		if (strings.Contains(got, "http://") && !strings.Contains(c.want, "http://")) || strings.Contains(got, "dial tcp") {
			t.Errorf("Say(%q) leaks an address or a Go error: %q", c.err, got)
		}
	}
	if !Unreachable(unreachable) || Unreachable(notFound) || Unreachable(untrusted) || Unreachable(wrongPin) {
		t.Errorf("Unreachable: %v for a dead origin, %v for a 404, %v for an untrusted certificate, %v for a wrong pin",
			Unreachable(unreachable), Unreachable(notFound), Unreachable(untrusted), Unreachable(wrongPin))
	}
}

func TestTracks(t *testing.T) {
	if got := Tracks(3, "Night Transit"); got != "3 tracks from Night Transit" {
		t.Errorf("Tracks = %q", got)
	}
}

// A segment the player asks again because its download stalled: with a
// real track ID the error passed 100 characters and the line said "it
// failed (the log has the details)".
func TestSayStalledSegment(t *testing.T) {
	err := fmt.Errorf("play “Polar Night”, retrying: %w", fmt.Errorf("fetch segment 2 of track t07e1def70fdb618a (asking again): %w: none came for 2s", player.ErrStalled))
	if got, want := Say(err), "could not play “Polar Night”, retrying: its download stalled mid-segment, so it is asked again"; got != want {
		t.Errorf("said %q\nwant %q", got, want)
	}
}

// The interface's line for the origin's refusal said "set one with
// --token" whether or not a token was set: to a segue whose token the
// origin's host revoked too. It now says which (originclient.TokenSent).
func TestSayTokenRefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"this origin requires a bearer token"}`)
	}))
	t.Cleanup(srv.Close)
	for _, c := range []struct {
		token, want string
	}{
		{"", "the origin requires a token and none is set"},
		{"sgo_" + strings.Repeat("0", 64), "the origin refused the token: it is wrong or was revoked"},
	} {
		oc, err := originclient.New(srv.URL, originclient.Options{Token: c.token})
		if err != nil {
			t.Fatal(err)
		}
		_, err = oc.Artists(t.Context())
		if got := Reason(err); !strings.Contains(got, c.want) {
			t.Errorf("token %q refused: the line says %q, want %q", c.token, got, c.want)
		}
	}
}
