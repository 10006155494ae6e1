// Package origin is segue's origin server: it ingests a music folder into
// segmented renditions (ffprobe/ffmpeg), keeps the catalog in SQLite and the
// segment blobs on disk, and serves the JSON API and /chunks over HTTP. It
// must not import any client package (cache, player, ui).
package origin

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"segue/sqlite"
)

// CatalogFile and BlobDir are the names inside an origin data dir.
const (
	CatalogFile = "catalog.db"
	BlobDir     = "blobs"
)

// OpenCatalog opens (creating when needed) the catalog database in dataDir.
func OpenCatalog(dataDir string) (*sql.DB, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return sqlite.Open(filepath.Join(dataDir, CatalogFile), sqlite.Options{Upgrade: upgradeCatalog, Driver: searchDriver, StatementCache: 16}, migrations)
}
