package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/origin"
	"segue/origin/pgtest"
)

func TestOriginTokenCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte("log_file = \""+filepath.Join(dir, "log")+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	segue := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"--config", config}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	makeCatalog(t, data) // as origin serve does: token create makes none
	code, secret, stderr := segue("origin", "token", "create", "laptop", "--data", data)
	secret = strings.TrimSpace(secret)
	if code != ExitOK || !strings.HasPrefix(secret, "sgo_") || !strings.Contains(stderr, "not shown again") {
		t.Fatalf("create: %d %q %q", code, secret, stderr)
	}
	code, out, _ := segue("origin", "token", "list", "--json", "--data", data)
	var list []origin.Token
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != ExitOK || len(list) != 1 || list[0].Name != "laptop" {
		t.Fatalf("list --json: %d %q %v", code, out, err)
	}
	if strings.Contains(out, secret) {
		t.Fatal("token list shows the secret")
	}
	code, out, _ = segue("origin", "token", "list", "--data", data)
	if code != ExitOK || !strings.Contains(out, list[0].ID) || !strings.Contains(out, "active") || strings.Contains(out, secret) {
		t.Fatalf("list: %d %q; want the token without its secret", code, out)
	}
	code, out, _ = segue("origin", "token", "create", "phone", "--json", "--data", data)
	var created struct {
		ID, Secret string
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || code != ExitOK || !strings.HasPrefix(created.Secret, "sgo_") {
		t.Fatalf("create --json: %d %q %v; want the secret once", code, out, err)
	}
	// The secrets are nowhere on disk (the catalog keeps their sha256),
	// nor in segue's log, and the catalog is its owner's alone.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		for _, s := range []string{secret, created.Secret} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a token's secret", p)
			}
		}
		return err
	})
	if fi, err := os.Stat(filepath.Join(data, origin.CatalogFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("catalog: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if code, _, _ = segue("origin", "token", "revoke", list[0].ID, "--data", data); code != ExitOK {
		t.Fatalf("revoke: %d", code)
	}
	if _, out, _ = segue("origin", "token", "list", "--data", data); !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoke: %q", out)
	}
	if code, _, stderr = segue("origin", "token", "revoke", "tok-none", "--data", data); code != ExitNotFound {
		t.Fatalf("revoke unknown: %d %q; want exit %d", code, stderr, ExitNotFound)
	}
	if code, _, _ = segue("origin", "token", "create", "--data", data); code != ExitUsage {
		t.Fatalf("create without a name: exit %d; want %d", code, ExitUsage)
	}
	// an empty name is a bad argument as a missing one is (it was 1)
	for _, name := range []string{"", "  "} {
		if code, _, stderr = segue("origin", "token", "create", name, "--data", data); code != ExitUsage || !strings.Contains(stderr, "the name is empty") {
			t.Errorf("create %q: exit %d, %q; want %d saying the name is empty", name, code, stderr, ExitUsage)
		}
	}
	// a name past 200 bytes too: token list showed 5,000 x's (it was 0)
	if code, out, stderr = segue("origin", "token", "create", strings.Repeat("x", 5000), "--data", data); code != ExitUsage || out != "" ||
		!strings.Contains(stderr, "the name is longer than 200 bytes (name it after who will use it") {
		t.Errorf("create of a 5,000-byte name: exit %d, stdout %q, stderr %q; want %d saying the name is too long", code, out, stderr, ExitUsage)
	}
	if code, _, stderr = segue("origin", "token", "create", strings.Repeat("x", 200), "--data", data); code != ExitOK {
		t.Errorf("create of a 200-byte name: exit %d, %q; want 0", code, stderr)
	}
}

// TestOriginTokenAdoptLocal: the playlists made while the origin ran open
// belong to "local", which no token speaks for once tokens are required;
// token create --adopt-local and token adopt-local hand them to a token,
// saying what moved, and an unknown token is exit 3 naming token list.
func TestOriginTokenAdoptLocal(t *testing.T) {
	config, data := ingestEnv(t)
	localPlaylist := func(name string) {
		db, err := origin.OpenCatalog(data)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := origin.NewPlaylists(db).Create(t.Context(), origin.LocalOwner, name); err != nil {
			t.Fatal(err)
		}
	}
	localPlaylist("Kitchen")
	if _, stderr, code := segue(t, "--config", config, "origin", "token", "adopt-local", "tok-none"); code != ExitNotFound || !strings.Contains(stderr, "segue origin token list") {
		t.Errorf("adopt-local to an unknown token: exit %d, %q; want %d naming token list", code, stderr, ExitNotFound)
	}
	var created struct {
		ID      string
		Adopted *origin.Owned
	}
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "token", "create", "household", "--adopt-local", "--json")), &created); err != nil ||
		created.Adopted == nil || *created.Adopted != (origin.Owned{Playlists: 1}) {
		t.Fatalf("create --adopt-local --json: %+v (%v); want 1 playlist adopted", created, err)
	}
	localPlaylist("Porch")
	// by ID, then by the token's name (it said "not found" for household)
	for i, want := range []string{`token ` + created.ID + ` now owns 1 playlist and 0 plays made while the origin ran open (owner "local")`, "nothing to hand over"} {
		ref := []string{created.ID, "household"}[i]
		if _, stderr, code := segue(t, "--config", config, "origin", "token", "adopt-local", ref); code != ExitOK || !strings.Contains(stderr, want) {
			t.Errorf("adopt-local %s: exit %d, %q; want %q", ref, code, stderr, want)
		}
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if pls, err := origin.NewPlaylists(db).List(t.Context(), created.ID); err != nil || len(pls) != 2 {
		t.Errorf("the token's playlists: %+v %v; want Kitchen and Porch", pls, err)
	}

	// a Subsonic user, by name, adopts too: a household listening with
	// Subsonic apps was told "not found (see segue origin token list)"
	segueOK(t, "--config", config, "origin", "user", "add", "alice", "--no-password")
	if _, err := origin.NewPlaylists(db).Create(t.Context(), origin.LocalOwner, "Garden"); err != nil {
		t.Fatal(err)
	}
	want := `Subsonic user alice now owns 1 playlist and 0 plays made while the origin ran open (owner "local"): Subsonic apps signed in as alice see them`
	if _, stderr, code := segue(t, "--config", config, "origin", "token", "adopt-local", "alice"); code != ExitOK || !strings.Contains(stderr, want) {
		t.Errorf("adopt-local alice: exit %d, %q; want %q", code, stderr, want)
	}
	// --json says it too (it printed nothing)
	if _, err := origin.NewPlaylists(db).Create(t.Context(), origin.LocalOwner, "Shed"); err != nil {
		t.Fatal(err)
	}
	var adopted struct {
		To, Name         string
		Playlists, Plays int64
	}
	if out := segueOK(t, "--config", config, "origin", "token", "adopt-local", "alice", "--json"); json.Unmarshal([]byte(out), &adopted) != nil ||
		!strings.HasPrefix(adopted.To, "us") || adopted.Name != "alice" || adopted.Playlists != 1 || adopted.Plays != 0 {
		t.Errorf("adopt-local alice --json: %q; want alice's ID and name, 1 playlist, 0 plays", out)
	}
	if _, stderr, code := segue(t, "--config", config, "origin", "token", "adopt-local", "nobody"); code != ExitNotFound || !strings.Contains(stderr, "segue origin user list") {
		t.Errorf("adopt-local to no token or user: exit %d, %q; want %d naming user list", code, stderr, ExitNotFound)
	}
	// a revoked token is a bad argument, as a taken name is (it was 1)
	segueOK(t, "--config", config, "origin", "token", "revoke", created.ID)
	if _, stderr, code := segue(t, "--config", config, "origin", "token", "adopt-local", created.ID, "--data", data); code != ExitUsage ||
		!strings.Contains(stderr, "token is revoked: give them to an active token (see segue origin token list --data "+data+"), or make one with segue origin token create NAME --adopt-local --data "+data) {
		t.Errorf("adopt-local to a revoked token: exit %d, %q; want %d naming token list and create --adopt-local, with --data", code, stderr, ExitUsage)
	}
}

// TestOriginTokenReplace: a host whose token leaked revokes it; its
// playlists and plays were then seen by nobody, with no command to hand
// them over (adopt-local takes only "local"'s). revoke says what the token
// leaves behind and how to hand it over, and token create NAME --replace
// ID makes the new token with them, revoking the old one if need be. An
// unknown ID is exit 3 and makes no token.
func TestOriginTokenReplace(t *testing.T) {
	config, data := ingestEnv(t)
	makeCatalog(t, data) // token create makes none
	var old origin.Token
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "token", "create", "laptop", "--json")), &old); err != nil {
		t.Fatal(err)
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := origin.NewPlaylists(db).Create(t.Context(), old.ID, "Kitchen"); err != nil {
		t.Fatal(err)
	}
	want := "token " + old.ID + " revoked; its 1 playlist and 0 plays are seen by no token now: hand them to a new one with segue origin token create NAME --replace " + old.ID
	if out, stderr, code := segue(t, "--config", config, "origin", "token", "revoke", old.ID); code != ExitOK || out != "" || !strings.Contains(stderr, want) {
		t.Errorf("revoke %s: exit %d, stdout %q, stderr %q; want exit 0, nothing on stdout and %q", old.ID, code, out, stderr, want)
	}

	if _, stderr, code := segue(t, "--config", config, "origin", "token", "create", "phone", "--replace", "tok-none"); code != ExitNotFound || !strings.Contains(stderr, "segue origin token list") {
		t.Errorf("create --replace tok-none: exit %d, %q; want %d naming token list", code, stderr, ExitNotFound)
	}
	type replaced struct {
		ID string
		origin.Owned
	}
	var created struct {
		ID       string
		Replaced *replaced
	}
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "token", "create", "household", "--replace", old.ID, "--json")), &created); err != nil ||
		created.Replaced == nil || *created.Replaced != (replaced{ID: old.ID, Owned: origin.Owned{Playlists: 1}}) {
		t.Fatalf("create --replace --json: %+v (%v); want %s's 1 playlist", created, err, old.ID)
	}
	if pls, err := origin.NewPlaylists(db).List(t.Context(), created.ID); err != nil || len(pls) != 1 || pls[0].Name != "Kitchen" {
		t.Errorf("the new token's playlists: %+v %v; want Kitchen", pls, err)
	}
	tokens, err := origin.ListTokens(t.Context(), db)
	if err != nil || len(tokens) != 2 || tokens[0].ID != old.ID || tokens[0].RevokedAt == nil || tokens[1].RevokedAt != nil {
		t.Errorf("tokens after the replace: %+v %v; want %s revoked and %s active, and no token for tok-none", tokens, err, old.ID, created.ID)
	}
}

// TestOriginTokenNameTaken: token create NAME twice made two active tokens
// of one name, which token list could not tell apart (exit 0 both times).
// A name an active token has (any case) is now exit 2 naming that token
// and the --replace that gives its client a new secret, and no token is
// made; --replace of that token may keep the name, and a revoked token's
// name is free again. revoke and --replace take an active token's name as
// well as its ID. On SQLite and on PostgreSQL.
func TestOriginTokenNameTaken(t *testing.T) {
	config, data := ingestEnv(t)
	makeCatalog(t, data) // token create makes none
	for _, backend := range []struct {
		name string
		args []string // the catalog flags
	}{
		{"sqlite", []string{"--data", data}},
		{"postgres", []string{"--data", t.TempDir(), "--catalog", pgtest.Database(t)}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			token := func(args ...string) (string, string, int) {
				return segue(t, append(append([]string{"--config", config, "origin", "token"}, args...), backend.args...)...)
			}
			var first origin.Token
			out, _, _ := token("create", "laptop", "--json")
			if err := json.Unmarshal([]byte(out), &first); err != nil || first.ID == "" {
				t.Fatalf("create laptop: %q %v", out, err)
			}
			for _, name := range []string{"laptop", "Laptop", " laptop "} {
				out, stderr, code := token("create", name)
				want := "segue: create token: the active token " + first.ID + ` is already called "laptop": to give its client a new secret run segue origin token create laptop --replace ` + first.ID
				if code != ExitUsage || out != "" || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "or choose another name") {
					t.Errorf("create %q again: exit %d, stdout %q, stderr %q; want exit %d, no secret and %q", name, code, out, stderr, ExitUsage, want)
				}
			}
			if out, _, code := token("create", "laptop", "--json"); code != ExitUsage || !strings.Contains(out, `"error":"create token: the active token `+first.ID) {
				t.Errorf("create laptop --json again: exit %d, %q; want %d and the error as JSON", code, out, ExitUsage)
			}
			list := func() []origin.Token {
				var tokens []origin.Token
				out, _, _ := token("list", "--json")
				if err := json.Unmarshal([]byte(out), &tokens); err != nil {
					t.Fatalf("list --json: %q %v", out, err)
				}
				return tokens
			}
			if tokens := list(); len(tokens) != 1 {
				t.Fatalf("tokens after the refused creates: %+v; want laptop alone", tokens)
			}
			// the suggested command works: the successor keeps the name
			var second origin.Token
			out, stderr, code := token("create", "laptop", "--replace", first.ID, "--json")
			if err := json.Unmarshal([]byte(out), &second); code != ExitOK || err != nil || second.Name != "laptop" {
				t.Fatalf("create laptop --replace %s: exit %d, %q %q", first.ID, code, out, stderr)
			}
			// --replace of another token leaves the name to its holder
			phone, _, _ := token("create", "phone", "--json")
			var p origin.Token
			json.Unmarshal([]byte(phone), &p)
			if _, stderr, code := token("create", "laptop", "--replace", p.ID); code != ExitUsage || !strings.Contains(stderr, "token "+second.ID+" would keep it: choose another name, or revoke "+second.ID+" first (segue origin token revoke "+second.ID) {
				t.Errorf("create laptop --replace %s (phone): exit %d, %q; want %d naming %s", p.ID, code, stderr, ExitUsage, second.ID)
			}
			// a token is revoked, and replaced, by its name too: the
			// name is the host's, the ID token list's (revoke laptop
			// said "not found")
			var third origin.Token
			out, stderr, code = token("create", "laptop", "--replace", "Laptop", "--json")
			if err := json.Unmarshal([]byte(out), &third); code != ExitOK || err != nil || third.ID == second.ID {
				t.Fatalf("create laptop --replace Laptop: exit %d, %q %q; want %s replaced", code, out, stderr, second.ID)
			}
			if _, stderr, code := token("revoke", "laptop"); code != ExitOK || stderr != "token "+third.ID+" (laptop) revoked\n" {
				t.Fatalf("revoke laptop: exit %d, %q; want %s revoked", code, stderr, third.ID)
			}
			// again: it said "revoked" as if it had been live until then
			if _, stderr, code := token("revoke", "laptop"); code != ExitOK || !strings.HasPrefix(stderr, "token "+third.ID+" was already revoked on ") {
				t.Errorf("revoke laptop with no active laptop: exit %d, %q; want 0 saying %s was already revoked", code, stderr, third.ID)
			}
			if _, stderr, code := token("revoke", "desktop"); code != ExitNotFound || !strings.Contains(stderr, "no token has that ID or that name (see segue origin token list") {
				t.Errorf("revoke desktop: exit %d, %q; want %d", code, stderr, ExitNotFound)
			}
			if _, stderr, code := token("create", "laptop"); code != ExitOK {
				t.Errorf("create laptop after its tokens were revoked: exit %d, %q", code, stderr)
			}
			if tokens := list(); len(tokens) != 5 {
				t.Errorf("tokens: %+v; want laptop revoked three times, phone and the new laptop", tokens)
			}
		})
	}
}
