package origin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"segue/catalog"
	"segue/sqlite"
)

// routes is the origin HTTP API (docs/architecture.md, "Origin HTTP API").
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/search", s.handleSearch)
	mux.HandleFunc("GET /api/v1/artists", s.handleArtists)
	mux.HandleFunc("GET /api/v1/artists/{id}", s.handleArtist)
	mux.HandleFunc("GET /api/v1/albums/{id}", s.handleAlbum)
	mux.HandleFunc("GET /api/v1/albums/{id}/cover", s.handleCover)
	mux.HandleFunc("GET /api/v1/tracks/{id}", s.handleTrack)
	mux.HandleFunc("GET /api/v1/tracks/{id}/manifest", s.handleManifest)
	mux.HandleFunc("GET /api/v1/tracks/{id}/stream", s.handleStream)
	mux.HandleFunc("GET /chunks/{hash}", s.handleChunk)
	mux.HandleFunc("POST /api/v1/peers/announce", s.handleAnnounce)
	mux.HandleFunc("GET /api/v1/peers", s.handlePeers)
	s.playlistRoutes(mux)
	mux.HandleFunc("POST /api/v1/events", s.ownerOnly(s.handleEvents))
	mux.HandleFunc("GET /api/v1/radio", s.ownerOnly(s.handleRadio))
	mux.HandleFunc("GET /api/v1/tracks/{id}/similar", s.handleSimilar)
	return mux
}

// errorHeaders makes h an error's of contentType: no length, validator or
// caching a success set, and no sniffing.
func errorHeaders(h http.Header, contentType string) {
	h.Del("Content-Length")
	h.Del("ETag")
	h.Del("Cache-Control")
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
}

// writeError answers with the JSON error body every non-2xx response carries.
func writeError(w http.ResponseWriter, status int, msg string) {
	errorHeaders(w.Header(), "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(catalog.ErrorResponse{Error: msg})
}

// serveDoc answers with a JSON document as serveDocAs does.
func serveDoc(w http.ResponseWriter, r *http.Request, body []byte) {
	serveDocAs(w, r, "application/json", body)
}

// serveDocAs answers with body, a document built in memory, of media type
// contentType, as a static file is answered: a strong ETag from its bytes
// (the first 16 of its SHA-256, in hex), Cache-Control: no-cache (the
// catalog and playlists change: revalidate), and through
// http.ServeContent 304 to If-None-Match, HEAD with Content-Length and no
// body, 206 to Range (If-Range too) and 416 to a range past the end.
func serveDocAs(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	serveDoc(w, r, body)
}

// statusClientGone is logged for a request whose client left before the
// answer (nginx's 499; nobody receives it).
const statusClientGone = 499

// internal answers 500 for a failure of the origin itself (never bad input),
// or 503 with Retry-After when the catalog's database is unreachable.
// A client that went away (its request's context ended) is not the origin's
// failure: it is logged at debug level and the access log shows 499, the
// status nginx uses for a client that closed the request.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		s.log.Debug("client went away", "method", r.Method, "path", redactPath(r.URL.EscapedPath()), "err", err)
		w.WriteHeader(statusClientGone)
		return
	}
	if catalogUnavailable(err) {
		s.log.Warn("catalog unreachable", "method", r.Method, "path", redactPath(r.URL.EscapedPath()), "err", err)
		writeUnavailable(w)
		return
	}
	if sqlite.DiskFull(err) {
		// A change the catalog could not store: the host has a disk to
		// free, the client nothing to retry now. It was a 500 the client
		// called a failure "its log says why", the log "database or disk
		// is full" with no folder.
		where := CatalogName(s.opts.Catalog, s.opts.DataDir)
		s.log.Error("disk full: nothing was saved; free space on the disk of "+where, "method", r.Method, "path", redactPath(r.URL.EscapedPath()), "err", err)
		writeError(w, http.StatusInsufficientStorage, DiskFullAnswer)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", redactPath(r.URL.EscapedPath()), "err", err)
	writeError(w, http.StatusInternalServerError, "internal error; see the origin's log")
}

// DiskFullAnswer is the message of the origin's 507 Insufficient Storage,
// its answer to a change (a playlist, a play, a token's use) that its
// SQLite catalog could not store because its disk is full: nothing was
// saved, and only the origin's host can free space.
const DiskFullAnswer = "the origin's disk is full, so nothing was saved: its host must free space on the disk of its data dir (its log names it), then try again"

// lookupFailed answers for an error of a catalog lookup.
func (s *Server) lookupFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	s.internal(w, r, err)
}

// pathID returns the {id} path value, or answers 400 and returns "".
func pathID(w http.ResponseWriter, r *http.Request) string {
	id := r.PathValue("id")
	if !validID(id, 128) {
		writeError(w, http.StatusBadRequest, "malformed id: want letters, digits, - or _ (at most 128)")
		return ""
	}
	return id
}

// validID reports whether id is 1 to max letters, digits, - or _.
func validID(id string, max int) bool {
	return len(id) > 0 && len(id) <= max && strings.IndexFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
	}) < 0
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	q := params.Get("q")
	if strings.TrimSpace(q) == "" {
		writeError(w, http.StatusBadRequest, "missing search query: add ?q=words")
		return
	}
	limit := DefaultSearchLimit
	if v := params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > catalog.MaxSearchLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %q: want a whole number from 1 to %d (the maximum)", v, catalog.MaxSearchLimit))
			return
		}
		limit = n
	}
	res, err := s.reader.Search(r.Context(), q, limit)
	if errors.Is(err, ErrBadQuery) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.serveJSON(w, r, res)
}

func (s *Server) handleArtists(w http.ResponseWriter, r *http.Request) {
	as, err := s.reader.Artists(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.serveJSON(w, r, as)
}

func (s *Server) handleArtist(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	a, err := s.reader.Artist(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "artist "+id, err)
		return
	}
	s.serveJSON(w, r, a)
}

func (s *Server) handleAlbum(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	a, err := s.reader.Album(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "album "+id, err)
		return
	}
	s.serveJSON(w, r, a)
}

func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	t, err := s.reader.Track(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "track "+id, err)
		return
	}
	s.serveJSON(w, r, t)
}

func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	m, err := s.reader.Manifest(r.Context(), id)
	if err != nil {
		s.lookupFailed(w, r, "track "+id, err)
		return
	}
	serveDoc(w, r, m)
}
