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
	// MaxQueryBytes bounds a search query; longer input is a client error.
	MaxQueryBytes = 512
	// maxQueryTerms bounds the words ANDed together: more adds cost, not precision.
	maxQueryTerms = 12
	// searchCandidates bounds how many matches of each kind one pass reads
	// and ranks, whatever the limit: a page of k results is then the first
	// k of any longer page, and one pass can fill the largest page. A
	// selective query has fewer matches and is ranked completely; a query
	// such as "a", matching most of a large catalog, ranks the exact titles
	// and the first matches of each pass (title column, any column), which
	// keeps p95 latency bounded: a match read costs a few µs, and on 1M
	// tracks (BenchmarkSearch1M, a 2-core machine shared by other work)
	// 200 per pass made the CPU p95 9 ms; 60 per pass (at least the limit)
	// made it 3.9-4.2 ms, 100 for every limit 4.7 ms.
	searchCandidates = catalog.MaxSearchLimit
)

// ErrBadQuery is wrapped for search input the origin refuses (too long,
// not UTF-8, a limit above catalog.MaxSearchLimit).
var ErrBadQuery = errors.New("bad search query")

// Search finds up to limit tracks, up to limit albums and up to limit
// artists matching q, best first (limit 0 means DefaultSearchLimit; above
// catalog.MaxSearchLimit is ErrBadQuery). Each word of q matches as a prefix of a
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
	if limit > catalog.MaxSearchLimit {
		return res, fmt.Errorf("%w: limit %d is above the maximum, %d", ErrBadQuery, limit, catalog.MaxSearchLimit)
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	terms, required := queryTerms(q)
	if len(terms) == 0 {
		return res, nil
	}
	ahead, err := r.readAhead(ctx, terms, required)
	if err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	kcs, err := r.candidates(ctx, terms, required, ahead, limit)
	if err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	ids := map[string][]string{}
	for _, kc := range kcs {
		cands := kc.out
		rankCandidates(cands, terms)
		if kc.kind.kind == catalog.PrefixTrack {
			if err := r.orderByAlbum(ctx, cands, limit); err != nil {
				return res, fmt.Errorf("search %q: %w", q, err)
			}
		}
		for _, c := range cands[:min(len(cands), limit)] {
			ids[kc.kind.kind] = append(ids[kc.kind.kind], c.id)
		}
	}
	if res.Tracks, err = r.tracksByID(ctx, ids[catalog.PrefixTrack]); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	if res.Albums, err = r.albumsByID(ctx, ids[catalog.PrefixAlbum]); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	if res.Artists, err = r.artistsByID(ctx, ids[catalog.PrefixArtist]); err != nil {
		return res, fmt.Errorf("search %q: %w", q, err)
	}
	return res, nil
}

// queryTerms folds q into the terms a search ranks by, at most
// maxQueryTerms, and those a match must hold: a symbol or emoji is
// required only in a query of nothing else ("🎵 beyo" finds Beyoncé);
// otherwise it only ranks.
func queryTerms(q string) (terms, required []catalog.SearchWord) {
	terms = catalog.SearchWords(q)
	terms = terms[:min(len(terms), maxQueryTerms)]
	required = slices.DeleteFunc(slices.Clone(terms), func(w catalog.SearchWord) bool { return w.Symbol })
	if len(required) == 0 {
		required = terms
	}
	return terms, required
}

// orderByAlbum orders track candidates, ranked (rankCandidates), so that
// tracks of one album that match equally well keep the album's order
// ("cont" lists Continuum I, II, III, IV), not the order of their IDs: by
// score, then by where the album first appears, then disc and track
// number; ties keep the ranked order. It is one total order over every
// candidate, applied before the page is cut, so a page of k tracks is the
// first k of any longer page. Only the candidates that score at least as
// well as the limit-th are reordered (the order of the rest cannot reach
// the page), and of those only tracks that may share an album have their
// album, disc and track read from the catalog.
func (r *Reader) orderByAlbum(ctx context.Context, cands []candidate, limit int) error {
	n := min(len(cands), limit)
	for n > 0 && n < len(cands) && cands[n].score == cands[n-1].score {
		n++
	}
	head := cands[:n]
	if len(head) < 2 {
		return nil
	}
	type place struct {
		album        string
		disc, number int
	}
	// Tracks of one album share its folded title (field 2): only those
	// sharing one with another need their album, disc and track read.
	sharing := map[string]int{}
	for _, c := range head {
		sharing[c.fields[2]]++
	}
	var ids []string
	for _, c := range head {
		if sharing[c.fields[2]] > 1 {
			ids = append(ids, c.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ph, args := placeholders(ids)
	rows, err := r.db.QueryContext(ctx, `SELECT id, album_id, disc_no, track_no FROM tracks WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return fmt.Errorf("order tracks by album: %w", err)
	}
	defer rows.Close()
	places := make(map[string]place, len(head))
	for rows.Next() {
		var id string
		var p place
		if err := rows.Scan(&id, &p.album, &p.disc, &p.number); err != nil {
			return fmt.Errorf("order tracks by album: %w", err)
		}
		places[id] = p
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("order tracks by album: %w", err)
	}
	albumRank := map[string]int{}
	for i, c := range head {
		p, ok := places[c.id]
		if !ok { // alone on its album, or removed since it was indexed
			p.album = c.id
			places[c.id] = p
		}
		if _, ok := albumRank[p.album]; !ok {
			albumRank[p.album] = i
		}
	}
	slices.SortStableFunc(head, func(a, b candidate) int {
		pa, pb := places[a.id], places[b.id]
		return cmp.Or(b.score-a.score, albumRank[pa.album]-albumRank[pb.album], pa.disc-pb.disc, pa.number-pb.number)
	})
	return nil
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
