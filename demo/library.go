// Package demo creates segue's demo library: tracks synthesized here,
// each recognisably different, tagged and with cover art, encoded by ffmpeg
// into the formats a real library holds (FLAC, MP3, Ogg Vorbis, M4A). One
// album is cut from one continuous piece at points that are not MP3-frame
// aligned, to be played gapless. It never touches a library it did not make.
package demo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// marker is written last; its presence means the library is complete. It
// holds libraryVersion: a library of another version (shorter tracks) is
// made again over itself.
const marker = ".segue-demo-complete"

// libraryVersion names the plan below; change it when the plan changes.
const libraryVersion = "2: tracks of 45 s or more"

// track is one piece: its parts play a phrase that repeats, with each part
// resting in turn, until the track lasts minTrackSeconds.
type track struct {
	Title string
	BPM   float64
	Drums bool
	Parts []part
}

// minTrackSeconds is the least a demo track lasts: long enough to explore
// seeking, rendition switches and the queue while it plays.
const minTrackSeconds = 45

// fadeSeconds is the fade-out at the end of each track (and of the gapless
// album, at its end only).
const fadeSeconds = 3

type album struct {
	Artist, Title, Genre string
	Year                 int
	Ext                  string   // container/codec of the files
	Codec                []string // ffmpeg codec arguments
	EmbedCover           bool     // else cover.png / cover.jpg beside the files
	Hue                  float64  // cover colour
	Tracks               []track
	// Gapless: the tracks' audio is one continuous piece cut at CutSeconds.
	Gapless    bool
	CutSeconds []float64
}

// albums returns the demo library's plan. Each track's phrase is short, so
// synthesis stays quick; repeating it makes tracks of minTrackSeconds.
func albums() []album {
	am := []bool{false, true, true, false}
	return []album{
		{
			Artist: "Aurora Static", Title: "Night Transit", Genre: "Ambient", Year: 2021,
			Ext: "flac", Codec: []string{"-c:a", "flac"}, EmbedCover: true, Hue: 230,
			Tracks: []track{
				{"Platform Lights", 70, false, []part{{Voice: pad, Notes: progression([]int{57, 53, 60, 55}, 3, am)}, {Voice: bell, Notes: arpeggio([]int{81, 77, 84, 79}, []int{0, 7, 12}, 1, 3), Pan: 0.5, Gain: 0.5}}},
				{"Sleeper Car", 60, false, []part{{Voice: pad, Notes: progression([]int{50, 55, 52, 57}, 3, []bool{true})}, {Voice: pluck, Notes: arpeggio([]int{62, 67, 64, 69}, []int{0, 3, 7, 10}, 0.75, 4), Pan: -0.4}}},
				{"Terminus", 80, false, []part{{Voice: pad, Notes: progression([]int{48, 53, 55, 48}, 4, am)}, {Voice: bell, Notes: arpeggio([]int{72, 77, 79, 84}, []int{0, 4, 7}, 0.5, 8), Pan: 0.3, Gain: 0.4}}},
			},
		},
		{
			Artist: "Mélodie Sauvage", Title: "Café Électrique", Genre: "Electro Pop", Year: 2023,
			Ext: "mp3", Codec: []string{"-c:a", "libmp3lame", "-b:a", "256k"}, Hue: 330,
			Tracks: []track{
				{"Rue de la Pluie", 118, true, []part{{Voice: bass, Notes: arpeggio([]int{45, 41, 48, 43}, []int{0, 0, 12, 0}, 0.5, 8)}, {Voice: pluck, Notes: arpeggio([]int{69, 65, 72, 67}, []int{0, 4, 7, 12}, 0.25, 16), Pan: 0.4, Gain: 0.6}}},
				{"Néon Noir", 124, true, []part{{Voice: bass, Notes: arpeggio([]int{40, 40, 43, 38}, []int{0, 12}, 0.5, 8)}, {Voice: square, Notes: arpeggio([]int{64, 64, 67, 62}, []int{0, 3, 7, 3}, 0.5, 8), Pan: -0.3}}},
				{"Dernier Métro 🚇", 110, true, []part{{Voice: bass, Notes: arpeggio([]int{43, 48, 45, 41}, []int{0, 7}, 1, 4)}, {Voice: bell, Notes: arpeggio([]int{79, 84, 81, 77}, []int{0, 2, 4, 7}, 0.5, 8), Pan: 0.2, Gain: 0.5}}},
			},
		},
		{
			Artist: "The Square Waves", Title: "8-Bit Summer", Genre: "Chiptune", Year: 2019,
			Ext: "ogg", Codec: []string{"-c:a", "libvorbis", "-q:a", "6"}, Hue: 50,
			Tracks: []track{
				{"Level One", 150, true, []part{{Voice: square, Notes: arpeggio([]int{72, 76, 79, 77}, []int{0, 4, 7, 12}, 0.25, 16)}, {Voice: square, Notes: arpeggio([]int{48, 52, 55, 53}, []int{0, 12}, 0.5, 8), Gain: 0.8}}},
				{"Boss Fight", 170, true, []part{{Voice: square, Notes: arpeggio([]int{69, 68, 69, 71}, []int{0, 3, 6, 9}, 0.25, 16)}, {Voice: bass, Notes: arpeggio([]int{45, 44, 45, 47}, []int{0, 0, 12}, 0.5, 8)}}},
				{"High Score", 140, true, []part{{Voice: square, Notes: arpeggio([]int{76, 74, 72, 79}, []int{0, 7, 12, 7}, 0.25, 16)}, {Voice: pluck, Notes: progression([]int{60, 62, 64, 67}, 2, am), Gain: 0.5}}},
			},
		},
		{
			Artist: "Aurora Static", Title: "Continuum", Genre: "Ambient", Year: 2024,
			Ext: "flac", Codec: []string{"-c:a", "flac"}, EmbedCover: true, Hue: 160,
			Gapless: true,
			// Cut points in seconds, each track 45 s or more of a 187.5 s
			// piece; at 44.1 kHz none falls on a 1152-sample frame.
			CutSeconds: []float64{46.6331, 93.7017, 140.1093},
			Tracks: []track{
				{Title: "Continuum I: Dawn"}, {Title: "Continuum II: Drift"},
				{Title: "Continuum III: Swell"}, {Title: "Continuum IV: Dusk"},
			},
		},
	}
}

// continuumPiece is the one continuous piece the gapless album is cut from:
// a sustained pad and a steady arpeggio crossing every cut, so any gap or
// click at a track boundary is audible and measurable. Its 37.5 s phrase
// plays five times (187.5 s).
func continuumPiece() []float32 {
	roots := []int{50, 53, 57, 55, 50, 48, 52, 55, 50, 53}
	const bpm, period = 64, 37.5 // 40 beats
	phrase := render(period+releaseTail, period, bpm, false,
		part{Voice: pad, Notes: progression(roots, 4, []bool{true, false}), Gain: 0.8},
		part{Voice: pluck, Notes: arpeggio(roots, []int{12, 19, 24, 19}, 0.25, 16), Pan: 0.35, Gain: 0.5},
	)
	piece := repeat([][]float32{phrase}, period*rate, 5*period)
	fadeOut(piece, fadeSeconds)
	return piece
}

// trackAudio renders tr: each part's phrase (and the drums) once, mixed into
// variations where one part rests in turn, repeated to minTrackSeconds and
// faded out at the end.
func trackAudio(tr track) []float32 {
	period := phraseBeats(tr.Parts) * 60 / tr.BPM
	var layers [][]float32 // one per part, then the drums
	for _, p := range tr.Parts {
		layers = append(layers, render(period+releaseTail, period, tr.BPM, false, p))
	}
	if tr.Drums {
		layers = append(layers, render(period+releaseTail, period, tr.BPM, true))
	}
	var variations [][]float32
	for rest := range tr.Parts {
		variations = append(variations, mix(layers, -1), mix(layers, rest))
	}
	s := repeat(variations, int(period*rate), minTrackSeconds)
	fadeOut(s, fadeSeconds)
	return s
}

// mix adds layers, leaving out the one at index rest (-1: none).
func mix(layers [][]float32, rest int) []float32 {
	out := make([]float32, len(layers[0]))
	for i, l := range layers {
		if i == rest {
			continue
		}
		for j, v := range l {
			out[j] += v
		}
	}
	return out
}

// Build creates the demo library in dir unless a complete one is already
// there, calling progress (may be nil) with each file made. It needs ffmpeg.
func Build(ctx context.Context, dir string, progress func(string)) error {
	if v, err := os.ReadFile(filepath.Join(dir, marker)); err == nil && string(v) == libraryVersion {
		return nil
	}
	if progress == nil {
		progress = func(string) {}
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return fmt.Errorf("build demo library: ffmpeg not found (install it: apt-get install ffmpeg)")
	}
	tmp, err := os.MkdirTemp("", "segue-demo-")
	if err != nil {
		return fmt.Errorf("build demo library: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, al := range albums() {
		albumDir := filepath.Join(dir, al.Artist, al.Title)
		if err := os.MkdirAll(albumDir, 0o755); err != nil {
			return fmt.Errorf("build demo library: %w", err)
		}
		cover := filepath.Join(tmp, al.Title+".png")
		if err := writeCover(cover, al); err != nil {
			return err
		}
		if !al.EmbedCover {
			if err := copyCover(cover, albumDir, al.Ext == "ogg"); err != nil {
				return err
			}
		}
		pieces, err := albumAudio(al)
		if err != nil {
			return err
		}
		for i, tr := range al.Tracks {
			wav := filepath.Join(tmp, "t.wav")
			if err := writeWAV(wav, pieces[i]); err != nil {
				return err
			}
			out := filepath.Join(albumDir, fmt.Sprintf("%02d %s.%s", i+1, tr.Title, al.Ext))
			if err := encode(ctx, wav, cover, out, al, i); err != nil {
				return err
			}
			progress(out)
		}
	}
	return os.WriteFile(filepath.Join(dir, marker), []byte(libraryVersion), 0o644)
}

// albumAudio renders each track of al; a gapless album is one piece cut at
// its CutSeconds.
func albumAudio(al album) ([][]float32, error) {
	var out [][]float32
	if !al.Gapless {
		for _, tr := range al.Tracks {
			out = append(out, trackAudio(tr))
		}
		return out, nil
	}
	piece := continuumPiece()
	if len(al.CutSeconds) != len(al.Tracks)-1 {
		return nil, fmt.Errorf("demo album %q: %d cuts for %d tracks", al.Title, len(al.CutSeconds), len(al.Tracks))
	}
	prev := 0
	for _, s := range append(al.CutSeconds, float64(len(piece)/2)/rate) {
		at := int(s*rate) * 2
		out = append(out, piece[prev:at])
		prev = at
	}
	return out, nil
}

func encode(ctx context.Context, wav, cover, out string, al album, i int) error {
	tr := al.Tracks[i]
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", wav}
	if al.EmbedCover {
		args = append(args, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:v", "png", "-disposition:v", "attached_pic",
			"-metadata:s:v", "comment=Cover (front)")
	}
	args = append(args, al.Codec...)
	meta := map[string]string{
		"title": tr.Title, "artist": al.Artist, "album_artist": al.Artist, "album": al.Title,
		"genre": al.Genre, "date": strconv.Itoa(al.Year), "track": fmt.Sprintf("%d/%d", i+1, len(al.Tracks)),
	}
	for k, v := range meta {
		args = append(args, "-metadata", k+"="+v)
	}
	args = append(args, out)
	if msg, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("encode demo track %q: %v: %s", tr.Title, err, bytes.TrimSpace(msg))
	}
	return nil
}

// writeWAV writes interleaved stereo samples as 16-bit PCM WAV.
func writeWAV(path string, s []float32) error {
	var b bytes.Buffer
	data := len(s) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(2), uint32(rate), uint32(rate * 4), uint16(4), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	for _, v := range s {
		binary.Write(&b, binary.LittleEndian, int16(max(-1, min(1, v))*32767))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write demo audio: %w", err)
	}
	return nil
}
