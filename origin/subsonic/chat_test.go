package subsonic

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// TestChatIsEmptyAndPostingRefused: getChatMessages answers ok with an
// empty chatMessages list (an app's chat screen shows it empty), in XML
// valid against the XSD and in JSON as an empty array; addChatMessage is
// error 50 saying the server offers no chat. Before, both were error 70,
// unknown method, which apps show as a server fault.
func TestChatIsEmptyAndPostingRefused(t *testing.T) {
	f := newFixture(t)
	for _, q := range []url.Values{nil, {"since": {"1678935707000"}}} {
		r, body := f.xmlCall(t, "getChatMessages", q)
		mustOK(t, "getChatMessages", r)
		if !bytes.Contains(body, []byte("<chatMessages")) {
			t.Errorf("getChatMessages: no chatMessages element in %s", body)
		}
		validateXML(t, "getChatMessages", body)
	}
	if _, body := f.call(t, "getChatMessages", url.Values{"f": {"json"}}); !strings.Contains(string(body), `"chatMessages":{"chatMessage":[]}`) {
		t.Errorf("getChatMessages as JSON: want an empty chatMessage list in %s", body)
	}
	q := url.Values{"message": {"hello"}}
	r := f.jsonCall(t, "addChatMessage", q)
	if r.Status != "failed" || r.Error == nil || r.Error.Code != CodeNotAuthorized || !strings.Contains(r.Error.Message, "chat is not offered by this server") {
		t.Errorf("addChatMessage: %+v, want error 50 saying chat is not offered by this server", r.Error)
	}
	_, body := f.xmlCall(t, "addChatMessage", url.Values{"message": {"hello"}})
	validateXML(t, "addChatMessage", body)
	if r, _ := f.xmlCall(t, "getChatMessages", nil); r.ChatMessages == nil {
		t.Errorf("getChatMessages after addChatMessage: %+v, want an empty list still", r)
	}
}

// TestAvatarIsADefaultImage: getAvatar answers a PNG (the spec's
// answer is the image, and apps load it into an image view), the same
// for every user name and in any format asked, with an ETag that a
// revalidation answers 304. Before, it was error 70 as an XML document.
func TestAvatarIsADefaultImage(t *testing.T) {
	f := newFixture(t)
	var first []byte
	var etag string
	for _, q := range []url.Values{{"username": {alice}}, {"username": {"nobody"}}, {"username": {alice}, "f": {"json"}}, nil} {
		resp, body := f.call(t, "getAvatar", q)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("getAvatar %v: HTTP %d, %s: %.200s; want 200 image/png", q, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("getAvatar %v: %v", q, err)
		}
		if b := img.Bounds(); b.Dx() != avatarSize || b.Dy() != avatarSize {
			t.Errorf("getAvatar %v: %v, want %dx%d", q, b, avatarSize, avatarSize)
		}
		if first == nil {
			first, etag = body, resp.Header.Get("ETag")
		} else if !bytes.Equal(body, first) || resp.Header.Get("ETag") != etag {
			t.Errorf("getAvatar %v: another image or ETag (%s, want %s): every user's is the default one", q, resp.Header.Get("ETag"), etag)
		}
	}
	if etag == "" {
		t.Fatal("getAvatar: no ETag")
	}
	q := tokenAuth("c0ffee")
	q.Set("username", alice)
	q.Set("v", APIVersion)
	q.Set("c", "segue-test")
	req, _ := http.NewRequest("GET", f.base+Prefix+"getAvatar?"+q.Encode(), nil)
	req.Header.Set("If-None-Match", etag)
	if resp, _ := testkit.Do(t, nil, req); resp.StatusCode != http.StatusNotModified {
		t.Errorf("getAvatar with If-None-Match %s: HTTP %d, want 304", etag, resp.StatusCode)
	}
	// signing in comes first: a wrong password is the error document
	r, body := f.xmlCall(t, "getAvatar", url.Values{"u": {alice}, "p": {"wrong"}, "username": {alice}})
	if r.Error == nil || r.Error.Code != CodeWrongCredential {
		t.Errorf("getAvatar with a wrong password: %s, want error 40", body)
	}
}
