package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-sqlite3"
	"golang.org/x/sys/unix"
)

// A full disk must never lock segue out of its cache: even deleting rows
// needs room in the WAL, so the cache keeps a reserve file beside the
// database (path + "-reserve"), of reserveFor(cap) bytes. When opening,
// evicting, clearing or collecting garbage fails for want of disk space,
// the reserve is deleted and the operation tried once more; the reserve is
// made again at the next Open that finds room for it.
const reserveBytes = 2 << 20

// reserveFor is the size of the reserve file for a cache capped at
// maxBytes: a quarter of the cap in whole pages, at most reserveBytes, so
// that it never takes more than the user allowed the cache (a 1MB cap
// keeps 244 KiB, not 2 MiB). Under four pages of cap it is 0: no reserve.
func reserveFor(maxBytes int64) int64 { return min(maxBytes/4, reserveBytes) &^ (pageSize - 1) }

// minFree is the free space below which Open reports the disk full
// (DiskFull), so the interface can say so before the first write fails.
const minFree = 1 << 20

func reservePath(path string) string { return path + "-reserve" }

// keepReserve makes the reserve file of size bytes when it is missing and
// the disk has room for it beside minFree, cuts one left larger by a
// higher cap down to size, and deletes it when size is 0; best-effort.
func keepReserve(path string, size int64) {
	if path == "" {
		return
	}
	rp := reservePath(path)
	fi, err := os.Stat(rp)
	switch {
	case size == 0:
		os.Remove(rp)
		return
	case err == nil && fi.Size() == size:
		return
	case err == nil && fi.Size() > size: // needs no room
		if os.Truncate(rp, size) == nil {
			return
		}
	}
	if free, err := freeBytes(filepath.Dir(path)); err != nil || free < size+minFree {
		return
	}
	if err := os.WriteFile(rp, make([]byte, size), 0o600); err != nil {
		os.Remove(rp)
	}
}

// hasReserve tells whether the reserve file of size bytes is there (a
// cache too small for one always has what it needs).
func hasReserve(path string, size int64) bool {
	if size == 0 {
		return true
	}
	fi, err := os.Stat(reservePath(path))
	return err == nil && fi.Size() == size
}

// reserve is the size of this cache's reserve file.
func (c *Cache) reserve() int64 { return reserveFor(c.opts.MaxBytes) }

// releaseReserve deletes the reserve file and reports whether there was
// one to give.
func releaseReserve(path string) bool { return path != "" && os.Remove(reservePath(path)) == nil }

// withRoom runs op, and once more after releasing the reserve when it
// failed for want of disk space; full hears that the disk was full.
func withRoom(path string, full *atomic.Bool, op func() error) error {
	err := op()
	if err != nil && (errors.Is(err, ErrDiskFull) || isDiskFull(err)) {
		full.Store(true)
		if releaseReserve(path) {
			err = op()
		}
	}
	return err
}

// freeBytes is the space an unprivileged process may still write on the
// file system holding dir.
func freeBytes(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// isDiskFull tells a write that failed for want of space: SQLITE_FULL, or
// an I/O error whose cause is ENOSPC or EDQUOT (creating the WAL index on
// a full disk fails that way).
func isDiskFull(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
	}
	return se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC || se.SystemErrno == syscall.EDQUOT
}

// roomToWrite refuses a Put while the disk is full, so that the space the
// reserve gave back stays for eviction, clear and gc; it lets writes go on
// (and makes the reserve again) once the disk has room.
func (c *Cache) roomToWrite() error {
	if !c.full.Load() || c.path == "" {
		return nil
	}
	if free, err := freeBytes(filepath.Dir(c.path)); err == nil && free < c.reserve()+minFree {
		return fmt.Errorf("%w: %d bytes free on the disk of %s (free disk space or lower cache.size)", ErrDiskFull, free, c.path)
	}
	c.full.Store(false)
	keepReserve(c.path, c.reserve())
	return nil
}

// Remove deletes the cache at path: the database, its WAL and index and
// the reserve. It is the last resort of segue cache clear when the disk is
// too full even to open the cache; no process may have it open. It returns
// the bytes freed.
func Remove(path string) (int64, error) {
	var freed int64
	var errs []error
	for _, f := range []string{path, path + "-wal", path + "-shm", reservePath(path)} {
		fi, err := os.Stat(f)
		if err != nil {
			continue
		}
		if err := os.Remove(f); err != nil {
			errs = append(errs, err)
			continue
		}
		freed += fi.Size()
	}
	return freed, errors.Join(errs...)
}

// UnusableError says which path keeps the cache file from being opened or
// written, and the system's reason (permission denied, a read-only file
// system): the file, its WAL or index, or its folder, where SQLite makes
// them. SQLite itself says "unable to open database file" or "attempt to
// write a readonly database", whichever is at fault.
type UnusableError struct {
	Path   string // the file or the folder at fault
	Folder bool   // Path is the cache file's folder
	Err    error  // the system's reason, e.g. syscall.EACCES
}

func (e *UnusableError) Error() string {
	if e.Folder {
		return fmt.Sprintf("its folder %s cannot be written: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("cannot read and write %s: %v", e.Path, e.Err)
}

// Unwrap returns the system's reason.
func (e *UnusableError) Unwrap() error { return e.Err }

// cantUseWhy replaces SQLite's failure to open or write the file at path
// by an *UnusableError naming what is at fault, found by doing what SQLite
// must do: make files in the folder, read and write the file, its WAL and
// its index. Any other error is returned as it is.
func cantUseWhy(path string, err error) error {
	code, ok := sqliteCode(err)
	if !ok || (code != sqlite3.ErrCantOpen && code != sqlite3.ErrReadonly && code != sqlite3.ErrPerm) {
		return err
	}
	dir := filepath.Dir(path)
	probe, cerr := os.CreateTemp(dir, ".segue-check-*")
	if cerr != nil {
		return &UnusableError{Path: dir, Folder: true, Err: unwrapPath(cerr)}
	}
	probe.Close()
	os.Remove(probe.Name())
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fh, oerr := os.OpenFile(f, os.O_RDWR, 0)
		if oerr == nil {
			fh.Close()
			continue
		}
		if !errors.Is(oerr, fs.ErrNotExist) {
			return &UnusableError{Path: f, Err: unwrapPath(oerr)}
		}
	}
	return err
}

// unwrapPath keeps the reason of a path error: the caller names the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
