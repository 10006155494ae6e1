//go:build !segue_client

package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"segue/catalog"
	"segue/origin"
	"segue/origin/pgtest"
)

func TestOriginIngestCommand(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	lib := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=2",
		"-ac", "2", "-metadata", "artist=Beyoncé", filepath.Join(lib, "one.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(lib, "zero.mp3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	code := run([]string{"--config", config, "origin", "ingest", lib, "--json", "--jobs", "1"}, &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	var rep ingestReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout.String())
	}
	if rep.Added != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].Path != "zero.mp3" || rep.DataDir != data {
		t.Errorf("report %+v, want 1 added, zero.mp3 skipped, data dir %s from the config", rep, data)
	}
	if _, err := os.Stat(filepath.Join(data, origin.CatalogFile)); err != nil {
		t.Errorf("catalog not in the configured data dir: %v", err)
	}
	// Not a terminal: one plain progress line per file on stderr, then
	// one per track measured for the radio, which takes a few seconds a
	// song after the last file (it was minutes of silence for an album).
	if want := "files to encode: 1\n[1/1] added one.flac\n" +
		"tracks to measure for the radio (tempo, fingerprint): 1\n[1/1] measured one.flac\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("progress lines:\n%s\nwant them to hold\n%s", stderr.String(), want)
	}

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"--config", config, "origin", "ingest", lib}, &stdout, &stderr)
	if code != ExitOK || !strings.Contains(stdout.String(), "0 added, 0 updated, 1 unchanged") ||
		!strings.Contains(stdout.String(), "skipped zero.mp3: empty file") {
		t.Errorf("second run: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	// A catalog made by an older segue: the next ingest reads every
	// file's tags again (ffprobe each, minutes for a large library), and
	// says so with a line per file; it said nothing.
	db, err := sql.Open("sqlite3", filepath.Join(data, origin.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE tracks SET tags_version = 0`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	code = run([]string{"--config", config, "origin", "ingest", lib}, &stdout, &stderr)
	if want := "files whose tags to read again (a catalog made by an older segue): 1\n[1/1] retagged one.flac\n"; code != ExitOK || !strings.Contains(stderr.String(), want) {
		t.Errorf("run on an older catalog: exit %d, stderr:\n%s\nwant it to hold\n%s", code, stderr.String(), want)
	}
}

// A file name with a line break or a terminal escape sequence (a name is
// any bytes but / and NUL) is said on its one line, and the escape never
// reaches the terminal: they were printed as they were, so a name could
// split the one-line-per-file progress or drive the host's terminal.
func TestOriginIngestSaysOddFileNamesOnOneLine(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	lib := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=1",
		filepath.Join(lib, "two\nlines.flac")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(lib, "\x1b]0;title\x07bell.mp3"), []byte("not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := segue(t, "--config", config, "origin", "ingest", lib, "--jobs", "1")
	out := stdout + stderr
	if code != ExitOK || strings.Contains(out, "\x1b") || strings.Contains(out, "\x07") ||
		!strings.Contains(stderr, "added two lines.flac\n") || !strings.Contains(stdout, "skipped bell.mp3: not audio") {
		t.Errorf("exit %d\n%q\nwant each file on one line, without the escape", code, out)
	}
}

func TestOriginIngestUnusable(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	lib := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		path string // PATH override; "" keeps it
		code int
		msg  string
	}{
		{"missing library", []string{filepath.Join(lib, "nope")}, "", ExitNotFound, "the music folder " + filepath.Join(lib, "nope") + " does not exist (check the path)"},
		{"unwritable data dir", []string{lib, "--data", filepath.Join(file, "data")}, "", ExitError, "cannot use origin data dir"},
		{"no ffmpeg", []string{lib}, t.TempDir(), ExitError, "apt-get install ffmpeg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.path != "" {
				t.Setenv("PATH", c.path)
			}
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"--config", config, "origin", "ingest"}, c.args...), &stdout, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), c.code, c.msg)
			}
		})
	}
}

// A data dir on a 1 MB tmpfs fills up: each file it stops is reported as a
// full disk (per-file line and --json report), never as a bad encode, and
// the exit status is 1.
func TestOriginIngestDiskFull(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	lib, data := t.TempDir(), t.TempDir()
	for i, name := range []string{"a.flac", "b.flac", "c.flac"} {
		// Different tones: equal files would share their segments.
		if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("sine=f=%d:d=8", 300+100*i),
			"-ac", "2", filepath.Join(lib, name)).CombinedOutput(); err != nil {
			t.Fatalf("make source: %v\n%s", err, out)
		}
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", data).CombinedOutput(); err != nil {
		t.Fatalf("mount a 1 MB tmpfs (needs root): %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", data).Run() })
	var stdout, stderr bytes.Buffer
	code := run([]string{"--config", config, "origin", "ingest", lib, "--data", data, "--json", "--jobs", "1"}, &stdout, &stderr)
	// The report comes first, then the {"error": ...} every failed --json
	// command ends with.
	var rep ingestReport
	var fail struct{ Error string }
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("--json report: %v\n%s", err, stdout.String())
	}
	if err := dec.Decode(&fail); err != nil || !strings.Contains(fail.Error, "disk is full") {
		t.Errorf("--json error after the report: %+v, %v", fail, err)
	}
	if code != ExitError || len(rep.Skipped) == 0 || rep.Added+len(rep.Skipped) != 3 {
		t.Fatalf("exit %d, report %+v; want exit 1 and every file added or skipped\n%s", code, rep, stderr.String())
	}
	for _, s := range rep.Skipped {
		if s.Reason != origin.DiskFullReason || !strings.Contains(stderr.String(), "skipped "+s.Path+": disk full") {
			t.Errorf("skipped %s: %q, want %q on its progress line too:\n%s", s.Path, s.Reason, origin.DiskFullReason, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "encode came out wrong") {
		t.Errorf("a full disk blamed on the encoder:\n%s", stderr.String())
	}
}

// TestOriginIngestKeepsTheCatalogFromAnEmptyFolder: ingesting a folder
// that holds no file into a catalog with tracks (a drive not mounted, a
// mistyped path that exists) is refused (2) and removes nothing; it
// removed every track and deleted their segments, exit 0. A new origin
// may still ingest an empty folder.
func TestOriginIngestKeepsTheCatalogFromAnEmptyFolder(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	lib := t.TempDir()
	makeTone(t, filepath.Join(lib, "one.flac"), 2, "title=Kept", "artist=Band")
	segueOK(t, "--config", config, "origin", "ingest", lib)
	empty := t.TempDir()
	// The library's drive gone (its folder empty) would remove its
	// tracks; another empty folder (a mistyped path) removes none, and
	// was told it would: it is told where the tracks come from.
	gone := filepath.Join(t.TempDir(), "mnt")
	if err := os.Rename(lib, gone); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, want string }{
		{lib, lib + " holds no files, and the catalog holds 1 track an earlier ingest made: ingesting it would remove those that were under it"},
		{empty, empty + " holds no files, and no track of the catalog comes from it (its tracks come from " + lib + "): check the path"},
	} {
		for _, asJSON := range []bool{false, true} {
			args := []string{"--config", config, "origin", "ingest", c.dir}
			if asJSON {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.want) || asJSON != strings.Contains(out, `"error"`) {
				t.Errorf("ingest of an empty folder (json %v): exit %d, stdout %q, stderr %q; want %d saying %q", asJSON, code, out, errOut, ExitUsage, c.want)
			}
		}
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM tracks`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the catalog holds %d tracks after (%v), want the 1 ingested before", n, err)
	}
	fresh := filepath.Join(t.TempDir(), "new-origin")
	if _, errOut, code := segue(t, "--config", config, "origin", "ingest", empty, "--data", fresh); code != 0 {
		t.Errorf("ingest of an empty folder into a new origin: exit %d, %q; want 0", code, errOut)
	}
}

// TestInterruptedHostingSaysSo: origin ingest and segue demo stopped by
// Ctrl-C or SIGTERM exit 130 saying they were interrupted, what was kept
// and what to run; what ingest finished stays in the catalog. They exited
// 1 with Go's words: "segue: ingest: context canceled", "segue: encode
// demo track "Platform Lights": context canceled: ".
func TestInterruptedHostingSaysSo(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	bin := segueBinary(t)
	lib := t.TempDir()
	for i := 1; i <= 4; i++ {
		makeTone(t, filepath.Join(lib, fmt.Sprintf("%02d Long.flac", i)), 60, fmt.Sprintf("title=Long %d", i), "artist=Long Band", "album=Long Album")
	}
	base := append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	// interrupt runs bin with args, sends sig once a line of its stderr
	// (stdout when onStdout) contains after, and returns its exit status
	// and stderr's last line.
	interrupt := func(env []string, sig syscall.Signal, after string, onStdout bool, args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var rest bytes.Buffer
		watched, err := cmd.StderrPipe()
		if onStdout {
			cmd.Stderr = &rest
			watched, err = cmd.StdoutPipe()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines, sent := signalOnLine(t, cmd, watched, sig, after)
		err = cmd.Wait()
		if !sent {
			t.Fatalf("segue %s never printed %q: %v\n%s", strings.Join(args, " "), after, err, strings.Join(lines, "\n"))
		}
		if onStdout {
			lines = strings.Split(strings.TrimSpace(rest.String()), "\n")
		}
		return cmd.ProcessState.ExitCode(), lines[len(lines)-1]
	}

	data := filepath.Join(t.TempDir(), "origin")
	env := append(append([]string{}, base...), "XDG_DATA_HOME="+t.TempDir())
	code, last := interrupt(env, syscall.SIGINT, "[1/4] added", false, "origin", "ingest", lib, "--data", data, "--jobs", "1")
	if want := "segue: origin ingest: interrupted; the files it finished are in the catalog: run the same command again to go on from there (encoding the files left, or measuring the tracks left for the radio)"; code != ExitInterrupted || last != want {
		t.Errorf("origin ingest stopped by Ctrl-C: exit %d, last line %q; want exit 130, %q", code, last, want)
	}
	db, err := origin.OpenCatalogAt(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	var tracks int
	if err := db.QueryRow("SELECT count(*) FROM tracks").Scan(&tracks); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if tracks < 1 || tracks == 4 {
		t.Errorf("after the interrupted ingest the catalog holds %d tracks; want those it finished, at least 1 and not all 4", tracks)
	}

	demoEnv := append(append([]string{}, base...), "XDG_DATA_HOME="+t.TempDir())
	code, last = interrupt(demoEnv, syscall.SIGTERM, "  made ", true, "demo", "--no-tui", "--addr", "127.0.0.1:0")
	if want := "segue: demo: interrupted; the demo library is not made yet: run segue demo again to make it"; code != ExitInterrupted || last != want {
		t.Errorf("demo stopped by SIGTERM while making its library: exit %d, last line %q; want exit 130, %q", code, last, want)
	}
}

// TestInterruptedMigrateSaysSo: origin migrate stopped by a signal says
// so, what was kept and how to resume (exit 130), rather than Go's
// "context canceled".
func TestInterruptedMigrateSaysSo(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := t.TempDir(), filepath.Join(t.TempDir(), "origin")
	makeTone(t, filepath.Join(lib, "one.flac"), 3)
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: data, Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as the signal context is when Ctrl-C came at once
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut}
	err := a.runMigrate(ctx, origin.MigrateOptions{From: data, ToCatalog: pgtest.Database(t)}, false)
	want := "origin migrate: interrupted; what it copied is kept: run the same command again to resume"
	if err == nil || sentence(err) != want || exitStatus(err) != ExitInterrupted {
		t.Errorf("migrate stopped at once: %v (exit %d); want %q, exit 130", err, exitStatus(err), want)
	}
}

// A host's files that are there but cannot be read at the moment of an
// ingest (a folder whose permissions a copy or a backup tool changed, a
// file being copied in and still empty, a file another user locked) are
// skipped, and their tracks stay in the catalog with their IDs, segments,
// playlists and plays (README: ingest removes only the tracks whose files
// disappeared). They were removed, with their segments. As root, whom no
// mode stops, segue runs as nobody.
func TestOriginIngestKeepsTracksItCannotRead(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	dir, err := os.MkdirTemp("", "segue-ingest-keep-") // not under t.TempDir(), whose parent (0700) nobody cannot enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			os.Chmod(p, 0o755) // RemoveAll needs to enter the locked folder
			return nil
		})
		os.RemoveAll(dir)
	})
	lib := filepath.Join(dir, "lib")
	names := []string{"locked/one.mp3", "b/two.mp3", "c/three.mp3", "d/four.mp3"}
	for i, name := range names {
		p := filepath.Join(lib, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
			"sine=f="+[]string{"300", "400", "500", "600"}[i]+":d=2", p).CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", name, err, out)
		}
	}
	bin := filepath.Join(dir, "segue-origin")
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(segueBinary(t)), "segue-origin")); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatalf("copy segue-origin: %v", err)
	}
	cred := (*syscall.Credential)(nil)
	if os.Getuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	ingest := func() (rep ingestReport) {
		t.Helper()
		cmd := exec.Command(bin, "origin", "ingest", lib, "--data", data, "--json", "--jobs", "2")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
			"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_DATA_HOME="+filepath.Join(dir, "share"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("ingest: %v\n%s%s", err, o.String(), e.String())
		}
		if err := json.Unmarshal(o.Bytes(), &rep); err != nil {
			t.Fatalf("--json report: %v\n%s", err, o.String())
		}
		return rep
	}
	tracks := func() int {
		t.Helper()
		db, err := sql.Open("sqlite3", filepath.Join(data, origin.CatalogFile))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM tracks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if rep := ingest(); rep.Added != 4 {
		t.Fatalf("first ingest: %+v, want 4 added", rep)
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(filepath.Join(lib, "locked"), 0))
	must(os.Chmod(filepath.Join(lib, "b/two.mp3"), 0))
	must(os.Truncate(filepath.Join(lib, "c/three.mp3"), 0)) // cp truncates, then writes
	rep := ingest()
	if rep.Removed != 0 || rep.Unchanged != 1 || tracks() != 4 {
		t.Errorf("ingest with three of the files unreadable: %d removed, %d unchanged, %d tracks in the catalog; want none removed, 1 unchanged, 4 tracks",
			rep.Removed, rep.Unchanged, tracks())
	}
	said := map[string]string{}
	for _, s := range rep.Skipped {
		said[s.Path] = s.Reason
	}
	for path, want := range map[string]string{
		"locked":      origin.KeptDirReason,
		"b/two.mp3":   origin.KeptReason,
		"c/three.mp3": origin.KeptReason,
	} {
		if !strings.HasSuffix(said[path], want) {
			t.Errorf("skipped %s: %q, want it to end %q", path, said[path], want)
		}
	}
}

// TestOriginIngestCutsLongTags: an MP3 whose title tag is 60,000
// characters (two bytes each) and whose album tag is a megabyte: ingest
// stored them whole, in every listing, search answer and manifest that
// names the track. It keeps catalog.MaxTagText characters of each, cut at a
// character and ending in "…", and says which file's tags it cut, on its
// progress line, in its report and in --json's "cut". A catalog an older
// segue filled with such a tag is cut by the next ingest, the file
// unchanged. On SQLite and on PostgreSQL.
func TestOriginIngestCutsLongTags(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	meta := filepath.Join(t.TempDir(), "meta.txt")
	if err := os.WriteFile(meta, []byte(";FFMETADATA1\nalbum="+strings.Repeat("ab ", 350_000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 60_000)
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=1", "-i", meta,
		"-map", "0", "-map_metadata", "1", "-metadata", "title="+long, "-metadata", "artist=Someone",
		filepath.Join(lib, "long.mp3")).CombinedOutput(); err != nil {
		t.Fatalf("make source: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(lib, "long.mp3")); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("long.mp3: %v; want the megabyte album tag in it", err)
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { ingestLongTags(t, lib, backend == "postgres") })
	}
}

// ingestLongTags is TestOriginIngestCutsLongTags of lib's long.mp3 into a
// catalog of its own, in PostgreSQL when pg.
func ingestLongTags(t *testing.T, lib string, pg bool) {
	config, data := ingestEnv(t)
	var catalogURL string
	var flags []string
	if pg {
		catalogURL = pgtest.Database(t)
		flags = []string{"--catalog", catalogURL}
	}
	long := strings.Repeat("é", 60_000)
	wantTitle := strings.Repeat("é", catalog.MaxTagText-1) + "…"
	open := func() *sql.DB {
		db, err := origin.OpenCatalogAt(t.Context(), catalogURL, data)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	stored := func() (title, album, albumRow string) {
		db := open()
		defer db.Close()
		if err := db.QueryRow(`SELECT t.title, t.album_tag, a.title FROM tracks t JOIN albums a ON a.id = t.album_id`).Scan(&title, &album, &albumRow); err != nil {
			t.Fatal(err)
		}
		return title, album, albumRow
	}
	checkStored := func(when string) {
		t.Helper()
		title, album, albumRow := stored()
		if title != wantTitle {
			t.Errorf("%s: the title is %d bytes (%q...); want %d characters ending in …", when, len(title), title[:min(20, len(title))], catalog.MaxTagText)
		}
		for _, a := range []string{album, albumRow} {
			if utf8.RuneCountInString(a) != catalog.MaxTagText || !strings.HasPrefix(a, "ab ab") || !strings.HasSuffix(a, "…") || !utf8.ValidString(a) {
				t.Errorf("%s: the album is %d bytes; want %d characters ending in …", when, len(a), catalog.MaxTagText)
			}
		}
	}

	stdout, stderr, code := segue(t, append([]string{"--config", config, "origin", "ingest", lib}, flags...)...)
	if want := "added long.mp3 (the title and album tags cut to 512 characters)\n"; code != ExitOK || !strings.Contains(stderr, want) {
		t.Errorf("ingest: exit %d, stderr %.300q; want the progress line %q", code, stderr, want)
	}
	if want := "  cut the title and album tags of long.mp3 to 512 characters (the catalog keeps no more of a tag)\n"; !strings.Contains(stdout, want) {
		t.Errorf("ingest's report: %.300q; want %q", stdout, want)
	}
	checkStored("ingest")

	// an older segue stored the title whole; the file is as it was
	db := open()
	_, err := db.Exec(`UPDATE tracks SET title = ?`, long)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = segue(t, append([]string{"--config", config, "origin", "ingest", lib, "--json"}, flags...)...)
	var rep ingestReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitOK {
		t.Fatalf("ingest --json: exit %d, %v\n%.300s\n%.300s", code, err, stdout, stderr)
	}
	if want := []origin.CutFile{{Path: "long.mp3", Tags: []string{"title", "album"}}}; rep.Unchanged != 1 || !reflect.DeepEqual(rep.Cut, want) {
		t.Errorf("ingest --json of the older catalog: %d unchanged, cut %+v; want 1 unchanged and %+v", rep.Unchanged, rep.Cut, want)
	}
	checkStored("ingest of the older catalog")
}

// A library moved to a new path (here renamed, as mv keeps the files'
// times): the ingest of its new place says which folder's tracks it took
// over, in its text report and its --json (moved, [] when none), where it
// listed every file as skipped, exit 0, with advice that fit no folder.
func TestOriginIngestMovedLibraryReport(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old, moved := filepath.Join(root, "Music"), filepath.Join(root, "NewDisk")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	makeTone(t, filepath.Join(old, "one.flac"), 2, "title=Kept", "artist=Band")
	var first ingestReport
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "ingest", old, "--json")), &first); err != nil || first.Moved == nil || len(first.Moved) != 0 {
		t.Fatalf("--json of an ingest that moved nothing: moved %v (%v), want []", first.Moved, err)
	}
	if err := os.Rename(old, moved); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--config", config, "origin", "ingest", moved}, &stdout, &stderr); code != ExitOK ||
		!strings.Contains(stdout.String(), "took over 1 track from "+old+", which is not there any more") || strings.Contains(stdout.String(), "\n  skipped ") {
		t.Fatalf("ingest of the moved library: exit %d\n%s%s\nwant exit 0 and the track taken over from %s", code, stdout.String(), stderr.String(), old)
	}
	if err := os.Rename(moved, old); err != nil { // and back, with --json
		t.Fatal(err)
	}
	var rep ingestReport
	if err := json.Unmarshal([]byte(segueOK(t, "--config", config, "origin", "ingest", old, "--json")), &rep); err != nil ||
		len(rep.Moved) != 1 || rep.Moved[0] != (origin.MovedFolder{From: moved, Tracks: 1}) || rep.Unchanged != 1 || len(rep.Skipped) != 0 {
		t.Fatalf("--json of the library moved back: %+v (%v), want moved [{%s 1}], 1 unchanged", rep, err, moved)
	}
}
