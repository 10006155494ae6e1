package subsonic

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
}

func (a *API) getOpenSubsonicExtensions(*request) *Response {
	res := ok()
	exts := extensions
	res.OpenSubsonicExtensions = &exts
	return res
}

func (a *API) getMusicFolders(*request) *Response {
	res := ok()
	res.MusicFolders = &MusicFolders{Folders: []MusicFolder{{ID: musicFolderID, Name: "Music"}}}
	return res
}
