package origin

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Features are a track's audio features, measured once at ingest.
type Features struct {
	Tempo    float64 // BPM; 0 when bpm-tools is missing
	Centroid float64 // spectral centroid (ffmpeg aspectralstats), mean over frames
	Flatness float64 // spectral flatness, mean over frames
	Rolloff  float64 // spectral roll-off, mean over frames
	RMSdB    float64 // RMS level, dBFS (ffmpeg astats)
	CrestdB  float64 // peak level minus RMS level, dB
	// Fingerprint is the Chromaprint raw fingerprint (fpcalc -raw); nil
	// when fpcalc is missing or makes none (a track too short for one).
	Fingerprint []uint32
}

// Tempo range given to bpm-tools: its default (84-146 BPM) reads a 150 BPM
// click as 100 (measured); 70-180 reads 90, 120 and 150 within 0.2 BPM.
const tempoMin, tempoMax = "70", "180"

// measureFeatures analyses the audio file at path: one ffmpeg pass for the
// spectral and level statistics, one feeding bpm-tools, and fpcalc. A
// missing bpm or fpcalc leaves its field empty, as does a fingerprint
// fpcalc cannot make; an ffmpeg failure is an error.
func measureFeatures(ctx context.Context, path string) (Features, error) {
	var f Features
	out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vn", "-ac", "1",
		"-af", "aspectralstats,astats=metadata=1:reset=0,ametadata=print:file=-", "-f", "null", "-").Output()
	if err != nil {
		return f, fmt.Errorf("ffmpeg could not decode it (%s)", toolSaid(err, path))
	}
	parseStats(out, &f)
	if _, err := exec.LookPath("bpm"); err == nil {
		if f.Tempo, err = measureTempo(ctx, path); err != nil {
			return f, err
		}
	}
	if _, err := exec.LookPath("fpcalc"); err == nil {
		if f.Fingerprint, err = fingerprint(ctx, path); err != nil {
			if ctx.Err() != nil {
				return f, ctx.Err()
			}
			// fpcalc makes none of a track of a second or two ("Empty
			// fingerprint"): the features measured stand, and the
			// track matches no other recording
			f.Fingerprint = nil
		}
	}
	return f, nil
}

// toolSaid is the last line a tool that failed on path wrote to stderr,
// without the "PATH: " ffmpeg starts it with, or err itself when it wrote
// none.
func toolSaid(err error, path string) string {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(ee.Stderr)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return err.Error()
	}
	return strings.TrimPrefix(last, path+": ")
}

// parseStats reads ametadata's lines: the spectral values of every frame
// (averaged) and the running astats totals (the last ones are the track's).
func parseStats(out []byte, f *Features) {
	var sum [3]float64
	var n [3]float64
	var peak float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x != x { // NaN on silence
			continue
		}
		switch {
		case strings.HasSuffix(k, ".centroid"):
			sum[0], n[0] = sum[0]+x, n[0]+1
		case strings.HasSuffix(k, ".flatness"):
			sum[1], n[1] = sum[1]+x, n[1]+1
		case strings.HasSuffix(k, ".rolloff"):
			sum[2], n[2] = sum[2]+x, n[2]+1
		case k == "lavfi.astats.Overall.RMS_level":
			f.RMSdB = x
		case k == "lavfi.astats.Overall.Peak_level":
			peak = x
		}
	}
	for i, p := range []*float64{&f.Centroid, &f.Flatness, &f.Rolloff} {
		if n[i] > 0 {
			*p = sum[i] / n[i]
		}
	}
	if f.RMSdB > -1e300 && peak > -1e300 {
		f.CrestdB = peak - f.RMSdB
	}
}

// measureTempo decodes path to mono 32-bit float at 44.1 kHz into bpm.
func measureTempo(ctx context.Context, path string) (float64, error) {
	dec := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vn", "-ac", "1", "-ar", "44100", "-f", "f32le", "-")
	bpm := exec.CommandContext(ctx, "bpm", "-m", tempoMin, "-x", tempoMax)
	pipe, err := dec.StdoutPipe()
	if err != nil {
		return 0, err
	}
	bpm.Stdin = pipe
	var out bytes.Buffer
	bpm.Stdout = &out
	if err := dec.Start(); err != nil {
		return 0, fmt.Errorf("bpm-tools could not measure its tempo (%w)", err)
	}
	berr := bpm.Run()
	derr := dec.Wait()
	if err := errors.Join(berr, derr); err != nil {
		return 0, fmt.Errorf("bpm-tools could not measure its tempo (%w)", err)
	}
	t, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil {
		return 0, fmt.Errorf("bpm-tools could not measure its tempo (bpm said %q)", out.String())
	}
	return t, nil
}

// fingerprint runs fpcalc -raw on path.
func fingerprint(ctx context.Context, path string) ([]uint32, error) {
	out, err := exec.CommandContext(ctx, "fpcalc", "-raw", "-json", path).Output()
	if err != nil && len(out) == 0 { // fpcalc exits 1 after a decode warning at the end, with a fingerprint
		return nil, fmt.Errorf("fingerprint %s: fpcalc: %w", path, err)
	}
	var v struct {
		Fingerprint []uint32 `json:"fingerprint"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("fingerprint %s: fpcalc output: %w", path, err)
	}
	return v.Fingerprint, nil
}

// sameRecording reports whether two raw fingerprints are of one recording:
// at the best of a few small offsets (an encoder's delay), under 15% of
// the bits differ. Measured on synthetic melodies: FLAC against a 192k
// MP3 of it 0.0%, two different melodies 24-44%. A fingerprint of fewer
// than 8 distinct values (a steady tone, a click track: 1 measured; a
// 30 s melody of four notes: 51) says nothing about the music and matches
// nothing: sines at 440 and 550 Hz differ in only 9% of their bits.
func sameRecording(a, b []uint32) bool {
	const maxShift, maxBER = 3, 0.15
	if !informative(a) || !informative(b) {
		return false
	}
	for shift := -maxShift; shift <= maxShift; shift++ {
		diff, n := 0, 0
		for i := range a {
			j := i + shift
			if j < 0 || j >= len(b) {
				continue
			}
			diff += bits.OnesCount32(a[i] ^ b[j])
			n++
		}
		if n >= 8 && float64(diff)/float64(32*n) < maxBER {
			return true
		}
	}
	return false
}

// informative reports whether fp holds at least 8 distinct values.
func informative(fp []uint32) bool {
	seen := map[uint32]bool{}
	for _, v := range fp {
		if seen[v] = true; len(seen) >= 8 {
			return true
		}
	}
	return false
}

func packFingerprint(fp []uint32) []byte {
	if fp == nil {
		return nil
	}
	b := make([]byte, 4*len(fp))
	for i, v := range fp {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func unpackFingerprint(b []byte) []uint32 {
	fp := make([]uint32, len(b)/4)
	for i := range fp {
		fp[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return fp
}

// updateFeatures measures every track whose features are missing or older
// than its file (read in the track's own library; in lib for rows of older
// ingests), jobs at a time, then marks duplicate recordings. It returns how
// many tracks it tried to measure and those it could not, with why (logged
// too, and left for the next run). progress, when not nil, is called once
// with done 0 before the first track and then after each track (path as
// the catalog holds it; reason "" when it was measured), one call at a
// time.
func updateFeatures(ctx context.Context, db *sql.DB, lib string, jobs int, log *slog.Logger, progress func(done, total int, path, reason string)) (int, []SkippedFile, error) {
	type todo struct {
		id, path, lib string
		mtime         int64
	}
	rows, err := db.QueryContext(ctx, `SELECT t.id, t.path, t.library, t.file_mtime FROM tracks t
		LEFT JOIN track_features f ON f.track_id = t.id WHERE f.track_id IS NULL OR f.file_mtime != t.file_mtime`)
	if err != nil {
		return 0, nil, fmt.Errorf("list tracks to measure: %w", err)
	}
	var list []todo
	for rows.Next() {
		var t todo
		if err := rows.Scan(&t.id, &t.path, &t.lib, &t.mtime); err != nil {
			rows.Close()
			return 0, nil, err
		}
		list = append(list, t)
	}
	rows.Close()
	var mu sync.Mutex // guards done, unmeasured and progress calls
	done := 0
	var unmeasured []SkippedFile
	step := func(path, reason string) {
		mu.Lock()
		defer mu.Unlock()
		if reason != "" {
			unmeasured = append(unmeasured, SkippedFile{Path: path, Reason: reason})
		}
		if progress == nil {
			return
		}
		done++
		progress(done, len(list), path, reason)
	}
	if progress != nil && len(list) > 0 {
		progress(0, len(list), "", "")
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for _, t := range list {
		g.Go(func() error {
			if t.lib == "" { // a row of an older ingest not yet adopted
				t.lib = lib
			}
			f, err := measureFeatures(gctx, filepath.Join(t.lib, filepath.FromSlash(t.path)))
			if err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				log.Warn("measure features", "path", t.path, "err", err)
				step(t.path, err.Error())
				return nil
			}
			defer step(t.path, "")
			_, err = db.ExecContext(gctx, `INSERT INTO track_features
				(track_id, file_mtime, tempo, centroid, flatness, rolloff, rms_db, crest_db, fingerprint, recording)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (track_id) DO UPDATE SET file_mtime = excluded.file_mtime, tempo = excluded.tempo,
					centroid = excluded.centroid, flatness = excluded.flatness, rolloff = excluded.rolloff, rms_db = excluded.rms_db,
					crest_db = excluded.crest_db, fingerprint = excluded.fingerprint, recording = excluded.recording`, t.id, t.mtime, f.Tempo, f.Centroid, f.Flatness, f.Rolloff, f.RMSdB, f.CrestdB,
				packFingerprint(f.Fingerprint), t.id)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, nil, fmt.Errorf("measure features: %w", err)
	}
	if len(list) == 0 {
		return 0, nil, nil
	}
	slices.SortFunc(unmeasured, func(a, b SkippedFile) int { return strings.Compare(a.Path, b.Path) })
	return len(list), unmeasured, markRecordings(ctx, db)
}

// markRecordings sets each track's recording to the smallest track ID
// whose fingerprint matches its own among tracks of nearly the same length
// (within 2 s) and tempo (within 2 BPM when both are measured), so a radio
// plays one recording once. The tempo guard is there because Chromaprint
// hashes pitch content: click tracks at 90 and 120 BPM of one pitch differ
// in 0.2% of their bits (measured), less than two encodings of one song.
func markRecordings(ctx context.Context, db *sql.DB) error {
	type fp struct {
		id    string
		ms    int64
		tempo float64
		raw   []uint32
	}
	rows, err := db.QueryContext(ctx, `SELECT t.id, t.duration_ms, f.tempo, f.fingerprint FROM track_features f
		JOIN tracks t ON t.id = f.track_id WHERE f.fingerprint IS NOT NULL ORDER BY t.duration_ms, t.id`)
	if err != nil {
		return fmt.Errorf("mark recordings: %w", err)
	}
	var all []fp
	for rows.Next() {
		var f fp
		var b []byte
		if err := rows.Scan(&f.id, &f.ms, &f.tempo, &b); err != nil {
			rows.Close()
			return err
		}
		f.raw = unpackFingerprint(b)
		all = append(all, f)
	}
	rows.Close()
	rec := map[string]string{}
	for i, a := range all {
		rec[a.id] = a.id
		for j := i - 1; j >= 0 && a.ms-all[j].ms <= 2000; j-- {
			b := all[j]
			if a.tempo > 0 && b.tempo > 0 && math.Abs(a.tempo-b.tempo) > 2 {
				continue
			}
			if sameRecording(a.raw, b.raw) {
				rec[a.id] = min(rec[a.id], rec[all[j].id])
			}
		}
	}
	return catalogTx(ctx, db, func(tx *sql.Tx) error {
		for id, r := range rec {
			if _, err := tx.ExecContext(ctx, `UPDATE track_features SET recording = ? WHERE track_id = ? AND recording != ?`, r, id, r); err != nil {
				return err
			}
		}
		return nil
	})
}
