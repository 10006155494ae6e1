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
// tag spells (Various Artists, Unknown Album) stays as it is.

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
// change. Ingest runs it after every run, so a run that stopped half-way
// is finished by the next.
func respellCatalog(ctx context.Context, db *sql.DB) error {
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT artist_id, artist_tag, count(*), min(path) FROM tracks
				WHERE artist_tag != '' GROUP BY artist_id, artist_tag
			UNION ALL
			SELECT al.artist_id, t.album_artist, count(*), min(t.path) FROM tracks t JOIN albums al ON al.id = t.album_id
				WHERE t.album_artist != '' GROUP BY al.artist_id, t.album_artist`)
		if err != nil {
			return err
		}
		// Tracks of one album may disagree on album_artist; only the tags
		// naming the artist the album settled on count for it.
		artists, err := spellings(rows, func(id, text string) bool {
			return catalog.NewID(catalog.PrefixArtist, catalog.NameKey(text)) == id
		})
		if err != nil {
			return fmt.Errorf("count artist spellings: %w", err)
		}
		renamed, err := rename(tx, `SELECT id, name FROM artists`, `UPDATE artists SET name = ? WHERE id = ?`, artists)
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
		rows, err = tx.Query(`SELECT album_id, album_tag, count(*), min(path) FROM tracks
			WHERE album_tag != '' GROUP BY album_id, album_tag`)
		if err != nil {
			return err
		}
		albums, err := spellings(rows, func(string, string) bool { return true })
		if err != nil {
			return fmt.Errorf("count album spellings: %w", err)
		}
		if renamed, err = rename(tx, `SELECT id, title FROM albums`, `UPDATE albums SET title = ? WHERE id = ?`, albums); err != nil {
			return fmt.Errorf("respell albums: %w", err)
		}
		for _, id := range renamed {
			if err := indexAlbum(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("choose the spelling of artists and albums: %w", err)
	}
	return nil
}

// rename sets the name of each row that list (id, name rows) shows with
// another name than won's, with update (name, id), and returns their IDs.
func rename(tx *sql.Tx, list, update string, won map[string]spelling) ([]string, error) {
	rows, err := tx.Query(list)
	if err != nil {
		return nil, err
	}
	var changed []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		if s, ok := won[id]; ok && s.text != name {
			changed = append(changed, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range changed {
		if _, err := tx.Exec(update, won[id].text, id); err != nil {
			return nil, err
		}
	}
	return changed, nil
}
