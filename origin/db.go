// Package origin is segue's origin server: it ingests a music folder into
// segmented renditions (ffprobe/ffmpeg), keeps the catalog in SQLite and the
// segment blobs on disk, and serves the JSON API and /chunks over HTTP. It
// must not import any client package (cache, player, ui).
package origin

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"segue/sqlite"
)

// CatalogFile and BlobDir are the names inside an origin data dir.
const (
	CatalogFile = "catalog.db"
	BlobDir     = "blobs"
)

// CatalogConns returns how many SQLite connections a catalog opened by
// OpenCatalog keeps at most, open and idle alike: twice the CPUs Go may
// use, at least 4. A read served from SQLite's page cache uses only CPU,
// so more connections than that only queue inside SQLite while each costs
// memory (up to 2 MiB of page cache, SQLite's default cache_size of
// -2000, plus its 16 cached statements) and two descriptors (the database
// and its WAL; the -shm one is shared). Without a bound, 500 concurrent
// searches opened about 180 connections, 370 descriptors and 600 MB of
// resident memory (issue 17). A request waits for a free connection (or
// until its context ends).
func CatalogConns() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// OpenCatalog opens (creating when needed) the catalog database in dataDir,
// with at most CatalogConns connections.
func OpenCatalog(dataDir string) (*sql.DB, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, CatalogFile)
	// The catalog holds share tokens (each opens a playlist) and the
	// hashes of bearer tokens: readable by its owner only. SQLite gives
	// the -wal and -shm files the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	if fi, err2 := f.Stat(); err2 != nil || fi.Mode().Perm()&0o077 != 0 {
		err = errors.Join(err2, f.Chmod(0o600)) // made by an older segue
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	db, err := sqlite.Open(path, sqlite.Options{Upgrade: upgradeCatalog, Driver: searchDriver, StatementCache: 16}, migrations)
	if err != nil {
		return nil, err
	}
	// Idle connections are kept (as many as may be open): in WAL mode a
	// closed connection's descriptor stays open inside SQLite until every
	// other connection closes too, so churning them leaks descriptors.
	db.SetMaxOpenConns(CatalogConns())
	db.SetMaxIdleConns(CatalogConns())
	return db, nil
}
