package catalog

// The API's largest pages: GET /api/v1/search?limit= (of each kind) and the
// radio and similar-track requests' ?limit=. The origin answers 400 above
// them; clients check their --limit flags against them.
const (
	MaxSearchLimit = 100
	MaxRadioLimit  = 100
)

// MaxPlaylistName is the longest playlist name in bytes the origin keeps;
// it answers 400 to a longer one.
const MaxPlaylistName = 200
