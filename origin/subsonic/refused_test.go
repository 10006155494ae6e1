package subsonic

import (
	"maps"
	"net/url"
	"strings"
	"testing"
)

// TestAdminMethodsAndJukeboxRefused: getUsers and the user
// administration methods are for administrators, and segue has none on
// this API, so they answer error 50 (not authorized), as the spec says
// for a user without the role, naming the command that does it;
// jukeboxControl, for a user without jukeboxRole (getUser says none has
// it: segue has no jukebox), answers 50 too. Before, each was error 70,
// unknown method, which apps show as a server fault.
func TestAdminMethodsAndJukeboxRefused(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		method string
		q      url.Values
		says   string
	}{
		{"getUsers", nil, "segue origin user list"},
		{"createUser", url.Values{"username": {"carol"}, "password": {"pw"}, "email": {"c@example.org"}}, "segue origin user add"},
		{"updateUser", url.Values{"username": {alice}}, "segue origin user"},
		{"deleteUser", url.Values{"username": {alice}}, "segue origin user remove"},
		{"jukeboxControl", url.Values{"action": {"status"}}, "no jukebox"},
		{"jukeboxControl", url.Values{"action": {"get"}}, "no jukebox"},
	} {
		r := f.jsonCall(t, c.method, maps.Clone(c.q))
		if r.Status != "failed" || r.Error == nil || r.Error.Code != CodeNotAuthorized || !strings.Contains(r.Error.Message, c.says) {
			t.Errorf("%s: %+v, want error 50 saying %q", c.method, r.Error, c.says)
		}
		_, body := f.xmlCall(t, c.method, maps.Clone(c.q))
		validateXML(t, c.method, body)
	}
	if r := f.jsonCall(t, "getUser", nil); r.User == nil || r.User.AdminRole || r.User.JukeboxRole {
		t.Errorf("getUser: %+v, want neither adminRole nor jukeboxRole, as the refusals say", r.User)
	}
	// alice is still there: deleteUser did nothing
	mustOK(t, "ping", f.jsonCall(t, "ping", nil))
}
