package origin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"segue/catalog"
)

// Search limits.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	// MaxQueryBytes bounds a search query; longer input is a client error.
	MaxQueryBytes = 512
	// maxQueryTerms bounds the terms ANDed together: more adds cost, not precision.
	maxQueryTerms = 12
	// searchCandidates bounds how many matches are read and ranked. A
	// selective query has fewer matches and is ranked completely; a query
	// such as "a" matching most of a large catalog ranks its first
	// searchCandidates matches only, which keeps p95 latency bounded
	// (reading and scoring a match costs about 5 µs).
	searchCandidates = 200
)

// ErrBadQuery is wrapped for search input the origin refuses (too long).
var ErrBadQuery = errors.New("bad search query")

// MatchExpr turns what a user typed into an FTS5 MATCH expression: every
// run of letters, digits and marks becomes a quoted prefix term, and the
// terms are ANDed. Punctuation only separates terms, so no input can be FTS5
// syntax. It returns "" when q holds no term.
func MatchExpr(q string) string {
	terms := splitTerms(q)
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		// The split leaves no quote in t; doubling stays as a second guard.
		b.WriteString(`"` + strings.ReplaceAll(t, `"`, `""`) + `"*`)
	}
	return b.String()
}

// splitTerms cuts q into runs of letters, digits and marks, as FTS5's
// unicode61 tokenizer does, keeping at most maxQueryTerms.
func splitTerms(q string) []string {
	terms := strings.FieldsFunc(q, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r))
	})
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}
	return terms
}

// Search finds up to limit tracks, albums and artists matching q, best
// first. Each word of q matches as a prefix in the title, artist or album,
// case and diacritics folded ("beyo" finds "Beyoncé").
func (r *Reader) Search(ctx context.Context, q string, limit int) (catalog.SearchResult, error) {
	res := catalog.SearchResult{Query: q, Tracks: []catalog.Track{}, Albums: []catalog.Album{}, Artists: []catalog.Artist{}}
	if len(q) > MaxQueryBytes {
		return res, fmt.Errorf("%w: longer than %d bytes", ErrBadQuery, MaxQueryBytes)
	}
	if !utf8.ValidString(q) {
		return res, fmt.Errorf("%w: not UTF-8", ErrBadQuery)
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	expr := MatchExpr(q)
	if expr == "" {
		return res, nil
	}
	terms := queryTerms(q)
	cands, err := r.candidates(ctx, terms, limit)
	if err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	rankCandidates(cands, terms)
	var trackIDs, albumIDs, artistIDs []string
	trackScore := map[string]int{}
	for _, c := range cands {
		switch c.kind {
		case catalog.PrefixTrack:
			if len(trackIDs) < limit {
				trackIDs = append(trackIDs, c.id)
				trackScore[c.id] = c.score
			}
		case catalog.PrefixAlbum:
			if len(albumIDs) < limit {
				albumIDs = append(albumIDs, c.id)
			}
		case catalog.PrefixArtist:
			if len(artistIDs) < limit {
				artistIDs = append(artistIDs, c.id)
			}
		}
	}
	if res.Tracks, err = r.tracksByID(ctx, trackIDs); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	// Tracks of one album that match equally well keep the album's order
	// ("cont" lists Continuum I, II, III, IV), not the order of their IDs.
	albumRank := map[string]int{}
	for i, t := range res.Tracks {
		if _, ok := albumRank[t.AlbumID]; !ok {
			albumRank[t.AlbumID] = i
		}
	}
	slices.SortStableFunc(res.Tracks, func(a, b catalog.Track) int {
		return cmp.Or(trackScore[b.ID]-trackScore[a.ID], albumRank[a.AlbumID]-albumRank[b.AlbumID],
			a.DiscNo-b.DiscNo, a.TrackNo-b.TrackNo)
	})
	if res.Albums, err = r.albumsByID(ctx, albumIDs); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	if res.Artists, err = r.artistsByID(ctx, artistIDs); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	return res, nil
}

// placeholders returns "?,?,?" for n values and the values as []any.
func placeholders(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// tracksByID loads tracks keeping the order of ids; IDs the catalog no
// longer holds (a search row ahead of a removal) are dropped.
func (r *Reader) tracksByID(ctx context.Context, ids []string) ([]catalog.Track, error) {
	out := []catalog.Track{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := placeholders(ids)
	rows, err := r.db.QueryContext(ctx, `SELECT `+trackCols+trackFrom+` WHERE t.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load tracks: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]catalog.Track, len(ids))
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return nil, fmt.Errorf("load tracks: %w", err)
		}
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load tracks: %w", err)
	}
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func (r *Reader) albumsByID(ctx context.Context, ids []string) ([]catalog.Album, error) {
	out := []catalog.Album{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := placeholders(ids)
	rows, err := r.db.QueryContext(ctx, `SELECT `+albumCols+albumFrom+` WHERE a.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load albums: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]catalog.Album, len(ids))
	for rows.Next() {
		a, err := scanAlbum(rows)
		if err != nil {
			return nil, fmt.Errorf("load albums: %w", err)
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load albums: %w", err)
	}
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

func (r *Reader) artistsByID(ctx context.Context, ids []string) ([]catalog.Artist, error) {
	out := []catalog.Artist{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := placeholders(ids)
	rows, err := r.db.QueryContext(ctx, `SELECT id, name FROM artists WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load artists: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]catalog.Artist, len(ids))
	for rows.Next() {
		var a catalog.Artist
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, fmt.Errorf("load artists: %w", err)
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load artists: %w", err)
	}
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}
