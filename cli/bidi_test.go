//go:build !segue_client

package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin"
	"segue/origin/origintest"
)

// TestNamesWithTextDirectionCharacters: a playlist named with U+202E
// ("Trojan Source") showed reversed in playlist list, or as another row.
// create, rename and import --name now refuse such a character before
// asking the origin (exit 2), saying which it is and what to do, as
// origin token create and origin user add do for a token's and a Subsonic
// user's name; names stored before are
// shown without it (playlist list and show, origin token list).
func TestNamesWithTextDirectionCharacters(t *testing.T) {
	ctx := context.Background()
	data := newEmptyOrigin(t)
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old, err := origin.NewPlaylists(db).Create(ctx, origin.LocalOwner, "stored")
	if err != nil {
		t.Fatal(err)
	}
	// as a name stored before the origin refused them
	const spoof = "Road \u202egnp.exe\u202c trip"
	if _, err := db.Exec(`UPDATE playlists SET name = ? WHERE id = ?`, spoof, old.ID); err != nil {
		t.Fatal(err)
	}
	tok, _, err := origin.CreateToken(ctx, db, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE tokens SET name = ? WHERE id = ?`, "lap\u2067top\u2069", tok.ID); err != nil {
		t.Fatal(err)
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := origintest.Serve(t, srv)
	env := clientEnv(t, base)
	m3u := filepath.Join(t.TempDir(), "list.m3u8")
	if err := os.WriteFile(m3u, []byte("#EXTM3U\n#EXTINF:8,Play Band - Tone 440\n01.flac\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		args []string
		code string // the character the sentence names
	}{
		{"create", []string{"playlist", "create", "Mix\u202e3pm"}, "U+202E"},
		{"create, an isolate", []string{"playlist", "create", "\u2066Mix\u2069"}, "U+2066"},
		{"create, a mark", []string{"playlist", "create", "Mix\u200f"}, "U+200F"},
		{"create, the Arabic letter mark", []string{"playlist", "create", "Mix\u061c"}, "U+061C"},
		{"rename", []string{"playlist", "rename", old.ID, "Mix\u202dx"}, "U+202D"},
		{"import --name", []string{"playlist", "import", m3u, "--name", "Mix\u202ax"}, "U+202A"},
		{"origin token create", []string{"origin", "token", "create", "lap\u202etop", "--data", data}, "U+202E"},
		{"origin user add", []string{"origin", "user", "add", "al\u2067ice", "--no-password", "--data", data}, "U+2067"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{}, env...), c.args...)
			out, errOut, code := segue(t, args...)
			msg := checkFailure(t, "text", errOut, code, ExitUsage)
			if !strings.Contains(msg, c.code) || !strings.Contains(msg, "give it without one") || strings.IndexFunc(msg, catalog.IsBidiControl) >= 0 {
				t.Errorf("says %q; want %s named (escaped) and what to do", msg, c.code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if c.args[0] != "playlist" {
				return
			}
			out, _, code = segue(t, append(args, "--json")...)
			var got struct{ Error string }
			if json.Unmarshal([]byte(out), &got); code != ExitUsage || got.Error != msg {
				t.Errorf("--json: exit %d, stdout %q; want 2 and {\"error\": %q}", code, out, msg)
			}
		})
	}

	var pls []catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "list", "--json")...)), &pls); err != nil || len(pls) != 1 || pls[0].Name != spoof {
		t.Fatalf("after the refusals: %+v, %v; want the stored playlist alone, its name as stored (JSON is data)", pls, err)
	}
	for _, args := range [][]string{{"playlist", "list"}, {"playlist", "show", old.ID}, {"origin", "token", "list", "--data", data}} {
		out := segueOK(t, append(env, args...)...)
		if strings.IndexFunc(out, catalog.IsBidiControl) >= 0 {
			t.Errorf("segue %s shows a text-direction character:\n%+q", strings.Join(args, " "), out)
		}
		if want := map[string]string{"origin": "laptop"}[args[0]]; want == "" && !strings.Contains(out, "Road gnp.exe trip") || want != "" && !strings.Contains(out, want) {
			t.Errorf("segue %s:\n%s\nwant the name without its text-direction characters", strings.Join(args, " "), out)
		}
	}
}
