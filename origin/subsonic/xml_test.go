package subsonic

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin"
)

// openSubsonicAttrs are the envelope attributes OpenSubsonic adds, which
// the Subsonic XSD does not know (see testdata/README.md).
var openSubsonicAttrs = regexp.MustCompile(` (type|serverVersion|openSubsonic)="[^"]*"`)

// navidromeAttrs are attributes segue answers as Navidrome does, which
// the Subsonic XSD does not know: scanStatus' lastScan.
var navidromeAttrs = regexp.MustCompile(`(<scanStatus [^>]*) lastScan="[^"]*"`)

// validateXML checks an XML answer against the Subsonic XSD with xmllint,
// after taking out OpenSubsonic's envelope attributes (root tag only).
func validateXML(t *testing.T, name string, body []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is required: make deps (Debian libxml2-utils)")
	}
	start := bytes.Index(body, []byte("<subsonic-response"))
	end := bytes.IndexByte(body[max(start, 0):], '>') + max(start, 0)
	if start < 0 || end < start {
		t.Fatalf("%s: no subsonic-response element in %s", name, body)
	}
	root := openSubsonicAttrs.ReplaceAll(body[start:end], nil)
	doc := append(append(append([]byte{}, body[:start]...), root...), body[end:]...)
	doc = navidromeAttrs.ReplaceAll(doc, []byte("$1"))
	path := filepath.Join(t.TempDir(), "answer.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", "testdata/subsonic-rest-api.xsd", path).CombinedOutput()
	if err != nil {
		t.Errorf("%s does not validate against the Subsonic XSD: %v\n%s\n%s", name, err, out, doc)
	}
}

// TestXMLAnswersValidate validates the XML answer of every method that
// answers with a document (and an error answer) against the Subsonic XSD.
func TestXMLAnswersValidate(t *testing.T) {
	f := newFixture(t)
	song, album := f.tracks["Sunrise Over Water"], f.albums["First Light"]
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {song.ID}, "albumId": {album.ID}, "artistId": {album.ArtistID}}))
	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {song.ID}}))
	created := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Mix"}, "songId": {song.ID, f.tracks["Moonlight Highway"].ID}})
	mustOK(t, "createPlaylist", created)
	calls := []struct {
		method string
		q      url.Values
	}{
		{"ping", nil},
		{"getLicense", nil},
		{"getMusicFolders", nil},
		{"getUser", url.Values{"username": {alice}}},
		{"getGenres", nil},
		{"getScanStatus", nil},
		{"getIndexes", nil},
		{"getIndexes", url.Values{"ifModifiedSince": {"99999999999999"}}}, // no artists: nothing changed since
		{"getArtists", nil},
		{"getMusicDirectory", url.Values{"id": {album.ArtistID}}},
		{"getMusicDirectory", url.Values{"id": {album.ID}}},
		{"getArtist", url.Values{"id": {album.ArtistID}}},
		{"getAlbum", url.Values{"id": {album.ID}}},
		{"getSong", url.Values{"id": {song.ID}}},
		{"getAlbumList2", url.Values{"type": {"alphabeticalByName"}}},
		{"getAlbumList2", url.Values{"type": {"starred"}}},
		{"getRandomSongs", nil},
		{"search3", url.Values{"query": {"sun"}}},
		{"search3", url.Values{"query": {""}}},
		{"getPlaylists", nil},
		{"getPlaylist", url.Values{"id": {created.Playlist.ID}}},
		{"getStarred2", nil},
		{"getStarred", nil},
		{"getAlbumList", url.Values{"type": {"newest"}}},
		{"search2", url.Values{"query": {"light"}}},
		{"getSimilarSongs2", url.Values{"id": {album.ArtistID}}},
		{"getSimilarSongs", url.Values{"id": {song.ID}}},
		{"getTopSongs", url.Values{"artist": {"Alpha Artist"}}},
		{"getArtistInfo2", url.Values{"id": {album.ArtistID}}},
		{"getArtistInfo", url.Values{"id": {album.ArtistID}}},
		{"getAlbumInfo2", url.Values{"id": {album.ID}}},
		{"getAlbumInfo", url.Values{"id": {song.ID}}},
		{"getAlbum", url.Values{"id": {"alnothing"}}},   // error 70
		{"getAlbum", nil},                               // error 10
		{"ping", url.Values{"u": {alice}, "p": {"no"}}}, // error 40
	}
	for _, c := range calls {
		_, body := f.xmlCall(t, c.method, c.q)
		validateXML(t, c.method+"?"+c.q.Encode(), body)
	}
}

// TestEnvelope checks the subsonic-response envelope in XML and JSON,
// with and without the .view suffix, by GET and by form POST.
func TestEnvelope(t *testing.T) {
	f := newFixture(t)
	check := func(how string, r Response) {
		t.Helper()
		if r.Status != "ok" || r.Version != APIVersion || r.Type != "segue" || r.ServerVersion != "test" || !r.OpenSubsonic {
			t.Errorf("%s: envelope %+v; want status ok, version %s, type segue, serverVersion test, openSubsonic true", how, r, APIVersion)
		}
	}
	check("json ping", f.jsonCall(t, "ping", nil))
	check("json ping.view", f.jsonCall(t, "ping.view", nil))
	r, body := f.xmlCall(t, "ping.view", nil)
	check("xml ping.view", r)
	if !bytes.Contains(body, []byte(`<subsonic-response xmlns="`+Namespace+`"`)) {
		t.Errorf("XML root lacks the namespace: %s", body)
	}
	// POST with the parameters in a form body (OpenSubsonic formPost).
	form := tokenAuth("p0st")
	form.Set("f", "json")
	posted := postJSON(t, f.base+Prefix+"getOpenSubsonicExtensions", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	check("form POST", posted)
	var names []string
	if posted.OpenSubsonicExtensions != nil {
		for _, e := range *posted.OpenSubsonicExtensions {
			names = append(names, e.Name)
		}
	}
	if strings.Join(names, ",") != "apiKeyAuthentication,formPost,transcodeOffset" {
		t.Errorf("extensions %v, want apiKeyAuthentication, formPost and transcodeOffset", names)
	}
	// getOpenSubsonicExtensions needs no sign-in (OpenSubsonic: clients
	// ask it to choose how to sign in).
	if r := f.jsonCall(t, "getOpenSubsonicExtensions", url.Values{"noauth": {"1"}}); r.Status != "ok" || r.OpenSubsonicExtensions == nil {
		t.Errorf("getOpenSubsonicExtensions without credentials: %+v", r)
	}
	// An unknown method is an API error (70), not an HTML page.
	if r := f.jsonCall(t, "getNoSuchThing", nil); r.Error == nil || r.Error.Code != CodeNotFound {
		t.Errorf("unknown method: %+v, want error 70", r.Error)
	}
	// xml.Unmarshal of an error answer finds the code.
	r, _ = f.xmlCall(t, "getSong", url.Values{"id": {"tnothing"}})
	if r.Status != "failed" || r.Error == nil || r.Error.Code != CodeNotFound {
		t.Errorf("getSong of an unknown id: %+v", r)
	}
	var probe struct {
		XMLName xml.Name
	}
	xml.Unmarshal(body, &probe)
	if probe.XMLName.Local != "subsonic-response" {
		t.Errorf("root element %q", probe.XMLName.Local)
	}
}

// A form POST sent as multipart/form-data (what a browser's FormData or
// curl -F sends) is read like an urlencoded one: its parameters were not
// read at all, and the answer was "required parameter u is missing" to a
// request that had u.
func TestFormPostMultipart(t *testing.T) {
	f := newFixture(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form := tokenAuth("mult1")
	form.Set("f", "json")
	form.Set("name", "From a form")
	form["songId"] = []string{f.tracks["Morning Tide"].ID, f.tracks["Moonlight Highway"].ID}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.Close()
	r := postJSON(t, f.base+Prefix+"createPlaylist.view", mw.FormDataContentType(), &body)
	if r.Status != "ok" || r.Playlist == nil || r.Playlist.Name != "From a form" || r.Playlist.SongCount != 2 {
		t.Fatalf("createPlaylist as multipart/form-data: %+v (error %+v); want the playlist of both songs", r, r.Error)
	}
	// a GET's body is not read, as before, whatever its Content-Type says
	get, err := http.NewRequest("GET", f.base+Prefix+"ping.view?f=json&"+tokenAuth("get1").Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	get.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	if _, body := testkit.Do(t, nil, get); !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("GET ping with a multipart Content-Type: %s; want ok", body)
	}
	// an urlencoded body that does not parse still says so
	bad := tokenAuth("bad1").Encode() + "&%zz=1"
	if r := postJSON(t, f.base+Prefix+"ping.view?f=json", "application/x-www-form-urlencoded", strings.NewReader(bad)); r.Error == nil || !strings.Contains(r.Error.Message, "malformed parameters") {
		t.Fatalf("ping with a malformed urlencoded body: %+v (error %+v); want malformed parameters", r, r.Error)
	}
}

// postJSON POSTs body (of contentType, asking f=json in it) to url and
// decodes the answer's envelope.
func postJSON(t *testing.T, url, contentType string, body io.Reader) Response {
	t.Helper()
	resp, err := http.Post(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		R Response `json:"subsonic-response"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return env.R
}

// A form body shorter than its Content-Length (the client stopped
// sending) is error 0 saying so once the origin's read timeout runs out;
// it was "malformed parameters: read tcp 127.0.0.1:...: i/o timeout".
func TestFormPostShortBody(t *testing.T) {
	f := newFixtureWith(t, origin.ServerOptions{ReadTimeout: time.Second})
	_, body := testkit.DoRaw(t, f.base, "POST "+Prefix+"ping.view?f=json HTTP/1.1\r\nHost: origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nu=alice", 10*time.Second)
	var env struct {
		R Response `json:"subsonic-response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if r := env.R; r.Error == nil || r.Error.Code != CodeGeneric || !strings.Contains(r.Error.Message, "did not all arrive") || strings.Contains(r.Error.Message, "read tcp") {
		t.Fatalf("form POST with a short body: %+v (error %+v); want error 0 saying the body did not all arrive", r, r.Error)
	}
}

// HEAD of an answer has the Content-Type and Content-Length its GET has
// (it had no Content-Length: the body was not written, so net/http could
// not count it), for XML, JSON and an error alike.
func TestHeadHasTheLengthOfGet(t *testing.T) {
	f := newFixture(t)
	do := func(method, target string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		return testkit.Do(t, nil, req)
	}
	for _, q := range []url.Values{{}, {"f": {"json"}}, {"f": {"jsonp"}, "callback": {"cb"}}} {
		for _, method := range []string{"ping", "getAlbumList2", "nosuchMethod"} {
			q := url.Values(maps.Clone(q))
			for k, v := range tokenAuth("head1") {
				q[k] = v
			}
			q.Set("type", "alphabeticalByName")
			target := f.base + Prefix + method + "?" + q.Encode()
			get, body := do("GET", target)
			head, _ := do("HEAD", target)
			if head.StatusCode != 200 || head.ContentLength != int64(len(body)) || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
				t.Errorf("HEAD %s %v: %d, length %d, %q; want GET's 200, %d bytes, %q", method, q.Get("f"),
					head.StatusCode, head.ContentLength, head.Header.Get("Content-Type"), len(body), get.Header.Get("Content-Type"))
			}
		}
	}
}
