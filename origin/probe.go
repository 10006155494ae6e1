package origin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"segue/catalog"
)

// probe is what ffprobe tells ingest about one source file.
type probe struct {
	Duration   float64 // seconds, as the container declares it; 0 when unknown
	SampleRate int     // Hz of the audio stream; 0 when unknown
	Codec      string
	HasCover   bool // an attached picture stream
	CoverIdx   int  // its stream index
	Title      string
	Artist     string
	Album      string // "" when the file has no album tag
	AlbumArt   string // the album_artist tag; "" when none
	Genre      string
	TrackNo    int
	DiscNo     int
	Year       int
	// Sort tags as written ("" when none): artist-sort, album_artist-sort,
	// album-sort and title-sort in ffmpeg's names (ID3v2 TSOP, TSO2, TSOA,
	// TSOT), ARTISTSORT... in Vorbis comments, sort_artist... in MP4.
	ArtistSort, AlbumArtSort, AlbumSort, TitleSort string
	Compilation                                    bool // compilation=1 (ID3v2 TCMP, MP4 cpil, Vorbis COMPILATION)
	// Cut names the tags longer than catalog.MaxTagText characters, cut to
	// it ("title", "artist"...), in that order; nil when none was.
	Cut []string
}

// ffprobeStream is one stream of ffprobe's -show_streams.
type ffprobeStream struct {
	Index       int               `json:"index"`
	CodecType   string            `json:"codec_type"`
	CodecName   string            `json:"codec_name"`
	SampleRate  string            `json:"sample_rate"`
	Duration    string            `json:"duration"`
	Disposition map[string]int    `json:"disposition"`
	Tags        map[string]string `json:"tags"`
}

type ffprobeOut struct {
	Streams []ffprobeStream `json:"streams"`
	Format  struct {
		Duration string            `json:"duration"`
		Tags     map[string]string `json:"tags"`
	} `json:"format"`
}

// probeFile runs ffprobe on path. A file ffprobe cannot read, or one with no
// audio stream, is an error whose text is the reason shown to the user.
func probeFile(ctx context.Context, path string) (probe, error) {
	// string_validation=ignore: text that is not UTF-8 comes as its bytes,
	// each byte decoded by encoding/json as one U+FFFD, rather than
	// replaced by ffprobe's own rules; so id3v1Latin1 tells an ID3v1
	// tag's Latin-1 text by decoding its bytes as Go does.
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json=string_validation=ignore", "--", path)
	cmd.SysProcAttr = childProcAttr()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return probe{}, fmt.Errorf("ffprobe cannot read it: %s", lastLine(stderr.String(), err))
	}
	var raw ffprobeOut
	if err := json.Unmarshal(out, &raw); err != nil {
		return probe{}, fmt.Errorf("parse ffprobe output: %w", err)
	}
	id3v1Latin1(path, raw.Format.Tags)
	return parseProbe(raw, path)
}

func parseProbe(raw ffprobeOut, path string) (probe, error) {
	var p probe
	tags := map[string]string{}
	merge := func(m map[string]string) {
		for k, v := range m {
			k = strings.ToLower(k)
			if _, ok := tags[k]; !ok && strings.TrimSpace(v) != "" {
				tags[k] = catalog.Text(v)
			}
		}
	}
	merge(raw.Format.Tags)
	audio := false
	for _, s := range raw.Streams {
		switch {
		case s.CodecType == "audio" && !audio:
			audio = true
			p.Codec = s.CodecName
			p.SampleRate, _ = strconv.Atoi(s.SampleRate)
			merge(s.Tags) // Ogg keeps its comments on the stream
			if d, err := strconv.ParseFloat(s.Duration, 64); err == nil {
				p.Duration = d
			}
		case s.CodecType == "video" && s.Disposition["attached_pic"] == 1 && !p.HasCover:
			p.HasCover = true
			p.CoverIdx = s.Index
		}
	}
	if !audio {
		return p, fmt.Errorf("no audio stream")
	}
	if d, err := strconv.ParseFloat(raw.Format.Duration, 64); err == nil && d > p.Duration {
		p.Duration = d
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := tags[k]; v != "" {
				return v
			}
		}
		return ""
	}
	p.Title = first("title")
	if p.Title == "" {
		base := filepath.Base(path)
		p.Title = catalog.Text(strings.TrimSuffix(base, filepath.Ext(base)))
		if p.Title == "" {
			p.Title = "Untitled"
		}
	}
	p.Artist = first("artist", "album_artist", "albumartist", "album artist", "performer", "composer")
	p.AlbumArt = first("album_artist", "albumartist", "album artist")
	if p.Artist == "" {
		p.Artist = unknownArtist
	}
	p.Album = first("album")
	p.ArtistSort = first("artist-sort", "artistsort", "sort_artist")
	p.AlbumArtSort = first("album_artist-sort", "albumartistsort", "sort_album_artist")
	p.AlbumSort = first("album-sort", "albumsort", "sort_album")
	p.TitleSort = first("title-sort", "titlesort", "sort_name")
	p.Compilation = leadingInt(first("compilation", "cpil", "tcmp")) == 1
	p.Genre = first("genre")
	p.TrackNo = leadingInt(first("track", "tracknumber"))
	p.DiscNo = leadingInt(first("disc", "discnumber"))
	p.Year = leadingInt(first("date", "year", "originaldate"))
	if p.Year < 1000 || p.Year > 9999 {
		p.Year = 0
	}
	for _, t := range []struct {
		name string
		text *string
	}{
		{"title", &p.Title}, {"artist", &p.Artist}, {"album", &p.Album}, {"album_artist", &p.AlbumArt}, {"genre", &p.Genre},
		{"title-sort", &p.TitleSort}, {"artist-sort", &p.ArtistSort}, {"album-sort", &p.AlbumSort}, {"album_artist-sort", &p.AlbumArtSort},
	} {
		var cut bool
		if *t.text, cut = catalog.CutTag(*t.text); cut {
			p.Cut = append(p.Cut, t.name)
		}
	}
	return p, nil
}

// leadingInt reads "3/12" as 3 and "2019-05-01" as 2019; 0 when none.
func leadingInt(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && end < 9 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

// lastLine returns the last non-empty line of a tool's stderr, or err's text.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return err.Error()
}
