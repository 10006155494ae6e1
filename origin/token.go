package origin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
)

// ErrBadToken is returned by CheckToken for a secret that is unknown or revoked.
var ErrBadToken = errors.New("unknown or revoked token")

// tokenPrefix marks a secret as a segue origin token, so it is recognisable
// in a config file or a leaked log.
const tokenPrefix = "sgo_"

// Token is a bearer token as token list shows it; the secret is never kept.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// secretSHA is how a secret is stored and looked up.
func secretSHA(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ErrNoTokenName is CreateToken's answer to an empty (or blank) name.
var ErrNoTokenName = errors.New("create token: the name is empty (name it after who will use it)")

// ErrTokenNameLong is CreateToken's answer to a name longer than
// catalog.MaxTokenName bytes.
var ErrTokenNameLong = fmt.Errorf("create token: the name is longer than %d bytes (name it after who will use it, as laptop or alice-phone)", catalog.MaxTokenName)

// ErrTokenNameTaken is CreateToken's and ReplaceToken's answer to a name an
// active token already has (a *TokenNameTakenError says which).
var ErrTokenNameTaken = errors.New("an active token already has that name")

// TokenNameTakenError is the failure of creating a token called Name while
// the active token ID is called so (compared ignoring case): two tokens of
// one name could not be told apart in token list, nor the right one revoked.
type TokenNameTakenError struct {
	Name string // the name asked for
	ID   string // the active token that has it
}

func (e *TokenNameTakenError) Error() string {
	return fmt.Sprintf("create token: the active token %s is already called %q", e.ID, e.Name)
}

// Unwrap makes errors.Is(err, ErrTokenNameTaken) hold.
func (e *TokenNameTakenError) Unwrap() error { return ErrTokenNameTaken }

// CreateToken stores a new token called name and returns it with its
// secret, which is shown once: only its sha256 is stored. A name an active
// token has (ignoring case) is a *TokenNameTakenError; a revoked token's
// name may be used again. A name longer than catalog.MaxTokenName bytes is
// ErrTokenNameLong.
func CreateToken(ctx context.Context, db *sql.DB, name string) (Token, string, error) {
	var (
		tok    Token
		secret string
	)
	err := catalogTx(ctx, db, func(tx *sql.Tx) (err error) {
		tok, secret, err = insertToken(ctx, tx, name, "")
		return err
	})
	return tok, secret, err
}

// insertToken is CreateToken inside a transaction; the active token
// replacing (ReplaceToken's old one, "" for none) may keep its name.
func insertToken(ctx context.Context, tx *sql.Tx, name, replacing string) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Token{}, "", ErrNoTokenName
	}
	if err := catalog.CheckNameChars(name); err != nil { // token list would show it
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	if len(name) > catalog.MaxTokenName {
		return Token{}, "", ErrTokenNameLong
	}
	if err := tokenNameFree(ctx, tx, name, replacing); err != nil {
		return Token{}, "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	secret := tokenPrefix + hex.EncodeToString(raw[:])
	t := Token{ID: "tok" + secretSHA(secret)[:8], Name: name, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens(id, name, secret_sha, created_at) VALUES (?, ?, ?, ?)`,
		t.ID, t.Name, secretSHA(secret), t.CreatedAt.Unix())
	if err != nil {
		return Token{}, "", fmt.Errorf("create token %q: %w", name, err)
	}
	return t, secret, nil
}

// tokenNameFree is a *TokenNameTakenError when an active token other than
// except is called name, ignoring case ("Laptop" and "laptop" would read as
// one in token list). Names are compared in Go, so SQLite, whose lower()
// folds ASCII only, and PostgreSQL answer the same.
func tokenNameFree(ctx context.Context, tx *sql.Tx, name, except string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM tokens WHERE revoked_at IS NULL AND id <> ? ORDER BY created_at, id`, except)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, have string
		if err := rows.Scan(&id, &have); err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		if strings.EqualFold(have, name) {
			return &TokenNameTakenError{Name: have, ID: id}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// ListTokens returns every token, revoked ones included, oldest first.
func ListTokens(ctx context.Context, db *sql.DB) ([]Token, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, name, created_at, revoked_at FROM tokens ORDER BY created_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt = time.Unix(created, 0).UTC()
		if revoked.Valid {
			r := time.Unix(revoked.Int64, 0).UTC()
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the token with id; ErrNotFound when there is none.
// Revoking twice keeps the first revocation time.
func RevokeToken(ctx context.Context, db *sql.DB, id string) error {
	res, err := db.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, time.Now().Unix(), id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke token %s: %w", id, ErrNotFound)
	}
	return nil
}

// CheckToken returns the live token whose secret this is, or ErrBadToken.
func CheckToken(ctx context.Context, db *sql.DB, secret string) (Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Token{}, ErrBadToken
	}
	want := secretSHA(secret)
	var t Token
	var stored string
	var created int64
	err := db.QueryRowContext(ctx, `SELECT id, name, secret_sha, created_at FROM tokens WHERE secret_sha = ? AND revoked_at IS NULL`, want).
		Scan(&t.ID, &t.Name, &stored, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrBadToken
	}
	if err != nil {
		return Token{}, fmt.Errorf("check token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(want)) != 1 {
		return Token{}, ErrBadToken
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	return t, nil
}

// Tokens lists the tokens of the catalog this server serves.
func (s *Server) Tokens(ctx context.Context) ([]Token, error) { return ListTokens(ctx, s.db) }
