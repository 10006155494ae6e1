// Package blobs owns the origin's content-addressed blob store: segments and
// cover images stored under their sha256 (64 lowercase hex digits), written
// once, never changed. Two implementations share one contract (see
// contract_test.go): FS, a directory on the local disk (the default), and S3,
// a bucket of an S3-compatible object store. The package knows nothing of
// the catalog or HTTP: which blobs are live and how they are served is the
// origin's business.
package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

var (
	// ErrBadHash is returned for a key that is not a lowercase hex sha256;
	// such a key never reaches the filesystem or the bucket.
	ErrBadHash = errors.New("not a sha256 hex digest")
	// ErrNotFound is returned by Open for a blob the store does not hold
	// (Stat says so with ok false instead).
	ErrNotFound = errors.New("blob not found")

	// The kinds of CheckError, for errors.Is: why an S3 store cannot be
	// used.

	// ErrNoCredentials: the AWS environment and config hold no credentials.
	ErrNoCredentials = errors.New("no S3 credentials")
	// ErrCredentialsRefused: the store does not know the access key ID, or
	// the secret access key does not match it.
	ErrCredentialsRefused = errors.New("S3 credentials refused")
	// ErrAccessDenied: the store knows the credentials and denies them the
	// bucket.
	ErrAccessDenied = errors.New("S3 access denied")
	// ErrNoBucket: the store has no bucket of that name.
	ErrNoBucket = errors.New("no such S3 bucket")
	// ErrWrongRegion: the bucket is in another region than the one signed
	// for.
	ErrWrongRegion = errors.New("S3 bucket in another region")
	// ErrUnreachable: nothing answers at the endpoint (refused, no such
	// host, no answer in time).
	ErrUnreachable = errors.New("S3 endpoint unreachable")
)

// Store is a content-addressed blob store. Every method is safe for
// concurrent use.
type Store interface {
	Reader
	Writer
	Collector
}

// Reader opens stored blobs and tells whether they are there.
type Reader interface {
	// Open returns the blob stored under hash, ErrBadHash or ErrNotFound.
	// The caller closes it.
	Open(ctx context.Context, hash string) (Blob, error)
	// Stat reports whether the store holds a blob under hash and, when it
	// does, its size in bytes, without reading the blob (FS: stat(2);
	// S3: one HeadObject request, no body). A missing blob (or S3
	// bucket) is (0, false, nil), not an error; an invalid hash is
	// ErrBadHash; any other failure to ask (a permission, the network, a
	// store that refused the credentials) is an error with ok false, so
	// a caller can tell "not there" from "could not tell".
	Stat(ctx context.Context, hash string) (size int64, ok bool, err error)
}

// Writer stores blobs.
type Writer interface {
	// Put stores data under its sha256 and returns that hash (64 lowercase
	// hex digits). Storing a blob that is already there is a no-op, so
	// retried and concurrent Puts are safe. A reader sees a whole blob or
	// none.
	Put(ctx context.Context, data []byte) (string, error)
}

// Collector lists and removes blobs, for garbage collection.
type Collector interface {
	// Walk calls fn with the hash of every stored blob, in no set order,
	// and stops at fn's first error.
	Walk(ctx context.Context, fn func(hash string) error) error
	// Remove deletes the blob under hash; a missing blob is not an error.
	Remove(ctx context.Context, hash string) error
}

// Redirector is a store that can send a reader to the blob itself: a URL
// that answers GET (with Range) or HEAD for a short while without
// credentials.
type Redirector interface {
	// RedirectURL returns such a URL for the blob under hash, for method
	// (http.MethodGet or http.MethodHead: a URL signed for one is refused
	// for the other), served with contentType and cacheControl, or "" when
	// the store is not set up to redirect. It does not check that the blob
	// exists.
	RedirectURL(ctx context.Context, method, hash, contentType, cacheControl string) (string, error)
}

// Blob is an opened blob of Size bytes. For FS the ReadSeekCloser is the
// *os.File itself, so handing it (not the Blob) to http.ServeContent keeps
// the sendfile(2) path.
type Blob struct {
	io.ReadSeekCloser
	Size int64
}

// Hash returns the store key of data: its sha256 in lowercase hex.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ValidHash reports whether h is a store key: exactly 64 lowercase hex
// digits. It runs on every chunk request, so it does without a regexp.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// checkHash returns ErrBadHash unless h is a valid key.
func checkHash(h string) error {
	if !ValidHash(h) {
		return fmt.Errorf("blob %q: %w", h, ErrBadHash)
	}
	return nil
}
