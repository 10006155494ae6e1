package origin

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// catalogUnavailable tells an unreachable database (503) from everything
// else (500): PostgreSQL's own codes, and a network error only when it
// comes from pgx's connection, never from the blob store.
func TestCatalogUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown (pg_ctl stop -m fast)", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"the database system is starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unique violation", fmt.Errorf("create playlist: %w", &pgconn.PgError{Code: "23505"}), false},
		{"wrong password", &pgconn.PgError{Code: "28P01"}, false},
		{"no such database", &pgconn.PgError{Code: "3D000"}, false},
		{"a pooled connection that died", fmt.Errorf("search: %w", driver.ErrBadConn), true},
		{"a closed pgx connection", fmt.Errorf("search: %w", pgconn.ErrConnClosed), true},
		{"a refused connection to the blob store", fmt.Errorf("get blob: %w", refused), false},
		{"a blob store's cut-off body", fmt.Errorf("get blob: %w", io.ErrUnexpectedEOF), false},
		{"anything else", errors.New("disk full"), false},
	} {
		if got := catalogUnavailable(c.err); got != c.want {
			t.Errorf("%s (%v): catalogUnavailable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
