package blobs_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

var bucketSeq atomic.Int64

// TestS3 runs the contract against a real MinIO; every case gets a bucket
// that does not exist yet, so the first Put also proves bucket creation.
func TestS3(t *testing.T) {
	endpoint := miniotest.Start(t)
	testStore(t, func(t *testing.T) blobs.Store {
		return miniotest.Open(t, fmt.Sprintf("s3://segue-%d/some/prefix?endpoint=%s", bucketSeq.Add(1), endpoint))
	})
}

// TestS3PrefixIsolation: two stores in one bucket under different prefixes
// see only their own blobs.
func TestS3PrefixIsolation(t *testing.T) {
	endpoint := miniotest.Start(t)
	ctx := context.Background()
	a := miniotest.Open(t, "s3://shared/a?endpoint="+endpoint)
	b := miniotest.Open(t, "s3://shared/b/c?endpoint="+endpoint+"&region=us-east-1")
	ha, err := a.Put(ctx, []byte("in a"))
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.Put(ctx, []byte("in b"))
	if err != nil {
		t.Fatal(err)
	}
	if got := walk(t, a); !slices.Equal(got, []string{ha}) {
		t.Fatalf("store a walks %v, want only %s", got, ha)
	}
	if got := walk(t, b); !slices.Equal(got, []string{hb}) {
		t.Fatalf("store b walks %v, want only %s", got, hb)
	}
}
