package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ID prefixes tell what an ID names at a glance (and in a URL).
const (
	PrefixTrack  = "t"
	PrefixAlbum  = "al"
	PrefixArtist = "ar"
)

// NewID derives a stable ID from the parts that identify a thing, so the same
// input always yields the same ID: prefix + 16 hex digits of sha256.
// Parts are case-folded and trimmed first.
func NewID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(p))))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil))[:16]
}

// PrefixPlaylist starts playlist IDs (random, not derived).
const PrefixPlaylist = "pl"
