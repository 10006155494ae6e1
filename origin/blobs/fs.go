package blobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"segue/internal/atomicfile"
)

// FS stores blobs in a directory: blob abcdef… lives at Dir/ab/abcdef….
// Writes go to a temp file in Dir/tmp and are renamed into place, so a
// reader sees a whole blob or none.
type FS struct {
	Dir string
}

var _ Store = FS{}

// String returns Dir, for logs and reports that name the store.
func (b FS) String() string { return b.Dir }

// Path returns where the blob for hash lives, or ErrBadHash.
func (b FS) Path(hash string) (string, error) {
	if err := checkHash(hash); err != nil {
		return "", err
	}
	return filepath.Join(b.Dir, hash[:2], hash), nil
}

// Open opens the blob's file; its ReadSeekCloser is the *os.File.
func (b FS) Open(_ context.Context, hash string) (Blob, error) {
	path, err := b.Path(hash)
	if err != nil {
		return Blob{}, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Blob{}, fmt.Errorf("open blob %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return Blob{}, fmt.Errorf("open blob: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return Blob{}, fmt.Errorf("open blob: %w", err)
	}
	return Blob{ReadSeekCloser: f, Size: fi.Size()}, nil
}

// Stat stats the blob's file: its size and whether it is there. A file
// that cannot be statted for another reason than its absence (a
// permission, an I/O error) is an error.
func (b FS) Stat(_ context.Context, hash string) (int64, bool, error) {
	path, err := b.Path(hash)
	if err != nil {
		return 0, false, err
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("stat blob %s: %w", hash, err)
	}
	return fi.Size(), true, nil
}

// Put stores data and returns its sha256. Storing an existing blob is a no-op.
//
// The blob is durable when Put returns: its temp file is fsynced, renamed
// into place, and then its folder is fsynced (syncDir), as is Dir when
// the folder is new. A rename changes the folder, not the file, and
// fsync(2) of the file "does not necessarily ensure that the entry in the
// directory containing the file has also reached disk. For that an
// explicit fsync() on a file descriptor for the directory is also
// needed." Without it a power loss could undo the rename after the
// catalog recorded the blob, leaving a track whose segment is missing.
func (b FS) Put(_ context.Context, data []byte) (string, error) {
	hash := Hash(data)
	path, _ := b.Path(hash)
	if _, err := os.Stat(path); err == nil {
		return hash, nil
	}
	shard := filepath.Dir(path)
	_, err := os.Stat(shard)
	newShard := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(shard, 0o755); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	if newShard {
		if err := syncDir(b.Dir); err != nil {
			return "", fmt.Errorf("store blob %s: make its folder %s durable: %w", hash, shard, err)
		}
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
	if err := syncDir(shard); err != nil {
		// not durable: take it away, so a retry (which skips a blob that
		// is there) writes and syncs it again
		os.Remove(path)
		return "", fmt.Errorf("store blob %s: make its rename into %s durable: %w", hash, shard, err)
	}
	return hash, nil
}

// syncDir is atomicfile.SyncDir, a variable so tests can see when it is
// called.
var syncDir = atomicfile.SyncDir

// Remove deletes the blob for hash; a missing blob is not an error.
func (b FS) Remove(_ context.Context, hash string) error {
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
func (b FS) Walk(ctx context.Context, fn func(hash string) error) error {
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if path != b.Dir && (d.Name() == "tmp" || len(d.Name()) != 2) {
				return filepath.SkipDir
			}
			return nil
		}
		if name := d.Name(); checkHash(name) == nil && strings.HasPrefix(name, filepath.Base(filepath.Dir(path))) {
			return fn(name)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// CleanTemp removes temp files a killed writer left behind. Call it only
// while no other writer uses Dir (ingest holds the data dir lock).
func (b FS) CleanTemp() error {
	err := os.RemoveAll(filepath.Join(b.Dir, "tmp"))
	if err != nil {
		return fmt.Errorf("clean blob temp dir: %w", err)
	}
	return nil
}
