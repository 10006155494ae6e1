package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"segue/net/originclient"
)

// An origin that redirects /chunks to its blob store (presigned URLs)
// whose store refuses the link (403: an expired or mis-signed URL, the
// origin's clock off, its credentials revoked): segue play's retrying
// line said "the origin refused the token (set one with --token, ...)",
// sending the listener to a token that was never the problem. It now names
// the blob store and what to check.
func TestBlobStoreRefusalIsNotAboutTheToken(t *testing.T) {
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`))
	}))
	defer store.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(store.URL, "127.0.0.1", "localhost", 1)+"/blobs"+r.URL.Path+"?X-Amz-Signature=x", http.StatusTemporaryRedirect)
	}))
	defer origin.Close()
	c, err := originclient.New(origin.URL, originclient.Options{Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chunk(t.Context(), strings.Repeat("ab", 32))
	s := retryNote(err)
	if strings.Contains(s, "token") || !strings.Contains(s, "the blob store the origin sent segue to") || !strings.Contains(s, "403 Forbidden") {
		t.Errorf("a chunk the blob store refused is said %q; want the blob store named, with its 403, not the token", s)
	}
}
