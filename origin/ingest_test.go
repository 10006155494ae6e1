package origin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"segue/catalog"
)

var (
	beyonce = map[string]string{"title": "Halo 🌟 live", "artist": "Beyoncé", "album": "I Am… Sasha Fierce", "album_artist": "Beyoncé", "track": "3/12", "date": "2008-11-14", "genre": "R&B"}
	cyrill  = map[string]string{"title": "Звезда", "artist": "Кино", "album": "Группа крови", "track": "1"}
	kanji   = map[string]string{"title": "夜に駆ける", "artist": "YOASOBI", "album": "THE BOOK", "track": "2"}
)

// goodLibrary writes five good files in four formats and returns their
// relative paths.
func goodLibrary(t testing.TB, lib string) []string {
	srcs := []source{
		{name: "Beyoncé/halo.mp3", root: 220, seconds: 3.2, tags: beyonce, args: []string{"-c:a", "libmp3lame", "-b:a", "192k"}},
		{name: "Кино/zvezda.flac", root: 246.9, seconds: 3, rate: 48000, tags: cyrill},
		{name: "yoasobi/yoru.ogg", root: 293.7, seconds: 3.4, tags: kanji, args: []string{"-c:a", "libvorbis"}},
		{name: "loose/untagged take 7.wav", root: 329.6, seconds: 3},
		{name: "yoasobi/second.mp3", root: 392, seconds: 3, tags: map[string]string{"title": "Idol", "artist": "YOASOBI", "album": "THE BOOK", "track": "1"}},
	}
	var rels []string
	for _, s := range srcs {
		writeSource(t, lib, s)
		rels = append(rels, s.name)
	}
	// An embedded PNG picture for Beyoncé's album.
	png := filepath.Join(t.TempDir(), "pic.png")
	if out, err := execFFmpeg("-f", "lavfi", "-i", "color=c=blue:s=24x24:d=1", "-frames:v", "1", png); err != nil {
		t.Fatalf("make picture: %v\n%s", err, out)
	}
	halo := filepath.Join(lib, "Beyoncé/halo.mp3")
	withPic := filepath.Join(t.TempDir(), "halo.mp3")
	if out, err := execFFmpeg("-i", halo, "-i", png, "-map", "0:a", "-map", "1", "-c", "copy",
		"-id3v2_version", "3", "-disposition:v", "attached_pic", withPic); err != nil {
		t.Fatalf("embed picture: %v\n%s", err, out)
	}
	b, err := os.ReadFile(withPic)
	must(t, err)
	must(t, os.WriteFile(halo, b, 0o644))
	// A folder cover for the YOASOBI album.
	cover := filepath.Join(lib, "yoasobi", "Cover.jpg")
	if out, err := execFFmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-frames:v", "1", cover); err != nil {
		t.Fatalf("make cover: %v\n%s", err, out)
	}
	sort.Strings(rels)
	return rels
}

// Acceptance 2: a library with good files and every kind of bad file.
// Good files are catalogued with their tags (any script, emoji) or their
// file name; each bad file is skipped with a reason; Ingest succeeds.
func TestIngestLibrary(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	good := goodLibrary(t, lib)

	bad := map[string]string{ // path -> a word the reason must contain
		"bad/empty.mp3":    "empty",
		"bad/notes.mp3":    "not audio",
		"bad/dangling.ogg": "cannot read",
		"bad/cut.flac":     "truncated",
	}
	must(t, os.MkdirAll(filepath.Join(lib, "bad"), 0o755))
	must(t, os.WriteFile(filepath.Join(lib, "bad/empty.mp3"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(lib, "bad/notes.mp3"), []byte(strings.Repeat("not music at all\n", 200)), 0o644))
	// Root reads any file whatever its mode, so a dangling symlink stands for
	// an unreadable file everywhere; chmod 000 is added when not root.
	must(t, os.Symlink(filepath.Join(lib, "nowhere.ogg"), filepath.Join(lib, "bad/dangling.ogg")))
	full := writeSource(t, t.TempDir(), source{name: "full.flac", root: 440, seconds: 4})
	b, err := os.ReadFile(full)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(lib, "bad/cut.flac"), b[:len(b)/2], 0o644))
	if os.Geteuid() != 0 {
		p := filepath.Join(lib, "bad/locked.mp3")
		must(t, os.WriteFile(p, b, 0o000))
		bad["bad/locked.mp3"] = "cannot read"
	}
	must(t, os.WriteFile(filepath.Join(lib, "readme.txt"), []byte("ignored: not an audio extension"), 0o644))

	var progress, measured, collected []IngestProgress
	sum, err := Ingest(context.Background(), lib, IngestOptions{DataDir: data, Jobs: 2,
		Progress: func(p IngestProgress) {
			switch p.Action {
			case "start", "measure":
			case "measured":
				measured = append(measured, p)
			case "collect", "collected": // the blobs of the damaged file's segments
				collected = append(collected, p)
			default:
				progress = append(progress, p)
			}
		}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sum.Added != len(good) || sum.Updated+sum.Removed+sum.Unchanged != 0 {
		t.Errorf("summary %+v, want %d added", sum, len(good))
	}
	reasons := map[string]string{}
	for _, s := range sum.Skipped {
		reasons[s.Path] = s.Reason
	}
	for p, word := range bad {
		if !strings.Contains(reasons[p], word) {
			t.Errorf("%s: skipped with %q, want a reason with %q", p, reasons[p], word)
		}
	}
	if len(sum.Skipped) != len(bad) {
		t.Errorf("skipped %+v, want exactly %d", sum.Skipped, len(bad))
	}
	if n := len(progress); n != len(good)+2 || progress[n-1].Done != n || progress[n-1].Total != n {
		t.Errorf("progress reports %+v", progress)
	}
	if n := len(measured); n != len(good) || measured[n-1].Done != n || measured[n-1].Total != n {
		t.Errorf("progress reports of the tracks measured %+v, want one per track added", measured)
	}
	if n, b := len(collected), sum.BlobsRemoved; b > 0 && (n != 2 || collected[0].Action != "collect" || collected[1].Done != b || collected[1].Total != b) {
		t.Errorf("progress reports of the blobs deleted %+v, want collect and collected %d of %[2]d", collected, b)
	}
	if sum.AudioSeconds < 15 || sum.AudioSeconds > 17 {
		t.Errorf("audio seconds %.2f, want about 15.6", sum.AudioSeconds)
	}

	db := openTestCatalog(t, data)
	type row struct{ title, artist, album, albumArtist string }
	want := map[string]row{
		"Beyoncé/halo.mp3":          {"Halo 🌟 live", "Beyoncé", "I Am… Sasha Fierce", "Beyoncé"},
		"Кино/zvezda.flac":          {"Звезда", "Кино", "Группа крови", "Кино"},
		"yoasobi/yoru.ogg":          {"夜に駆ける", "YOASOBI", "THE BOOK", "YOASOBI"},
		"yoasobi/second.mp3":        {"Idol", "YOASOBI", "THE BOOK", "YOASOBI"},
		"loose/untagged take 7.wav": {"untagged take 7", "Unknown Artist", "Unknown Album", "Unknown Artist"},
	}
	for path, w := range want {
		var r row
		var id, albumID string
		err := db.QueryRow(`SELECT t.id, t.title, ar.name, al.id, al.title, aa.name FROM tracks t
			JOIN artists ar ON ar.id = t.artist_id JOIN albums al ON al.id = t.album_id
			JOIN artists aa ON aa.id = al.artist_id WHERE t.path = ?`, path).
			Scan(&id, &r.title, &r.artist, &albumID, &r.album, &r.albumArtist)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if r != w {
			t.Errorf("%s: catalogued as %+v, want %+v", path, r, w)
		}
		if id != catalog.NewID(catalog.PrefixTrack, path) || albumID != catalog.NewID(catalog.PrefixAlbum, catalog.NameKey(w.albumArtist), catalog.NameKey(w.album)) {
			t.Errorf("%s: ids %s %s not derived from path and album", path, id, albumID)
		}
		m := manifestOf(t, db, path)
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if m.Loudness.IntegratedLUFS > -3 || m.Loudness.IntegratedLUFS < -40 || m.Loudness.TruePeakDBTP > 0 ||
			m.Loudness.AlbumLUFS == 0 || m.Loudness.AlbumPeakDBTP < m.Loudness.TruePeakDBTP {
			t.Errorf("%s: loudness %+v", path, m.Loudness)
		}
	}
	var year int
	var genre string
	must(t, db.QueryRow(`SELECT year, genre FROM tracks WHERE path = 'Beyoncé/halo.mp3'`).Scan(&year, &genre))
	if year != 2008 || genre != "R&B" {
		t.Errorf("year %d genre %q", year, genre)
	}
	var coverHash, coverMIME string
	must(t, db.QueryRow(`SELECT coalesce(cover_hash, ''), coalesce(cover_mime, '') FROM albums WHERE title = 'THE BOOK'`).Scan(&coverHash, &coverMIME))
	if !catalog.ValidHash(coverHash) || coverMIME != "image/jpeg" {
		t.Errorf("THE BOOK cover %q %q, want the folder's Cover.jpg", coverHash, coverMIME)
	}
	must(t, db.QueryRow(`SELECT coalesce(cover_hash, ''), coalesce(cover_mime, '') FROM albums WHERE title = 'I Am… Sasha Fierce'`).Scan(&coverHash, &coverMIME))
	if !catalog.ValidHash(coverHash) || coverMIME != "image/png" {
		t.Errorf("Beyoncé cover %q %q, want the embedded PNG", coverHash, coverMIME)
	}
	checkSearchRows(t, db)
	checkBlobs(t, data, true)

	// The search table answers prefix queries with diacritics folded.
	var hit string
	must(t, db.QueryRow(`SELECT ref_id FROM search_fts WHERE search_fts MATCH 'beyo*' AND kind = 'ar'`).Scan(&hit))
	if hit != catalog.NewID(catalog.PrefixArtist, "Beyoncé") {
		t.Errorf("search beyo* found %q", hit)
	}
}

func TestIngestUnusable(t *testing.T) {
	needFFmpeg(t)
	lib := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o644))
	ctx := context.Background()

	_, err := Ingest(ctx, filepath.Join(lib, "missing"), IngestOptions{DataDir: t.TempDir()})
	if !errors.Is(err, ErrLibrary) {
		t.Errorf("missing library: %v, want ErrLibrary", err)
	}
	_, err = Ingest(ctx, file, IngestOptions{DataDir: t.TempDir()})
	if !errors.Is(err, ErrLibrary) {
		t.Errorf("library is a file: %v, want ErrLibrary", err)
	}
	// A data dir below a regular file cannot be created, even by root.
	_, err = Ingest(ctx, lib, IngestOptions{DataDir: filepath.Join(file, "data")})
	if !errors.Is(err, ErrDataDir) {
		t.Errorf("unwritable data dir: %v, want ErrDataDir", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = Ingest(ctx, lib, IngestOptions{DataDir: t.TempDir()})
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "apt-get install ffmpeg") {
		t.Errorf("no ffmpeg: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestIngestShortClips: a short clip at a low sample rate is kept, however
// much of its declared length is the encoder's delay and padding (up to
// three frames): a 0.1 s MP3 at 8 kHz, which ffprobe declares as 0.29 s,
// was skipped as "truncated or damaged", like a sound effect or a spoken
// word at 22.05 kHz. A file cut in half still is.
func TestIngestShortClips(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	for _, s := range []source{
		{name: "fx/beep 8k.mp3", root: 440, seconds: 0.1, rate: 8000, args: []string{"-ac", "1", "-c:a", "libmp3lame"}},
		{name: "fx/word 22k.mp3", root: 330, seconds: 0.15, rate: 22050, args: []string{"-c:a", "libmp3lame"}},
		{name: "fx/chime 44k.mp3", root: 660, seconds: 0.2, args: []string{"-c:a", "libmp3lame"}},
	} {
		writeSource(t, lib, s)
	}
	full := writeSource(t, t.TempDir(), source{name: "full.flac", root: 440, seconds: 4})
	b, err := os.ReadFile(full)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(lib, "fx/cut.flac"), b[:len(b)/2], 0o644))
	sum, err := Ingest(context.Background(), lib, IngestOptions{DataDir: data, Jobs: 1})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sum.Added != 3 || len(sum.Skipped) != 1 || sum.Skipped[0].Path != "fx/cut.flac" || !strings.Contains(sum.Skipped[0].Reason, "truncated") {
		t.Errorf("added %d, skipped %+v; want the 3 clips added and only fx/cut.flac skipped as truncated", sum.Added, sum.Skipped)
	}
}

// A file that goes between the walk and its turn to be encoded (moved or
// deleted while ingest ran) is skipped as gone, with what to do; it was
// "not audio: ffprobe cannot read it: ...: No such file or directory",
// blaming a file that had been fine.
func TestIngestFileGoneMeanwhile(t *testing.T) {
	needFFmpeg(t)
	lib := t.TempDir()
	p := writeSource(t, lib, source{name: "a/gone.flac", root: 300, seconds: 1})
	must(t, os.Remove(p))
	_, _, reason, err := worker{}.ingestFile(context.Background(), libraryFile{Abs: p, Rel: "a/gone.flac", Lib: lib})
	if err != nil || reason != GoneReason {
		t.Errorf("ingestFile of a file removed after the walk: reason %q, err %v; want %q", reason, err, GoneReason)
	}
}
