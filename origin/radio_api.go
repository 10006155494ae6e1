package origin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"segue/catalog"
	"segue/origin/reco"
)

// radioLimit reads ?limit= (1-catalog.MaxRadioLimit, default 20), answering 400
// itself.
func radioLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 20, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > catalog.MaxRadioLimit {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %q: want a whole number from 1 to %d", v, catalog.MaxRadioLimit))
		return 0, false
	}
	return n, true
}

// handleRadio answers GET /api/v1/radio?seed=ID&limit=N: tracks to play
// after a track, album, artist or playlist, leaving out what the caller
// played lately (reco.Model.Radio's rules).
func (s *Server) handleRadio(w http.ResponseWriter, r *http.Request) {
	seed := r.URL.Query().Get("seed")
	if !validID(seed, 128) {
		writeError(w, http.StatusBadRequest, "seed: want the ID of a track, album, artist or playlist")
		return
	}
	limit, ok := radioLimit(w, r)
	if !ok {
		return
	}
	owner := s.principalOf(r).owner
	seeds, err := s.seedTracks(r.Context(), owner, seed)
	if errors.Is(err, errEmptySeed) {
		writeError(w, http.StatusNotFound, "seed "+seed+" holds no tracks to start a radio from")
		return
	}
	if err != nil {
		s.lookupFailed(w, r, "seed "+seed, err)
		return
	}
	recent, err := s.recentTracks(r.Context(), owner)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.answerReco(w, r, seeds, recent, limit)
}

// handleSimilar answers GET /api/v1/tracks/{id}/similar?limit=N.
func (s *Server) handleSimilar(w http.ResponseWriter, r *http.Request) {
	id := pathID(w, r)
	if id == "" {
		return
	}
	limit, ok := radioLimit(w, r)
	if !ok {
		return
	}
	if _, err := s.reader.Track(r.Context(), id); err != nil {
		s.lookupFailed(w, r, "track "+id, err)
		return
	}
	s.answerReco(w, r, []string{id}, nil, limit)
}

// answerReco answers with the radio after seeds as a JSON array of tracks.
func (s *Server) answerReco(w http.ResponseWriter, r *http.Request, seeds, recent []string, limit int) {
	tracks, err := s.Recommend(r.Context(), seeds, recent, limit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.serveJSON(w, r, tracks)
}

// Recommend returns up to limit tracks to play after the seed tracks,
// leaving out recent ones (reco.Model.Radio's rules), from the current
// recommender model; never nil. Tracks gone since the model was built are
// skipped.
func (s *Server) Recommend(ctx context.Context, seeds, recent []string, limit int) ([]catalog.Track, error) {
	m, err := s.reco.get(ctx)
	if err != nil {
		return nil, err
	}
	tracks := []catalog.Track{}
	for _, sc := range m.Radio(seeds, recent, reco.Rules{Limit: limit}) {
		t, err := s.reader.Track(ctx, sc.ID)
		if errors.Is(err, ErrNotFound) { // gone since the model was built
			continue
		}
		if err != nil {
			return nil, err
		}
		tracks = append(tracks, t)
	}
	return tracks, nil
}
