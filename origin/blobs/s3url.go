package blobs

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ErrBadURL is returned by ParseS3URL for a blob store URL it cannot use.
var ErrBadURL = errors.New("bad blob store URL")

// S3Location is where an S3 store keeps its blobs, parsed from
// s3://BUCKET/PREFIX?endpoint=URL&region=R.
type S3Location struct {
	Bucket string
	// Prefix is the key prefix, without leading or trailing slash; may be
	// empty.
	Prefix string
	// Endpoint is the S3 API's base URL (http or https), e.g. MinIO's;
	// empty means AWS's own endpoint for Region.
	Endpoint string
	// Region is the signing region; empty means the standard AWS
	// environment and config decide, else us-east-1.
	Region string
	// Presign, when positive, is how long the presigned URLs RedirectURL
	// hands out stay valid (1 s to 7 days, S3's SigV4 limit); zero: the
	// origin sends the bytes itself.
	Presign time.Duration
}

// ParseS3URL parses s3://BUCKET[/PREFIX][?endpoint=URL][&region=R][&presign=DURATION]. Bucket
// names follow S3's rules (3-63 characters of a-z, 0-9, '.' and '-',
// starting and ending with a letter or digit; source: the Amazon S3 user
// guide, "Bucket naming rules"). Errors wrap ErrBadURL and say what to fix.
func ParseS3URL(s string) (S3Location, error) {
	bad := func(why string) (S3Location, error) {
		return S3Location{}, fmt.Errorf("%w %q: %s (want s3://BUCKET/PREFIX?endpoint=URL&region=R)", ErrBadURL, s, why)
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(err.Error())
	}
	if u.Scheme != "s3" {
		return bad("the scheme must be s3")
	}
	if u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return bad("no user, opaque part or fragment allowed")
	}
	if !validBucket(u.Host) {
		return bad("the bucket name must be 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit")
	}
	loc := S3Location{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if strings.Contains(loc.Prefix, "//") {
		return bad("the prefix has an empty path element")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad(err.Error())
	}
	for k, v := range q {
		if len(v) != 1 {
			return bad("parameter " + k + " given more than once")
		}
		switch k {
		case "endpoint":
			e, err := url.Parse(v[0])
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return bad("endpoint must be an http:// or https:// URL")
			}
			loc.Endpoint = v[0]
		case "presign":
			d, err := time.ParseDuration(v[0])
			if err != nil || d < time.Second || d > 7*24*time.Hour || d%time.Second != 0 {
				return bad("presign must be a whole number of seconds from 1s to 168h, like 5m")
			}
			loc.Presign = d
		case "region":
			if v[0] == "" {
				return bad("region is empty")
			}
			loc.Region = v[0]
		default:
			return bad("unknown parameter " + k + " (known: endpoint, region, presign)")
		}
	}
	return loc, nil
}

// String returns loc as an s3:// URL that ParseS3URL reads back, written
// as a person would: the endpoint's ':' and '/' are not escaped
// (endpoint=http://127.0.0.1:9000, not endpoint=http%3A%2F%2F...).
func (loc S3Location) String() string {
	u := url.URL{Scheme: "s3", Host: loc.Bucket, Path: "/" + loc.Prefix}
	q := url.Values{}
	if loc.Endpoint != "" {
		q.Set("endpoint", loc.Endpoint)
	}
	if loc.Region != "" {
		q.Set("region", loc.Region)
	}
	if loc.Presign > 0 {
		q.Set("presign", loc.Presign.String())
	}
	u.RawQuery = strings.NewReplacer("%3A", ":", "%2F", "/").Replace(q.Encode())
	return u.String()
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && ((c != '.' && c != '-') || i == 0 || i == len(b)-1) {
			return false
		}
	}
	return true
}
