package origin

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"segue/sqlite"
)

// The catalog in PostgreSQL (--catalog postgres://...). The repositories
// (Reader, Playlists, Events, tokens, ingest's writers) run the same
// database/sql code on both engines: their SQL is the subset both speak,
// written with SQLite's "?" placeholders, which pgDriver numbers ($1, $2...)
// for PostgreSQL. What differs lives behind engine checks in one place each:
// the schema (pgMigrations), search (postgres_search.go) and the JSON
// lookup of albumsWithoutLoudness.
//
// The flags SQLite keeps as integers (compilation, completed) stay integers
// in PostgreSQL too; pgDriver hands a Go bool argument over as 1 or 0, as
// go-sqlite3 does.

// ErrCatalogURL is wrapped when --catalog is not a catalog this origin can open.
var ErrCatalogURL = errors.New("bad catalog URL")

// IsPostgresURL reports whether catalog names a PostgreSQL catalog
// (postgres:// or postgresql://) rather than a data dir's SQLite file.
func IsPostgresURL(catalog string) bool {
	return strings.HasPrefix(catalog, "postgres://") || strings.HasPrefix(catalog, "postgresql://")
}

// OpenCatalogAt opens the catalog named by catalog: a postgres:// URL
// (libpq's form, e.g. postgres://user:pass@host:5432/db?sslmode=disable),
// migrated to this segue's schema, or "" for dataDir's SQLite file as
// OpenCatalog does.
func OpenCatalogAt(ctx context.Context, catalog, dataDir string) (*sql.DB, error) {
	if catalog == "" {
		return OpenCatalog(dataDir)
	}
	if !IsPostgresURL(catalog) {
		return nil, fmt.Errorf("%w %q: want postgres://USER@HOST:PORT/DB (or nothing for the SQLite catalog in the data dir)", ErrCatalogURL, redactURL(catalog))
	}
	return openPostgres(ctx, catalog)
}

// redactURL drops the password from a catalog URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// CatalogName names the catalog that catalog (a postgres:// URL, or "" for
// dataDir's SQLite file) opens, for logs and reports: the SQLite file's
// path, or the URL with only its user, host, port and database (and the
// host or port parameters), never a password, whether in the URL's user
// part or among its parameters.
func CatalogName(catalog, dataDir string) string {
	if catalog == "" {
		return filepath.Join(dataDir, CatalogFile)
	}
	u, err := url.Parse(catalog)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := url.Values{}
	for _, k := range []string{"host", "port"} {
		if v := u.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery, u.Fragment = q.Encode(), ""
	return u.String()
}

// pgConnectTimeout is how long a new connection to PostgreSQL may take
// when the URL gives no connect_timeout.
const pgConnectTimeout = 5 * time.Second

// PostgresConns returns how many connections to a PostgreSQL catalog one
// process keeps at most, open and idle alike: four per CPU Go may use, at
// least 8 (a query waits on the network as well as on the server's CPU).
// Each is a server process on the database's side: replicas times this
// must stay under the server's max_connections (100 by default). Idle
// connections are kept; before reuse, one the server hung up on (a
// restart) is found and replaced whenever it was last used (pgConn's
// ResetSession), as is one idle over a second whose server is gone
// without a word (pgx's ping); a request on one that dies under it
// answers 503 (catalogUnavailable).
func PostgresConns() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// openPostgres connects to the PostgreSQL catalog at dsn and brings its
// schema to pgMigrations.
func openPostgres(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrCatalogURL, redactURL(dsn), err)
	}
	// A search's tsquery matches a handful of rows or most of a kind:
	// plan each execution with its values (a GIN scan, or a walk in rowid
	// order), never one generic plan for every prepared statement.
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	// A search pass reads a kind's matches in table order and stops at a
	// page: a scan that joined another one midway would answer from
	// elsewhere in the table.
	cfg.RuntimeParams["synchronize_seqscans"] = "off"
	// Nor a parallel scan, whose workers return rows of several parts of
	// the table in whatever order they come.
	cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	// A database that does not answer (its host down, packets dropped)
	// fails a request with a 503 in seconds, not when the client gives
	// up; a refused connection fails at once.
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(PostgresConns())
	db.SetMaxIdleConns(PostgresConns())
	if err := migratePostgres(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", redactURL(dsn), err)
	}
	return db, nil
}

// isPostgres reports whether db is a catalog opened by openPostgres.
func isPostgres(db *sql.DB) bool {
	_, ok := db.Driver().(pgDriver)
	return ok
}

// catalogLock is the PostgreSQL advisory lock every catalog write
// transaction holds: writers run one at a time, as SQLite's write lock
// makes them, so ingest's read-then-write steps (settleAlbum) see what the
// last writer committed, on any machine. The value is arbitrary: "segue"
// in ASCII.
const catalogLock = 0x7365677565

// catalogTx runs fn in a write transaction of the catalog, committing when
// fn returns nil. On PostgreSQL it first takes catalogLock and, before
// committing, folds the search rows fn wrote (foldPending); on SQLite the
// wait for another process's write lock ends with ctx (sqlite.Tx).
func catalogTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	if !isPostgres(db) {
		return sqlite.Tx(ctx, db, fn)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, catalogLock); err != nil {
		tx.Rollback()
		return fmt.Errorf("lock the catalog: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := foldPending(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ingestLock is the session advisory lock an ingest holds on a PostgreSQL
// catalog for its whole run: the data dir's lock file only keeps out
// ingests on the same machine, and two ingests into one catalog would
// garbage-collect the blobs the other has stored but not yet committed.
const ingestLock = catalogLock + 1

// lockIngest takes ingestLock on a PostgreSQL catalog (ErrCatalogBusy when
// another ingest holds it) and returns what releases it; on SQLite the
// data dir's lock is enough and it does nothing.
func lockIngest(ctx context.Context, db *sql.DB) (release func(), err error) {
	if !isPostgres(db) {
		return func() {}, nil
	}
	conn, err := db.Conn(ctx) // the session that holds the lock
	if err != nil {
		return nil, fmt.Errorf("lock the catalog for ingest: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, ingestLock).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock the catalog for ingest: %w", err)
	}
	if !got {
		conn.Close()
		return nil, ErrCatalogBusy
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, ingestLock)
		conn.Close()
	}, nil
}

// migratePostgres applies the pgMigrations steps above the catalog's
// schema_version, each in its own transaction under catalogLock, so
// replicas starting together migrate once.
func migratePostgres(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		done, err := migrateStep(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration, if any; done is true when the
// schema is current.
func migrateStep(ctx context.Context, db *sql.DB) (done bool, err error) {
	err = catalogTx(ctx, db, func(tx *sql.Tx) error {
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&version); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if version > len(pgMigrations) {
			return fmt.Errorf("schema version %d is newer than this segue knows (%d): upgrade segue", version, len(pgMigrations))
		}
		if version == len(pgMigrations) {
			done = true
			return nil
		}
		if _, err := tx.ExecContext(ctx, pgMigrations[version]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", version+1, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, version+1)
		return err
	})
	return done, err
}

// pgDriver is pgx's database/sql driver with SQLite's dialect of
// placeholders and bools; see pgConn.
type pgDriver struct{ driver.Driver }

// pgConnector makes pgConns for sql.OpenDB.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return pgDriver{c.inner.Driver()} }

// pgConn is a pgx connection that takes SQL with "?" placeholders
// (numbered for PostgreSQL by rebind) and bool arguments (sent as 1 or 0).
type pgConn struct{ c *stdlib.Conn }

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
)

func (c *pgConn) Prepare(q string) (driver.Stmt, error) { return c.c.Prepare(rebind(q)) }
func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.c.PrepareContext(ctx, rebind(q))
}
func (c *pgConn) Close() error                   { return c.c.Close() }
func (c *pgConn) Begin() (driver.Tx, error)      { return c.c.Begin() }
func (c *pgConn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }
func (c *pgConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, o)
}
func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.c.ExecContext(ctx, rebind(q), args)
}
func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.c.QueryContext(ctx, rebind(q), args)
}

// ResetSession vets a pooled connection before database/sql hands it to a
// query: driver.ErrBadConn when the server has hung up on it, so that
// database/sql takes another or opens a new one before anything is sent.
// pgx checks only a connection idle over a second (with a ping, a round
// trip), so one used less than a second before PostgreSQL stopped (a
// restart, a failover, pg_terminate_backend) was given to the next query
// once the server was back: the query failed on the session's FATAL
// 57P01 (terminating connection due to administrator command) and the
// request answered 503 with the database up, once for each such
// connection in the pool (up to PostgresConns; on a busy origin, all of
// them). The check costs no round trip: a server that ends a session
// sends its FATAL error and closes the socket, which a peek at the socket
// sees at once (hungUp).
func (c *pgConn) ResetSession(ctx context.Context) error {
	pc := c.c.Conn().PgConn()
	// SyncConn does nothing on an idle connection; it drains what pgx may
	// still hold (a ping) so that the socket is all there is to look at.
	if err := pc.SyncConn(ctx); err != nil || hungUp(pc.Conn()) {
		return driver.ErrBadConn
	}
	return c.c.ResetSession(ctx)
}

// CheckNamedValue sends a bool as the integer SQLite would store.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return c.c.CheckNamedValue(nv)
}

// rebind numbers the "?" placeholders of q ($1, $2, ...; "?3" is $3),
// leaving those in quoted strings, quoted identifiers and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+end])
			i += end - 1
		case c == '?':
			digits := len(q[i+1:]) - len(strings.TrimLeft(q[i+1:], "0123456789"))
			if digits > 0 { // SQLite's ?NNN: parameter NNN
				b.WriteString("$" + q[i+1:i+1+digits])
				i += digits
				continue
			}
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
