package origin

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// catalogRetryAfter is the Retry-After, in seconds, of a 503 answered
// while the catalog database is unreachable: a PostgreSQL restart or a
// managed database's failover takes seconds to tens of seconds.
const catalogRetryAfter = 5

// catalogUnavailable reports whether err says the catalog's PostgreSQL
// could not be reached, rather than that a request or the data was wrong:
// no connection (refused, reset, timed out, closed under a query), or
// PostgreSQL's own word that it is shutting down, starting up, or out of
// connections (SQLSTATE classes 08 and 53, 57P01-57P03;
// https://www.postgresql.org/docs/current/errcodes-appendix.html). A
// network error counts only when pgx's connection reports it, so a blob
// store's failure stays a 500. database/sql itself retries a request
// whose pooled connection died before use (driver.ErrBadConn): this is
// what is left when a new connection fails too, or one dies mid-query.
func catalogUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") ||
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	var fromPgconn interface{ SafeToRetry() bool } // pgconn's own error types
	if !errors.As(err, &fromPgconn) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// writeUnavailable answers 503 with Retry-After for a request the catalog
// could not serve because its database is unreachable. The proxy in front
// does not retry it on another replica (they share the database) nor count
// it against this one (docs/scale.md).
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(catalogRetryAfter))
	writeError(w, http.StatusServiceUnavailable, "the catalog database is unreachable: retry in a few seconds")
}
