package origin

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"segue/origin/blobs"
)

// blobCheckSample is how many of the catalog's segments warnMissingBlobs
// looks for in the blob store: enough that a store missing all of them is
// another store, not a blob or two lost, and few enough (one Stat each, a
// HEAD request on S3) to cost nothing at start.
const blobCheckSample = 3

// warnMissingBlobs logs, at start, when the blob store holds none of a
// sample of the segments the catalog names: the store is not the one
// ingest wrote to (a replica started without --blobs beside a PostgreSQL
// catalog, or with another bucket or prefix). Every /chunks request would
// answer 404 and players skip each track as removed from the origin, with
// nothing in the log saying why. A store that cannot be asked is left to
// the check the command ran before (checkBlobs): nothing is said here.
// Ingest refuses such a store (ErrOtherBlobStore).
func (s *Server) warnMissingBlobs(ctx context.Context) {
	hashes, none := storeLacksCatalog(ctx, s.db, s.blobs)
	if !none {
		return
	}
	s.log.Warn(fmt.Sprintf("the blob store %s holds none of the %d segments of the catalog looked for (%s among them): "+
		"it is not the store origin ingest wrote to, so every segment request will answer 404 and players skip the tracks; "+
		"give origin serve the --blobs that ingest had", s.blobs, len(hashes), hashes[0]))
}

// storeLacksCatalog looks for up to blobCheckSample of the segments the
// catalog db names in store: none is true when the catalog has some and
// the store holds none of them (they are returned); false when it holds
// one, the catalog has none, or either cannot be asked.
func storeLacksCatalog(ctx context.Context, db *sql.DB, store blobs.Reader) (looked []string, none bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT hash FROM segments LIMIT %d`, blobCheckSample))
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if rows.Scan(&h) == nil {
			looked = append(looked, h)
		}
	}
	if rows.Err() != nil || len(looked) == 0 {
		return nil, false
	}
	for _, h := range looked {
		if _, ok, err := store.Stat(ctx, h); ok || err != nil {
			return nil, false
		}
	}
	return looked, true
}
