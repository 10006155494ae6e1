package subsonic

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/origin"
)

// TestAuthCodes checks every way of signing in and each refusal's code
// (subsonic.org/pages/api.jsp, "Authentication" and "Error handling";
// OpenSubsonic's apiKeyAuthentication extension for 42, 43 and 44).
func TestAuthCodes(t *testing.T) {
	f := newFixture(t)
	if _, _, err := AddUser(context.Background(), f.srv.Catalog(), f.data, "phone", "", true); err != nil {
		t.Fatal(err)
	}
	enc := "enc:" + hex.EncodeToString([]byte(alicePassword))
	cases := []struct {
		name string
		q    url.Values
		code int // -1: ok
	}{
		{"token and salt", tokenAuth("s4lt"), -1},
		{"token in upper case", url.Values{"u": {alice}, "t": {strings.ToUpper(tokenAuth("x").Get("t"))}, "s": {"x"}}, -1},
		{"plain password", url.Values{"u": {alice}, "p": {alicePassword}}, -1},
		{"hex password", url.Values{"u": {alice}, "p": {enc}}, -1},
		{"API key", url.Values{"apiKey": {f.apiKey}}, -1},
		{"nothing", url.Values{"noauth": {"1"}}, CodeMissingParam},
		{"user without password or token", url.Values{"u": {alice}}, CodeMissingParam},
		{"token without salt", url.Values{"u": {alice}, "t": {tokenAuth("x").Get("t")}}, CodeMissingParam},
		{"wrong token", url.Values{"u": {alice}, "t": {tokenAuth("x").Get("t")}, "s": {"y"}}, CodeWrongCredential},
		{"wrong password", url.Values{"u": {alice}, "p": {"open-sesame 43"}}, CodeWrongCredential},
		{"bad hex password", url.Values{"u": {alice}, "p": {"enc:zz"}}, CodeWrongCredential},
		{"unknown user", url.Values{"u": {"mallory"}, "p": {alicePassword}}, CodeWrongCredential},
		{"password and token", url.Values{"u": {alice}, "p": {alicePassword}, "t": {"a"}, "s": {"b"}}, CodeAuthConflict},
		{"API key and user", url.Values{"apiKey": {f.apiKey}, "u": {alice}}, CodeAuthConflict},
		{"unknown API key", url.Values{"apiKey": {"sgs_0000"}}, CodeBadAPIKey},
		{"API-key-only user with a password", url.Values{"u": {"phone"}, "p": {"anything"}}, CodeAuthUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.jsonCall(t, "ping", c.q)
			if c.code < 0 {
				mustOK(t, "ping", r)
				return
			}
			if r.Status != "failed" || r.Error == nil || r.Error.Code != c.code {
				t.Fatalf("status %q, error %+v; want failed with code %d", r.Status, r.Error, c.code)
			}
		})
	}
}

// TestTokenAuthWithoutKeyIs41: when the data dir's key file is gone the
// stored password cannot be read, so token auth answers 41 (the code for
// users whose password the server cannot see) and the API key still works.
func TestTokenAuthWithoutKeyIs41(t *testing.T) {
	f := newFixture(t)
	if err := os.Remove(filepath.Join(f.data, KeyFile)); err != nil {
		t.Fatal(err)
	}
	api, err := New(f.srv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    url.Values
		want int
	}{
		{tokenAuth("s"), CodeTokenNotAllowed},
		{url.Values{"u": {alice}, "p": {alicePassword}}, CodeGeneric},
	} {
		_, res := api.authenticate(context.Background(), params(c.q))
		if res == nil || res.Error.Code != c.want {
			t.Errorf("%v: answer %+v, want code %d", c.q, res, c.want)
		}
	}
	if _, res := api.authenticate(context.Background(), params(url.Values{"apiKey": {f.apiKey}})); res != nil {
		t.Errorf("API key refused without the password key: %+v", res.Error)
	}
}

// TestKeyFileIsPrivate: the password key is made with mode 0600, and the
// catalog holds no password in the clear.
func TestKeyFileIsPrivate(t *testing.T) {
	f := newFixture(t)
	st, err := os.Stat(filepath.Join(f.data, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", KeyFile, st.Mode().Perm())
	}
	var sealed []byte
	if err := f.srv.Catalog().QueryRow(`SELECT pass_sealed FROM subsonic_users WHERE name = ?`, alice).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), alicePassword) || len(sealed) != 12+len(alicePassword)+16 {
		t.Errorf("sealed password is %d bytes (want nonce 12 + %d + tag 16) or holds the plaintext", len(sealed), len(alicePassword))
	}
}

// TestRefusedCredentialsAreRateLimited: after 10 wrong passwords for a
// user from one address the origin answers 429 with Retry-After to that
// user's sign-ins from there, the right password too (so guesses stay
// limited); another user behind the same address (a household's NAT,
// where one app kept a stale password) signs in as before. It answered
// 429 to every user from the address.
func TestRefusedCredentialsAreRateLimited(t *testing.T) {
	f := newFixture(t)
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if r := f.jsonCall(t, "ping", url.Values{"u": {alice}, "p": {"wrong"}}); r.Error == nil || r.Error.Code != CodeWrongCredential {
			t.Fatalf("attempt %d: %+v", i+1, r.Error)
		}
	}
	resp, _ := f.call(t, "ping", url.Values{"u": {alice}, "p": {alicePassword}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("11th attempt: HTTP %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := f.call(t, "ping", url.Values{"u": {strings.ToUpper(alice)}, "p": {alicePassword}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("alice's name in upper case after 10 refusals: HTTP %d; want 429 (the same user)", resp.StatusCode)
	}
	if r := f.jsonCall(t, "ping", url.Values{"u": {"bob"}, "p": {"bob-pw"}}); r.Error != nil {
		t.Errorf("bob from the same address: %+v; want signed in", r.Error)
	}
}

// TestUserAddedWhileServing: the first user added to a running origin
// makes the key file; the running API reads it then, and the user signs
// in with a token at once.
func TestUserAddedWhileServing(t *testing.T) {
	f := newFixture(t)
	if _, err := RemoveUser(t.Context(), f.srv.Catalog(), alice); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.data, KeyFile)); err != nil {
		t.Fatal(err)
	}
	api, err := New(f.srv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, res := api.authenticate(t.Context(), params(tokenAuth("s"))); res == nil || res.Error.Code != CodeWrongCredential {
		t.Fatalf("before the user exists: %+v", res)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, alice, alicePassword, false); err != nil {
		t.Fatal(err)
	}
	if acc, res := api.authenticate(t.Context(), params(tokenAuth("s"))); res != nil || acc.name != alice {
		t.Fatalf("after user add: %+v %+v", acc, res)
	}
}

// TestNoBearerTokenForSubsonic: on an origin that demands bearer tokens,
// /rest/ answers Subsonic credentials alone, and the origin's own API
// still refuses a request without a token.
func TestNoBearerTokenForSubsonic(t *testing.T) {
	f := newFixtureWith(t, origin.ServerOptions{RequireToken: true})
	mustOK(t, "ping", f.jsonCall(t, "ping", nil))
	if r := f.jsonCall(t, "ping", url.Values{"u": {alice}, "p": {"wrong"}}); r.Error == nil || r.Error.Code != CodeWrongCredential {
		t.Errorf("wrong password: %+v, want 40", r.Error)
	}
	resp, err := http.Get(f.base + "/api/v1/artists")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/api/v1/artists without a token: HTTP %d, want 401", resp.StatusCode)
	}
}

// TestAddUserRefuses: a taken name (in any case: the name makes the
// user's ID), a name a client could not send, and an empty password.
func TestAddUserRefuses(t *testing.T) {
	f := newFixture(t)
	db := f.srv.Catalog()
	for _, name := range []string{alice, "Alice"} {
		if _, _, err := AddUser(t.Context(), db, f.data, name, "pw", false); !errors.Is(err, ErrUserExists) {
			t.Errorf("add %q again: %v, want ErrUserExists", name, err)
		}
	}
	// a text-direction character made user list show the name reversed
	// (the CLI refused it, AddUser from elsewhere did not)
	for _, name := range []string{"", "a b", "tab\there", strings.Repeat("x", 65), "bob\u202etxt.exe"} {
		if _, _, err := AddUser(t.Context(), db, f.data, name, "pw", false); !errors.Is(err, ErrBadName) {
			t.Errorf("add %q: %v, want ErrBadName", name, err)
		}
	}
	if _, _, err := AddUser(t.Context(), db, f.data, "carol", "", false); err == nil {
		t.Error("a user without a password and without --no-password was added")
	}
	if users, err := ListUsers(t.Context(), db); err != nil || len(users) != 1 || users[0].Name != alice {
		t.Errorf("users: %+v, %v; want alice alone", users, err)
	}
}

// TestUserNameInAnyCase: a user signs in with its name in any case (a
// phone's keyboard writes "Alice"), as Navidrome takes it, and is the same
// user: its own name in answers, its own playlists. Names that differ only
// in case cannot both exist (the user's ID folds case), so no other user
// answers. A wrong password is still 40. "Alice" was an unknown user (40).
func TestUserNameInAnyCase(t *testing.T) {
	f := newFixture(t)
	as := func(name string, q url.Values) url.Values {
		for k, v := range tokenAuth("NaCl") {
			q[k] = v
		}
		q.Set("u", name)
		return q
	}
	mustOK(t, "ping as Alice", f.jsonCall(t, "ping", as("Alice", url.Values{})))
	r := f.jsonCall(t, "getUser", as("ALICE", url.Values{}))
	if r.User == nil || r.User.Username != alice {
		t.Errorf("getUser as ALICE: %+v %+v, want alice", r.User, r.Error)
	}
	if r := f.jsonCall(t, "getUser", as("ALICE", url.Values{"username": {"Alice"}})); r.User == nil || r.User.Username != alice {
		t.Errorf("getUser username=Alice as ALICE: %+v %+v, want alice", r.User, r.Error)
	}
	mustOK(t, "createPlaylist as Alice", f.jsonCall(t, "createPlaylist", as("Alice", url.Values{"name": {"Phone"}})))
	if r := f.jsonCall(t, "getPlaylists", nil); len(r.Playlists.Playlists) != 1 || r.Playlists.Playlists[0].Owner != alice {
		t.Errorf("alice's playlists: %+v, want the one made as Alice", r.Playlists)
	}
	if r := f.jsonCall(t, "ping", url.Values{"u": {"Alice"}, "p": {"wrong"}}); r.Error == nil || r.Error.Code != CodeWrongCredential {
		t.Errorf("Alice with a wrong password: %+v, want 40", r.Error)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "ALICE", "another", false); !errors.Is(err, ErrUserExists) {
		t.Errorf("adding ALICE beside alice: %v, want ErrUserExists", err)
	}
}
