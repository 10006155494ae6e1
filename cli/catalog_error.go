//go:build !segue_client

package cli

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// storeError is a PostgreSQL catalog (--catalog) that could not be
// opened, or an S3 blob store (--blobs) that could not be used. plain says
// what happened and what to do, as the one sentence a person reads; Error
// keeps the driver's or SDK's words for the log.
type storeError struct {
	plain string
	err   error
}

func (e *storeError) Error() string { return e.plain + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }
func (e *storeError) Plain() string { return e.plain }

// explainCatalog returns err, from the command what opening the catalog
// spec, as a storeError when PostgreSQL could not be connected to: no
// server there (refused, no such host, no answer), no such database, a
// user or password it refuses. It said "dial error: the origin is
// unreachable ... start it (segue origin serve)" under origin serve, blamed
// the data dir under ingest and advised running migrate again to resume.
// Other errors are returned as they are. flag names the command's flag
// that gave spec (--catalog, or migrate's --to-catalog).
func explainCatalog(what, flag, spec string, err error) error {
	var ce *pgconn.ConnectError
	if spec == "" || !errors.As(err, &ce) {
		return err
	}
	where := "the PostgreSQL catalog at " + net.JoinHostPort(ce.Config.Host, strconv.Itoa(int(ce.Config.Port)))
	var (
		pe   *pgconn.PgError
		dns  *net.DNSError
		ne   net.Error
		says string
	)
	switch {
	case errors.As(err, &pe) && pe.Code == "3D000": // invalid_catalog_name
		says = fmt.Sprintf("%s has no database %q: create it (createdb %[2]s) or check %[3]s", where, ce.Config.Database, flag)
	case errors.As(err, &pe) && (pe.Code == "28000" || pe.Code == "28P01"): // invalid authorization, password
		says = fmt.Sprintf("%s refused the user %q: %s (check %s)", where, ce.Config.User, pe.Message, flag)
	case errors.As(err, &pe):
		says = where + " refused the connection: " + pe.Message
	case errors.Is(err, syscall.ECONNREFUSED):
		says = where + " is unreachable: nothing listens there (connection refused); start PostgreSQL or check " + flag
	case errors.As(err, &dns):
		says = "the host name " + dns.Name + " of " + flag + " is not found (check " + flag + ")"
	case errors.As(err, &ne) && ne.Timeout():
		says = where + " did not answer in time (check the network and " + flag + ")"
	default: // TLS refused, a dropped connection: the innermost words say it
		root := err
		for next := errors.Unwrap(root); next != nil; next = errors.Unwrap(root) {
			root = next
		}
		says = where + " cannot be used: " + root.Error() + " (check " + flag + ")"
	}
	return &storeError{plain: what + ": " + says, err: err}
}
