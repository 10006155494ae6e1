package subsonic

import (
	"net/url"
	"testing"
)

// TestTokenInfo: OpenSubsonic's apiKeyAuthentication extension, which
// getOpenSubsonicExtensions says is served, has tokenInfo tell an app
// signed in with an API key alone whose key it holds. Before, it was
// error 70, so such an app could not show who was signed in.
func TestTokenInfo(t *testing.T) {
	f := newFixture(t)
	r := f.jsonCall(t, "tokenInfo", url.Values{"apiKey": {f.apiKey}})
	mustOK(t, "tokenInfo", r)
	if r.TokenInfo == nil || r.TokenInfo.Username != alice {
		t.Errorf("tokenInfo with alice's API key: %+v, want username %s", r.TokenInfo, alice)
	}
	xr, body := f.xmlCall(t, "tokenInfo", url.Values{"apiKey": {f.apiKey}})
	if xr.TokenInfo == nil || xr.TokenInfo.Username != alice {
		t.Errorf("tokenInfo in XML: %s, want a tokenInfo element with username %s", body, alice)
	}
	if r := f.jsonCall(t, "tokenInfo", url.Values{"apiKey": {"sgs_0000"}}); r.Error == nil || r.Error.Code != CodeBadAPIKey {
		t.Errorf("tokenInfo with an unknown key: %+v, want error 44", r.Error)
	}
}
