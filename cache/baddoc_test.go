package cache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGetDocDropsADocumentDamagedOnDisk: GetDoc checks a document's bytes
// against the CRC-32C stored with them, so that damage on disk is found
// in a cover (served as it was, the JSON check being for JSON alone) and
// in JSON the damage leaves valid (a digit changed: a wrong length, a
// wrong ID). Each is dropped, GetDoc failing with a *BadEntryError that
// wraps ErrMiss and says what was wrong; cache verify finds it too. A
// document stored before CRCs (crc NULL) is still checked when it is
// JSON, by decoding it.
func TestGetDocDropsADocumentDamagedOnDisk(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("cover-bytes-"), 400)...)
	json := []byte(`{"id":"t1","title":"` + strings.Repeat("tone ", 400) + `","duration_ms":61234}`)
	for _, c := range []struct {
		name, ct string
		body     []byte
		at       int  // the byte damaged
		to       byte // what it becomes
		noCRC    bool // stored before CRCs
		why      string
	}{
		{"a cover", "image/png", png, 2000, 'X', false, whyChecksum},
		{"JSON left valid", "application/json", json, len(json) - 3, '9', false, whyChecksum},
		{"JSON stored before CRCs, broken", "application/json", json, len(json) - 1, 'x', true, whyUndecodable}, // its closing brace
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			store, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := store.PutDoc("http://o/doc", Doc{Body: c.body, ContentType: c.ct}); err != nil {
				t.Fatal(err)
			}
			store.Close()
			if c.noCRC {
				forgetCRCs(t, path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			window := c.body[c.at-40 : c.at]
			i := bytes.Index(b, window)
			if i < 0 {
				t.Fatal("the document's bytes are not in the file")
			}
			b[i+40] = c.to
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			// cache verify finds it too, in a copy of the file
			copied := filepath.Join(t.TempDir(), "copy.db")
			if err := os.WriteFile(copied, b, 0o600); err != nil {
				t.Fatal(err)
			}
			other, err := Open(copied, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r, err := other.Verify(); err != nil || r.Bad != 1 {
				t.Errorf("verify of a damaged document: %+v, %v; want it found bad", r, err)
			}
			other.Close()

			store, err = Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			d, err := store.GetDoc("http://o/doc")
			var be *BadEntryError
			if !errors.As(err, &be) || !errors.Is(err, ErrMiss) || !be.Doc || be.Why != c.why {
				t.Fatalf("GetDoc of a damaged document: %d bytes, %v; want a *BadEntryError saying %q, wrapping ErrMiss", len(d.Body), err, c.why)
			}
			if _, err := store.GetDoc("http://o/doc"); err != ErrMiss {
				t.Fatalf("GetDoc once the damaged document was dropped: %v, want ErrMiss", err)
			}
		})
	}
}
