package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrRevokedToken is AdoptLocal's answer for a token that is revoked.
var ErrRevokedToken = errors.New("token is revoked")

// Owned counts what one owner has: playlists and plays (events).
type Owned struct {
	Playlists int64 `json:"playlists"`
	Plays     int64 `json:"plays"`
}

// LocalOwned counts what LocalOwner, the listener of an origin running
// open on loopback, owns. Once the origin requires tokens (origin serve
// --require-token, or an address off loopback) no request speaks for
// LocalOwner, so nobody sees these until AdoptLocal hands them over.
func LocalOwned(ctx context.Context, db *sql.DB) (Owned, error) { return OwnedBy(ctx, db, LocalOwner) }

// OwnedBy counts what owner (a token's ID, a Subsonic user's, LocalOwner)
// owns.
func OwnedBy(ctx context.Context, db *sql.DB, owner string) (Owned, error) {
	var o Owned
	err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM playlists WHERE owner = ?1), (SELECT count(*) FROM events WHERE listener = ?1)`,
		owner).Scan(&o.Playlists, &o.Plays)
	if err != nil {
		return Owned{}, fmt.Errorf("count what %s owns: %w", owner, err)
	}
	return o, nil
}

// Adopter is who AdoptLocal handed LocalOwner's things to: a token, or a
// Subsonic user (whose ID owns its playlists and plays, as a token's does).
type Adopter struct {
	ID   string // the owner's ID: the token's, or the Subsonic user's
	Name string // the Subsonic user's name; "" for a token
}

// String names the adopter for a person: "token ID" or "Subsonic user NAME".
func (a Adopter) String() string {
	if a.Name != "" {
		return "Subsonic user " + a.Name
	}
	return "token " + a.ID
}

// AdoptLocal hands everything LocalOwner owns (see LocalOwned) to who, in
// one transaction: a live token's ID, or a Subsonic user's name or ID (a
// household whose listeners use Subsonic apps). It moves the playlists,
// share links kept, and the plays, which radio and Subsonic's frequent and
// recent lists read, and returns what moved and to whom; a second call
// moves nothing. ErrNotFound when no token or Subsonic user is who,
// ErrRevokedToken when the token is revoked.
func AdoptLocal(ctx context.Context, db *sql.DB, who string) (Owned, Adopter, error) {
	var (
		moved Owned
		to    Adopter
	)
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM tokens WHERE id = ?`, who).Scan(&revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// a Subsonic user's ID is never a token's (its own prefix),
			// and its name is matched after its ID
			err = tx.QueryRowContext(ctx, `SELECT id, name FROM subsonic_users WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`,
				who, who, who).Scan(&to.ID, &to.Name)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case revoked.Valid:
			return ErrRevokedToken
		default:
			to.ID = who
		}
		moved, err = moveOwned(ctx, tx, LocalOwner, to.ID)
		return err
	})
	if err != nil {
		return Owned{}, Adopter{}, fmt.Errorf("hand what %s owns to %s: %w", LocalOwner, who, err)
	}
	return moved, to, nil
}

// moveOwned hands from's playlists (share links kept) and plays to to.
func moveOwned(ctx context.Context, tx *sql.Tx, from, to string) (Owned, error) {
	var moved Owned
	res, err := tx.ExecContext(ctx, `UPDATE playlists SET owner = ? WHERE owner = ?`, to, from)
	if err != nil {
		return moved, err
	}
	moved.Playlists, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `UPDATE events SET listener = ? WHERE listener = ?`, to, from)
	if err != nil {
		return moved, err
	}
	moved.Plays, _ = res.RowsAffected()
	return moved, nil
}

// ReplaceToken creates a token called name that takes over the token
// oldID: its playlists (share links kept) and plays move to the new token
// and oldID is revoked, if it was not already (a leaked secret revoked
// first, its playlists then seen by nobody). All in one transaction; it
// returns the new token, its secret (shown once) and what moved.
// ErrNotFound when no token is oldID (nothing is created then), a
// *TokenNameTakenError when an active token other than oldID is called name.
func ReplaceToken(ctx context.Context, db *sql.DB, oldID, name string) (Token, string, Owned, error) {
	var (
		tok    Token
		secret string
		moved  Owned
	)
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM tokens WHERE id = ?`, oldID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no token %s: %w", oldID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if tok, secret, err = insertToken(ctx, tx, name, oldID); err != nil {
			return err
		}
		if moved, err = moveOwned(ctx, tx, oldID, tok.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, time.Now().Unix(), oldID)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNoTokenName) || errors.Is(err, ErrTokenNameLong) || errors.Is(err, ErrTokenNameTaken) {
			return Token{}, "", Owned{}, err
		}
		return Token{}, "", Owned{}, fmt.Errorf("replace token %s: %w", oldID, err)
	}
	return tok, secret, moved, nil
}

// warnLocalOwned logs, on an origin that requires tokens, the playlists
// LocalOwner owns that no token can see, and the command that hands them
// over.
func (s *Server) warnLocalOwned(ctx context.Context) {
	owned, err := LocalOwned(ctx, s.db)
	if err != nil {
		s.log.Warn("cannot count the playlists made while the origin ran open", "err", err)
		return
	}
	if owned.Playlists == 0 {
		return
	}
	s.log.Warn("playlists made while the origin ran open (owner local) are seen by no token now that it requires tokens: "+
		"hand them and their plays to one with segue origin token adopt-local TOKEN_ID"+s.opts.CommandFlags+
		" (or a Subsonic user's name), or segue origin token create NAME --adopt-local"+s.opts.CommandFlags,
		"playlists", owned.Playlists, "plays", owned.Plays)
}
