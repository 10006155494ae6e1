package subsonic

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// ErrKeyMismatch says that a data dir's KeyFile is missing or is not the
// key that sealed the passwords the catalog holds: the catalog was made or
// given users in another data dir (a replica of docs/scale.md, a catalog
// moved by "origin migrate"), whose KeyFile must be copied here.
var ErrKeyMismatch = errors.New("the password key does not match the catalog")

// CheckKey checks that dataDir's KeyFile opens the sealed password of
// every user in the catalog db that has one. It returns nil when it does
// or when no user has a password (no key is needed yet), and otherwise an
// error wrapping ErrKeyMismatch that names the file, how many users it
// leaves unable to sign in with a password, and what to do: copy KeyFile
// from the data dir where "segue origin user add" ran.
func CheckKey(ctx context.Context, db *sql.DB, dataDir string) error {
	rows, err := db.QueryContext(ctx, `SELECT name, pass_sealed FROM subsonic_users WHERE pass_sealed IS NOT NULL ORDER BY created_at, name`)
	if err != nil {
		return fmt.Errorf("check the Subsonic password key: %w", err)
	}
	defer rows.Close()
	type sealedPass struct {
		name   string
		sealed []byte
	}
	var users []sealedPass
	for rows.Next() {
		var u sealedPass
		if err := rows.Scan(&u.name, &u.sealed); err != nil {
			return fmt.Errorf("check the Subsonic password key: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check the Subsonic password key: %w", err)
	}
	if len(users) == 0 {
		return nil
	}
	path := filepath.Join(dataDir, KeyFile)
	copyIt := "copy " + KeyFile + " (mode 0600) from the data dir where segue origin user add ran into " + dataDir +
		" (every origin serving this catalog needs the same one: docs/scale.md)"
	key, err := loadKey(dataDir, false)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: the catalog holds %s with a password sealed by %s, and %s has none, so they cannot sign in with their passwords here: %s",
			ErrKeyMismatch, usersCount(len(users)), KeyFile, path, copyIt)
	}
	if err != nil {
		return err
	}
	bad := 0
	first := ""
	for _, u := range users {
		if _, err := open(key, u.name, u.sealed); err != nil {
			if bad == 0 {
				first = u.name
			}
			bad++
		}
	}
	if bad == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s is not the key that sealed the passwords of %d of the catalog's %s with one (%s among them), so they cannot sign in with their passwords here: %s",
		ErrKeyMismatch, path, bad, usersCount(len(users)), first, copyIt)
}

func usersCount(n int) string {
	if n == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", n)
}
