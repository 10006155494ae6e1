package cache

import "fmt"

// DocKeys returns the keys of the stored documents whose key ends with
// suffix (e.g. "/manifest": the manifests of tracks played or pinned), in
// no particular order. It does not count as an access.
func (c *Cache) DocKeys(suffix string) ([]string, error) {
	return c.keys("list cached documents", `SELECT key FROM entries WHERE kind = 1 AND substr(key, -length(?)) = ?`, suffix, suffix)
}

// keys returns the one column of query's rows; what names the query in
// its errors.
func (c *Cache) keys(what, query string, args ...any) ([]string, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := c.db.Query(query, args...)
	if err != nil {
		return nil, c.damaged(fmt.Errorf("%s: %w", what, err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, c.damaged(fmt.Errorf("%s: %w", what, err))
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, c.damaged(fmt.Errorf("%s: %w", what, err))
	}
	return keys, nil
}
