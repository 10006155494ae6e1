package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// readmeJSON reads the README's "JSON of the listings": the fields each
// object has, and each command's row (the fields it may print, its objects'
// fields included, through the fields that hold them).
func readmeJSON(t *testing.T) map[string]map[string]bool {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### JSON of the listings")
	if !ok {
		t.Fatal(`the README has no "JSON of the listings"`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	field := regexp.MustCompile("`([a-z_]+)`")
	row := regexp.MustCompile("(?m)^\\| (`[^`]+`|[a-z]+) \\| (.*) \\|$")
	objects := map[string][]string{}
	commands := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		if strings.HasPrefix(m[1], "`") {
			commands[strings.Trim(m[1], "`")] = m[2]
		} else {
			for _, f := range field.FindAllStringSubmatch(m[2], -1) {
				objects[m[1]] = append(objects[m[1]], f[1])
			}
		}
	}
	holds := map[string]string{"tracks": "track", "albums": "album", "appears_on": "album", "artists": "artist", "playlist": "playlist"}
	out := map[string]map[string]bool{}
	for cmd, cell := range commands {
		allowed := map[string]bool{}
		var add func(name string)
		add = func(name string) {
			if allowed[name] {
				return
			}
			allowed[name] = true
			if obj, ok := holds[name]; ok {
				for _, f := range objects[obj] {
					add(f)
				}
			}
		}
		for _, f := range field.FindAllStringSubmatch(cell, -1) {
			add(f[1])
		}
		for obj, fs := range objects {
			if regexp.MustCompile(`\b` + obj + `\b`).MatchString(regexp.MustCompile("`[^`]*`").ReplaceAllString(cell, "")) {
				for _, f := range fs {
					add(f)
				}
			}
		}
		out[cmd] = allowed
	}
	return out
}

// jsonKeys returns every object key in the JSON document, at any depth.
func jsonKeys(t *testing.T, doc string) []string {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	var keys []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				keys = append(keys, k)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return keys
}

// TestREADMEDocumentsListingJSON: every field a listing's --json prints is
// in the README's "JSON of the listings", and every listing is there.
func TestREADMEDocumentsListingJSON(t *testing.T) {
	doc := readmeJSON(t)
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	album, artist := res.Albums[0], res.Albums[0].ArtistID
	track := tones(t, url)[0].ID
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "create", "Docs", track, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	m3u := filepath.Join(t.TempDir(), "in.m3u8")
	if err := os.WriteFile(m3u, []byte("#EXTM3U\n#EXTINF:8,Play Band - Tone 440\na.flac\n#EXTINF:3,Nobody - Nothing\nb.flac\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	makeCatalog(t, data) // token create and user add make none
	segueOK(t, append(slices.Clone(env), "origin", "token", "create", "docs", "--data", data)...)
	segueOK(t, append(slices.Clone(env), "origin", "user", "add", "docs", "--no-password", "--data", data)...)
	segueOK(t, append(slices.Clone(env), "offline", "add", album.ID)...)
	for _, c := range []struct {
		row  string
		args []string
	}{
		{"search", []string{"search", "tone"}},
		{"library", []string{"library"}},
		{"library ARTIST_ID", []string{"library", artist}},
		{"library ALBUM_ID", []string{"library", album.ID}},
		{"radio", []string{"radio", track}},
		{"playlist share", []string{"playlist", "share", pl.ID}},
		{"playlist export", []string{"playlist", "export", pl.ID}}, // it printed M3U8, not JSON
		{"playlist export", []string{"playlist", "export", pl.ID, "--format", "xspf", "-o", filepath.Join(t.TempDir(), "out.xspf")}}, // nothing
		{"playlist list", []string{"playlist", "list"}},
		{"playlist show", []string{"playlist", "show", pl.ID}},
		{"playlist import", []string{"playlist", "import", m3u}},
		{"offline add", []string{"offline", "add", album.ID}}, // it had no row
		{"offline list", []string{"offline", "list"}},
		{"cache stats", []string{"cache", "stats"}},
		{"cache verify", []string{"cache", "verify"}},
		{"cache gc", []string{"cache", "gc"}},
		{"cache clear", []string{"cache", "clear"}},
		{"origin token list", []string{"origin", "token", "list", "--data", data}},
		{"origin user list", []string{"origin", "user", "list", "--data", data}}, // it had no row
	} {
		allowed, ok := doc[c.row]
		if !ok {
			t.Errorf("the README's JSON of the listings has no row for %s", c.row)
			continue
		}
		out := segueOK(t, append(append(slices.Clone(env), c.args...), "--json")...)
		for _, k := range jsonKeys(t, out) {
			if !allowed[k] {
				t.Errorf("%s --json prints %q, which the README's row for it does not name", c.row, k)
			}
		}
	}
}
