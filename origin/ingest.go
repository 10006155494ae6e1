package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"segue/catalog"
	"segue/origin/blobs"
	"segue/sqlite"
)

// Errors that make a library impossible to ingest; everything else wrong
// with a single file only skips that file.
var (
	// ErrNoFFmpeg means ffmpeg or ffprobe is not on PATH.
	ErrNoFFmpeg = errors.New("ffmpeg and ffprobe are needed to ingest music: install them (Debian/Ubuntu: apt-get install ffmpeg)")
	// ErrLibrary means the music folder cannot be read.
	ErrLibrary = errors.New("cannot use music folder")
	// ErrDataDir means the origin data dir cannot be created or written.
	ErrDataDir = errors.New("cannot use origin data dir")
	// ErrDataHoldsLibrary means the data dir is the music folder or a
	// folder above it: ingest reads nothing under its data dir, so it
	// would find no music.
	ErrDataHoldsLibrary = errors.New("the data dir is the music folder or holds it")
	// ErrOtherBlobStore means the blob store holds none of a sample of the
	// segments a PostgreSQL catalog names: it is not the store earlier ingests
	// wrote to (--blobs left out, or another bucket or prefix), and the
	// origins serving the catalog would not find what this one wrote.
	ErrOtherBlobStore = errors.New("the blob store is not the catalog's")
	// ErrIngestBusy means another ingest holds the data dir.
	ErrIngestBusy = errors.New("another ingest is running on this data dir: wait for it to finish")
	// ErrCatalogBusy means another ingest, on any machine, is writing the
	// PostgreSQL catalog.
	ErrCatalogBusy = errors.New("another ingest is writing this catalog: wait for it to finish")
	// ErrDiskFull means the data dir ran out of space: the files it stopped
	// are skipped with DiskFullReason, the rest of the run completes.
	ErrDiskFull = errors.New("the data dir's disk is full")
)

// EmptyLibraryError is Ingest's refusal of a music folder that holds no file
// at all while the catalog holds Tracks tracks: a drive not mounted or a
// mistyped path that exists. Nothing is written or removed; ingesting it
// would remove the Under tracks that were under it with their segments.
// When Under is 0 (a mistyped path, not a drive gone), Folders are the
// folders the catalog's tracks come from, as for NotInCatalogError.
type EmptyLibraryError struct {
	Tracks, Under int
	Folders       []string
}

func (e *EmptyLibraryError) Error() string {
	return "the music folder holds no files, and the catalog holds " + catalog.Count(e.Tracks, "track") + " an earlier ingest made"
}

// IngestOptions tune Ingest.
type IngestOptions struct {
	// DataDir is the origin data dir (catalog.db and blobs/); required.
	DataDir string
	// Jobs is how many files are encoded at once (default runtime.NumCPU()).
	Jobs int
	// Progress, when set, is called once with Action "start" when the work
	// is known, then after each file that needed work; calls never overlap.
	Progress func(IngestProgress)
	// Logger receives per-file diagnostics (default: discarded).
	Logger *slog.Logger
	// Blobs is where segments and covers are stored (default: blobs.FS in
	// DataDir/blobs, today's layout). Garbage collection walks it too, so
	// one store must not be shared by catalogs that differ.
	Blobs blobs.Store
	// Catalog is where the catalog is written: a postgres:// URL, or ""
	// for catalog.db in DataDir (see OpenCatalogAt).
	Catalog string
}

// IngestProgress reports one step of an ingest: a file encoded, then a
// track measured.
type IngestProgress struct {
	Done, Total int    // files (tracks) handled so far / needing work
	Path        string // relative to the library root
	// Action is "scan" (Done files of any kind the walk of the library
	// met so far, every 10,000, Total 0: a library on a network drive took
	// minutes to walk with nothing said), then "start" (Total files to
	// encode), "added", "updated" or
	// "skipped" for a file encoded; then "retag" (Total unchanged files
	// of a catalog made by an older segue, whose tags are read again) and
	// "retagged" for each of them; then "measure" (Total tracks whose
	// tempo and fingerprint the radio needs: after the files, a few
	// seconds a song) and "measured" for each of them ("unmeasured", with
	// Reason, for one whose features could not be measured). Between the two,
	// "remove" (Total tracks whose files went) and "removed" for each of
	// them, as RemoveFolder reports its tracks; then "walk" (Done blobs
	// of the store walked so far, every 10,000, Total 0: not known until
	// the walk ends) while the blobs no track uses any more are found,
	// "collect" (Total such blobs) and "collected" every 500 of them
	// deleted and at the end (Path "").
	Action       string
	Reason       string        // why it was skipped (or unmeasured)
	Cut          []string      // the tags of an added, updated or retagged file cut to catalog.MaxTagText characters
	AudioSeconds float64       // audio encoded so far
	Elapsed      time.Duration // since the walk finished
}

// SkippedFile is a file left out of the catalog, with why.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// CutFile is a file ingested with tags longer than catalog.MaxTagText
// characters, which the catalog keeps cut to it.
type CutFile struct {
	Path string   `json:"path"`
	Tags []string `json:"tags"` // "title", "artist", "album", "album_artist", "genre", "title-sort"...
}

// IngestSummary is what one Ingest run did.
type IngestSummary struct {
	Added        int           `json:"added"`
	Updated      int           `json:"updated"`
	Unchanged    int           `json:"unchanged"`
	Removed      int           `json:"removed"`
	Skipped      []SkippedFile `json:"skipped"`
	Cut          []CutFile     `json:"cut"` // files whose tags were cut, by path
	BlobsRemoved int           `json:"blobs_removed"`
	AudioSeconds float64       `json:"audio_seconds"`
	Elapsed      time.Duration `json:"elapsed_ns"`
	// Unmeasured are tracks whose audio features could not be measured,
	// with why: the radio matches them by their tags alone until an
	// ingest measures them (each ingest tries again).
	Unmeasured []SkippedFile `json:"unmeasured"`
	// Moved are the folders, not there any more, whose tracks this run
	// found in the folder it ingested (same path inside the folder, same
	// size and modification time) and took over, IDs kept (takeOver).
	Moved []MovedFolder `json:"moved"`
}

// step reports one later step of an ingest through o.Progress: start
// with Total before the first item (done 0), then each for every item.
// nil when there is no Progress.
func (o IngestOptions) step(start, each string) func(done, total int, path string) {
	if o.Progress == nil {
		return nil
	}
	return func(done, total int, path string) {
		p := IngestProgress{Done: done, Total: total, Path: path, Action: each}
		if done == 0 {
			p.Action = start
		}
		o.Progress(p)
	}
}

// measureProgress reports the measure step through o.Progress: "measure",
// then "measured" for each track, or "unmeasured" with the reason. nil
// when there is no Progress.
func (o IngestOptions) measureProgress() func(done, total int, path, reason string) {
	step := o.step("measure", "measured")
	if step == nil {
		return nil
	}
	return func(done, total int, path, reason string) {
		if reason == "" {
			step(done, total, path)
			return
		}
		o.Progress(IngestProgress{Done: done, Total: total, Path: path, Action: "unmeasured", Reason: reason})
	}
}

// gcProgress reports garbage collection as Progress's "walk", "collect"
// and "collected".
func (o IngestOptions) gcProgress() gcProgress {
	if o.Progress == nil {
		return gcProgress{}
	}
	return gcProgress{
		walked:  func(seen int) { o.Progress(IngestProgress{Action: "walk", Done: seen}) },
		removed: o.step("collect", "collected"),
	}
}

// keptSuffix ends the reason of a skipped path whose tracks stay: a file's
// or a folder's.
func keptSuffix(dir bool) string {
	if dir {
		return KeptDirReason
	}
	return KeptReason
}

// oldScratch is where ingests before streamed segments wrote whole
// renditions; a killed one may have left files there.
const oldScratch = "tmp"

// Ingest brings the catalog in o.DataDir in line with the music folder
// libraryDir: new files are encoded and added, changed files (size or
// mtime) re-encoded, tracks whose files under libraryDir vanished removed,
// and unreferenced blobs deleted. Tracks ingested from other folders stay
// (see planLibrary).
// A bad file is skipped and listed in the summary; the error is non-nil only
// when the library, the data dir or ffmpeg cannot be used, or ctx ends. A
// full disk skips every file it stops and ends in ErrDiskFull, with the
// summary of the whole run. A folder holding no file at all, given for a
// catalog with tracks, is refused with *EmptyLibraryError before anything
// is written.
// It is safe to kill at any moment: a track row is committed only after all
// its blobs exist, and the next run cleans what was left half-done.
func Ingest(ctx context.Context, libraryDir string, o IngestOptions) (IngestSummary, error) {
	start := time.Now()
	var sum IngestSummary
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			return sum, ErrNoFFmpeg
		}
	}
	lib, err := filepath.Abs(libraryDir)
	if err == nil {
		// The folder's real path: tracks keep it (see planLibrary), so
		// a link to it and the folder itself are one library.
		lib, err = filepath.EvalSymlinks(lib)
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(lib); err == nil && !fi.IsDir() {
			err = fmt.Errorf("%s is not a directory", lib)
		}
	}
	if err != nil {
		return sum, fmt.Errorf("%w %s: %w", ErrLibrary, libraryDir, err)
	}
	if o.DataDir == "" {
		return sum, fmt.Errorf("%w: no data dir given", ErrDataDir)
	}
	data, err := filepath.Abs(o.DataDir)
	if err != nil {
		return sum, fmt.Errorf("%w %s: %w", ErrDataDir, o.DataDir, err)
	}
	if holds(data, lib) {
		return sum, fmt.Errorf("%w: %s holds %s", ErrDataHoldsLibrary, data, lib)
	}
	disk := diskRun{data: data, command: "ingest"}
	db, store, closeAll, err := openLocked(ctx, data, o)
	if err != nil {
		return sum, err
	}
	defer closeAll()
	// A shared PostgreSQL catalog with a store that holds none of its
	// segments is --blobs left out on the ingest machine (docs/scale.md).
	// A catalog.db whose DATA/blobs went (a restored backup of the catalog
	// alone) is not refused: the serve warning says it.
	if missing, none := storeLacksCatalog(ctx, db, store); none && IsPostgresURL(o.Catalog) {
		return sum, fmt.Errorf("%w: %s holds none of the %d segments of the catalog %s looked for (%s among them): "+
			"give the --blobs that earlier ingests had (the origins serving this catalog read that store)",
			ErrOtherBlobStore, store, len(missing), CatalogName(o.Catalog, data), missing[0])
	}

	var found func(int)
	if o.Progress != nil {
		found = func(n int) { o.Progress(IngestProgress{Action: "scan", Done: n}) }
	}
	walk, err := walkLibrary(lib, data, found)
	if err != nil {
		return sum, fmt.Errorf("%w %s: %w", ErrLibrary, lib, err)
	}
	files := walk.files
	sum.Skipped = walk.skipped
	rows, err := knownTracks(ctx, db)
	if err != nil {
		return sum, err
	}
	plan := planLibrary(rows, lib, files)
	if !walk.anyFile && len(rows) > 0 {
		empty := &EmptyLibraryError{Tracks: len(rows), Under: len(plan.own)}
		empty.Folders, _ = catalogFolders(rows)
		return sum, empty
	}
	if plan.adopt {
		if err := adoptOlderRows(ctx, db, lib); err != nil {
			return sum, disk.full(err)
		}
	}
	missing := folderGone()
	moved, movedIDs := plan.takeOver(rows, lib, files, missing)
	if err := moveRows(ctx, db, lib, movedIDs); err != nil {
		return sum, disk.full(err)
	}
	sum.Moved = moved
	for _, m := range moved {
		log.Info("library moved: its tracks keep their IDs", "from", m.From, "to", lib, "tracks", m.Tracks)
	}
	known := plan.own
	keep := map[string]bool{} // paths (relative to lib) whose rows stay
	var retag []libraryFile
	var coverless []coverlessTrack
	type job struct {
		f   libraryFile // as the catalog will hold it (see libraryPlan.file)
		rel string      // relative to lib: what keep, known and the summary go by
	}
	var todo []job
	for _, f := range files {
		k, ok := known[f.Rel]
		rel := f.Rel
		if !ok {
			f = plan.file(f)
		}
		clash := plan.clash(f, missing)
		switch {
		case ok && k.size == f.Size && k.mtime == f.MTime:
			keep[f.Rel] = true
			sum.Unchanged++
			if k.tags < tagsVersion && k.lib == lib {
				retag = append(retag, f)
			}
			if !k.cover && k.lib == lib {
				coverless = append(coverless, coverlessTrack{f, k})
			}
		case ok && k.lib != lib:
			// A track of a folder above lib: its ID follows its path
			// there, so only an ingest of that folder rewrites it.
			keep[f.Rel] = true
			sum.Skipped = append(sum.Skipped, SkippedFile{Path: f.Rel, Reason: "changed, and in the catalog from " + k.lib + ": ingest that folder to update it"})
		case clash != "":
			sum.Skipped = append(sum.Skipped, SkippedFile{Path: rel, Reason: clash})
		default:
			todo = append(todo, job{f, rel})
		}
	}
	log.Info("ingest plan", "library", lib, "files", len(files), "to_encode", len(todo), "unchanged", sum.Unchanged)

	if o.Progress != nil && len(todo) > 0 {
		o.Progress(IngestProgress{Total: len(todo), Action: "start"})
	}
	w := worker{db: db, blobs: store, log: log}
	touchedAlbums := map[string]bool{}
	addedAudio := map[string]string{} // manifestAudioKey -> ID of a track this run added
	var mu sync.Mutex                 // guards sum, keep, touchedAlbums, addedAudio, full and Progress calls
	done, full := 0, 0
	walked := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Jobs)
	for _, j := range todo {
		g.Go(func() error {
			rec, seconds, reason, err := w.ingestFile(gctx, j.f)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			p := IngestProgress{Done: done, Total: len(todo), Path: j.rel}
			switch {
			case reason != "":
				if reason == DiskFullReason {
					full++
				}
				if known[j.rel].id != "" {
					// The file changed into one that cannot be
					// ingested now (a copy or tag edit under way, a
					// full disk): the track it was stays as it was
					// ingested, and the next run tries the file again.
					keep[j.rel] = true
					reason += KeptReason
				}
				p.Action, p.Reason = "skipped", reason
				sum.Skipped = append(sum.Skipped, SkippedFile{Path: j.rel, Reason: reason})
				log.Warn("skip file", "path", j.rel, "reason", reason)
			case known[j.rel].id != "":
				p.Action = "updated"
				touchedAlbums[known[j.rel].album] = true
				sum.Updated++
			default:
				p.Action = "added"
				sum.Added++
				if rec != nil {
					addedAudio[manifestAudioKey(rec.Manifest)] = rec.ID
				}
			}
			if rec != nil && len(rec.cut) > 0 {
				p.Cut = rec.cut
				sum.Cut = append(sum.Cut, CutFile{Path: j.rel, Tags: rec.cut})
				log.Warn("tags cut", "path", j.rel, "tags", rec.cut, "max_chars", catalog.MaxTagText)
			}
			if rec != nil {
				keep[j.rel] = true
				touchedAlbums[rec.albumID] = true
				if rec.leftAlbum != "" {
					touchedAlbums[rec.leftAlbum] = true
				}
			}
			sum.AudioSeconds += seconds
			p.AudioSeconds, p.Elapsed = sum.AudioSeconds, time.Since(walked)
			if o.Progress != nil {
				o.Progress(p)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return sum, err
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	retagged, cut, err := w.retag(ctx, retag, o.Jobs, o.step("retag", "retagged"))
	if err != nil {
		return sum, err
	}
	sum.Cut = append(sum.Cut, cut...)
	slices.SortFunc(sum.Cut, func(a, b CutFile) int { return strings.Compare(a.Path, b.Path) })
	for _, album := range retagged {
		touchedAlbums[album] = true
	}
	covered, err := w.folderCovers(ctx, coverless)
	if err != nil {
		return sum, disk.full(err)
	}
	for _, album := range covered {
		touchedAlbums[album] = true
	}

	// Only rows under lib are known here: other folders' tracks stay.
	var gone []string // paths whose files went, sorted
	for path := range known {
		if keep[path] {
			continue
		}
		if i, dir, ok := walk.keeps(path); ok {
			// There but unreadable now (a copy under way, permissions
			// being changed): not gone, so the track stays.
			keep[path] = true
			if kept := keptSuffix(dir); !strings.HasSuffix(sum.Skipped[i].Reason, kept) {
				sum.Skipped[i].Reason += kept
			}
			continue
		}
		gone = append(gone, path)
	}
	slices.Sort(gone)
	step := o.step("remove", "removed")
	if step != nil && len(gone) > 0 {
		step(0, len(gone), "")
	}
	for _, path := range gone {
		k := known[path]
		moved, err := carryMoved(ctx, db, k.id, addedAudio)
		if err != nil {
			return sum, disk.full(err)
		}
		if moved != "" {
			log.Info("file moved: its playlists, plays and stars follow", "path", path, "id", k.id, "now", moved)
		}
		now, err := deleteTrack(ctx, db, k.id)
		if err != nil {
			return sum, err
		}
		touchedAlbums[k.album] = true
		if now != "" {
			touchedAlbums[now] = true
		}
		sum.Removed++
		log.Info("remove track", "path", path, "id", k.id)
		if step != nil {
			step(sum.Removed, len(gone), path)
		}
	}
	if sum.BlobsRemoved, err = settleCatalog(ctx, db, store, disk, touchedAlbums, o.gcProgress()); err != nil {
		return sum, err
	}
	// Audio features (tempo, spectrum, fingerprint) of new and changed
	// tracks, for the recommender; see features.go.
	if _, sum.Unmeasured, err = updateFeatures(ctx, db, lib, o.Jobs, log, o.measureProgress()); err != nil {
		return sum, disk.full(err)
	}
	sum.Elapsed = time.Since(start)
	if full > 0 {
		return sum, fmt.Errorf("%w: %s not ingested; %s", ErrDiskFull, catalog.Count(full, "file"), disk.advice())
	}
	return sum, nil
}

// openLocked opens the catalog and blob store of the data dir data (o's
// Catalog and Blobs, as Ingest takes them) holding the ingest lock, for a
// run that adds or removes tracks; done releases all of it.
func openLocked(ctx context.Context, data string, o IngestOptions) (*sql.DB, blobs.Store, func(), error) {
	unlock, err := prepareDataDir(data)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := OpenCatalogAt(ctx, o.Catalog, data)
	if err != nil {
		unlock()
		return nil, nil, nil, fmt.Errorf("%w %s: %w", ErrDataDir, data, err)
	}
	release, err := lockIngest(ctx, db)
	if err != nil {
		db.Close()
		unlock()
		return nil, nil, nil, err
	}
	done := func() { release(); db.Close(); unlock() }
	store := o.Blobs
	if store == nil {
		fs := blobs.FS{Dir: filepath.Join(data, BlobDir)}
		if err := fs.CleanTemp(); err != nil {
			done()
			return nil, nil, nil, fmt.Errorf("%w %s: %w", ErrDataDir, data, err)
		}
		store = fs
	}
	return db, store, done, nil
}

// settleCatalog brings the catalog in line after tracks were added or
// removed: empty albums and artists go, names and covers are chosen again,
// blobs no track uses are deleted from store (their count is returned),
// and the album loudness of touched (album IDs) and of albums a killed run
// left without it is measured. disk words a disk-full error; collect
// hears how far the blobs' deletion is (see collectGarbage).
func settleCatalog(ctx context.Context, db *sql.DB, store blobs.Collector, disk diskRun, touched map[string]bool, collect gcProgress) (int, error) {
	if err := pruneCatalog(ctx, db); err != nil {
		return 0, disk.full(err)
	}
	if err := respellCatalog(ctx, db); err != nil {
		return 0, disk.full(err)
	}
	if err := chooseCovers(ctx, db); err != nil {
		return 0, disk.full(err)
	}
	// Garbage goes first: on a full disk, the segments of the files it
	// stopped are what frees room for the album updates.
	removed, err := collectGarbage(ctx, db, store, collect)
	if err != nil {
		return removed, disk.full(err)
	}
	// Albums a killed run left without album loudness are finished too.
	missing, err := albumsWithoutLoudness(ctx, db)
	if err != nil {
		return removed, err
	}
	for _, album := range missing {
		touched[album] = true
	}
	for album := range touched {
		if err := updateAlbumLoudness(ctx, db, album); err != nil {
			return removed, disk.full(err) // the next run finishes the album
		}
	}
	if len(touched) > 0 {
		if err := markChanged(ctx, db, time.Now(), true); err != nil {
			return removed, disk.full(err)
		}
	}
	return removed, nil
}

// execer runs a statement: the catalog, or a transaction of it.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// markChanged records that the catalog's tracks changed at now (read by
// Reader.Changed), in milliseconds, never setting it back. grow, for the
// end of a run (settleCatalog), sets it one past the time recorded when
// that is not before now (a clock set back, or two runs within a
// millisecond), so the time grows with each run that changed something;
// without it (each deleted track, so a run killed before it settles has
// moved the time too) many writes within a millisecond leave it there.
func markChanged(ctx context.Context, ex execer, now time.Time, grow bool) error {
	q := `UPDATE catalog_changed SET at = CASE WHEN at < ? THEN ? ELSE at END`
	if grow {
		q = `UPDATE catalog_changed SET at = CASE WHEN at < ? THEN ? ELSE at + 1 END`
	}
	ms := now.UnixMilli()
	if _, err := ex.ExecContext(ctx, q, ms, ms); err != nil {
		return fmt.Errorf("record when the catalog changed: %w", err)
	}
	return nil
}

// diskRun is a run of a command that writes to the data dir (ingest,
// remove), for its disk-full errors: they name the data dir to free space in
// and the command to run again.
type diskRun struct{ data, command string }

// full marks err as ErrDiskFull when a full disk caused it, so the caller
// still reports the run's summary.
func (r diskRun) full(err error) error {
	if sqlite.DiskFull(err) {
		return fmt.Errorf("%w: %w; %s", ErrDiskFull, err, r.advice())
	}
	return err
}

// advice says what to do once the data dir's disk is full.
func (r diskRun) advice() string {
	return fmt.Sprintf("free space in %s and run %s again", r.data, r.command)
}

// lockGrace is how long a held ingest lock is tried again before it is
// reported as another ingest (ErrIngestBusy): the window a killed ingest's
// child spends between fork and exec is far shorter on any machine.
const lockGrace = 2 * time.Second

// prepareDataDir creates the data dir, proves it writable, takes the ingest
// lock (released by the kernel if the process dies) and removes the scratch
// dir an older, killed run may have left.
func prepareDataDir(data string) (unlock func(), err error) {
	fail := func(err error) (func(), error) { return nil, fmt.Errorf("%w %s: %w", ErrDataDir, data, err) }
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fail(err)
	}
	lf, err := os.OpenFile(filepath.Join(data, "ingest.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fail(err)
	}
	// A killed ingest's lock can outlive it by a moment: a child it was
	// starting holds a copy of the descriptor until its exec closes it. So a
	// held lock is tried again for lockGrace before it means another ingest.
	for start := time.Now(); ; {
		err = syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Since(start) > lockGrace {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		lf.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrIngestBusy
		}
		return fail(err)
	}
	unlock = func() { lf.Close() }
	if err := os.RemoveAll(filepath.Join(data, oldScratch)); err != nil {
		unlock()
		return fail(err)
	}
	return unlock, nil
}

// albumsWithoutLoudness lists albums with a track whose manifest has no album
// loudness yet (album_lufs is omitted while unknown).
func albumsWithoutLoudness(ctx context.Context, db *sql.DB) ([]string, error) {
	q := `SELECT DISTINCT album_id FROM tracks WHERE json_extract(manifest, '$.loudness.album_lufs') IS NULL`
	if isPostgres(db) {
		q = `SELECT DISTINCT album_id FROM tracks WHERE CAST(manifest AS jsonb) #> '{loudness,album_lufs}' IS NULL`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("find albums without loudness: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find albums without loudness: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// holds reports whether the folder dir (its real path when it exists) is
// path or one of path's parents.
func holds(dir, path string) bool {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
