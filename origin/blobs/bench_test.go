package blobs_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// BenchmarkOpenRead reads one 100 KB segment (a 320k rendition's size)
// whole per op, from the filesystem and from a local MinIO.
func BenchmarkOpenRead(b *testing.B) {
	endpoint := miniotest.Start(b)
	loc, err := blobs.ParseS3URL("s3://bench?endpoint=" + endpoint)
	if err != nil {
		b.Fatal(err)
	}
	s3, err := blobs.OpenS3(context.Background(), loc)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		store blobs.Store
	}{{"fs", blobs.FS{Dir: filepath.Join(b.TempDir(), "blobs")}}, {"s3", s3}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			data := bytes.Repeat([]byte("segment "), 100_000/8)
			h, err := c.store.Put(ctx, data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				blob, err := c.store.Open(ctx, h)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, blob)
				blob.Close()
				if err != nil || n != int64(len(data)) {
					b.Fatalf("read %d bytes, %v", n, err)
				}
			}
		})
	}
}
