// Package origintest serves an origin on loopback for the tests of the
// packages that talk to one (the client, the interface, the Subsonic API).
package origintest

import (
	"context"
	"database/sql"
	"net"
	"sync"
	"testing"

	"segue/origin"
)

// Serve serves srv (built, and given its mounts, by the caller) on a free
// loopback port until stop is called or the test ends, and returns its
// base URL ("http://127.0.0.1:PORT"). stop ends the server and closes srv,
// once, failing the test if serving failed.
func Serve(t testing.TB, srv *origin.Server) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			srv.Close()
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// LocalOwned seeds the catalog in dataDir for the tests of tokens
// required after an origin ran open: two playlists, "Kitchen" and
// "Porch", owned by "local", and a token "household" that sees none of
// them. It returns the catalog (closed when the test ends) and the
// token's ID and secret.
func LocalOwned(t testing.TB, dataDir string) (db *sql.DB, tokenID, secret string) {
	t.Helper()
	ctx := context.Background()
	db, err := origin.OpenCatalog(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, name := range []string{"Kitchen", "Porch"} {
		if _, err := origin.NewPlaylists(db).Create(ctx, origin.LocalOwner, name); err != nil {
			t.Fatal(err)
		}
	}
	tok, secret, err := origin.CreateToken(ctx, db, "household")
	if err != nil {
		t.Fatal(err)
	}
	return db, tok.ID, secret
}
