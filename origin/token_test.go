package origin

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTokenLifecycle(t *testing.T) { forEachEngine(t, testTokenLifecycle) }

func testTokenLifecycle(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	ctx := t.Context()
	tok, secret, err := CreateToken(ctx, f.db, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) < 40 {
		t.Fatalf("secret %q is too weak", secret)
	}
	var stored int
	f.db.QueryRow(`SELECT count(*) FROM tokens WHERE secret_sha = ? OR name LIKE '%' || ? || '%'`, secret, secret).Scan(&stored)
	if stored != 0 {
		t.Fatal("the secret itself is stored")
	}
	if _, _, err := CreateToken(ctx, f.db, "  "); err == nil {
		t.Fatal("an empty name was accepted")
	}
	got, err := CheckToken(ctx, f.db, secret)
	if err != nil || got.ID != tok.ID || got.Name != "laptop" {
		t.Fatalf("CheckToken = %+v, %v", got, err)
	}
	for _, bad := range []string{"", secret + "x", tokenPrefix + strings.Repeat("0", 64), strings.TrimPrefix(secret, tokenPrefix)} {
		if _, err := CheckToken(ctx, f.db, bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("CheckToken(%q) = %v; want ErrBadToken", bad, err)
		}
	}
	_, secret2, _ := CreateToken(ctx, f.db, "phone")
	list, err := ListTokens(ctx, f.db)
	if err != nil || len(list) != 2 || list[0].Name != "laptop" || list[0].RevokedAt != nil {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	if err := RevokeToken(ctx, f.db, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := RevokeToken(ctx, f.db, "tok-nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v; want ErrNotFound", err)
	}
	if _, err := CheckToken(ctx, f.db, secret); !errors.Is(err, ErrBadToken) {
		t.Fatalf("revoked token still passes: %v", err)
	}
	if _, err := CheckToken(ctx, f.db, secret2); err != nil {
		t.Fatalf("revoking one token broke another: %v", err)
	}
	list, _ = ListTokens(ctx, f.db)
	if list[0].RevokedAt == nil || list[1].RevokedAt != nil {
		t.Fatalf("after revoke: %+v", list)
	}
}

func TestServerTokens(t *testing.T) { forEachEngine(t, testServerTokens) }

func testServerTokens(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	_, secret, err := CreateToken(t.Context(), w.db, "test")
	if err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, RequireToken: true}, "127.0.0.1:0")
	url := r.base + "/api/v1/artists"
	resp, body := get(t, "GET", url, nil)
	wantError(t, resp, body, 401)
	if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %v", resp.Header)
	}
	for _, h := range []string{"Bearer", "Bearer " + secret + "x", "Basic " + secret, secret} {
		resp, body = get(t, "GET", url, map[string]string{"Authorization": h})
		wantError(t, resp, body, 401)
	}
	resp, _ = get(t, "GET", url, map[string]string{"Authorization": "Bearer " + secret})
	if resp.StatusCode != 200 {
		t.Fatalf("valid token: %d", resp.StatusCode)
	}
	list, _ := ListTokens(t.Context(), w.db)
	RevokeToken(t.Context(), w.db, list[0].ID)
	resp, body = get(t, "GET", url, map[string]string{"Authorization": "Bearer " + secret})
	wantError(t, resp, body, 401)

	// Loopback without --require-token runs open.
	open := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	if resp, _ = get(t, "GET", open.base+"/api/v1/artists", nil); resp.StatusCode != 200 {
		t.Fatalf("open loopback origin: %d", resp.StatusCode)
	}
	// Listening on every interface forces tokens, whatever Addr said.
	all := startServer(t, ServerOptions{DataDir: w.dir, Addr: "127.0.0.1:0"}, "0.0.0.0:0")
	resp, body = get(t, "GET", all.base+"/api/v1/artists", nil)
	wantError(t, resp, body, 401)
	if !all.srv.RequiresToken() {
		t.Fatal("an origin listening on 0.0.0.0 does not report requiring tokens")
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7700": true, "localhost:1": true, "[::1]:7700": true, "127.0.0.2:80": true,
		":7700": false, "0.0.0.0:7700": false, "[::]:1": false, "192.168.1.5:7700": false, "example.com:80": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v; want %v", addr, got, want)
		}
	}
}

// Every request leaves one structured line: method, path, status, bytes,
// duration.
func TestAccessLog(t *testing.T) {
	w := newWorld(t)
	var buf bytes.Buffer
	srv, err := New(ServerOptions{DataDir: w.dir, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hash := w.formationM.Renditions[0].Segments[0].Hash
	for _, p := range []string{"/chunks/" + hash, "/chunks/nothex"} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log lines %q; want 2", lines)
	}
	var e struct {
		Msg, Method, Path string
		Status            int
		Bytes             int64
		Duration          *int64
	}
	json.Unmarshal([]byte(lines[0]), &e)
	if e.Msg != "request" || e.Method != "GET" || e.Path != "/chunks/"+hash || e.Status != 200 || e.Bytes != 2000 || e.Duration == nil {
		t.Errorf("log line %s", lines[0])
	}
	json.Unmarshal([]byte(lines[1]), &e)
	if e.Status != http.StatusBadRequest || e.Bytes == 0 {
		t.Errorf("log line %s", lines[1])
	}
}

// FuzzBearer: whatever the Authorization header says, a secret comes out
// only for the Bearer scheme (any case), trimmed and not empty, and reads
// back the same from "Bearer SECRET".
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer sgo_abc", "bearer  x ", "BEARER\tx", "Basic dXNlcjpw", "Bearer", "Bearer ", " Bearer a b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		secret, ok := bearer(h)
		if !ok {
			return
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" || secret != strings.TrimSpace(secret) {
			t.Fatalf("bearer(%q) = %q: want the Bearer scheme and a trimmed, non-empty secret", h, secret)
		}
		if again, ok := bearer("Bearer " + secret); !ok || again != secret {
			t.Fatalf("bearer(%q) = %q, but Bearer %q reads %q, %v", h, secret, secret, again, ok)
		}
	})
}
