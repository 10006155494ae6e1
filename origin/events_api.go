package origin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"segue/catalog"
)

// handleEvents answers POST /api/v1/events: a JSON array of
// catalog.PlayEvent (at most MaxEventBatch), stored for the request's owner.
// It answers {"added": N}; events already stored (same id) are not counted.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	var evs []catalog.PlayEvent
	if err := decodeOne(r.Body, &evs); err != nil { // the body is bounded by guard
		if bodyTooLarge(w, err) {
			return
		}
		writeError(w, http.StatusBadRequest, "malformed JSON body: want an array of play events: "+err.Error())
		return
	}
	if len(evs) > MaxEventBatch {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%d events in one request; send at most %d", len(evs), MaxEventBatch))
		return
	}
	added, err := NewEvents(s.db).Add(r.Context(), s.principalOf(r).owner, evs)
	if errors.Is(err, catalog.ErrBadEvent) {
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "store play events: "))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int{"added": added})
}
