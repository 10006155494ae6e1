package cache

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"time"
)

// Doc is a cached document: an HTTP response body (manifest, catalog or
// playlist JSON, cover image) with what is needed to revalidate it.
type Doc struct {
	Body        []byte
	ETag        string
	ContentType string
	// Stored is when the response was received; zero means now on PutDoc.
	Stored time.Time
}

// GetDoc returns the document stored under key (usually its URL), or
// ErrMiss. Its bytes are checked against the CRC-32C stored with them
// (entries.crc, a few µs for a 100 KB cover): a document damaged on disk
// was answered (an origin's 304 made the client use it) and failed the
// command that read it, or was shown (a cover). One stored before the
// cache kept CRCs (schema 1) is checked only when it is JSON (its
// ContentType says json): that it still decodes (damage that leaves it
// valid JSON is not seen; cache verify checks covers by their type). A
// damaged document is dropped and GetDoc fails with a *BadEntryError,
// which wraps ErrMiss. It counts as an access for LRU order.
func (c *Cache) GetDoc(key string) (Doc, error) {
	if c.closed.Load() {
		return Doc{}, ErrClosed
	}
	var (
		id     int64
		d      Doc
		stored int64
		crc    sql.NullInt64
	)
	err := c.db.QueryRow(`SELECT e.id, e.etag, e.content_type, e.stored, e.crc, b.data
		FROM entries e JOIN blobs b ON b.id = e.id WHERE e.kind = 1 AND e.key = ?`, key).
		Scan(&id, &d.ETag, &d.ContentType, &stored, &crc, &d.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return Doc{}, ErrMiss
	}
	if err != nil {
		return Doc{}, c.damaged(fmt.Errorf("read cached document %s: %w", key, err))
	}
	if why := docDamage(d.Body, crc, d.ContentType); why != "" {
		return Doc{}, c.badEntry(kindDoc, key, why)
	}
	d.Stored = time.Unix(0, stored)
	c.touch(id, false)
	return d, nil
}

// docDamage is what is wrong with a stored document's body, whyChecksum or
// whyUndecodable, or "" when it is as stored: checked against its CRC-32C,
// or, stored before the cache kept one, decoded when it is JSON.
func docDamage(body []byte, crc sql.NullInt64, contentType string) string {
	switch {
	case crc.Valid && int64(crc32.Checksum(body, castagnoli)) != crc.Int64:
		return whyChecksum
	case !crc.Valid && strings.Contains(contentType, "json") && !json.Valid(body):
		return whyUndecodable
	}
	return ""
}

// PutDoc stores d under key, replacing what was there. Documents count
// toward the cap and are evicted like segments unless their key is pinned.
func (c *Cache) PutDoc(key string, d Doc) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if d.Stored.IsZero() {
		d.Stored = time.Now()
	}
	if err := c.roomToWrite(); err != nil {
		return fmt.Errorf("store document %s in the cache: %w", key, err)
	}
	size := int64(len(d.Body))
	err := c.write(func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`SELECT id FROM entries WHERE kind = 1 AND key = ?`, key).Scan(&id)
		switch {
		case err == nil:
			if err := deleteEntry(tx, id); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var pinned bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM pins WHERE hash = ?)`, key).Scan(&pinned); err != nil {
			return err
		}
		if err := c.makeRoom(tx, size, pinned); err != nil {
			return err
		}
		body := d.Body
		if body == nil {
			body = []byte{} // the column is NOT NULL
		}
		return insert(tx, entry{kind: kindDoc, key: key, size: size, access: c.now(),
			etag: d.ETag, contentType: d.ContentType, stored: d.Stored.UnixNano(), pinned: pinned}, body)
	})
	if err != nil {
		return c.wrapWriteErr("store document "+key+" in the cache", err)
	}
	return nil
}
