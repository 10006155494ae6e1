package blobs_test

import (
	"errors"
	"testing"
	"time"

	"segue/origin/blobs"
)

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want blobs.S3Location
	}{
		{"s3://music", blobs.S3Location{Bucket: "music"}},
		{"s3://music/", blobs.S3Location{Bucket: "music"}},
		{"s3://my.music-1/segue/blobs/", blobs.S3Location{Bucket: "my.music-1", Prefix: "segue/blobs"}},
		{"s3://music/p?endpoint=http://127.0.0.1:9000&region=eu-west-1",
			blobs.S3Location{Bucket: "music", Prefix: "p", Endpoint: "http://127.0.0.1:9000", Region: "eu-west-1"}},
		{"s3://music?presign=5m", blobs.S3Location{Bucket: "music", Presign: 5 * time.Minute}},
	} {
		got, err := blobs.ParseS3URL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseS3URL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", "music", "/srv/blobs", "file:///srv/blobs", "s3://", "s3://ab", "s3://Music", "s3://-music",
		"s3://music-", "s3://mu_sic", "s3://u:p@music", "s3://music/a//b", "s3://music?endpoint=ftp://x",
		"s3://music?endpoint=", "s3://music?region=", "s3://music?bucket=x", "s3://music?region=a&region=b",
		"s3://music#frag", "s3://music:9000/x", "s3://music?presign=0s", "s3://music?presign=1.5s",
		"s3://music?presign=200h", "s3://music?presign=soon",
	} {
		if _, err := blobs.ParseS3URL(in); !errors.Is(err, blobs.ErrBadURL) {
			t.Errorf("ParseS3URL(%q): %v, want ErrBadURL", in, err)
		}
	}
}

// FuzzParseS3URL: any input either fails with ErrBadURL or gives a location
// whose String parses back to itself.
func FuzzParseS3URL(f *testing.F) {
	f.Add("s3://music/segue?endpoint=http://127.0.0.1:9000&region=us-east-1")
	f.Add("s3://a.b-c/x/y/")
	f.Fuzz(func(t *testing.T, in string) {
		loc, err := blobs.ParseS3URL(in)
		if err != nil {
			if !errors.Is(err, blobs.ErrBadURL) {
				t.Fatalf("ParseS3URL(%q): %v, not ErrBadURL", in, err)
			}
			return
		}
		back, err := blobs.ParseS3URL(loc.String())
		if err != nil || back != loc {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", in, loc, loc.String(), back, err)
		}
	})
}
