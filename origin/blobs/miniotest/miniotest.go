// Package miniotest starts a real MinIO server for tests: on a free
// loopback port, with its data in a temp dir, stopped when the test ends.
// The binary is built once per machine by `make deps` (go install
// github.com/minio/minio into ~/.cache/segue/bin); a missing binary fails
// the test with what to run, it never skips.
package miniotest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin/blobs"
)

// Credentials of the test server's root user; Start puts them into the
// standard AWS environment variables too.
const (
	AccessKey = "segue-test"
	SecretKey = "segue-test-secret"
)

// Binary returns the MinIO binary: $SEGUE_MINIO, else
// ~/.cache/segue/bin/minio (where `make deps` builds it), else minio on
// PATH.
func Binary() (string, error) {
	if p := os.Getenv("SEGUE_MINIO"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "segue", "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("minio")
	if err != nil {
		return "", fmt.Errorf("no MinIO binary in $SEGUE_MINIO, ~/.cache/segue/bin or PATH: run `make deps`")
	}
	return p, nil
}

// Start runs MinIO for the rest of t and returns its endpoint
// (http://127.0.0.1:PORT). It sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_REGION for t (so t must not be parallel) and isolates t from the
// user's AWS config files.
func Start(t testing.TB) string {
	t.Helper()
	return Run(t).Endpoint
}

// Server is a MinIO server a test can stop and start again (an outage of
// the blob store) on the same address and data.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT

	t            testing.TB
	bin, dir     string
	api, console string
	cmd          *exec.Cmd
	exited       chan error // receives once when cmd ends
	logf         *os.File
}

// Run is Start returning the server itself, for tests that stop it.
func Run(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), api: testkit.FreeAddr(t), console: testkit.FreeAddr(t)}
	s.Endpoint = "http://" + s.api
	s.Start()
	t.Cleanup(s.Stop)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(s.dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(s.dir, "aws-credentials"))
	return s
}

// Start starts the stopped server and returns once it answers its cluster
// health check (within 60 s, or the test fails with MinIO's log). Its
// liveness check (/minio/health/live) answers 200 as soon as it listens,
// before its object layer and IAM are up: an S3 request then got 503
// ServiceUnavailable, seen under load in CI. /minio/health/cluster is
// 503 until both are (checkHealth in MinIO's cmd/healthcheck-handler.go).
func (s *Server) Start() {
	t := s.t
	t.Helper()
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.api, "--console-address", s.console, filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey, "MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "HOME="+s.dir)
	logf, err := os.OpenFile(filepath.Join(s.dir, "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start MinIO %s: %v", s.bin, err)
	}
	s.cmd, s.logf, s.exited = cmd, logf, make(chan error, 1)
	go func() { s.exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint + "/minio/health/cluster")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-s.exited:
			s.cmd = nil
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("MinIO exited before it was ready: %v\n%s", err, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("MinIO not ready after 60 s:\n%s", log)
		}
	}
}

// Stop kills the server and waits for it to end; stopping a stopped
// server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.logf.Close()
	s.cmd = nil
}

// Open opens the S3 store of spec, an s3:// URL (blobs.ParseS3URL's form),
// failing the test when it cannot.
func Open(t testing.TB, spec string) *blobs.S3 {
	t.Helper()
	loc, err := blobs.ParseS3URL(spec)
	if err != nil {
		t.Fatal(err)
	}
	s3, err := blobs.OpenS3(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	return s3
}
