package origin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"segue/catalog"
)

// ErrBadHash is returned for a key that is not a lowercase hex sha256; such a
// key never reaches the filesystem.
var ErrBadHash = errors.New("not a sha256 hex digest")

// Blobs is the content-addressed file store: blob abcdef… lives at
// Dir/ab/abcdef…. Writes go to a temp file in Dir/tmp and are renamed into
// place, so a reader sees a whole blob or none.
type Blobs struct {
	Dir string
}

// Path returns where the blob for hash lives, or ErrBadHash.
func (b Blobs) Path(hash string) (string, error) {
	if !catalog.ValidHash(hash) {
		return "", fmt.Errorf("blob %q: %w", hash, ErrBadHash)
	}
	return filepath.Join(b.Dir, hash[:2], hash), nil
}

// Put stores data and returns its sha256. Storing an existing blob is a no-op.
func (b Blobs) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	path, _ := b.Path(hash)
	if _, err := os.Stat(path); err == nil {
		return hash, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	tmpDir := filepath.Join(b.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, hash[:8]+"-*")
	if err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("store blob %s: %w", hash, err)
	}
	return hash, nil
}

// Remove deletes the blob for hash; a missing blob is not an error.
func (b Blobs) Remove(hash string) error {
	path, err := b.Path(hash)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove blob %s: %w", hash, err)
	}
	return nil
}

// Walk calls fn with the hash of every stored blob.
func (b Blobs) Walk(fn func(hash string) error) error {
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != b.Dir && (d.Name() == "tmp" || len(d.Name()) != 2) {
				return filepath.SkipDir
			}
			return nil
		}
		if name := d.Name(); catalog.ValidHash(name) && strings.HasPrefix(name, filepath.Base(filepath.Dir(path))) {
			return fn(name)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// CleanTemp removes temp files a killed writer left behind.
func (b Blobs) CleanTemp() error {
	err := os.RemoveAll(filepath.Join(b.Dir, "tmp"))
	if err != nil {
		return fmt.Errorf("clean blob temp dir: %w", err)
	}
	return nil
}
