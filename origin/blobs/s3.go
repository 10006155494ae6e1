package blobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// S3 stores blobs as objects of one bucket of an S3-compatible store (AWS
// S3, MinIO, ...): blob abcdef… is the object PREFIX/ab/abcdef…, the same
// layout as FS, so `aws s3 sync DATA/blobs s3://BUCKET/PREFIX` copies a
// filesystem store. Objects are written whole by PutObject with their
// sha256 as the checksum the server verifies, so a reader sees a whole blob
// or none.
type S3 struct {
	client *s3.Client
	loc    S3Location
}

var _ Store = (*S3)(nil)

// String returns the store's location as an s3:// URL (ParseS3URL's
// form); it holds no credentials.
func (b *S3) String() string { return b.loc.String() }

// OpenS3 returns the store at loc. Credentials and, when loc has none, the
// region come from the standard AWS environment and config files
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/...);
// without any region us-east-1 is used. It does no network I/O (Check
// does): a missing bucket is created by the first Put. The SDK's own log
// (retries, checksum and IMDS warnings, written straight to stderr) is
// silenced: the errors say what failed.
func OpenS3(ctx context.Context, loc S3Location) (*S3, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if loc.Region != "" {
		opts = append(opts, config.WithRegion(loc.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("open blob store %s: load AWS config: %w", loc, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if loc.Endpoint != "" {
			o.BaseEndpoint = aws.String(loc.Endpoint)
			// Self-hosted stores (MinIO) serve buckets under the path,
			// not as subdomains.
			o.UsePathStyle = true
		}
		// Blobs carry their own sha256 checksum on upload; ranged reads
		// have no whole-object checksum to validate.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &S3{client: client, loc: loc}, nil
}

// key returns the object key of hash, which must be valid.
func (b *S3) key(hash string) string {
	k := hash[:2] + "/" + hash
	if b.loc.Prefix != "" {
		k = b.loc.Prefix + "/" + k
	}
	return k
}

// Open starts reading the object; Size comes from the response, so the
// first read costs no second request. Seeking is free until the next Read,
// which then asks for the rest of the object from the new offset (one
// ranged GET per Range request).
func (b *S3) Open(ctx context.Context, hash string) (Blob, error) {
	if err := checkHash(hash); err != nil {
		return Blob{}, err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.loc.Bucket, Key: aws.String(b.key(hash))})
	if isCode(err, "NoSuchKey", "NotFound", "NoSuchBucket") {
		return Blob{}, fmt.Errorf("open blob %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return Blob{}, fmt.Errorf("open blob %s in %s: %w", hash, b.loc, err)
	}
	size := aws.ToInt64(out.ContentLength)
	r := &objectReader{ctx: ctx, store: b, hash: hash, size: size, body: out.Body}
	return Blob{ReadSeekCloser: r, Size: size}, nil
}

// Stat asks for the object's metadata with one HeadObject request, which
// transfers no body: its Content-Length is the size. A missing object or
// bucket (404) is (0, false, nil).
func (b *S3) Stat(ctx context.Context, hash string) (int64, bool, error) {
	if err := checkHash(hash); err != nil {
		return 0, false, err
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.loc.Bucket, Key: aws.String(b.key(hash))})
	if isCode(err, "NotFound", "NoSuchKey", "NoSuchBucket") {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("stat blob %s in %s: %w", hash, b.loc, err)
	}
	return aws.ToInt64(out.ContentLength), true, nil
}

// Put uploads data unless its object exists, creating the bucket when it
// does not exist.
func (b *S3) Put(ctx context.Context, data []byte) (string, error) {
	hash := Hash(data)
	key := b.key(hash)
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.loc.Bucket, Key: &key})
	if err == nil {
		return hash, nil
	}
	if !isCode(err, "NotFound", "NoSuchKey", "NoSuchBucket") {
		return "", fmt.Errorf("store blob %s in %s: %w", hash, b.loc, err)
	}
	err = b.putObject(ctx, key, data)
	if isCode(err, "NoSuchBucket") {
		if err = b.createBucket(ctx); err == nil {
			err = b.putObject(ctx, key, data)
		}
	}
	if err != nil {
		return "", fmt.Errorf("store blob %s in %s: %w", hash, b.loc, err)
	}
	return hash, nil
}

func (b *S3) putObject(ctx context.Context, key string, data []byte) error {
	sum := sha256.Sum256(data)
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:         &b.loc.Bucket,
		Key:            &key,
		Body:           bytes.NewReader(data),
		ContentLength:  aws.Int64(int64(len(data))),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	return err
}

// createBucket creates the bucket; one that another writer created
// meanwhile is fine.
func (b *S3) createBucket(ctx context.Context) error {
	in := &s3.CreateBucketInput{Bucket: &b.loc.Bucket}
	if r := b.client.Options().Region; r != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r)}
	}
	_, err := b.client.CreateBucket(ctx, in)
	if err != nil && !isCode(err, "BucketAlreadyOwnedByYou") {
		return fmt.Errorf("create bucket %s: %w", b.loc.Bucket, err)
	}
	return nil
}

var _ Redirector = (*S3)(nil)

// RedirectURL presigns a GET or HEAD (method) of the object valid for
// loc.Presign that answers with contentType and cacheControl; "" when
// loc.Presign is zero. Another method is an error.
func (b *S3) RedirectURL(ctx context.Context, method, hash, contentType, cacheControl string) (string, error) {
	if b.loc.Presign <= 0 {
		return "", nil
	}
	if err := checkHash(hash); err != nil {
		return "", err
	}
	presign, expires := s3.NewPresignClient(b.client), s3.WithPresignExpires(b.loc.Presign)
	bucket, key := &b.loc.Bucket, aws.String(b.key(hash))
	var req *v4.PresignedHTTPRequest
	var err error
	switch method {
	case http.MethodGet:
		req, err = presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key,
			ResponseContentType: &contentType, ResponseCacheControl: &cacheControl}, expires)
	case http.MethodHead:
		req, err = presign.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key,
			ResponseContentType: &contentType, ResponseCacheControl: &cacheControl}, expires)
	default:
		return "", fmt.Errorf("presign blob %s: method %s: want GET or HEAD", hash, method)
	}
	if err != nil {
		return "", fmt.Errorf("presign blob %s in %s: %w", hash, b.loc, err)
	}
	return req.URL, nil
}

// Remove deletes the object; S3 deletes of a missing key succeed.
func (b *S3) Remove(ctx context.Context, hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.loc.Bucket, Key: aws.String(b.key(hash))})
	if err != nil && !isCode(err, "NoSuchBucket") {
		return fmt.Errorf("remove blob %s from %s: %w", hash, b.loc, err)
	}
	return nil
}

// Walk lists the prefix page by page (1000 keys a request) and calls fn
// for each key laid out as PREFIX/ab/abcdef…; other keys are left alone.
// A missing bucket holds no blobs.
func (b *S3) Walk(ctx context.Context, fn func(hash string) error) error {
	prefix := ""
	if b.loc.Prefix != "" {
		prefix = b.loc.Prefix + "/"
	}
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: &b.loc.Bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if isCode(err, "NoSuchBucket") {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list blobs in %s: %w", b.loc, err)
		}
		for _, o := range page.Contents {
			dir, hash, ok := strings.Cut(strings.TrimPrefix(aws.ToString(o.Key), prefix), "/")
			if !ok || checkHash(hash) != nil || dir != hash[:2] {
				continue
			}
			if err := fn(hash); err != nil {
				return err
			}
		}
	}
	return nil
}

// isCode reports whether err is an S3 API error with one of codes.
func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// objectReader reads an object from off, reopening it at off with a ranged
// GET when a Seek moved away from where the open body is.
type objectReader struct {
	ctx     context.Context
	store   *S3
	hash    string
	size    int64
	off     int64         // where the next Read starts
	body    io.ReadCloser // nil, or positioned at bodyOff
	bodyOff int64
}

func (r *objectReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.body == nil || r.bodyOff != r.off {
		if r.body != nil {
			r.body.Close()
			r.body = nil
		}
		out, err := r.store.client.GetObject(r.ctx, &s3.GetObjectInput{
			Bucket: &r.store.loc.Bucket,
			Key:    aws.String(r.store.key(r.hash)),
			Range:  aws.String(fmt.Sprintf("bytes=%d-", r.off)),
		})
		if err != nil {
			return 0, fmt.Errorf("read blob %s from byte %d: %w", r.hash, r.off, err)
		}
		r.body, r.bodyOff = out.Body, r.off
	}
	n, err := r.body.Read(p)
	r.off += int64(n)
	r.bodyOff += int64(n)
	return n, err
}

func (r *objectReader) Seek(offset int64, whence int) (int64, error) {
	off, err := SeekOffset(r.off, r.size, offset, whence)
	if err == nil {
		r.off = off
	}
	return off, err
}

// SeekOffset is where io.Seeker's Seek(offset, whence) goes in a blob of
// size bytes read up to cur: an offset past the end is allowed (reads
// there give io.EOF); a negative one or an unknown whence is an error.
func SeekOffset(cur, size, offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += cur
	case io.SeekEnd:
		offset += size
	default:
		return 0, errors.New("seek blob: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek blob: negative position")
	}
	return offset, nil
}

func (r *objectReader) Close() error {
	if r.body == nil {
		return nil
	}
	err := r.body.Close()
	r.body = nil
	return err
}
