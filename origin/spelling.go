package origin

import (
	"context"
	"database/sql"
	"fmt"

	"segue/catalog"
)

// Which spelling an artist or album shows. Tracks whose tags spell a name
// differently but alike under catalog.NameKey ("The Band", "the band",
// NFD and NFC) share one artist or album; its name is then chosen from
// every track's tag as written (tracks.artist_tag, album_tag, and the
// album_artist tag for the album's artist): the spelling on the most
// tracks, a tie going to the spelling of the first track by path (byte
// order), then to the spelling first in byte order. The choice depends on
// the catalog alone, so neither the order encodes finish in, nor -jobs,
// nor which files an incremental ingest added first change it. A name no
// tag spells (Various Artists, Unknown Album) stays as it is. Sort tags
// are chosen by the same rule.

// spelling is one way a name is written, with the tracks that write it so.
type spelling struct {
	text  string
	votes int
	first string // the first path by byte order among those tracks
}

// better reports whether a wins over b (see above).
func (a spelling) better(b spelling) bool {
	if a.votes != b.votes {
		return a.votes > b.votes
	}
	if a.first != b.first {
		return a.first < b.first
	}
	return a.text < b.text
}

// spellings gathers the spellings rows vote for, as (id, text, votes,
// first path) rows, into the winning spelling of each id; keep drops a
// row whose text does not name its id.
func spellings(rows *sql.Rows, keep func(id, text string) bool) (map[string]spelling, error) {
	defer rows.Close()
	all := map[string]map[string]spelling{}
	for rows.Next() {
		var id string
		var s spelling
		if err := rows.Scan(&id, &s.text, &s.votes, &s.first); err != nil {
			return nil, err
		}
		if !keep(id, s.text) {
			continue
		}
		if all[id] == nil {
			all[id] = map[string]spelling{}
		}
		if o, ok := all[id][s.text]; ok { // an artist's own tag and album_artist tags
			s.votes += o.votes
			s.first = min(s.first, o.first)
		}
		all[id][s.text] = s
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	won := map[string]spelling{}
	for id, byText := range all {
		var best spelling
		for _, s := range byText {
			if best.votes == 0 || s.better(best) {
				best = s
			}
		}
		won[id] = best
	}
	return won, nil
}

// respellCatalog gives every artist and album the spelling its tracks
// write most (see above) and updates the search rows of those that
// change; then their sort keys, from the sort tag (artist-sort and
// album_artist-sort for an artist, album-sort for an album) their tracks
// carry most, by the same rule, or from the name when none carries one.
// Ingest runs it after every run, so a run that stopped half-way is
// finished by the next.
func respellCatalog(ctx context.Context, db *sql.DB) error {
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		// Tracks of one album may disagree on album_artist; only the tags
		// naming the artist the album settled on count for it.
		artists, err := votes(tx, `SELECT artist_id, artist_tag, count(*), min(path) FROM tracks
				WHERE artist_tag != '' GROUP BY artist_id, artist_tag
			UNION ALL
			SELECT al.artist_id, t.album_artist, count(*), min(t.path) FROM tracks t JOIN albums al ON al.id = t.album_id
				WHERE t.album_artist != '' GROUP BY al.artist_id, t.album_artist`,
			func(id, text string) bool { return catalog.NewID(catalog.PrefixArtist, catalog.NameKey(text)) == id })
		if err != nil {
			return fmt.Errorf("count artist spellings: %w", err)
		}
		renamed, err := settle(tx, `SELECT id, name, name FROM artists`, `UPDATE artists SET name = ? WHERE id = ?`, won(artists))
		if err != nil {
			return fmt.Errorf("respell artists: %w", err)
		}
		for _, id := range renamed {
			if err := indexArtist(tx, id); err != nil {
				return err
			}
			if err := indexAlbumsOf(tx, id); err != nil {
				return err
			}
		}
		albums, err := votes(tx, `SELECT album_id, album_tag, count(*), min(path) FROM tracks
			WHERE album_tag != '' GROUP BY album_id, album_tag`, nil)
		if err != nil {
			return fmt.Errorf("count album spellings: %w", err)
		}
		if renamed, err = settle(tx, `SELECT id, title, title FROM albums`, `UPDATE albums SET title = ? WHERE id = ?`, won(albums)); err != nil {
			return fmt.Errorf("respell albums: %w", err)
		}
		for _, id := range renamed {
			if err := indexAlbum(tx, id); err != nil {
				return err
			}
		}

		artistSorts, err := votes(tx, `SELECT artist_id, artist_sort, count(*), min(path) FROM tracks
				WHERE artist_sort != '' GROUP BY artist_id, artist_sort
			UNION ALL
			SELECT al.artist_id, t.album_artist_sort, count(*), min(t.path) FROM tracks t JOIN albums al ON al.id = t.album_id
				WHERE t.album_artist_sort != '' GROUP BY al.artist_id, t.album_artist_sort`, nil)
		if err != nil {
			return fmt.Errorf("count artist sort tags: %w", err)
		}
		if _, err := settle(tx, `SELECT id, name, sort_key FROM artists`, `UPDATE artists SET sort_key = ? WHERE id = ?`, sortKey(artistSorts)); err != nil {
			return fmt.Errorf("sort artists: %w", err)
		}
		albumSorts, err := votes(tx, `SELECT album_id, album_sort, count(*), min(path) FROM tracks
			WHERE album_sort != '' GROUP BY album_id, album_sort`, nil)
		if err != nil {
			return fmt.Errorf("count album sort tags: %w", err)
		}
		if _, err := settle(tx, `SELECT id, title, sort_key FROM albums`, `UPDATE albums SET sort_key = ? WHERE id = ?`, sortKey(albumSorts)); err != nil {
			return fmt.Errorf("sort albums: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("choose the spelling of artists and albums: %w", err)
	}
	return nil
}

// votes runs q, whose rows are (id, text, votes, first path), and returns
// the winning text of each id; keep (nil: all) drops a row whose text does
// not belong to its id.
func votes(tx *sql.Tx, q string, keep func(id, text string) bool) (map[string]spelling, error) {
	rows, err := tx.Query(q)
	if err != nil {
		return nil, err
	}
	if keep == nil {
		keep = func(string, string) bool { return true }
	}
	return spellings(rows, keep)
}

// won is the winning spelling as a row's value, its current one (cur) when
// no track spells it.
func won(w map[string]spelling) func(id, name, cur string) string {
	return func(id, _, cur string) string {
		if s, ok := w[id]; ok {
			return s.text
		}
		return cur
	}
}

// sortKey is the sort key of a row named name: catalog.SortKey of the name
// and the winning sort tag ("" when no track carries one).
func sortKey(w map[string]spelling) func(id, name, cur string) string {
	return func(id, name, _ string) string { return catalog.SortKey(name, w[id].text) }
}

// settle sets a column of each row list reads as (id, name, the column)
// to want's value where it differs, with update (value, id), and returns
// the IDs of the rows it changed.
func settle(tx *sql.Tx, list, update string, want func(id, name, cur string) string) ([]string, error) {
	rows, err := tx.Query(list)
	if err != nil {
		return nil, err
	}
	changed := map[string]string{}
	var ids []string
	for rows.Next() {
		var id, name, cur string
		if err := rows.Scan(&id, &name, &cur); err != nil {
			rows.Close()
			return nil, err
		}
		if v := want(id, name, cur); v != cur {
			changed[id] = v
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := tx.Exec(update, changed[id], id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
