// Package subsonic serves the OpenSubsonic API (subsonic.org/pages/api.jsp,
// opensubsonic.netlify.app) under /rest/ on a segue origin, so existing
// Subsonic apps browse, search and play its catalog. It is a translation
// layer over the origin's own services (origin.Reader, origin.Playlists,
// origin.Events, the progressive stream, the recommender): it must hold no
// catalog logic of its own, and it keeps its own tables (users, stars,
// ratings, play queues, bookmarks) in store.go alone, and what apps say they are
// playing (getNowPlaying) in memory, in nowplaying.go.
package subsonic

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"segue/origin"
)

// Options configure New.
type Options struct {
	// ServerVersion is reported as serverVersion (default "dev").
	ServerVersion string
	// Logger receives failures of the origin itself (default: discard).
	Logger *slog.Logger
	// CoverCacheBytes bounds the scaled covers getCoverArt keeps in
	// memory, in bytes (default coverCacheBytes, 4 MiB; see there why).
	CoverCacheBytes int
}

// API answers /rest/ requests.
type API struct {
	// o serves the catalog, playlists, plays, streams, covers and
	// recommendations this API translates.
	o     *origin.Server
	store store
	keyMu sync.Mutex // guards key
	// key opens sealed passwords; nil until the data dir has a KeyFile
	// (the first "user add" makes it, perhaps while the origin runs).
	key      []byte
	version  string
	log      *slog.Logger
	handlers map[string]handler
	// scaling holds a slot for each cover being scaled (getCoverArt's
	// size): one decode may take up to 128 MB (maxCoverPixels of 16-bit
	// RGBA), so a burst of requests for large covers waits its turn
	// rather than take the memory at once. GOMAXPROCS slots: scaling is
	// CPU-bound, more at once would not finish sooner.
	scaling chan struct{}
	// covers keeps scaled covers (Options.CoverCacheBytes), so a cover asked for
	// again at the same size is not scaled again.
	covers *coverCache
	// playing is what players said they started (getNowPlaying).
	playing *nowPlaying
	// scales counts the covers scaled since New: a cached answer leaves
	// it as it was.
	scales atomic.Int64
}

// handler answers one API method: a Response to encode, or nil when it
// wrote the answer itself (stream, download, getCoverArt).
type handler func(rq *request) *Response

// New returns the API over the origin o, reading the password key from
// o's data dir. Mount it with o.Mount(Prefix, api). New mounts the share
// links of Subsonic's layout, SharePrefix, itself (once per origin).
func New(o *origin.Server, opts Options) (*API, error) {
	if opts.ServerVersion == "" {
		opts.ServerVersion = "dev"
	}
	if opts.CoverCacheBytes <= 0 {
		opts.CoverCacheBytes = coverCacheBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{o: o, store: store{db: o.Catalog()}, version: opts.ServerVersion, log: opts.Logger,
		scaling: make(chan struct{}, runtime.GOMAXPROCS(0)), covers: newCoverCache(opts.CoverCacheBytes), playing: newNowPlaying()}
	if _, err := a.passwordKey(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("start Subsonic API: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := CheckKey(ctx, a.store.db, o.DataDir()); errors.Is(err, ErrKeyMismatch) {
		a.log.Warn(err.Error())
	}
	a.handlers = map[string]handler{
		"ping":              a.ping,
		"getLicense":        a.getLicense,
		"getMusicFolders":   a.getMusicFolders,
		"getUser":           a.getUser,
		"tokenInfo":         a.tokenInfo,
		"changePassword":    a.changePassword,
		"getGenres":         a.getGenres,
		"getScanStatus":     a.getScanStatus,
		"getIndexes":        a.getIndexes,
		"getArtists":        a.getArtists,
		"getMusicDirectory": a.getMusicDirectory,
		"getArtist":         a.getArtist,
		"getAlbum":          a.getAlbum,
		"getSong":           a.getSong,
		"getAlbumList2":     a.getAlbumList2,
		"getAlbumList":      a.getAlbumList,
		"search2":           a.search2,
		"getStarred":        a.getStarred,
		"getRandomSongs":    a.getRandomSongs,
		"search3":           a.search3,
		"stream":            a.stream,
		"download":          a.download,
		"getCoverArt":       a.getCoverArt,
		"getPlaylists":      a.getPlaylists,
		"getPlaylist":       a.getPlaylist,
		"createPlaylist":    a.createPlaylist,
		"updatePlaylist":    a.updatePlaylist,
		"deletePlaylist":    a.deletePlaylist,
		"scrobble":          a.scrobble,
		"star":              a.star,
		"unstar":            a.unstar,
		"setRating":         a.setRating,
		"getStarred2":       a.getStarred2,
		"getSimilarSongs":   a.getSimilarSongs,
		"getSimilarSongs2":  a.getSimilarSongs2,
		"getTopSongs":       a.getTopSongs,
		"getPlayQueue":      a.getPlayQueue,
		"getArtistInfo":     a.getArtistInfo,
		"getArtistInfo2":    a.getArtistInfo2,
		"getAlbumInfo":      a.getAlbumInfo,
		"getAlbumInfo2":     a.getAlbumInfo2,
		"savePlayQueue":     a.savePlayQueue,
		"createBookmark":    a.createBookmark,
		"deleteBookmark":    a.deleteBookmark,
		"getBookmarks":      a.getBookmarks,
		"getSongsByGenre":   a.getSongsByGenre,
		"getShares":         a.getShares,
		"createShare":       a.createShare,
		"deleteShare":       a.deleteShare,
		"getNowPlaying":     a.getNowPlaying,
		"startScan":         a.getScanStatus, // ingest runs from the command line: nothing to start
		// no podcasts, internet radio, videos or lyrics here (getLyrics: whatever artist and title)
		"getPodcasts":              empty(func(r *Response) { r.Podcasts = &Podcasts{Channels: []struct{}{}} }),
		"getNewestPodcasts":        empty(func(r *Response) { r.NewestPodcasts = &Episodes{Episodes: []struct{}{}} }),
		"getInternetRadioStations": empty(func(r *Response) { r.InternetRadio = &RadioStations{Stations: []struct{}{}} }),
		"getLyrics":                empty(func(r *Response) { r.Lyrics = &Lyrics{} }),
		"getVideos":                empty(func(r *Response) { r.Videos = &Videos{Videos: []struct{}{}} }),
		// roles no user has (getUser): error 50, as the spec answers a user without the role
		"getUsers":       refused(fmt.Sprintf(adminOnly, "list every user", "segue origin user list (getUser shows oneself)")),
		"createUser":     refused(fmt.Sprintf(adminOnly, "add users", "segue origin user add NAME")),
		"updateUser":     refused("only an administrator may change users, and this server has none on the Subsonic API: roles are set when segue origin user add makes a user, and a user changes its own password with changePassword"),
		"deleteUser":     refused(fmt.Sprintf(adminOnly, "remove users", "segue origin user remove NAME")),
		"jukeboxControl": refused("this server has no jukebox (no user has jukeboxRole): segue plays on the listener's own device; stream the songs instead"),
	}
	maps.Copy(a.handlers, absentHandlers()) // chat, avatars, podcast and radio changes, videos: handlers_absent.go
	o.MountOnce(SharePrefix, http.HandlerFunc(shareRedirect))
	return a, nil
}

// passwordKey returns the key that opens sealed passwords, reading the
// data dir's KeyFile until it is there (an error wrapping fs.ErrNotExist
// while it is not).
func (a *API) passwordKey() ([]byte, error) {
	a.keyMu.Lock()
	defer a.keyMu.Unlock()
	if a.key == nil {
		key, err := loadKey(a.o.DataDir(), false)
		if err != nil {
			return nil, err
		}
		a.key = key
	}
	return a.key, nil
}

// Prefix is where the API is mounted.
const Prefix = "/rest/"

// request is one authenticated API call.
type request struct {
	*http.Request
	w    http.ResponseWriter
	p    params
	user account
}

// ServeHTTP answers GET or POST /rest/METHOD and /rest/METHOD.view (the
// parameters in the query or a form body): authenticates, runs the method
// and encodes its answer as f asks (xml by default, json, jsonp). API
// errors are HTTP 200 with status "failed", as the spec says.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, Prefix), ".view")
	if allowBrowsers(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD, POST, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, err := parseParams(r)
	if err != nil {
		a.write(w, r, p, failed(CodeGeneric, err.Error()))
		return
	}
	if res := checkCallback(p); res != nil { // before the method runs: its answer could not be read
		a.write(w, r, p, res)
		return
	}
	if method == "getOpenSubsonicExtensions" { // public, says OpenSubsonic: clients ask before signing in
		a.write(w, r, p, a.getOpenSubsonicExtensions(nil))
		return
	}
	if a.o.AuthBlocked(w, r, p.get("u")) {
		return
	}
	user, res := a.authenticate(r.Context(), p)
	if res != nil {
		if res.Error.Code == CodeWrongCredential || res.Error.Code == CodeBadAPIKey {
			a.o.AuthRefused(r, p.get("u"))
		}
		a.write(w, r, p, res)
		return
	}
	h, ok := a.handlers[method]
	if !ok {
		a.write(w, r, p, unknownMethod(method))
		return
	}
	rq := &request{Request: r, w: w, p: p, user: user}
	if res := h(rq); res != nil {
		err := a.dropMissingCovers(r.Context(), res)
		if err == nil {
			err = a.addRatings(r.Context(), user.id, res)
		}
		if err != nil {
			res = a.internal(rq, err)
		}
		a.write(w, r, p, res)
	}
}

// allowBrowsers lets a Subsonic app served from another site (a web
// player in a browser, or one on the listener's own machine) call the API
// through fetch: every answer says any origin may read it, and a browser's
// preflight (OPTIONS with Access-Control-Request-Method) is answered here,
// 204, which allowBrowsers reports (true: nothing more to answer). Any
// origin is safe because the API's credentials are its parameters (u with
// p, t and s, or apiKey), never cookies, so a page reads only what its own
// credentials allow (the Fetch standard's CORS protocol:
// https://fetch.spec.whatwg.org/#http-cors-protocol). The
// headers a player reads beyond the safelisted ones are exposed: ranges
// for seeking, ETag, and the file name of download.
func allowBrowsers(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Accept-Ranges, Content-Range, Content-Disposition, ETag")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST")
	h.Set("Access-Control-Allow-Headers", "*")
	h.Set("Access-Control-Max-Age", "86400") // a day; Chromium keeps at most 2 hours, Firefox a day
	w.WriteHeader(http.StatusNoContent)
	return true
}

// ok is a successful answer to fill in.
func ok() *Response { return &Response{Status: "ok"} }

// failed is an error answer.
func failed(code int, msg string) *Response {
	return &Response{Status: "failed", Error: &Error{Code: code, Message: msg}}
}

// internal logs a failure of the origin itself and answers code 0.
func (a *API) internal(rq *request, err error) *Response {
	if rq.Context().Err() != nil {
		return failed(CodeGeneric, "request cancelled")
	}
	a.log.Error("subsonic request failed", "path", rq.URL.Path, "err", err)
	return failed(CodeGeneric, "internal error; see the origin's log")
}

// notFound answers code 70 for err wrapping origin.ErrNotFound, else
// internal.
func (a *API) notFound(rq *request, what string, err error) *Response {
	if errors.Is(err, origin.ErrNotFound) {
		return failed(CodeNotFound, what+" not found")
	}
	return a.internal(rq, err)
}

// write encodes res in the format p asks for: XML as text/xml, JSON as
// application/json, JSONP as application/javascript. A failed answer to a
// browser opening the address as a page, naming no format (f), is a page
// saying what this address is and what to do, with the error's sentence
// (status 200 as the API's own answer): a person who typed the server's
// address into a browser, to check it, was shown the XML.
func (a *API) write(w http.ResponseWriter, r *http.Request, p params, res *Response) {
	res.Version, res.Type, res.ServerVersion, res.OpenSubsonic = APIVersion, "segue", a.version, true
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if res.Error != nil {
		h.Add("Vary", "Accept") // a browser's is a page
	}
	if res.Error != nil && p.get("f") == "" && origin.PrefersHTML(r) {
		origin.WriteErrorPage(w, http.StatusOK, "This is the Subsonic API of a segue origin",
			"Subsonic apps sign in here: give the app this server's address (without /rest) with your user name and password "+
				"(segue origin user add NAME, run on the origin, makes one). A browser plays from a share link (https://HOST/p/…) instead.",
			res.Error.Message)
		return
	}
	var body []byte
	var err error
	switch f := p.get("f"); f {
	case "json", "jsonp":
		body, err = json.Marshal(map[string]*Response{"subsonic-response": res})
		h.Set("Content-Type", "application/json; charset=utf-8")
		if cb := p.get("callback"); f == "jsonp" && validCallback(cb) {
			body = append(append([]byte(cb+"("), body...), ");"...)
			h.Set("Content-Type", "application/javascript; charset=utf-8")
		}
	default:
		body, err = xml.Marshal(res)
		body = append([]byte(xml.Header), body...)
		// text/xml, as the spec says of the errors of stream, download,
		// getCoverArt and getAvatar, and Subsonic's own server answers
		// every method: DSub tells an error from the song or cover it
		// asked for by a Content-Type starting with text/xml, and took
		// application/xml for the file
		h.Set("Content-Type", "text/xml; charset=utf-8")
	}
	if err != nil {
		a.log.Error("encode subsonic answer", "err", err)
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	// set, not counted by net/http: a HEAD writes no body to count
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// checkCallback answers f=jsonp without a callback (error 10) or with one
// validCallback refuses (error 0); nil otherwise. write answers such a
// request's error as plain JSON, since there is no function to call.
// (The spec makes callback required with jsonp; gonic calls a default
// "cb" instead, a TODO there, and a page would then call a function it
// never named.)
func checkCallback(p params) *Response {
	if p.get("f") != "jsonp" {
		return nil
	}
	switch cb := p.get("callback"); {
	case cb == "":
		return failed(CodeMissingParam, "required parameter callback is missing: f=jsonp answers callback(...); give the function's name, or ask f=json")
	case !validCallback(cb):
		return failed(CodeGeneric, fmt.Sprintf("callback %q is refused: give a JavaScript name (letters, digits, _ and $, dotted, up to 64 characters)", cb))
	}
	return nil
}

// validCallback admits JSONP callback names that are plain identifiers
// (a dotted path at most), so the answer cannot carry script of the
// caller's choosing.
func validCallback(cb string) bool {
	return cb != "" && len(cb) <= 64 && strings.IndexFunc(cb, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '$')
	}) < 0
}
