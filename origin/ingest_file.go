package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"segue/catalog"
	"segue/origin/blobs"
	"segue/sqlite"
)

// FramesPerSegment is how many MP3 frames a segment holds (about 2.5 s).
const FramesPerSegment = 96

// worker turns one library file into a committed track.
type worker struct {
	db    *sql.DB
	blobs blobs.Writer
	log   *slog.Logger
}

// declaredSlack is how many seconds a good file's declared length may pass
// what decodes beyond a tenth of it: 0.1 s, plus three MPEG frames (1152
// samples) at the source's rate for the encoder's delay and padding that a
// container counts and gapless decoding drops; a short clip at a low rate
// (0.1 s at 8 kHz, declared 0.29 s) is mostly those.
func declaredSlack(sampleRate int) float64 {
	if sampleRate <= 0 {
		sampleRate = catalog.SampleRate
	}
	return 0.1 + 3*1152/float64(sampleRate)
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
		if gone(f.Abs) {
			return nil, 0, GoneReason, nil
		}
		return nil, 0, "not audio: " + perr.Error(), nil
	}
	enc, eerr := encodeFile(ctx, f.Abs, func(b []byte) (string, error) { return w.blobs.Put(ctx, b) })
	if eerr != nil {
		if ctx.Err() != nil {
			return nil, 0, "", ctx.Err()
		}
		if se := (storeError{}); errors.As(eerr, &se) {
			return storeFailed(se)
		}
		if gone(f.Abs) {
			return nil, 0, GoneReason, nil
		}
		return nil, 0, eerr.Error(), nil
	}
	seconds = float64(enc.Samples) / catalog.SampleRate
	switch {
	case enc.Samples == 0:
		return nil, 0, "no audio could be decoded", nil
	case p.Duration > 0 && seconds < 0.9*p.Duration-declaredSlack(p.SampleRate):
		return nil, 0, fmt.Sprintf("truncated or damaged: decoded %.2f s of the %.2f s it declares", seconds, p.Duration), nil
	}
	if enc.DecodeErrors {
		w.log.Warn("decode errors, keeping what decoded", "path", f.Rel)
	}
	rec = tagRecord(f, p)
	rec.DurationMS = enc.Samples * 1000 / catalog.SampleRate
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
		h, err := w.blobs.Put(ctx, img)
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

// KeptReason ends the skip reason of a changed file whose track stays in
// the catalog as it was ingested before.
const KeptReason = "; the track keeps the version ingested before"

// KeptDirReason ends the skip reason of a folder that could not be read
// whose tracks stay in the catalog as they were ingested before.
const KeptDirReason = "; its tracks keep the versions ingested before"

// GoneReason is the skip reason of a file that went (moved, deleted)
// between the walk of the library and its turn to be encoded.
const GoneReason = "gone: moved or deleted while ingest ran (run ingest again to take the library as it is now)"

// gone says whether the file at path is no longer there.
func gone(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
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
