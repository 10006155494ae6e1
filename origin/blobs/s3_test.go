package blobs_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
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

// TestS3StatIsOneHEAD: Stat asks the bucket with one HEAD and no GET, so
// learning whether a blob is there (a share page's cover) transfers no
// body, whether the blob is there or not. The requests are counted by a
// real proxy between the store and MinIO.
func TestS3StatIsOneHEAD(t *testing.T) {
	ctx := context.Background()
	c := miniotest.Count(t, miniotest.Start(t))
	s := miniotest.Open(t, "s3://stat/p?endpoint="+c.Endpoint)
	d := bytes.Repeat([]byte("a large cover "), 100_000)
	h, err := s.Put(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	c.Take()
	if size, ok, err := s.Stat(ctx, h); err != nil || !ok || size != int64(len(d)) {
		t.Fatalf("Stat of a stored blob = %d, %v, %v; want %d, true, nil", size, ok, err, len(d))
	}
	if got := c.Take(); !maps.Equal(got, map[string]int{"HEAD": 1}) {
		t.Errorf("Stat of a stored blob made the requests %v; want one HEAD", got)
	}
	if _, ok, err := s.Stat(ctx, blobs.Hash([]byte("never stored"))); err != nil || ok {
		t.Fatalf("Stat of a missing blob = %v, %v; want false, nil", ok, err)
	}
	if got := c.Take(); !maps.Equal(got, map[string]int{"HEAD": 1}) {
		t.Errorf("Stat of a missing blob made the requests %v; want one HEAD", got)
	}
	nobucket := miniotest.Open(t, "s3://no-such-bucket?endpoint="+c.Endpoint)
	if _, ok, err := nobucket.Stat(ctx, h); err != nil || ok {
		t.Fatalf("Stat in a missing bucket = %v, %v; want false, nil", ok, err)
	}
}

// TestS3StatRefused: a store that refuses the credentials is an error
// from Stat, not a missing blob.
func TestS3StatRefused(t *testing.T) {
	ctx := context.Background()
	endpoint := miniotest.Start(t)
	s := miniotest.Open(t, "s3://refused?endpoint="+endpoint)
	h, err := s.Put(ctx, []byte("there"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	wrong := miniotest.Open(t, "s3://refused?endpoint="+endpoint)
	if _, ok, err := wrong.Stat(ctx, h); err == nil || ok {
		t.Fatalf("Stat with a wrong secret = %v, %v; want false and an error", ok, err)
	}
}
