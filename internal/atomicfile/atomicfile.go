// Package atomicfile replaces a file whole or not at all, and durably.
//
// The bytes go to a temporary file in the same directory, which is
// fsynced, renamed over the path, and then the directory is fsynced, as
// fsync(2) says a rename needs: "Calling fsync() does not necessarily
// ensure that the entry in the directory containing the file has also
// reached disk. For that an explicit fsync() on a file descriptor for the
// directory is also needed." A reader sees the old file or the new one,
// never half of one, and after a power loss the file is one of the two.
// (google/renameio, the usual library for this, leaves durability out by
// design: its README's "Atomicity vs durability".)
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Write replaces path with data, mode 0600. path's directory must exist.
// On an error path is as it was and no temporary file is left; the error
// names path.
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
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
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("write %s: make its rename durable: %w", path, err)
	}
	return nil
}

// SyncDir fsyncs the directory dir, making the entries renamed or created
// in it durable. A filesystem that cannot sync a directory (EINVAL, as
// some network and FUSE filesystems answer) is taken as syncing all it
// can: nil.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}
