//go:build !segue_client

package cli

import (
	"context"

	"github.com/spf13/cobra"

	"segue/origin/blobs"
)

// blobsFlagUsage is the --blobs help text of the origin commands.
const blobsFlagUsage = "blob store: s3://BUCKET/PREFIX?endpoint=URL&region=R[&presign=5m] for S3-compatible storage " +
	"(credentials from the standard AWS environment and config); default: DATA/blobs"

// addBlobsFlag adds --blobs to cmd, storing its value in spec.
func addBlobsFlag(cmd *cobra.Command, spec *string) {
	cmd.Flags().StringVar(spec, "blobs", "", blobsFlagUsage)
}

// openBlobs returns the store --blobs names, or nil (the origin's default,
// the data dir's blobs/) for "". A URL it cannot use is a usage error.
func openBlobs(ctx context.Context, spec string) (blobs.Store, error) {
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
	return s3, nil
}
