package subsonic

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataDirWithoutTheCatalogsKey: a data dir that lacks the key that
// sealed the catalog's passwords (a replica of docs/scale.md, a catalog
// migrated into PostgreSQL, a key lost) is said at once by New, in a
// warning naming the file and that it is copied from where users were
// added; "user add" there refuses rather than make a second key (which
// sealed the new user's password with it, so each origin could read only
// half the users); and an app signing in is told the host copies the key,
// not to have the user added again (which deletes its playlists, plays
// and stars). A key of another data dir is said the same way.
func TestDataDirWithoutTheCatalogsKey(t *testing.T) {
	f := newFixture(t)
	keyPath := filepath.Join(f.data, KeyFile)
	orig, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKey(t.Context(), f.srv.Catalog(), f.data); err != nil {
		t.Fatalf("CheckKey with the right key: %v", err)
	}
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	api, err := New(f.srv, Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "copy "+KeyFile) || !strings.Contains(log.String(), "1 user") {
		t.Errorf("New's log without the key:\n%s\nwant a warning saying to copy %s", log.String(), KeyFile)
	}
	_, res := api.authenticate(context.Background(), params(url.Values{"u": {alice}, "p": {alicePassword}}))
	if res == nil || res.Error == nil {
		t.Fatal("password sign-in without the key succeeded")
	}
	if msg := res.Error.Message; strings.Contains(msg, "added again") || !strings.Contains(msg, "copies "+KeyFile) {
		t.Errorf("password sign-in without the key: %q; want it to say the host copies %s", msg, KeyFile)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "pw", false); !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "copy "+KeyFile) {
		t.Errorf("add bob without the catalog's key: %v; want ErrKeyMismatch saying to copy %s", err, KeyFile)
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("add bob refused, yet %s was made (%v)", KeyFile, err)
	}
	// an API-key-only user needs no key
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "carol", "", true); err != nil {
		t.Errorf("add carol --no-password without the key: %v", err)
	}

	other := make([]byte, 32)
	if err := os.WriteFile(keyPath, other, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckKey(t.Context(), f.srv.Catalog(), f.data); !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "is not the key") {
		t.Errorf("CheckKey with another key: %v; want ErrKeyMismatch saying it is not the key", err)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "pw", false); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("add bob with another key: %v; want ErrKeyMismatch", err)
	}

	if err := os.WriteFile(keyPath, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "pw", false); err != nil {
		t.Errorf("add bob with the key copied back: %v", err)
	}
}
