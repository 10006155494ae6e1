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
// same audio, segment for segment: the playlists, plays and stars that
// named the old ID are given the new one, so the file keeps its places.

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

// carryMoved gives the playlists, plays and stars of the track old (about
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
		} {
			if _, err := tx.ExecContext(ctx, q, now, old); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE tracks SET added_at = (SELECT added_at FROM tracks WHERE id = ?) WHERE id = ?`, old, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("give the playlists, plays, stars and added time of %s to %s: %w", old, now, err)
	}
	return now, nil
}
