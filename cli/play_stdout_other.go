//go:build !unix

package cli

import (
	"context"
	"io"
)

// untilStdoutCloses gives ctx back unchanged where stdout cannot be polled.
func untilStdoutCloses(ctx context.Context, _ io.Writer) (context.Context, func()) {
	return ctx, func() {}
}
