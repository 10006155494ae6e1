package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/net/originclient"
	"segue/net/subsonic/subsonictest"
	"segue/ui/notice"
)

// TestNotFoundWording: an ID its source does not know is said the one way
// for every kind and source, "<kind> <ID> not found on <source>" and where
// IDs are seen, with exit 3. The origin said "track t1 not found" (its own
// words, no source), a Subsonic server "subsonic server HOST: getSong: not
// found on the origin (...)" (naming the wrong source).
func TestNotFoundWording(t *testing.T) {
	sources := notFoundSources(t)
	commands := []struct {
		kind string
		args []string
	}{
		{"track", []string{"play", "--output", "null"}},
		{"album", []string{"library"}},
		{"artist", []string{"library"}},
		{"playlist", []string{"playlist", "show"}},
	}
	for _, s := range sources {
		for _, c := range commands {
			t.Run(s.name+"/"+c.kind, func(t *testing.T) {
				id := s.ids[c.kind]
				args := append(append(append([]string{}, s.args...), c.args...), id)
				_, errOut, code := segue(t, args...)
				want := c.kind + " " + id + " not found on " + s.source + idsHint + "\n"
				if code != ExitNotFound || !strings.HasPrefix(errOut, "segue: ") || !strings.HasSuffix(errOut, want) {
					t.Errorf("segue %s: exit %d, stderr %q; want %d ending %q", strings.Join(c.args, " "), code, errOut, ExitNotFound, want)
				}
			})
		}
	}
}

// idSource is a source of IDs for the not-found tests: segue's origin or
// gonic, with the arguments that point segue at it, how a sentence names
// it, and an ID of each kind it does not have.
type idSource struct {
	name   string
	args   []string
	source string
	ids    map[string]string // kind: an ID of that kind the source does not have
}

// notFoundSources starts segue's origin (one short track) and gonic (the
// Subsonic test library) for the not-found tests.
func notFoundSources(t *testing.T) []idSource {
	t.Helper()
	originURL, _ := shortTone(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("log_file = "+strconvQuote(filepath.Join(dir, "segue.log"))+"\nstate_dir = "+strconvQuote(filepath.Join(dir, "state"))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gonic := subsonictest.Gonic(t, subsonictest.Library(t))
	return []idSource{
		{"origin", []string{"--config", cfg, "--origin", originURL, "--cache", filepath.Join(dir, "cache.db")},
			"the origin at " + strings.TrimPrefix(originURL, "http://"),
			map[string]string{"track": "t0000000000000000", "album": "al0000000000000000", "artist": "ar0000000000000000", "playlist": "pl0000000000000000"}},
		{"subsonic", subsonicArgs(t, gonic, gonic.Password),
			"the Subsonic server at " + strings.TrimPrefix(gonic.Base, "http://"),
			map[string]string{"track": "t_tr-99999", "album": "al_al-99999", "artist": "ar_ar-99999", "playlist": "pl_pl-MS9ub25lLm0zdQ=="}},
	}
}

// TestOpenNotFoundSaysItsSentence: the interface's `o` of an ID its source
// does not know says the same sentence on its status line (it said "open
// al1: not found on the origin", naming no kind and the wrong source for a
// Subsonic server).
func TestOpenNotFoundSaysItsSentence(t *testing.T) {
	for _, c := range []struct{ source, kind, id string }{
		{"the origin at h:7700", "album", "al1"},
		{"the Subsonic server at h:4040", "track", "t_tr-9"},
	} {
		err := openError(c.id, "the origin", fmt.Errorf("resolve %q: %w", c.id, &originclient.NotFoundError{Kind: c.kind, ID: c.id, Source: c.source, Err: originclient.ErrNotFound}))
		want := "open " + c.id + ": " + c.kind + " " + c.id + " not found on " + c.source
		if got := notice.Say(err); got != want || !errors.Is(err, originclient.ErrNotFound) {
			t.Errorf("the interface says %q (not found: %v); want %q", got, errors.Is(err, originclient.ErrNotFound), want)
		}
	}
}

// TestOpenOfflineNamesItsSource: `o` of an ID never opened here, its
// source unreachable, names that source: a Subsonic server's was said to be
// "the origin".
func TestOpenOfflineNamesItsSource(t *testing.T) {
	for _, where := range []string{"the origin", "the Subsonic server at h:4040"} {
		err := openError("al1", where, fmt.Errorf("resolve %q: %w", "al1", originclient.ErrOffline))
		want := "open al1: " + where + " is unreachable and it was never opened here: " + originclient.ErrOffline.Error()
		if err.Error() != want || !errors.Is(err, originclient.ErrOffline) {
			t.Errorf("open al1, %s down: %q (offline: %v); want %q", where, err, errors.Is(err, originclient.ErrOffline), want)
		}
	}
}
