//go:build !segue_client

package cli

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"segue/origin/blobs"
)

// blobsFlagUsage is the --blobs help text of the origin commands.
const blobsFlagUsage = "blob store `URL`: s3://BUCKET/PREFIX?endpoint=URL&region=R[&presign=5m] for S3-compatible storage " +
	"(credentials from the standard AWS environment and config); default: DATA/blobs"

// addBlobsFlag adds --blobs to cmd, storing its value in spec.
func addBlobsFlag(cmd *cobra.Command, spec *string) {
	cmd.Flags().StringVar(spec, "blobs", "", blobsFlagUsage)
}

// blobsUse is how a command uses the blob store a flag of it names.
type blobsUse struct {
	what     string // the command, as its errors begin: "origin serve"
	flag     string // the flag naming the store: "--blobs"
	creates  bool   // it stores blobs, and its first Put creates a missing bucket
	readOnly bool   // it only reads blobs (GetObject), so may do without listing them
}

// openBlobs returns the store spec names, or nil (the origin's default,
// the data dir's blobs/) for "". A URL it cannot use is a usage error; an
// S3 store is checked (blobs.S3.Check) before the command starts, and one
// it cannot use is said in one sentence naming the setting at fault (a
// storeError). Credentials denied the listing only are a warning for a
// readOnly use.
func (a *app) openBlobs(ctx context.Context, use blobsUse, spec string) (blobs.Store, error) {
	if spec == "" {
		return nil, nil
	}
	loc, err := blobs.ParseS3URL(spec)
	if err != nil {
		return nil, &usageError{err}
	}
	s3, err := blobs.OpenS3(ctx, loc)
	if err != nil {
		return nil, err
	}
	err = s3.Check(ctx)
	var ce *blobs.CheckError
	switch {
	case err == nil, use.creates && errors.Is(err, blobs.ErrNoBucket):
		return s3, nil
	case use.readOnly && errors.As(err, &ce) && errors.Is(err, blobs.ErrAccessDenied):
		fmt.Fprintf(a.stderr, "segue: %s: it may not list it; going on, as reading its blobs may still be allowed\n", ce.Says)
		return s3, nil
	}
	return nil, explainBlobs(use, loc, err)
}

// explainBlobs returns err, from blobs.S3.Check of loc, as a storeError:
// what is wrong and what to do, naming use's flag. The SDK said
// "operation error S3: ListObjectsV2, https response error StatusCode:
// 403, RequestID: ..., api error InvalidAccessKeyId: ..." at the first
// blob, or (a serve) at the first request for one.
func explainBlobs(use blobsUse, loc blobs.S3Location, err error) error {
	var ce *blobs.CheckError
	if !errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", use.what, err)
	}
	var do string
	switch {
	case errors.Is(err, blobs.ErrNoCredentials):
		do = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to the store's keys"
	case errors.Is(err, blobs.ErrCredentialsRefused):
		do = "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the keys of AWS_PROFILE)"
	case errors.Is(err, blobs.ErrAccessDenied):
		do = "allow them s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on it, or check the bucket in " + use.flag
	case errors.Is(err, blobs.ErrNoBucket):
		do = fmt.Sprintf("create it (aws s3 mb s3://%s, or mc mb ALIAS/%[1]s; segue origin ingest --blobs creates it) or check the bucket in %s", loc.Bucket, use.flag)
	case errors.Is(err, blobs.ErrWrongRegion):
		do = "give the bucket's region as region= in " + use.flag
	case errors.Is(err, blobs.ErrUnreachable) && errors.As(err, new(*net.DNSError)):
		// no store can be started at a name that is not there
		do = "the host name does not resolve: check endpoint= in " + use.flag
	case errors.Is(err, blobs.ErrUnreachable) && loc.Endpoint != "":
		do = "start the store, or check endpoint= in " + use.flag
	case errors.Is(err, blobs.ErrUnreachable):
		do = "check the network, or give endpoint= in " + use.flag
	default:
		do = "check " + use.flag
	}
	return &storeError{plain: use.what + ": " + ce.Says + "; " + do, err: err}
}
