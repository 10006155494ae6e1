package origin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"segue/catalog"
	"segue/share"
)

// principal is who a request speaks for: an owner of playlists (a token's
// ID, or LocalOwner on an open origin), or the holder of a share link, who
// may read that one playlist and nothing else.
type principal struct {
	owner string
	share string // share token; set only for a share-link holder
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalOf returns who r speaks for: what authenticate found, or the
// local owner on an open origin (which sets nothing, to spare every request
// a copy).
func (s *Server) principalOf(r *http.Request) principal {
	if p, ok := r.Context().Value(principalKey{}).(principal); ok {
		return p
	}
	if !s.auth.Load() {
		return principal{owner: LocalOwner}
	}
	return principal{}
}

// playlistRoutes adds the playlist API and the share page to mux.
func (s *Server) playlistRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/playlists", s.ownerOnly(s.handlePlaylists))
	mux.HandleFunc("POST /api/v1/playlists", s.ownerOnly(s.handleCreatePlaylist))
	mux.HandleFunc("GET /api/v1/playlists/{id}", s.ownerOnly(s.handlePlaylist))
	mux.HandleFunc("PATCH /api/v1/playlists/{id}", s.ownerOnly(s.handleRenamePlaylist))
	mux.HandleFunc("DELETE /api/v1/playlists/{id}", s.ownerOnly(s.handleDeletePlaylist))
	mux.HandleFunc("POST /api/v1/playlists/{id}/tracks", s.ownerOnly(s.handleAddTracks))
	mux.HandleFunc("DELETE /api/v1/playlists/{id}/tracks/{pos}", s.ownerOnly(s.handleRemoveTrack))
	mux.HandleFunc("POST /api/v1/playlists/{id}/move", s.ownerOnly(s.handleMoveTrack))
	mux.HandleFunc("POST /api/v1/playlists/{id}/share", s.ownerOnly(s.handleShare))
	mux.HandleFunc("DELETE /api/v1/playlists/{id}/share", s.ownerOnly(s.handleUnshare))
	mux.HandleFunc("GET /api/v1/local-owned", s.ownerOnly(s.handleLocalOwned))
	mux.HandleFunc("GET /p/{token}", s.handleSharePage)
	mux.HandleFunc("GET /p/{token}/{$}", s.handleSharePage) // as chat apps and hands may write it
	mux.HandleFunc("GET /P/{token}", redirectCapitalShare)  // as a phone's keyboard or a chat app may write it
	mux.HandleFunc("GET /P/{token}/{$}", redirectCapitalShare)
}

// ownerOnly refuses share-link holders: they may not list or edit playlists.
func (s *Server) ownerOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.principalOf(r).owner == "" {
			writeError(w, http.StatusForbidden, "a share link grants reading its playlist only")
			return
		}
		h(w, r)
	}
}

// playlistFailed maps a playlist store error to its status.
func (s *Server) playlistFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrBadPlaylist): // the reason alone reads best
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), ErrBadPlaylist.Error()+": "))
	case errors.Is(err, ErrUnknownTrack):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNotFound) && s.ownedByToken(r):
		// a playlist made while the origin ran open and then handed to a
		// token (origin token adopt-local), asked for with no token: it
		// was a 404, which the client took for a deleted playlist ("gone
		// from the origin: offline remove it"). Only a request of the open
		// origin's local owner is told: one token never learns of another's.
		writeError(w, http.StatusForbidden, "playlist "+r.PathValue("id")+catalog.OwnedByToken+
			" (segue origin token adopt-local handed it over): send that token's secret (--token, SEGUE_TOKEN or token in config.toml)")
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "playlist "+r.PathValue("id")+" not found")
	case errors.Is(err, ErrPlaylistChanged):
		writeError(w, http.StatusConflict, strings.TrimPrefix(err.Error(), ErrPlaylistChanged.Error()+": "))
	default:
		s.internal(w, r, err)
	}
}

// ownedByToken reports whether r, a request of the local owner on an open
// origin (one with no token), names a playlist ({id}) that another owner
// holds: a token, or a Subsonic user, that adopted it.
func (s *Server) ownedByToken(r *http.Request) bool {
	id := r.PathValue("id")
	if id == "" || s.principalOf(r).owner != LocalOwner {
		return false
	}
	owner, err := s.playlists.Owner(r.Context(), id)
	return err == nil && owner != LocalOwner
}

// readBody decodes a small JSON request body into v (decodeOne),
// answering 400 (or 413 past the route's limit) itself.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeOne(r.Body, v); err != nil { // the body is bounded by guard
		if bodyTooLarge(w, err) {
			return false
		}
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) handlePlaylists(w http.ResponseWriter, r *http.Request) {
	pls, err := s.playlists.List(r.Context(), s.principalOf(r).owner)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := range pls {
		pls[i] = s.absolute(r, pls[i])
	}
	s.serveJSON(w, r, pls)
}

// handleLocalOwned answers what LocalOwner owns (LocalOwned: {"playlists":
// N, "plays": M}), so a client whose listener has no playlists can say
// that the origin keeps some made while it ran open, and how a token or
// Subsonic user adopts them (segue origin token adopt-local): a token saw
// an empty list and no hint. Only the counts are said, never the playlists.
func (s *Server) handleLocalOwned(w http.ResponseWriter, r *http.Request) {
	owned, err := LocalOwned(r.Context(), s.db)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.serveJSON(w, r, owned)
}

// answerPlaylist writes pl (or the error) as the response to an edit.
func (s *Server) answerPlaylist(w http.ResponseWriter, r *http.Request, status int, pl catalog.Playlist, err error) {
	if err != nil {
		s.playlistFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(s.absolute(r, pl))
}

func (s *Server) handleCreatePlaylist(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name     string   `json:"name"`
		TrackIDs []string `json:"track_ids"`
	}
	if !readBody(w, r, &body) {
		return
	}
	owner := s.principalOf(r).owner
	pl, err := s.playlists.Create(r.Context(), owner, body.Name)
	if err == nil && len(body.TrackIDs) > 0 {
		// Add answers an empty playlist when it fails: keep the new one's
		// ID to delete it (it deleted "" and kept the playlist).
		id := pl.ID
		if pl, err = s.playlists.Add(r.Context(), owner, id, body.TrackIDs, -1); err != nil {
			s.playlists.Delete(r.Context(), owner, id)
		}
	}
	s.answerPlaylist(w, r, http.StatusCreated, pl, err)
}

func (s *Server) handlePlaylist(w http.ResponseWriter, r *http.Request) {
	if id := pathID(w, r); id != "" {
		pl, err := s.playlists.Get(r.Context(), s.principalOf(r).owner, id)
		if err != nil {
			s.playlistFailed(w, r, err)
			return
		}
		s.serveJSON(w, r, s.absolute(r, pl))
	}
}

func (s *Server) handleRenamePlaylist(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if id := pathID(w, r); id != "" && readBody(w, r, &body) {
		pl, err := s.playlists.Rename(r.Context(), s.principalOf(r).owner, id, body.Name)
		s.answerPlaylist(w, r, http.StatusOK, pl, err)
	}
}

func (s *Server) handleDeletePlaylist(w http.ResponseWriter, r *http.Request) {
	if id := pathID(w, r); id != "" {
		if err := s.playlists.Delete(r.Context(), s.principalOf(r).owner, id); err != nil {
			s.playlistFailed(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleAddTracks answers POST /api/v1/playlists/{id}/tracks
// {"track_ids": [...], "position": N, "before": "ID"}: the tracks go
// before position N (from 1; left out: appended). "before" (optional,
// only with "position") is the track the client saw at N: when N holds
// another, or none, the answer is 409 saying what N holds now, and
// nothing changes. A client that leaves it out inserts by position alone.
func (s *Server) handleAddTracks(w http.ResponseWriter, r *http.Request) {
	body := struct {
		TrackIDs []string `json:"track_ids"`
		Position *int     `json:"position"`
		Before   string   `json:"before"`
	}{}
	if id := pathID(w, r); id != "" && readBody(w, r, &body) {
		pos := -1
		if body.Position != nil {
			if *body.Position < 1 {
				writeError(w, http.StatusBadRequest, "position counts from 1 (the first track); leave it out to append")
				return
			}
			pos = *body.Position - 1
		} else if body.Before != "" {
			writeError(w, http.StatusBadRequest, `"before" names the track at "position": give both, or neither to append`)
			return
		}
		pl, err := s.playlists.AddBefore(r.Context(), s.principalOf(r).owner, id, body.TrackIDs, pos, body.Before)
		s.answerPlaylist(w, r, http.StatusOK, pl, err)
	}
}

// handleRemoveTrack answers DELETE /api/v1/playlists/{id}/tracks/{pos}
// [?track=ID]: removes the track at pos (from 1). ?track names the track
// the client saw there: when pos holds another (another device edited the
// playlist meanwhile), or none, the answer is 409 saying what pos holds
// now, and nothing is removed. Without ?track (older clients) the track at
// pos is removed, whichever it is.
func (s *Server) handleRemoveTrack(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	raw := r.PathValue("pos")
	pos, err := strconv.Atoi(raw)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(raw, "-") {
		// past any int, so past the end: said as 9 of a playlist of 2 is
		// (it was "position must be a whole number")
		s.positionPastInt(w, r, id, raw)
		return
	}
	if err != nil || pos < 1 {
		writeError(w, http.StatusBadRequest, "position must be a whole number from 1 (the first track)")
		return
	}
	pl, err := s.playlists.Remove(r.Context(), s.principalOf(r).owner, id, pos-1, r.URL.Query().Get("track"))
	s.answerPlaylist(w, r, http.StatusOK, pl, err)
}

// positionPastInt answers a remove of the position raw, a whole number too
// large for an int, as one past the end of playlist id: 400 with
// catalog.NoTrackAt's sentence (or the playlist's 404).
func (s *Server) positionPastInt(w http.ResponseWriter, r *http.Request, id, raw string) {
	pl, err := s.playlists.Get(r.Context(), s.principalOf(r).owner, id)
	if err == nil {
		err = fmt.Errorf("%w: %w", ErrBadPlaylist, catalog.NoTrackAt(raw, len(pl.Tracks)))
	}
	s.playlistFailed(w, r, err)
}

// handleMoveTrack answers POST /api/v1/playlists/{id}/move {"from": N,
// "to": M, "track": "ID"}: moves the track at N to M (both from 1).
// "track" (optional) is the track the client saw at N, checked as
// handleRemoveTrack checks ?track (409 on a mismatch).
func (s *Server) handleMoveTrack(w http.ResponseWriter, r *http.Request) {
	var body struct {
		From  *int   `json:"from"`
		To    *int   `json:"to"`
		Track string `json:"track"`
	}
	if id := pathID(w, r); id != "" && readBody(w, r, &body) {
		if body.From == nil || body.To == nil || *body.From < 1 || *body.To < 1 {
			writeError(w, http.StatusBadRequest, `give both "from" and "to" positions, counting from 1 (the first track)`)
			return
		}
		pl, err := s.playlists.Move(r.Context(), s.principalOf(r).owner, id, *body.From-1, *body.To-1, body.Track)
		s.answerPlaylist(w, r, http.StatusOK, pl, err)
	}
}

func (s *Server) handleShare(w http.ResponseWriter, r *http.Request) {
	if id := pathID(w, r); id != "" {
		owner := s.principalOf(r).owner
		if _, err := s.playlists.Share(r.Context(), owner, id); err != nil {
			s.playlistFailed(w, r, err)
			return
		}
		pl, err := s.playlists.Get(r.Context(), owner, id)
		s.answerPlaylist(w, r, http.StatusOK, pl, err)
	}
}

func (s *Server) handleUnshare(w http.ResponseWriter, r *http.Request) {
	if id := pathID(w, r); id != "" {
		if err := s.playlists.Unshare(r.Context(), s.principalOf(r).owner, id); err != nil {
			s.playlistFailed(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// The JSON errors of a share link that opens nothing, which clients show
// (segue play, playlist show, offline add... of the link): what is wrong
// and what to do, as the page a browser gets says. A revoked link said
// only "unknown or was revoked", and a cut one "malformed share link token".
const (
	shareGone = "this share link is unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"
	shareCut  = "this is not a whole share link (its token is malformed): copy the link again, all of it"
)

// handleSharePage answers GET /p/{token} (and /p/{token}/): the playlist as JSON for clients,
// or a self-contained HTML page for a browser; GET /p/{token}.m3u8 (.m3u,
// .xspf), the playlist file for other players (serveSharePlaylist), which
// the link itself also answers a media player (mediaPlayer) and a client
// whose Accept prefers a playlist's media type (playlistByAccept). The
// token in the path is the capability, so this route needs no bearer token.
//
// Every answer says Vary: Accept, as Accept chooses between the page and
// JSON, and between a refusal's page and its JSON error, at the same URL:
// a cache (a proxy, a CDN, the browser's) must not give one to the other.
// The playlist file says it too, so that no path of the route is missed.
func (s *Server) handleSharePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept, User-Agent, Icy-MetaData")
	segment := r.PathValue("token")
	if redirectPastedShare(w, r, segment) {
		return
	}
	token, format := share.CutFormat(segment)
	if !share.ValidToken(token) {
		if i := strings.LastIndexByte(segment, '.'); i > 0 && share.ValidToken(segment[:i]) {
			shareRefused(w, r, shareRefusedFormat(segment[i:]))
			return
		}
		shareRefused(w, r, shareRefusedCut)
		return
	}
	pl, err := s.playlists.ByShare(r.Context(), token)
	if errors.Is(err, ErrNoShare) {
		shareRefused(w, r, shareRefusedGone)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	contentType := share.PlaylistFormats[format]
	if format == "" {
		format, contentType = playlistByAccept(r)
	}
	if format == "" && !wantsHTML(r) && mediaPlayer(r) {
		format, contentType = "m3u8", share.PlaylistFormats["m3u8"]
	}
	if format != "" {
		s.serveSharePlaylist(w, r, pl, token, format, contentType)
		return
	}
	pl = s.absolute(r, pl)
	if wantsHTML(r) || previewBot(r) {
		s.serveSharePage(w, r, pl)
		return
	}
	s.serveJSON(w, r, pl)
}

// redirectPastedShare answers a share link that a chat app, a mail
// program or a hand took with what came after it, the punctuation of the
// sentence it ended or the bracket or quote around it ("/p/TOKEN).",
// "/p/TOKEN.m3u8,"), with a permanent redirect to the link itself, and
// reports whether it did. segue's client drops them (share.ParseURL),
// but a browser, mpv, VLC and a chat app's preview were answered "not a
// whole share link" (400), or for a "." "ends in ., which is no playlist
// file" (404). The redirect is relative to the request's path, so it
// stays under the path of an origin served under one; the query stays.
func redirectPastedShare(w http.ResponseWriter, r *http.Request, segment string) bool {
	clean := share.TrimPastedEnd(segment)
	if clean == segment {
		return false
	}
	if token, _ := share.CutFormat(clean); !share.ValidToken(token) {
		return false
	}
	// base64url, and a format's ending: nothing to escape
	to := clean
	if strings.HasSuffix(r.URL.Path, "/") { // /p/TOKEN)/
		to = "../" + to
	}
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusMovedPermanently)
	return true
}

// redirectCapitalShare answers a share link whose /p/ a phone's keyboard
// or a chat app capitalised (/P/TOKEN, /P/TOKEN/), which was a 404 ("no
// such route", JSON to a browser too), or 401 on an origin that requires
// tokens, with a permanent redirect to the link: /p/ and the token, without
// what a chat app put after it (as redirectPastedShare), or else the
// segment as it came, which /p/ then refuses saying why. A token's own
// case is kept: base64url tells a from A. The redirect is relative to the
// request's path, so it stays under the path of an origin served under
// one; the query stays.
func redirectCapitalShare(w http.ResponseWriter, r *http.Request) {
	segment := r.PathValue("token")
	to := url.PathEscape(segment)
	if clean := share.TrimPastedEnd(segment); clean != segment {
		if token, _ := share.CutFormat(clean); share.ValidToken(token) {
			to = clean // base64url, and a format's ending: nothing to escape
		}
	}
	up := "../p/"
	if strings.HasSuffix(r.URL.Path, "/") { // /P/TOKEN/
		up = "../../p/"
	}
	to = up + to
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusMovedPermanently)
}

// serveSharePlaylist answers GET /p/{token}.{format}: the shared playlist
// as a file of share.PlaylistFormats, every entry a track's stream with the
// share token, so `mpv https://HOST/p/TOKEN.m3u8` (or VLC, or a phone's
// player) plays it without segue; the file is named after the playlist.
// It is answered as a static file (serveDocAs) of media type contentType:
// ETag, 304, HEAD, Range.
func (s *Server) serveSharePlaylist(w http.ResponseWriter, r *http.Request, pl catalog.Playlist, token, format, contentType string) {
	base := s.base(r)
	entries := make([]share.Entry, len(pl.Tracks))
	for i, t := range pl.Tracks {
		entries[i] = share.Entry{Title: t.Title, Artist: t.Artist, Album: t.Album, DurationMS: t.DurationMS,
			Location: share.StreamURL(base, t.ID, token)}
	}
	var b bytes.Buffer
	share.WritePlaylist(&b, format, pl.Name, entries) // a bytes.Buffer takes every write
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": pl.Name + "." + format}))
	serveDocAs(w, r, contentType, b.Bytes())
}

// acceptedPlaylists are the media types of playlist files a player may
// name in Accept for the share link itself, each with the file of
// share.PlaylistFormats it gets and the Content-Type it is answered with:
// the M3U names (audio/x-mpegurl, which share.PlaylistFormats gives .m3u8;
// audio/mpegurl; application/vnd.apple.mpegurl, RFC 8216's; and
// application/x-mpegurl) get the M3U8 under the name asked for, PLS and
// XSPF theirs. Accept: audio/x-mpegurl was answered the playlist's JSON,
// which no player reads.
var acceptedPlaylists = []struct{ typ, sub, format, contentType string }{
	{"audio", "x-mpegurl", "m3u8", "audio/x-mpegurl; charset=utf-8"},
	{"audio", "mpegurl", "m3u8", "audio/mpegurl; charset=utf-8"},
	{"application", "vnd.apple.mpegurl", "m3u8", "application/vnd.apple.mpegurl; charset=utf-8"},
	{"application", "x-mpegurl", "m3u8", "application/x-mpegurl; charset=utf-8"},
	{"audio", "x-scpls", "pls", "audio/x-scpls; charset=utf-8"},
	{"application", "xspf+xml", "xspf", "application/xspf+xml"},
}

// playlistByAccept returns the playlist file (a share.PlaylistFormats key)
// and its Content-Type when r's Accept prefers one of acceptedPlaylists to
// both the page (text/html) and the JSON (application/json): a higher
// q-value than each, or the same one and named in Accept where the other
// is not, or before it. A range alone names nothing, so */* leaves the
// choice to the page or the JSON as before, while audio/* (a client taking
// audio only) gets the M3U8. It returns "", "" when no playlist is
// preferred.
func playlistByAccept(r *http.Request) (format, contentType string) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return "", ""
	}
	// prefers reports whether q named at at is preferred to q2 named at
	// at2 (-1: not named, only covered by a range).
	prefers := func(q float64, at int, q2 float64, at2 int) bool {
		return q > q2 || q == q2 && at >= 0 && (at2 < 0 || at < at2)
	}
	bestQ, bestAt := 0.0, -1
	for _, p := range acceptedPlaylists {
		if q, at := acceptQ(accept, p.typ, p.sub); q > 0 && (format == "" || prefers(q, at, bestQ, bestAt)) {
			format, contentType, bestQ, bestAt = p.format, p.contentType, q, at
		}
	}
	h, hAt := acceptQ(accept, "text", "html")
	j, jAt := acceptQ(accept, "application", "json")
	if format == "" || !prefers(bestQ, bestAt, h, hAt) || !prefers(bestQ, bestAt, j, jAt) {
		return "", ""
	}
	if bestAt < 0 { // only a range covers it (audio/*): the file's own type
		contentType = share.PlaylistFormats[format]
	}
	return format, contentType
}

// previewBots are what chat apps' link-preview crawlers name themselves
// in User-Agent (Discord, Slack, Facebook and Messenger, WhatsApp and
// Signal, which borrows its name, Telegram, X, LinkedIn, Skype and
// Teams, Mastodon, Matrix's Synapse, Reddit, Pinterest, Apple's Messages,
// Embedly, Iframely), in any case.
var previewBots = []string{"discordbot", "slackbot", "slack-imgproxy", "facebookexternalhit", "facebot", "whatsapp",
	"telegrambot", "twitterbot", "linkedinbot", "skypeuripreview", "mastodon", "synapse", "redditbot", "pinterest",
	"applebot", "embedly", "iframely"}

// previewBot reports whether r is a chat app's link-preview crawler that
// does not name JSON in Accept. Such crawlers send no Accept (Discordbot)
// or */*, and so were answered the playlist's JSON: the link showed no
// preview, no title and no cover, however the page's Open Graph tags were
// written. They get the page.
func previewBot(r *http.Request) bool {
	if _, named := acceptQ(r.Header.Get("Accept"), "application", "json"); named >= 0 {
		return false
	}
	ua := strings.ToLower(r.Header.Get("User-Agent"))
	for _, b := range previewBots {
		if strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// mediaPlayer reports whether r comes from a media player given the
// share link itself (mpv URL, VLC's Open Network Stream): one asking for
// Shoutcast metadata (Icy-MetaData, which mpv, VLC and ffmpeg send and
// no browser or API client does), or naming itself libmpv, mpv, VLC or
// Lavf (ffmpeg's library) in User-Agent. Such a player asks with Accept
// */* and was answered the playlist's JSON: "Failed to recognize file
// format" (mpv), "Your input can't be opened" (VLC). It gets the M3U8
// the link's .m3u8 serves.
func mediaPlayer(r *http.Request) bool {
	if r.Header.Get("Icy-MetaData") != "" {
		return true
	}
	ua := r.Header.Get("User-Agent")
	for _, p := range []string{"libmpv", "mpv ", "VLC/", "Lavf/"} {
		if strings.HasPrefix(ua, p) {
			return true
		}
	}
	return false
}

// wantsHTML is true when the client prefers HTML over JSON (a browser):
// Accept names text/html and gives it a higher q-value than
// application/json, or the same and names it first; a client that does
// not name it (no Accept, */*) gets JSON.
func wantsHTML(r *http.Request) bool {
	h, hAt := acceptQ(r.Header.Get("Accept"), "text", "html")
	j, jAt := acceptQ(r.Header.Get("Accept"), "application", "json")
	return h > 0 && hAt >= 0 && (h > j || h == j && (jAt < 0 || hAt < jAt))
}

// acceptQ returns the q-value (0 to 1) the Accept header accept gives
// the media type typ/sub, from the most specific range that covers it
// (typ/sub, then typ/*, then */*; 0 when none does), and where in the
// list a range naming typ/sub itself is (-1 when none does).
func acceptQ(accept, typ, sub string) (q float64, named int) {
	best, named := -1, -1 // best: the specificity q came from
	for i, rng := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(rng, ";")
		t, st, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mt)), "/")
		spec := -1
		switch {
		case t == typ && st == sub:
			spec, named = 2, i
		case t == typ && st == "*":
			spec = 1
		case t == "*" && st == "*":
			spec = 0
		}
		if spec <= best {
			continue
		}
		best, q = spec, 1
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
	}
	return q, named
}

// shareScope checks a share-link holder's request: the playlist's tracks,
// their manifests, segments and covers; everything else is 403.
func (s *Server) shareScope(w http.ResponseWriter, r *http.Request, token string) bool {
	path := r.URL.Path
	kind, id := "", ""
	switch {
	case strings.HasPrefix(path, "/chunks/"):
		kind, id = "chunk", strings.TrimPrefix(path, "/chunks/")
	case strings.HasPrefix(path, "/api/v1/tracks/"):
		kind = "track" // the track, its manifest or its stream
		id, _, _ = strings.Cut(strings.TrimPrefix(path, "/api/v1/tracks/"), "/")
	case strings.HasPrefix(path, "/api/v1/albums/") && strings.HasSuffix(path, "/cover"):
		kind, id = "cover", strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/albums/"), "/cover")
	case strings.HasPrefix(path, "/p/"):
		return true
	}
	if kind != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		ok, err := s.playlists.ShareAllows(r.Context(), token, kind, id)
		if err != nil {
			s.internal(w, r, err)
			return false
		}
		if ok {
			return true
		}
	}
	writeError(w, http.StatusForbidden, "this share link does not grant access to "+path)
	return false
}
