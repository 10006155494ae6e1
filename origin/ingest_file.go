package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"segue/catalog"
	"segue/sqlite"
)

// FramesPerSegment is how many MP3 frames a segment holds (about 2.5 s).
const FramesPerSegment = 96

// audioExts are the extensions ingest tries; ffmpeg decides whether a file
// really is audio.
var audioExts = map[string]bool{
	".mp3": true, ".flac": true, ".ogg": true, ".oga": true, ".opus": true,
	".m4a": true, ".m4b": true, ".aac": true, ".mp4": true, ".wav": true,
	".aif": true, ".aiff": true, ".wma": true, ".wv": true, ".ape": true,
	".mka": true, ".mpc": true,
}

// libraryFile is one audio file found in the library.
type libraryFile struct {
	Abs, Rel    string // Rel uses forward slashes: it names the track's ID
	Size, MTime int64
}

// walkLibrary lists the audio files under lib (skipping dot entries and the
// data dir should it live inside the library) and the ones that cannot even
// be opened. An error means lib itself cannot be read.
func walkLibrary(lib, data string) ([]libraryFile, []SkippedFile, error) {
	var files []libraryFile
	var skipped []SkippedFile
	ids := map[string]string{} // track ID -> path, to catch names equal but for case
	rel := func(p string) string {
		r, err := filepath.Rel(lib, p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	err := filepath.WalkDir(lib, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == lib {
				return err
			}
			skipped = append(skipped, SkippedFile{Path: rel(p), Reason: "cannot read: " + errText(err)})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p != lib && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p == data {
				return filepath.SkipDir
			}
			return nil
		}
		if !audioExts[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		r := rel(p)
		fi, err := os.Stat(p) // follows symlinks
		switch {
		case err != nil:
			skipped = append(skipped, SkippedFile{Path: r, Reason: "cannot read: " + errText(err)})
			return nil
		case !fi.Mode().IsRegular():
			skipped = append(skipped, SkippedFile{Path: r, Reason: "not a regular file"})
			return nil
		case fi.Size() == 0:
			skipped = append(skipped, SkippedFile{Path: r, Reason: "empty file (0 bytes)"})
			return nil
		}
		f, err := os.Open(p)
		if err == nil {
			var b [1]byte
			_, err = f.Read(b[:])
			f.Close()
		}
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: r, Reason: "cannot read: " + errText(err)})
			return nil
		}
		id := catalog.NewID(catalog.PrefixTrack, r)
		if other, dup := ids[id]; dup {
			skipped = append(skipped, SkippedFile{Path: r, Reason: fmt.Sprintf("same path as %s except for letter case", other)})
			return nil
		}
		ids[id] = r
		files = append(files, libraryFile{Abs: p, Rel: r, Size: fi.Size(), MTime: fi.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// Longest files are not known yet; sorting by size puts big ones first
	// so the parallel tail is short.
	sort.SliceStable(files, func(i, j int) bool { return files[i].Size > files[j].Size })
	return files, skipped, nil
}

// errText is an error's message without the path, which the summary already shows.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// worker turns one library file into a committed track.
type worker struct {
	db    *sql.DB
	blobs Blobs
	log   *slog.Logger
}

// ingestFile probes, encodes, segments and stores f. It returns the record
// written and the seconds of audio encoded, or a non-empty reason when f is
// bad and was skipped. err is for failures of the data dir or the catalog,
// which end the whole ingest.
func (w worker) ingestFile(ctx context.Context, f libraryFile) (rec *trackRecord, seconds float64, reason string, err error) {
	p, perr := probeFile(ctx, f.Abs)
	if perr != nil {
		if ctx.Err() != nil {
			return nil, 0, "", ctx.Err()
		}
		return nil, 0, "not audio: " + perr.Error(), nil
	}
	enc, eerr := encodeFile(ctx, f.Abs, w.blobs.Put)
	if eerr != nil {
		if ctx.Err() != nil {
			return nil, 0, "", ctx.Err()
		}
		if se := (storeError{}); errors.As(eerr, &se) {
			return storeFailed(se)
		}
		return nil, 0, eerr.Error(), nil
	}
	seconds = float64(enc.Samples) / catalog.SampleRate
	switch {
	case enc.Samples == 0:
		return nil, 0, "no audio could be decoded", nil
	case p.Duration > 0 && seconds < 0.9*p.Duration-0.1:
		return nil, 0, fmt.Sprintf("truncated or damaged: decoded %.2f s of the %.2f s it declares", seconds, p.Duration), nil
	}
	if enc.DecodeErrors {
		w.log.Warn("decode errors, keeping what decoded", "path", f.Rel)
	}
	rec = &trackRecord{
		ID: catalog.NewID(catalog.PrefixTrack, f.Rel), Path: f.Rel,
		Title: p.Title, Artist: p.Artist, Album: p.Album, AlbumArtist: p.AlbumArt, Genre: p.Genre,
		TrackNo: p.TrackNo, DiscNo: p.DiscNo, Year: p.Year,
		TitleSort: p.TitleSort, ArtistSort: p.ArtistSort, AlbumSort: p.AlbumSort, AlbumArtistSort: p.AlbumArtSort,
		Compilation: p.Compilation,
		DurationMS:  enc.Samples * 1000 / catalog.SampleRate,
		FileSize:    f.Size, FileMTime: f.MTime,
	}
	rec.Manifest = catalog.Manifest{
		TrackID: rec.ID, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: FramesPerSegment,
		StartSkip: catalog.StartSkip, TotalSamples: enc.Samples,
		Loudness:   enc.Loudness,
		Renditions: enc.Renditions,
	}
	if err := rec.Manifest.Validate(); err != nil {
		return nil, 0, "encode came out inconsistent: " + err.Error(), nil
	}
	if img, mime, _ := findCover(ctx, f.Abs, p); img != nil {
		h, err := w.blobs.Put(img)
		if err != nil {
			return storeFailed(err)
		}
		rec.CoverHash, rec.CoverMIME = h, mime
	}
	if err := putTrack(ctx, w.db, rec); err != nil {
		if sqlite.DiskFull(err) {
			return storeFailed(err)
		}
		return nil, seconds, "", err
	}
	w.log.Info("track stored", "path", f.Rel, "id", rec.ID, "seconds", seconds, "lufs", enc.Loudness.IntegratedLUFS)
	return rec, seconds, "", nil
}

// DiskFullReason is the skip reason of every file a full data dir stopped.
const DiskFullReason = "disk full: no space left in the data dir (free space there and run ingest again)"

// storeFailed is ingestFile's result for a failed write to the data dir:
// the file is skipped when the disk is full (the file is fine; the next run
// takes it), anything else ends the ingest.
func storeFailed(err error) (*trackRecord, float64, string, error) {
	if sqlite.DiskFull(err) {
		return nil, 0, DiskFullReason, nil
	}
	return nil, 0, "", fmt.Errorf("%w: %w", ErrDataDir, err)
}
