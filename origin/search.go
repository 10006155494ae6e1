package origin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"segue/catalog"
)

// Search limits.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	// MaxQueryBytes bounds a search query; longer input is a client error.
	MaxQueryBytes = 512
	// maxQueryTerms bounds the words ANDed together: more adds cost, not precision.
	maxQueryTerms = 12
	// searchCandidates bounds how many matches of each kind one pass reads
	// and ranks (at least the limit), besides the titles equal to the
	// query, always read. A selective query has fewer matches and is ranked
	// completely; a query such as "a", matching most of a large catalog,
	// ranks the exact titles and the first matches of each pass (title
	// column, any column), which keeps p95 latency bounded: a match read
	// costs a few µs, and on 1M tracks (BenchmarkSearch1M, a 2-core machine
	// under load ~18) 200 per pass made the CPU p95 9 ms, 60 makes it 5-7 ms,
	// below the 6-9 ms the search before issue 10 measured beside it.
	searchCandidates = 60
)

// ErrBadQuery is wrapped for search input the origin refuses (too long,
// not UTF-8, a limit above MaxSearchLimit).
var ErrBadQuery = errors.New("bad search query")

// Search finds up to limit tracks, up to limit albums and up to limit
// artists matching q, best first (limit 0 means DefaultSearchLimit; above
// MaxSearchLimit is ErrBadQuery). Each word of q matches as a prefix of a
// word of the title, artist or album, both folded by catalog.SearchWords
// (case, diacritics, Unicode forms, kana voicing, punctuation: "beyo" finds
// "Beyoncé", "ヨアソビ" finds "ヨアソビ" however either is encoded).
func (r *Reader) Search(ctx context.Context, q string, limit int) (catalog.SearchResult, error) {
	res := catalog.SearchResult{Query: q, Tracks: []catalog.Track{}, Albums: []catalog.Album{}, Artists: []catalog.Artist{}}
	if len(q) > MaxQueryBytes {
		return res, fmt.Errorf("%w: longer than %d bytes", ErrBadQuery, MaxQueryBytes)
	}
	if !utf8.ValidString(q) {
		return res, fmt.Errorf("%w: not UTF-8", ErrBadQuery)
	}
	if limit > MaxSearchLimit {
		return res, fmt.Errorf("%w: limit %d is above the maximum, %d", ErrBadQuery, limit, MaxSearchLimit)
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	terms := catalog.SearchWords(q)
	if len(terms) == 0 {
		return res, nil
	}
	terms = terms[:min(len(terms), maxQueryTerms)]
	// A symbol or emoji is required only in a query of nothing else
	// ("🎵 beyo" finds Beyoncé); otherwise it only ranks.
	required := slices.DeleteFunc(slices.Clone(terms), func(w catalog.SearchWord) bool { return w.Symbol })
	if len(required) == 0 {
		required = terms
	}
	ahead, err := r.readAhead(ctx, terms, required, limit)
	if err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	ids := map[string][]string{}
	trackScore := map[string]int{}
	for _, k := range kindRanges {
		cands, err := r.candidates(ctx, terms, required, k, limit, ahead)
		if err != nil {
			return res, fmt.Errorf("search %q: %w", q, err)
		}
		rankCandidates(cands, terms)
		for _, c := range cands[:min(len(cands), limit)] {
			ids[k.kind] = append(ids[k.kind], c.id)
			if k.kind == catalog.PrefixTrack {
				trackScore[c.id] = c.score
			}
		}
	}
	if res.Tracks, err = r.tracksByID(ctx, ids[catalog.PrefixTrack]); err != nil {
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
	if res.Albums, err = r.albumsByID(ctx, ids[catalog.PrefixAlbum]); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	if res.Artists, err = r.artistsByID(ctx, ids[catalog.PrefixArtist]); err != nil {
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
