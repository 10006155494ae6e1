package subsonic

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"segue/catalog"
)

// KeyFile is the name, inside an origin data dir, of the 32-byte AES-256
// key that seals Subsonic passwords (mode 0600, made by the first AddUser).
//
// Why passwords are kept encrypted rather than hashed: Subsonic token
// authentication sends t = md5(password + s) with a fresh salt s, so the
// server must know the password itself to check it (Navidrome keeps
// passwords encrypted for the same reason). The key lives beside the
// catalog, not in it, so a copy of catalog.db alone (a backup, a leaked
// file) does not reveal them; whoever can read the data dir can.
const KeyFile = "subsonic.key"

// prefixUser starts a Subsonic user's ID (the owner of its playlists and
// the listener of its plays), like catalog's prefixes.
const prefixUser = "us"

// newUserID is a fresh user ID: prefixUser and 16 random hex digits, so
// a user added again under a removed user's name never gets its ID, nor
// what a request of the removed user wrote after it went. (IDs were
// catalog.NewID of the name before schema 21; those users keep theirs.)
func newUserID() string {
	var raw [8]byte
	rand.Read(raw[:])
	return prefixUser + hex.EncodeToString(raw[:])
}

// nameKey is name case-folded, the key that makes names that differ only
// in case one user: sign-in takes the name in any case, and AddUser
// refuses a second.
func nameKey(name string) string { return catalog.NewID(prefixUser, name) }

// apiKeyPrefix marks an OpenSubsonic API key made by segue.
const apiKeyPrefix = "sgs_"

// Errors of the user store.
var (
	ErrUserExists = errors.New("user already exists")
	ErrNoUser     = errors.New("no such user")
	ErrBadName    = errors.New("bad user name")
)

// User is a Subsonic user as "segue origin user list" shows it; its
// password and API key are never shown.
type User struct {
	Name        string    `json:"name"`
	ID          string    `json:"id"`
	HasPassword bool      `json:"has_password"`
	Created     time.Time `json:"created"`
}

// CheckUserName refuses names a client could not send or a table could
// not show: empty, over 64 bytes, or with spaces or control characters.
func CheckUserName(name string) error {
	if name == "" || len(name) > 64 || strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		return fmt.Errorf("%w %q: want 1 to 64 characters without spaces", ErrBadName, name)
	}
	return nil
}

// AddUser stores a new user called name with password (empty with
// noPassword: the user signs in with its API key only) and returns it
// with its OpenSubsonic API key, which is shown once: only its sha256 is
// kept. The password is sealed with the data dir's key (KeyFile), made
// here when missing; an error wrapping ErrKeyMismatch (CheckKey) when the
// catalog holds passwords another key sealed.
func AddUser(ctx context.Context, db *sql.DB, dataDir, name, password string, noPassword bool) (User, string, error) {
	if err := CheckUserName(name); err != nil {
		return User{}, "", err
	}
	if err := catalog.CheckNameChars(name); err != nil { // CheckUserName takes them, so that remove still does
		return User{}, "", fmt.Errorf("%w %+q: %w", ErrBadName, name, err)
	}
	if !noPassword && password == "" {
		return User{}, "", errors.New("add user: the password is empty (give one, or --no-password for an API key only)")
	}
	var sealed []byte
	if !noPassword {
		// A key made here while the catalog holds passwords sealed by
		// another data dir's key would split the users in two: each
		// origin could read only one half (docs/scale.md).
		if err := CheckKey(ctx, db, dataDir); err != nil {
			return User{}, "", fmt.Errorf("add user %s: %w", name, err)
		}
		key, err := loadKey(dataDir, true)
		if err != nil {
			return User{}, "", fmt.Errorf("add user %s: %w", name, err)
		}
		if sealed, err = seal(key, name, password); err != nil {
			return User{}, "", fmt.Errorf("add user %s: %w", name, err)
		}
	}
	var raw [24]byte
	rand.Read(raw[:])
	apiKey := apiKeyPrefix + hex.EncodeToString(raw[:])
	u := User{Name: name, ID: newUserID(), HasPassword: !noPassword, Created: time.Now().UTC().Truncate(time.Millisecond)}
	if err := insertUser(ctx, db, u, sealed, keySHA(apiKey)); err != nil {
		return User{}, "", fmt.Errorf("add user %s: %w", name, err)
	}
	return u, apiKey, nil
}

// keySHA is how an API key is stored and looked up.
func keySHA(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// loadKey reads the data dir's password key; with create it makes one
// (32 random bytes, mode 0600) when there is none.
func loadKey(dataDir string, create bool) ([]byte, error) {
	path := filepath.Join(dataDir, KeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		key = make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create password key: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("write password key %s: %w", path, err)
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("read password key: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("password key %s holds %d bytes, want 32 (restore it from a backup)", path, len(key))
	}
	return key, nil
}

// seal encrypts password with AES-256-GCM under key; the user's name is
// the additional data, so a sealed password moved to another row does not
// open. The result is nonce || ciphertext.
func seal(key []byte, name, password string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, []byte(password), []byte(name)), nil
}

// open is seal's inverse.
func open(key []byte, name string, sealed []byte) (string, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("sealed password too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(name))
	if err != nil {
		return "", fmt.Errorf("open sealed password of %s: %w (was %s replaced?)", name, err, KeyFile)
	}
	return string(plain), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
