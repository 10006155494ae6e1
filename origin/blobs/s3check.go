package blobs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// checkTimeout bounds Check: the credentials (which may mean asking the
// EC2 instance metadata) and one listing request.
const checkTimeout = 15 * time.Second

// checkRetry is how long Check waits before asking again a store that
// answered 5xx: MinIO answers 503 "Server not initialized yet, please try
// again" for its first moments after it listens (seen in a CI run), as a
// store started beside segue (docker compose) would.
const checkRetry = 250 * time.Millisecond

// busy says whether err is a store's 5xx answer, which asking again may
// cure.
func busy(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= 500
}

// sleepCtx waits d, or returns ctx's error when it ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// CheckError is an S3 store that Check found unusable. Says is why, as a
// clause a person reads that names the setting at fault (the access key
// ID, the bucket, the endpoint's host) and never the secret; Kind is one
// of ErrNoCredentials, ErrCredentialsRefused, ErrAccessDenied, ErrNoBucket,
// ErrWrongRegion and ErrUnreachable, or nil for another failure; Err is
// the SDK's own error, for the log.
type CheckError struct {
	Kind error
	Says string
	Err  error
}

func (e *CheckError) Error() string { return "check blob store: " + e.Says + ": " + e.Err.Error() }

// Unwrap returns Kind (when set) and Err, for errors.Is and errors.As.
func (e *CheckError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Check asks the store for one key of its prefix (ListObjectsV2, at most
// 15 s with finding the credentials; an answer of 5xx, a store starting up
// or overloaded, is asked again every checkRetry), so that a command
// refuses to start on a store it cannot use rather than failing at its
// first blob. The error is a *CheckError. A missing bucket is
// ErrNoBucket, though Put would create it: whether that is fine is the
// caller's to say.
func (b *S3) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	where := b.where()
	var keyID string
	if p := b.client.Options().Credentials; p != nil {
		creds, err := p.Retrieve(ctx)
		if err != nil {
			return &CheckError{Kind: ErrNoCredentials, Err: err,
				Says: "found no AWS credentials for " + where + " (none in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/)"}
		}
		keyID = creds.AccessKeyID
	}
	prefix := ""
	if b.loc.Prefix != "" {
		prefix = b.loc.Prefix + "/"
	}
	var err error
	for {
		_, err = b.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b.loc.Bucket, Prefix: &prefix, MaxKeys: aws.Int32(1)},
			func(o *s3.Options) { o.RetryMaxAttempts = 1 })
		if err == nil {
			return nil
		}
		if !busy(err) || sleepCtx(ctx, checkRetry) != nil {
			break
		}
	}
	var (
		ae   smithy.APIError
		dns  *net.DNSError
		ne   net.Error
		kind error
		says string
	)
	switch {
	case isCode(err, "NoSuchBucket"):
		kind, says = ErrNoBucket, fmt.Sprintf("%s has no bucket %q", where, b.loc.Bucket)
	case isCode(err, "InvalidAccessKeyId", "InvalidClientTokenId"):
		kind, says = ErrCredentialsRefused, fmt.Sprintf("%s refused the credentials: it does not know the access key ID %q", where, keyID)
	case isCode(err, "SignatureDoesNotMatch"):
		kind, says = ErrCredentialsRefused, fmt.Sprintf("%s refused the credentials: the secret access key is not the one of the access key ID %q", where, keyID)
	case isCode(err, "ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
		kind, says = ErrCredentialsRefused, fmt.Sprintf("%s refused the credentials of the access key ID %q: their session token is expired or not valid", where, keyID)
	case isCode(err, "AccessDenied", "AllAccessDisabled"):
		kind, says = ErrAccessDenied, fmt.Sprintf("%s denies the access key ID %q the bucket %q", where, keyID, b.loc.Bucket)
	case isCode(err, "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException"):
		kind, says = ErrWrongRegion, fmt.Sprintf("%s keeps the bucket %q in another region than %s", where, b.loc.Bucket, b.client.Options().Region)
	case errors.As(err, &ae):
		says = fmt.Sprintf("%s refused to list the bucket %q: %s", where, b.loc.Bucket, ae.ErrorMessage())
	case errors.Is(err, syscall.ECONNREFUSED):
		kind, says = ErrUnreachable, where+" is unreachable: nothing listens there (connection refused)"
	case errors.As(err, &dns):
		kind, says = ErrUnreachable, fmt.Sprintf("the host name %s of %s is not found", dns.Name, where)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		kind, says = ErrUnreachable, where+" did not answer in time"
	default: // TLS refused, a dropped connection: the innermost words say it
		root := err
		for next := errors.Unwrap(root); next != nil; next = errors.Unwrap(root) {
			root = next
		}
		says = where + " cannot be used: " + root.Error()
	}
	return &CheckError{Kind: kind, Says: says, Err: err}
}

// where names the store for a person: the endpoint's host:port, or AWS S3
// and its region.
func (b *S3) where() string {
	if b.loc.Endpoint != "" {
		if u, err := url.Parse(b.loc.Endpoint); err == nil && u.Host != "" {
			return "the S3 endpoint " + u.Host
		}
		return "the S3 endpoint " + b.loc.Endpoint
	}
	return "AWS S3 (region " + b.client.Options().Region + ")"
}
