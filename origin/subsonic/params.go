package subsonic

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"segue/origin"
)

// params are a request's parameters: the query and a form body together
// (OpenSubsonic's formPost extension), each possibly repeated.
type params url.Values

// maxIDs bounds the IDs one request may list (id=..&id=..): more is
// refused, so a request's cost stays bounded.
const maxIDs = 500

// maxFormMemory is how much of a multipart/form-data body is held in
// memory: more than the origin lets a POST send (1 MiB), so no part of
// one is written to a temporary file.
const maxFormMemory = 4 << 20

// parseParams reads r's query and form body (bounded by the origin's
// request limits), urlencoded as OpenSubsonic's formPost says or
// multipart/form-data as browsers' FormData and curl -F send it (its
// values; any file in it is ignored).
func parseParams(r *http.Request) (params, error) {
	// the query and an urlencoded body first: ParseMultipartForm would
	// hide ParseForm's error behind ErrNotMultipart; and only a POST's
	// body, as ParseForm reads it, whatever a GET's Content-Type says
	err := r.ParseForm()
	if err == nil && r.Method == http.MethodPost {
		if err = r.ParseMultipartForm(maxFormMemory); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	if _, msg, ok := origin.BodyReadError(err); ok {
		return params(r.URL.Query()), errors.New(msg)
	} else if err != nil {
		return params(r.URL.Query()), fmt.Errorf("malformed parameters: %v", err)
	}
	return params(r.Form), nil
}

// get returns the first value of name, or "".
func (p params) get(name string) string { return url.Values(p).Get(name) }

// maxChangedBy bounds the app name (c) kept, in bytes (a play queue's
// changedBy, a now playing entry's playerName).
const maxChangedBy = 200

// app is the app's name (c), cut to maxChangedBy bytes.
func (p params) app() string {
	c := p.get("c")
	if len(c) > maxChangedBy {
		c = strings.ToValidUTF8(c[:maxChangedBy], "")
	}
	return c
}

// require returns name's value, or code 10 when it is missing or empty.
func (p params) require(name string) (string, *Response) {
	v := p.get(name)
	if v == "" {
		return "", failed(CodeMissingParam, "required parameter "+name+" is missing")
	}
	return v, nil
}

// validID reports whether id has the shape of a segue ID: 1 to 128
// letters, digits, - or _.
func validID(id string) bool {
	return len(id) > 0 && len(id) <= 128 && strings.IndexFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
	}) < 0
}

// id returns the required ID parameter name; code 70 when it cannot name
// anything.
func (p params) id(name string) (string, *Response) {
	v, res := p.require(name)
	if res != nil {
		return "", res
	}
	if !validID(v) {
		return "", failed(CodeNotFound, fmt.Sprintf("%s %q not found: IDs are letters, digits, - and _", name, v))
	}
	return v, nil
}

// ids returns every value of name (none is fine), each a valid ID, at
// most maxIDs of them.
func (p params) ids(name string) ([]string, *Response) { return p.idsUpTo(name, maxIDs) }

// idsUpTo is ids with at most most values.
func (p params) idsUpTo(name string, most int) ([]string, *Response) {
	vs := p[name]
	if len(vs) > most {
		return nil, failed(CodeGeneric, fmt.Sprintf("%d values of %s: give at most %d", len(vs), name, most))
	}
	for _, v := range vs {
		if !validID(v) {
			return nil, failed(CodeNotFound, fmt.Sprintf("%s %q not found: IDs are letters, digits, - and _", name, v))
		}
	}
	return vs, nil
}

// integer returns name as a whole number from lo to hi, def when absent.
func (p params) integer(name string, def, lo, hi int) (int, *Response) {
	v := p.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, failed(CodeGeneric, fmt.Sprintf("%s %q: want a whole number from %d to %d", name, v, lo, hi))
	}
	return n, nil
}

// atMost is integer for a count of items that are no page an app reads on
// from (random songs, similar songs): above hi it is hi, the most answered,
// rather than refused. Its refusal names lo and hi, not the largest
// integer it would take.
func (p params) atMost(name string, def, lo, hi int) (int, *Response) {
	n, res := p.integer(name, def, lo, math.MaxInt)
	if res != nil {
		v := p.get(name)
		return 0, failed(CodeGeneric, fmt.Sprintf("%s %q: want a whole number of at least %d (%d or more answers %d)", name, v, lo, hi, hi))
	}
	return min(n, hi), nil
}

// seconds returns name, a decimal number of seconds from 0 to hi ("3",
// "3.5", as clients seek), as a duration rounded to the millisecond; def
// when absent. Exponents, signs, NaN and infinities are refused.
func (p params) seconds(name string, def time.Duration, hi int) (time.Duration, *Response) {
	v := p.get(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !decimal.MatchString(v) || f > float64(hi) {
		return 0, failed(CodeGeneric, fmt.Sprintf("%s %q: want a number of seconds from 0 to %d, like 3 or 3.5", name, v, hi))
	}
	return time.Duration(math.Round(f*1000)) * time.Millisecond, nil
}

// decimal is a number written with digits and at most one point.
var decimal = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// integers returns every value of name as a whole number of at least 0,
// at most maxIDs of them.
func (p params) integers(name string) ([]int64, *Response) { return p.integersUpTo(name, maxIDs) }

// integersUpTo is integers with at most most values.
func (p params) integersUpTo(name string, most int) ([]int64, *Response) {
	vs := p[name]
	if len(vs) > most {
		return nil, failed(CodeGeneric, fmt.Sprintf("%d values of %s: give at most %d", len(vs), name, most))
	}
	out := make([]int64, len(vs))
	for i, v := range vs {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, failed(CodeGeneric, fmt.Sprintf("%s %q: want a whole number of at least 0", name, v))
		}
		out[i] = n
	}
	return out, nil
}

// boolean returns name as true or false, def when absent.
func (p params) boolean(name string, def bool) (bool, *Response) {
	v := p.get(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, failed(CodeGeneric, fmt.Sprintf("%s %q: want true or false", name, v))
	}
	return b, nil
}
