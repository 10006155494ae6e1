package origin

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"segue/catalog"
)

// A track's ID follows its file's path, so a file renamed or moved inside
// the library (a tagger renaming "02 zwei.flac" to "02 - Zwei.flac") comes
// back as a new track while the old one is removed. The new one has the
// same audio, segment for segment: the playlists, plays, Subsonic stars,
// ratings, bookmarks and saved play queues that named the old ID are given
// the new one, so the file keeps its places.

// audioKey names a track's audio: its high rendition's segment hashes.
func audioKey(hashes []string) string { return strings.Join(hashes, ",") }

// manifestAudioKey is audioKey of a manifest.
func manifestAudioKey(m catalog.Manifest) string {
	for _, r := range m.Renditions {
		if r.Name == catalog.RenditionHigh {
			hashes := make([]string, len(r.Segments))
			for i, s := range r.Segments {
				hashes[i] = s.Hash
			}
			return audioKey(hashes)
		}
	}
	return ""
}

// carryMoved gives the playlists, plays, stars, ratings, bookmarks and
// play queue places of the track old (about
// to be removed) the ID of the track this run added with the same audio,
// if any (added is by audioKey), and that track old's added_at: a file
// renamed is not new to the library. It reports the new ID, "" for none.
func carryMoved(ctx context.Context, db *sql.DB, old string, added map[string]string) (string, error) {
	if len(added) == 0 {
		return "", nil
	}
	rows, err := db.QueryContext(ctx, `SELECT hash FROM segments WHERE track_id = ? AND rendition = ? ORDER BY idx`, old, catalog.RenditionHigh)
	if err != nil {
		return "", fmt.Errorf("read the segments of %s: %w", old, err)
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return "", err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	now := added[audioKey(hashes)]
	if len(hashes) == 0 || now == "" {
		return "", nil
	}
	err = catalogTx(ctx, db, func(tx *sql.Tx) error {
		for _, q := range []string{
			`UPDATE playlist_tracks SET track_id = ? WHERE track_id = ?`,
			`UPDATE events SET track_id = ? WHERE track_id = ?`,
			`UPDATE stars SET item_id = ? WHERE item_id = ?`,
			`UPDATE ratings SET item_id = ? WHERE item_id = ?`,
			`UPDATE bookmarks SET track_id = ? WHERE track_id = ?`,
			`UPDATE play_queues SET current_id = ? WHERE current_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, now, old); err != nil {
				return err
			}
		}
		if err := carryQueues(ctx, tx, old, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tracks SET added_at = (SELECT added_at FROM tracks WHERE id = ?) WHERE id = ?`, old, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("give the playlists, plays, stars, ratings, bookmarks, play queues and added time of %s to %s: %w", old, now, err)
	}
	return now, nil
}

// carryQueues puts the track ID now in place of old in every saved
// Subsonic play queue (play_queues.track_ids, IDs separated by spaces).
func carryQueues(ctx context.Context, tx *sql.Tx, old, now string) error {
	rows, err := tx.QueryContext(ctx, `SELECT owner, track_ids FROM play_queues WHERE track_ids LIKE ?`, "%"+old+"%")
	if err != nil {
		return err
	}
	changed := map[string]string{}
	for rows.Next() {
		var owner, ids string
		if err := rows.Scan(&owner, &ids); err != nil {
			rows.Close()
			return err
		}
		list := strings.Fields(ids)
		for i, id := range list {
			if id == old {
				list[i] = now
			}
		}
		if s := strings.Join(list, " "); s != ids {
			changed[owner] = s
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for owner, ids := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE play_queues SET track_ids = ? WHERE owner = ?`, ids, owner); err != nil {
			return err
		}
	}
	return nil
}
