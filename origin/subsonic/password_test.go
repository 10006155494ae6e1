package subsonic

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// TestChangePassword: a user changes its own password from its app
// (changePassword, as DSub and Ultrasonic offer), plain or enc:HEX; the
// old one is refused after, the new one signs in (p and token auth);
// another user's password, or one for a user made to sign in with an API
// key only, is error 50; an empty one is error 10. Before, changePassword
// was error 70, and a user's password could change only by removing the
// user, with its playlists, plays and stars. On SQLite and on PostgreSQL.
func TestChangePassword(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		ping := func(q url.Values) *Error { return f.jsonCall(t, "ping", q).Error }
		// Subsonic's settingsRole: may change its settings and password,
		// which apps ask before offering it
		if u := f.jsonCall(t, "getUser", nil).User; u == nil || !u.SettingsRole {
			t.Errorf("getUser: %+v, want settingsRole", u)
		}
		mustOK(t, "changePassword", f.jsonCall(t, "changePassword", url.Values{"username": {alice}, "password": {"new pw 1"}}))
		if e := ping(url.Values{"u": {alice}, "p": {alicePassword}}); e == nil || e.Code != CodeWrongCredential {
			t.Errorf("ping with the old password: %+v, want error 40", e)
		}
		if e := ping(url.Values{"u": {alice}, "p": {"new pw 1"}}); e != nil {
			t.Errorf("ping with the new password: %+v", e)
		}
		// enc:HEX, signed in with the new password; the name in any case
		as := url.Values{"u": {alice}, "p": {"new pw 1"}}
		q := url.Values{"username": {strings.ToUpper(alice)}, "password": {"enc:" + hex.EncodeToString([]byte("new pw 2"))}}
		for k, v := range as {
			q[k] = v
		}
		mustOK(t, "changePassword enc:", f.jsonCall(t, "changePassword", q))
		if e := ping(url.Values{"u": {alice}, "p": {"new pw 2"}}); e != nil {
			t.Errorf("ping with the password given as enc:HEX: %+v", e)
		}
		as = url.Values{"u": {alice}, "p": {"new pw 2"}}

		if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
			t.Fatal(err)
		}
		_, phoneKey, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "phone", "", true)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    url.Values
			code int
			says string
		}{
			{url.Values{"username": {"bob"}, "password": {"mine now"}}, CodeNotAuthorized, "own"},
			{url.Values{"username": {alice}, "password": {""}}, CodeMissingParam, "password"},
			{url.Values{"password": {"x"}}, CodeMissingParam, "username"},
			{url.Values{"username": {alice}, "password": {"enc:zz"}}, CodeGeneric, "hex"},
		} {
			for k, v := range as {
				c.q[k] = v
			}
			if r := f.jsonCall(t, "changePassword", c.q); r.Error == nil || r.Error.Code != c.code || !strings.Contains(r.Error.Message, c.says) {
				t.Errorf("changePassword %v: %+v, want error %d saying %q", c.q, r.Error, c.code, c.says)
			}
		}
		if e := ping(url.Values{"u": {"bob"}, "p": {"bob-pw"}}); e != nil {
			t.Errorf("bob after alice tried to change his password: %+v", e)
		}
		keyOnly := f.jsonCall(t, "changePassword", url.Values{"apiKey": {phoneKey}, "username": {"phone"}, "password": {"y"}})
		if keyOnly.Error == nil || keyOnly.Error.Code != CodeNotAuthorized || !strings.Contains(keyOnly.Error.Message, "API key only") {
			t.Errorf("changePassword of phone, made to sign in with an API key only: %+v, want error 50 saying so", keyOnly.Error)
		}
		if e := ping(url.Values{"u": {"phone"}, "p": {"y"}}); e == nil || e.Code != CodeAuthUnsupported {
			t.Errorf("phone signing in with a password after: %+v, want 42 (API key only)", e)
		}
	})
}
