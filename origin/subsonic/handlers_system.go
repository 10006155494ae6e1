package subsonic

import "strings"

// musicFolderID is the one music folder: the origin's whole catalog.
const musicFolderID = 1

func (a *API) ping(*request) *Response { return ok() }

func (a *API) getLicense(*request) *Response {
	res := ok()
	res.License = &License{Valid: true}
	return res
}

// extensions are the OpenSubsonic extensions served
// (opensubsonic.netlify.app/docs/extensions/).
var extensions = []Extension{
	{Name: "apiKeyAuthentication", Versions: []int{1}},
	{Name: "formPost", Versions: []int{1}},
	// transcodeOffset: stream honours timeOffset, so clients that check
	// for it seek by asking for the stream from there.
	{Name: "transcodeOffset", Versions: []int{1}},
}

func (a *API) getOpenSubsonicExtensions(*request) *Response {
	res := ok()
	exts := extensions
	res.OpenSubsonicExtensions = &exts
	return res
}

// tokenInfo answers whose API key signed the request in (OpenSubsonic's
// apiKeyAuthentication), so an app given a key alone shows the user's name.
// Signed in otherwise, it names the user all the same.
func (a *API) tokenInfo(rq *request) *Response {
	res := ok()
	res.TokenInfo = &TokenInfo{Username: rq.user.name}
	return res
}

func (a *API) getMusicFolders(*request) *Response {
	res := ok()
	res.MusicFolders = &MusicFolders{Folders: []MusicFolder{{ID: musicFolderID, Name: "Music"}}}
	return res
}

// getUser answers what the signed-in user may do; other users are not
// shown (code 50): segue has no administrators on this API. username may
// be left out for oneself, as Navidrome and gonic take it (the spec makes
// it required).
func (a *API) getUser(rq *request) *Response {
	name := rq.p.get("username")
	if name == "" {
		name = rq.user.name
	}
	if !strings.EqualFold(name, rq.user.name) {
		return failed(CodeNotAuthorized, "a user may only see itself")
	}
	res := ok()
	// settingsRole: Subsonic's "may change its settings and password"
	// (changePassword); an API-key-only user has no password to change
	res.User = &UserRoles{Username: rq.user.name, ScrobblingEnabled: true, DownloadRole: true, PlaylistRole: true,
		SettingsRole: rq.user.sealed != nil,
		CoverArtRole: true, StreamRole: true, ShareRole: true, Folders: []int{musicFolderID}}
	return res
}

func (a *API) getGenres(rq *request) *Response {
	gs, err := a.store.genres(rq.Context())
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	res.Genres = &Genres{Genres: gs}
	return res
}

// getScanStatus answers how many songs the catalog holds and when it
// last changed; never scanning. It answers startScan too: segue scans
// with "segue origin ingest", so there is nothing to start here, and an
// app's "scan" button learns the library as it is.
func (a *API) getScanStatus(rq *request) *Response {
	n, err := a.store.trackCount(rq.Context())
	if err != nil {
		return a.internal(rq, err)
	}
	changed, err := a.o.Reader().Changed(rq.Context())
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	res.ScanStatus = &ScanStatus{Count: n, LastScan: stamp(changed)}
	return res
}

// changePassword changes the signed-in user's own password (username
// names it, in any case; password plain or enc:HEX), sealed as AddUser
// seals it. Another user's is error 50 (no administrators here), as is a
// password for a user made to sign in with an API key only.
func (a *API) changePassword(rq *request) *Response {
	name, res := rq.p.require("username")
	if res != nil {
		return res
	}
	pass, res := rq.p.require("password")
	if res != nil {
		return res
	}
	if !strings.EqualFold(name, rq.user.name) {
		return failed(CodeNotAuthorized, "a user may change its own password only: sign in as "+name+", or run segue origin user on the origin")
	}
	if rq.user.sealed == nil {
		return failed(CodeNotAuthorized, "user "+rq.user.name+" signs in with an API key only (segue origin user add --no-password), so it has no password to change")
	}
	pass, valid := plainPassword(pass)
	switch {
	case !valid:
		return failed(CodeGeneric, "password: enc: wants hex digits")
	case pass == "":
		return failed(CodeMissingParam, "required parameter password is empty")
	}
	key, err := a.passwordKey()
	if err != nil {
		return a.internal(rq, err)
	}
	sealed, err := seal(key, rq.user.name, pass)
	if err == nil {
		err = a.store.setPassword(rq.Context(), rq.user.id, sealed)
	}
	if err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// refused answers a method for a role no user has here (error 50, as
// the spec answers a user without the role), saying what to do instead.
func refused(msg string) handler {
	return func(*request) *Response { return failed(CodeNotAuthorized, msg) }
}

// adminOnly is why the user administration methods are refused: they
// need adminRole, and getUser gives it to no one.
const adminOnly = "only an administrator may %s, and this server has none on the Subsonic API: on the origin, run %s"

// empty answers a method of a feature segue does not have with the
// empty answer fill sets (see Podcasts), so an app shows the feature
// empty instead of an error.
func empty(fill func(*Response)) handler {
	return func(*request) *Response {
		res := ok()
		fill(res)
		return res
	}
}
