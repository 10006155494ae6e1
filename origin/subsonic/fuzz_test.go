package subsonic

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthenticate parses any query string and authenticates it against a
// real user store: the parser never panics, a refusal is one of the
// spec's codes, and a request is let in only when it carries alice's API
// key alone, or her name (in any case) with her password (plain or enc:hex) or a token
// that is md5(password + salt).
func FuzzAuthenticate(f *testing.F) {
	fx := newFixture(f)
	api, err := New(fx.srv, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tokenAuth("abc").Encode())
	f.Add("u=alice&p=" + url.QueryEscape(alicePassword))
	f.Add("u=alice&p=enc:" + hex.EncodeToString([]byte(alicePassword)))
	f.Add("apiKey=" + fx.apiKey)
	f.Add("apiKey=" + fx.apiKey + "&u=alice")
	f.Add("u=alice&p=%zz")
	f.Add("u=alice&t=&s=x")
	f.Add("u=alice&p=enc:ZZ&p=x")
	f.Add("")
	f.Add("u=ALICE&p=" + url.QueryEscape(alicePassword))
	f.Add("u=+alice&p=" + url.QueryEscape(alicePassword))
	// isAlice says whether a u names alice: her name in any case
	// (authenticate folds it as her ID does), but no spaces around it
	isAlice := func(name string) bool {
		return name == alice || strings.TrimSpace(name) == name && nameKey(name) == nameKey(alice)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/rest/ping", RawQuery: raw}}
		p, err := parseParams(r)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "malformed parameters") {
				t.Fatalf("parse %q: %v", raw, err)
			}
			return
		}
		acc, res := api.authenticate(t.Context(), p)
		if res != nil {
			switch res.Error.Code {
			case CodeMissingParam, CodeWrongCredential, CodeAuthUnsupported, CodeAuthConflict, CodeBadAPIKey:
			default:
				t.Fatalf("%q: code %d (%s)", raw, res.Error.Code, res.Error.Message)
			}
			return
		}
		q := url.Values(p)
		key, name, pass, token, salt := q.Get("apiKey"), q.Get("u"), q.Get("p"), q.Get("t"), q.Get("s")
		sum := md5.Sum([]byte(alicePassword + salt))
		byKey := key == fx.apiKey && name == "" && pass == "" && token == ""
		byPass := key == "" && isAlice(name) && token == "" &&
			(pass == alicePassword || pass == "enc:"+hex.EncodeToString([]byte(alicePassword)) ||
				strings.EqualFold(pass, "enc:"+hex.EncodeToString([]byte(alicePassword))))
		byToken := key == "" && isAlice(name) && pass == "" && salt != "" && strings.EqualFold(token, hex.EncodeToString(sum[:]))
		if !byKey && !byPass && !byToken || acc.name != alice {
			t.Fatalf("%q let in as %q without alice's credentials", raw, acc.name)
		}
	})
}

// FuzzMethods calls every method with any parameters (signed in with
// alice's API key) through the origin's whole handler: nothing panics, the
// status is one the API answers with, and an XML answer decodes with a
// known status and, when failed, one of the spec's codes (50: a method
// for a role alice lacks, as getUsers).
func FuzzMethods(f *testing.F) {
	fx := newFixture(f)
	h := fx.srv.Handler()
	var methods []string
	api, err := New(fx.srv, Options{})
	if err != nil {
		f.Fatal(err)
	}
	for m := range api.handlers {
		methods = append(methods, m)
	}
	tr, al := fx.tracks["Morning Tide"], fx.albums["First Light"]
	for i, q := range []string{"id=" + tr.ID, "id=" + al.ID, "id=" + al.ArtistID, "type=byYear&fromYear=1&toYear=3000",
		"query=mo&songCount=1&songOffset=9", "name=x&songId=" + tr.ID, "playlistId=pl1&songIndexToRemove=-1", "id=" + tr.ID + "&time=1&submission=no",
		"maxBitRate=-5&id=" + tr.ID, "f=json", "f=jsonp&callback=x</script>", "id=%00"} {
		f.Add(uint8(i), q)
	}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		method := methods[int(which)%len(methods)]
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: Prefix + method, RawQuery: raw + "&apiKey=" + fx.apiKey},
			Header: http.Header{}, RemoteAddr: "127.0.0.1:1", Body: http.NoBody}
		req = req.WithContext(t.Context())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusPartialContent, http.StatusBadRequest, http.StatusRequestedRangeNotSatisfiable,
			http.StatusTooManyRequests: // a fuzzed apiKey= before alice's is refused, and counted
		default:
			t.Fatalf("%s?%s: HTTP %d %s", method, raw, rec.Code, rec.Body.Bytes())
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") {
			return
		}
		var r Response
		if err := xml.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("%s?%s: %v in %s", method, raw, err, rec.Body.Bytes())
		}
		if r.Status == "ok" {
			return
		}
		switch {
		case r.Status != "failed" || r.Error == nil:
			t.Fatalf("%s?%s: status %q, error %+v", method, raw, r.Status, r.Error)
		case r.Error.Code != CodeGeneric && r.Error.Code != CodeMissingParam && r.Error.Code != CodeNotFound &&
			r.Error.Code != CodeAuthConflict && r.Error.Code != CodeBadAPIKey && r.Error.Code != CodeNotAuthorized:
			t.Fatalf("%s?%s: code %d (%s)", method, raw, r.Error.Code, r.Error.Message)
		}
	})
}

// FuzzScaleCover scales any bytes stored as a JPEG or PNG cover: it never
// panics, and a scaled answer decodes, in the stored format, to an image
// that fits size x size and is smaller than the one given.
func FuzzScaleCover(f *testing.F) {
	for _, enc := range []func(io.Writer, image.Image) error{
		func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }, png.Encode,
	} {
		var b bytes.Buffer
		if err := enc(&b, image.NewRGBA(image.Rect(0, 0, 30, 7))); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), 10)
		f.Add(b.Bytes(), 1)
		f.Add(b.Bytes(), 40)
	}
	f.Fuzz(func(t *testing.T, data []byte, size int) {
		if size < 1 || size > 4096 {
			return
		}
		for _, mime := range []string{"image/jpeg", "image/png"} {
			out, err := scaleCover(data, mime, size)
			if err != nil || out == nil {
				continue
			}
			in, _, _ := image.DecodeConfig(bytes.NewReader(data))
			got, format, err := image.DecodeConfig(bytes.NewReader(out))
			if err != nil || "image/"+format != mime {
				t.Fatalf("scaled %s to %d: %s, %v", mime, size, format, err)
			}
			if got.Width > size || got.Height > size || got.Width < 1 || got.Height < 1 || got.Width*got.Height >= in.Width*in.Height {
				t.Fatalf("scaled a %dx%d %s to %d: %dx%d", in.Width, in.Height, mime, size, got.Width, got.Height)
			}
		}
	})
}
