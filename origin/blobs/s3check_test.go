package blobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/origin/blobs/miniotest"
)

// TestCheckAsksAgainAStoreStartingUp: a store answering 503 (MinIO's
// "Server not initialized yet, please try again" in its first moments,
// which failed a CI run's migrate) is asked again within Check's time; one
// that keeps answering 503 fails when that time ends, saying what it said.
func TestCheckAsksAgainAStoreStartingUp(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "segue")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "segue-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var asked, busyFor atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) <= busyFor.Load() {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>XMinioServerNotInitialized</Code><Message>Server not initialized yet, please try again.</Message></Error>`))
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`))
	}))
	defer srv.Close()
	store := miniotest.Open(t, "s3://bucket/p?endpoint="+srv.URL)

	busyFor.Store(3)
	if err := store.Check(context.Background()); err != nil || asked.Load() != 4 {
		t.Fatalf("Check of a store busy for 3 answers: %v after %d requests, want nil after 4", err, asked.Load())
	}
	asked.Store(0)
	busyFor.Store(1 << 30)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := store.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "Server not initialized yet") || asked.Load() < 2 {
		t.Fatalf("Check of a store that stays busy: %v after %d requests, want its words after asking again", err, asked.Load())
	}
}
