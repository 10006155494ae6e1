package cache

import "fmt"

// DocKeys returns the keys of the stored documents whose key ends with
// suffix (e.g. "/manifest": the manifests of tracks played or pinned), in
// no particular order. It does not count as an access.
func (c *Cache) DocKeys(suffix string) ([]string, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := c.db.Query(`SELECT key FROM entries WHERE kind = 1 AND substr(key, -length(?)) = ?`, suffix, suffix)
	if err != nil {
		return nil, fmt.Errorf("list cached documents: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list cached documents: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cached documents: %w", err)
	}
	return keys, nil
}
