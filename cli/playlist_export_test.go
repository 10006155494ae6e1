package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/origin"
	"segue/origin/origintest"
)

// tokenOrigin ingests two short tracks and serves them on 127.0.0.1:0 with
// tokens required; it returns the origin's URL, an owner's token, the track
// IDs in path order, their manifests and the origin's access log.
func tokenOrigin(t *testing.T) (url, token string, ids []string, manifests []catalog.Manifest, access *accessLog) {
	t.Helper()
	url, token, _, ids, manifests, access = tokenOriginData(t)
	return url, token, ids, manifests, access
}

// tokenOriginData is tokenOrigin also returning the origin's data dir
// (for segue origin token revoke).
func tokenOriginData(t *testing.T) (url, token, data string, ids []string, manifests []catalog.Manifest, access *accessLog) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	data = t.TempDir()
	for i, hz := range []int{330, 495} {
		if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", fmt.Sprintf("sine=frequency=%d:duration=2.3:sample_rate=44100", hz), "-ac", "2",
			"-metadata", fmt.Sprintf("title=Export %d", hz), "-metadata", "artist=Export Band",
			filepath.Join(lib, fmt.Sprintf("%02d.flac", i+1))).CombinedOutput(); err != nil {
			t.Fatalf("make track: %v\n%s", err, out)
		}
	}
	ctx := context.Background()
	if _, err := origin.Ingest(ctx, lib, origin.IngestOptions{DataDir: data, Jobs: 1}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, token, err = origin.CreateToken(ctx, db, "alice"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, manifest FROM tracks ORDER BY path`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, js string
		var m catalog.Manifest
		if err := rows.Scan(&id, &js); err != nil || json.Unmarshal([]byte(js), &m) != nil {
			t.Fatalf("read track: %v", err)
		}
		ids, manifests = append(ids, id), append(manifests, m)
	}
	rows.Close()
	access = &accessLog{}
	return serveRequiringTokens(t, data, access), token, data, ids, manifests, access
}

// serveRequiringTokens serves the origin of data dir data on loopback,
// requiring tokens and logging to log as JSON, until the test ends; it
// returns its base URL.
func serveRequiringTokens(t *testing.T, data string, log io.Writer) string {
	t.Helper()
	srv, err := origin.New(origin.ServerOptions{DataDir: data, RequireToken: true, Logger: slog.New(slog.NewJSONHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := origintest.Serve(t, srv)
	return base
}

// sharedMix starts tokenOrigin, configures a client with the owner's token,
// and creates and shares the playlist "Mix" of its two tracks.
func sharedMix(t *testing.T) (url string, ids []string, manifests []catalog.Manifest, access *accessLog, env []string, pl catalog.Playlist, shareURL string) {
	t.Helper()
	url, token, ids, manifests, access := tokenOrigin(t)
	env = clientEnv(t, url)
	cfg := env[1] // the token goes before the config's first section
	if err := os.WriteFile(cfg, append([]byte("token = "+strconvQuote(token)+"\n"), readFile(t, cfg)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Mix", ids[0], ids[1], "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	shareURL = strings.TrimSpace(segueOK(t, append(env, "playlist", "share", pl.ID)...))
	return url, ids, manifests, access, env, pl, shareURL
}

// getText GETs url and returns its body, failing unless it is 200 of
// media type contentType.
func getText(t *testing.T, url, contentType string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
		t.Fatalf("GET %s: %s, %s, %v; want 200 %s", url, resp.Status, resp.Header.Get("Content-Type"), err, contentType)
	}
	return string(b)
}

// Issue 19, acceptance 3: a shared playlist's M3U8 export plays in mpv
// (Debian, --ao=pcm: no sound card) on an origin that requires tokens:
// every entry is a stream URL carrying the share token, mpv reaches each,
// and what it decodes is exactly the tracks' total_samples (the LAME tag's
// gapless trim honoured), so nothing is missing or padded.
func TestExportPlaysInMPV(t *testing.T) {
	needTools(t, "mpv")
	url, ids, manifests, _, env, pl, shareURL := sharedMix(t)
	shareToken := shareURL[strings.LastIndex(shareURL, "/")+1:]
	want := totalSamples(manifests)
	dir := t.TempDir()
	// the owner's export, a link holder's, and the link's own playlist file
	// (TOKEN.m3u8), which mpv plays by URL: the link is all a player needs;
	// and the link itself, which mpv was answered the JSON of ("Failed to
	// recognize file format")
	for _, from := range []string{pl.ID, shareURL, shareURL + ".m3u8", "mpv " + shareURL} {
		file := filepath.Join(dir, "mix.m3u8")
		var body string
		if link, ok := strings.CutPrefix(from, "mpv "); ok {
			file = link
			req, _ := http.NewRequest("GET", link, nil)
			req.Header.Set("User-Agent", "libmpv") // as mpv asks
			req.Header.Set("Icy-MetaData", "1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		} else if strings.HasSuffix(from, ".m3u8") {
			file, body = from, getText(t, from, "audio/x-mpegurl; charset=utf-8")
		} else {
			segueOK(t, append(env, "playlist", "export", from, "--format", "m3u8", "-o", file)...)
			body = string(readFile(t, file))
		}
		for _, id := range ids {
			if entry := url + "/api/v1/tracks/" + id + "/stream?share=" + shareToken; !strings.Contains(body, entry+"\n") {
				t.Fatalf("export of %s lacks the entry %s:\n%s", from, entry, body)
			}
		}
		got, out := mpvSamples(t, file)
		if n := strings.Count(out, "Playing: "+url+"/api/v1/tracks/"); n != len(ids) {
			t.Errorf("mpv reached %d stream entries, want %d:\n%s", n, len(ids), out)
		}
		if got != want {
			t.Errorf("mpv decoded %d samples from the export of %s, want %d (the tracks' total_samples)\n%s", got, from, want, out)
		}
	}
}

// totalSamples is the samples of every track of manifests, as a player
// that trims each track's encoder delay and padding decodes them.
func totalSamples(manifests []catalog.Manifest) int64 {
	var n int64
	for _, m := range manifests {
		n += m.TotalSamples
	}
	return n
}

// mpvSamples plays the playlist file (or URL) with mpv into raw PCM
// (44.1 kHz stereo s16, gapless, no sound card) and returns how many
// samples it decoded and what mpv said.
func mpvSamples(t *testing.T, file string) (int64, string) {
	t.Helper()
	pcm := filepath.Join(t.TempDir(), "out.raw")
	out, err := exec.Command("mpv", "--no-config", "--vo=null", "--ao=pcm", "--ao-pcm-file="+pcm, "--ao-pcm-waveheader=no",
		"--audio-format=s16", "--audio-samplerate=44100", "--audio-channels=stereo", "--gapless-audio=yes", file).CombinedOutput()
	if err != nil {
		t.Fatalf("mpv %s: %v\n%s", file, err, out)
	}
	st, err := os.Stat(pcm)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size() / 4, string(out)
}

// Issue 19, acceptance 3: a shared playlist's XSPF export plays in VLC
// (Debian's cvlc; mpv 0.35 reads no XSPF): VLC streams every entry from
// the origin (requiring tokens) to the end, its share token in the URL.
// VLC refuses to run as root, so as root it runs as nobody.
func TestExportXSPFPlaysInVLC(t *testing.T) {
	needTools(t, "cvlc")
	_, ids, _, access, env, pl, _ := sharedMix(t)
	dir, err := os.MkdirTemp("", "segue-vlc-") // not under t.TempDir(), whose parent (0700) nobody cannot enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil { // VLC as nobody writes its profile here
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mix.xspf")
	segueOK(t, append(env, "playlist", "export", pl.ID, "--format", "xspf", "-o", file)...)
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"env", "HOME=" + dir, "cvlc", "-I", "dummy", "--no-loop", "--play-and-exit", "--aout=afile",
		"--audiofile-file=" + filepath.Join(dir, "out.raw"), file}
	if os.Geteuid() == 0 {
		args = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("vlc: %v\n%s", err, out)
	}
	for i, id := range ids {
		path := "/api/v1/tracks/" + id + "/stream"
		if n := access.requests(path, http.StatusOK)[path] + access.requests(path, http.StatusPartialContent)[path]; n == 0 {
			t.Errorf("VLC never streamed entry %d (%s): %v\n%s", i+1, path, access.requests("/api/v1/tracks/", 0), out)
		}
	}
}

// A shared playlist's PLS (playlist export --format pls, and the share
// link's own TOKEN.pls) plays in mpv on an origin that requires tokens,
// every sample of every track, and imports back: export had no pls
// (--format pls was exit 2) and TOKEN.pls was 404, "no playlist file the
// origin makes", though import reads PLS and players that take PLS alone
// (internet radio players) are common.
func TestExportPLSPlaysInMPV(t *testing.T) {
	needTools(t, "mpv")
	url, ids, manifests, _, env, pl, shareURL := sharedMix(t)
	shareToken := shareURL[strings.LastIndex(shareURL, "/")+1:]
	want := totalSamples(manifests)
	dir := t.TempDir()
	exported := filepath.Join(dir, "mix.pls")
	segueOK(t, append(slices.Clone(env), "playlist", "export", pl.ID, "--format", "pls", "-o", exported)...)
	linked := filepath.Join(dir, "link.pls")
	if err := os.WriteFile(linked, []byte(getText(t, shareURL+".pls", "audio/x-scpls; charset=utf-8")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{exported, linked} {
		body := string(readFile(t, file))
		for i, id := range ids {
			if entry := fmt.Sprintf("File%d=%s/api/v1/tracks/%s/stream?share=%s\n", i+1, url, id, shareToken); !strings.Contains(body, entry) {
				t.Fatalf("%s lacks the entry %s:\n%s", filepath.Base(file), entry, body)
			}
		}
		got, out := mpvSamples(t, file)
		if got != want {
			t.Errorf("mpv decoded %d samples from %s, want %d (the tracks' total_samples)\n%s", got, filepath.Base(file), want, out)
		}
	}
	var imported struct {
		Playlist  catalog.Playlist
		Unmatched []json.RawMessage
	}
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "import", exported, "--json")...)), &imported); err != nil {
		t.Fatal(err)
	}
	if got := imported.Playlist.Tracks; len(got) != len(ids) || got[0].ID != ids[0] || got[1].ID != ids[1] || len(imported.Unmatched) > 0 {
		t.Errorf("import of the exported PLS: %+v, unmatched %s; want the tracks %v", got, imported.Unmatched, ids)
	}
}

// TestShareUnderAPublicPath: an origin reached under a path (--public-url
// https://music.example/base, behind a proxy) shares its playlists as
// /base/p/TOKEN, which segue reads back: playlist share said "not a segue
// share URL: ... path is not /p/TOKEN" (exit 2), and export left the share
// token out of the stream URLs.
func TestShareUnderAPublicPath(t *testing.T) {
	o := newTestOrigin(t)
	o.stop()
	o.public = "https://music.example/base"
	o.start()
	env := clientEnv(t, "http://"+o.addr)
	var res struct{ Tracks []struct{ ID string } }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "search", "tone", "--json")...)), &res); err != nil || len(res.Tracks) == 0 {
		t.Fatalf("search tone: %v", err)
	}
	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "create", "Mix", res.Tracks[0].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(segueOK(t, append(slices.Clone(env), "playlist", "share", pl.ID)...))
	if !strings.HasPrefix(link, "https://music.example/base/p/") {
		t.Fatalf("playlist share: %q; want https://music.example/base/p/TOKEN", link)
	}
	token := strings.TrimPrefix(link, "https://music.example/base/p/")
	if m3u := segueOK(t, append(slices.Clone(env), "playlist", "export", pl.ID, "--format", "m3u8")...); !strings.Contains(m3u, "/stream?share="+token) {
		t.Errorf("export of the shared playlist:\n%s\nwant its stream URLs to carry ?share=%s", m3u, token)
	}
}
