//go:build !segue_client

package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin/blobs/miniotest"
)

// TestUnusableBlobStoreSaidPlainly: an S3 store (real MinIO) that cannot
// be used is found before origin serve, ingest, remove and migrate start,
// and said in one line naming the setting at fault and what to do. They
// found it at the first blob (serve at a listener's first request, while
// it served on), in the SDK's words ("operation error S3: ListObjectsV2,
// https response error StatusCode: 403, RequestID: ..., api error
// InvalidAccessKeyId: ..."). Each command runs as the segue binary, so
// whatever the SDK writes to stderr by itself would show.
func TestUnusableBlobStoreSaidPlainly(t *testing.T) {
	bin := segueBinary(t)
	endpoint := miniotest.Start(t)
	host := strings.TrimPrefix(endpoint, "http://")
	good := "s3://segue-blobs/music?endpoint=" + endpoint
	if _, err := miniotest.Open(t, good).Put(context.Background(), []byte("a blob, so the bucket is there")); err != nil {
		t.Fatal(err)
	}
	noBucket := "s3://no-such-bucket/music?endpoint=" + endpoint
	closed := testkit.RefusedAddr(t)
	// An EC2 instance metadata service that refuses every request, as
	// the address 169.254.169.254 answered on the machine this was found
	// on: the SDK, finding no credentials elsewhere, asks it and wrote
	// "SDK ... WARN falling back to IMDSv1: ..." to stderr by itself.
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	noKeys := []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="}
	config, _ := ingestEnv(t)
	data, lib := newEmptyOrigin(t), t.TempDir()
	serve := []string{"origin", "serve", "--addr", "127.0.0.1:0", "--data", data, "--blobs"}
	refused := "the S3 endpoint " + host + " refused the credentials: "
	checkKeys := "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the keys of AWS_PROFILE)"
	for _, c := range []struct {
		name string
		env  []string // over the MinIO's good credentials
		args []string
		says string
	}{
		{"serve with an access key the store does not know", []string{"AWS_ACCESS_KEY_ID=nobody-key"}, append(serve, good),
			"origin serve: " + refused + `it does not know the access key ID "nobody-key"` + checkKeys},
		{"ingest with a wrong secret", []string{"AWS_SECRET_ACCESS_KEY=not-the-secret"}, []string{"origin", "ingest", lib, "--blobs", good},
			"ingest: " + refused + `the secret access key is not the one of the access key ID "` + miniotest.AccessKey + `"` + checkKeys},
		{"serve with no credentials at all", append(noKeys, "AWS_EC2_METADATA_DISABLED=true"), append(serve, good),
			"origin serve: found no AWS credentials for the S3 endpoint " + host + " (none in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/); " +
				"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to the store's keys"},
		{"ingest with no credentials but those the instance metadata refuses", append(noKeys, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+imds.URL),
			[]string{"origin", "ingest", lib, "--blobs", good}, "ingest: found no AWS credentials for the S3 endpoint " + host},
		{"serve of a bucket that is not there", nil, append(serve, noBucket),
			"origin serve: the S3 endpoint " + host + ` has no bucket "no-such-bucket"; create it (aws s3 mb s3://no-such-bucket, or mc mb ALIAS/no-such-bucket; ` +
				"segue origin ingest --blobs creates it) or check the bucket in --blobs"},
		{"remove from a bucket that is not there", nil, []string{"origin", "remove", "--folder", lib, "--data", data, "--blobs", noBucket},
			"origin remove: the S3 endpoint " + host + ` has no bucket "no-such-bucket"; create it`},
		{"migrate to an endpoint nothing listens on", nil,
			[]string{"origin", "migrate", "--from", data, "--to-catalog", "postgres://segue@127.0.0.1:1/segue", "--to-blobs", "s3://segue-blobs?endpoint=http://" + closed},
			"migrate: the S3 endpoint " + closed + " is unreachable: nothing listens there (connection refused); start the store, or check endpoint= in --to-blobs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			errOut, code := runRefused(t, bin, append([]string{"--config", config}, c.args...), c.env)
			msg := checkFailure(t, c.name, errOut, code, ExitError)
			if !strings.HasPrefix(msg, c.says) {
				t.Errorf("segue %s:\n%q\nwant it to begin\n%q", strings.Join(c.args, " "), msg, c.says)
			}
			for _, words := range []string{"operation error", "api error", "StatusCode", "RequestID", "SDK", "not-the-secret"} {
				if strings.Contains(errOut, words) {
					t.Errorf("segue %s says %q: %q", strings.Join(c.args, " "), words, errOut)
				}
			}
		})
	}
}

// runRefused runs segue bin with args and env (NAME=value, over the
// test's own) and returns its stderr and exit status once it ends. A
// command that starts serving instead was not refused: it is stopped
// and the test fails.
func runRefused(t *testing.T, bin string, args, env []string) (stderr string, code int) {
	t.Helper()
	var out testkit.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+filepath.Join(t.TempDir(), "state"))
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { cmd.Wait(); close(ended) }()
	deadline := time.After(time.Minute)
	for {
		select {
		case <-ended:
			return out.String(), cmd.ProcessState.ExitCode()
		case <-deadline:
		case <-time.After(20 * time.Millisecond):
			if !strings.Contains(out.String(), "origin serving") {
				continue
			}
		}
		cmd.Process.Kill()
		<-ended
		t.Fatalf("segue %s was not refused; it ran on:\n%s", strings.Join(args, " "), out.String())
	}
}

// TestBlobStoreHostNotResolving: an S3 endpoint whose host name does not
// resolve says so, and to check endpoint=; it said "start the store", as
// for an endpoint nothing listens on, when no store can be started at a
// name that is not there. A .invalid name never resolves (RFC 6761), so
// this needs no network.
func TestBlobStoreHostNotResolving(t *testing.T) {
	bin := segueBinary(t)
	config, _ := ingestEnv(t)
	args := []string{"--config", config, "origin", "migrate", "--from", newEmptyOrigin(t),
		"--to-catalog", "postgres://segue@127.0.0.1:1/segue", "--to-blobs", "s3://segue-blobs?endpoint=http://segue-store.invalid:9000"}
	errOut, code := runRefused(t, bin, args, []string{"AWS_ACCESS_KEY_ID=k", "AWS_SECRET_ACCESS_KEY=s", "AWS_EC2_METADATA_DISABLED=true"})
	msg := checkFailure(t, "migrate to a host name that does not resolve", errOut, code, ExitError)
	want := "migrate: the host name segue-store.invalid of the S3 endpoint segue-store.invalid:9000 is not found; " +
		"the host name does not resolve: check endpoint= in --to-blobs"
	if msg != want {
		t.Errorf("segue %s:\n%q\nwant\n%q", strings.Join(args, " "), msg, want)
	}
}
