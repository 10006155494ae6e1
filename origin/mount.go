package origin

import (
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"segue/catalog"
)

// Mount serves h under prefix (a path ending in "/", e.g. "/rest/") beside
// the origin's own API, behind the same access log, request limits and
// JSON error pages, but not behind bearer tokens: h authenticates its
// requests itself (the Subsonic API has its own credentials) and should
// report refused ones through AuthRefused. Call Mount before Serve.
func (s *Server) Mount(prefix string, h http.Handler) {
	s.mux.Handle(prefix, h)
	old := s.mounts.Load()
	next := []string{prefix}
	if old != nil {
		next = append(next, *old...)
	}
	s.mounts.Store(&next)
}

// MountOnce is Mount for a handler that every instance of an API serves
// alike (it keeps no state of its own): the first call for prefix mounts
// h, a later one for the same prefix does nothing, where Mount would
// panic on the second pattern. Call it before Serve.
func (s *Server) MountOnce(prefix string, h http.Handler) {
	if m := s.mounts.Load(); m != nil {
		for _, p := range *m {
			if p == prefix {
				return
			}
		}
	}
	s.Mount(prefix, h)
}

// mounted reports whether path is served by a handler given to Mount.
func (s *Server) mounted(path string) bool {
	if m := s.mounts.Load(); m != nil {
		for _, p := range *m {
			if strings.HasPrefix(path, p) {
				return true
			}
		}
	}
	return false
}

// AuthBlocked reports whether user (a user name as signed in with, any
// case; "" for a secret that names none) has had too many refused
// credentials from r's client address lately (the limit bearer tokens
// have: 10, then one per 6 s); then it has answered 429 with Retry-After
// itself and returns true. It is asked before the credentials are checked,
// so a password cannot be guessed faster than the limit.
func (s *Server) AuthBlocked(w http.ResponseWriter, r *http.Request, user string) bool {
	wait := s.authFails.blocked(authKey{clientAddr(r.RemoteAddr), strings.ToLower(user)})
	if wait <= 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many refused credentials for this user from this address: check the password in the app, then retry in %d s", int(wait.Seconds())+1))
	return true
}

// AuthRefused counts one refused credential of user from r's client
// address towards AuthBlocked's limit.
func (s *Server) AuthRefused(r *http.Request, user string) {
	s.authFails.failed(authKey{clientAddr(r.RemoteAddr), strings.ToLower(user)})
}

// Reader returns the catalog reader the API answers from.
func (s *Server) Reader() *Reader { return s.reader }

// Playlists returns the playlist store.
func (s *Server) Playlists() *Playlists { return s.playlists }

// ShareURL returns the URL a person opens to play pl while it is shared
// (as the playlist API answers it, for the host r asked), "" when it is
// not shared.
func (s *Server) ShareURL(r *http.Request, pl catalog.Playlist) string {
	return s.absolute(r, pl).ShareURL
}

// Events returns the play event store the recommender learns from.
func (s *Server) Events() *Events { return NewEvents(s.db) }

// Catalog returns the catalog database, for an API mounted beside the
// origin's that keeps its own tables there (created by this package's
// migrations).
func (s *Server) Catalog() *sql.DB { return s.db }

// DataDir returns the data dir the origin serves.
func (s *Server) DataDir() string { return s.opts.DataDir }
