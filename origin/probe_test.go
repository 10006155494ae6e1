package origin

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestParseProbeTags(t *testing.T) {
	for _, c := range []struct {
		name, path, js string
		want           probe
	}{
		{"ogg tags live on the stream, keys in any case", "a/x.ogg",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"vorbis","duration":"3.5",
			  "tags":{"TITLE":"Ça va 🎶","ARTIST":"Zaz","ALBUM":"Recto","TRACKNUMBER":"04/11","DATE":"2013"}}],"format":{"duration":"3.4"}}`,
			probe{Duration: 3.5, Codec: "vorbis", Title: "Ça va 🎶", Artist: "Zaz", Album: "Recto", TrackNo: 4, Year: 2013}},
		{"no tags: title from the file name", "loose/01 - Intro.flac",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"flac"}],"format":{"duration":"60"}}`,
			probe{Duration: 60, Codec: "flac", Title: "01 - Intro", Artist: "Unknown Artist"}},
		{"album artist and attached picture", "c.mp3",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"mp3"},
			  {"index":1,"codec_type":"video","codec_name":"png","disposition":{"attached_pic":1}}],
			  "format":{"duration":"2","tags":{"title":"T","artist":"A feat. B","album_artist":"A","disc":"2/2","date":"bogus"}}}`,
			probe{Duration: 2, Codec: "mp3", HasCover: true, CoverIdx: 1, Title: "T", Artist: "A feat. B", AlbumArt: "A", DiscNo: 2}},
		{"sort tags and compilation in each format's names", "d.flac",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"flac"}],"format":{"tags":{"TITLE":"Help","ARTIST":"The Beetles",
			  "ARTISTSORT":"Beetles, The","ALBUMARTISTSORT":"Beetles, The","album-sort":"Help!","sort_name":"Help","COMPILATION":"1"}}}`,
			probe{Codec: "flac", Title: "Help", Artist: "The Beetles", ArtistSort: "Beetles, The", AlbumArtSort: "Beetles, The",
				AlbumSort: "Help!", TitleSort: "Help", Compilation: true}},
	} {
		var raw ffprobeOut
		if err := json.Unmarshal([]byte(c.js), &raw); err != nil {
			t.Fatal(err)
		}
		got, err := parseProbe(raw, c.path)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", c.name, got, err, c.want)
		}
	}
	var raw ffprobeOut
	json.Unmarshal([]byte(`{"streams":[{"codec_type":"video","codec_name":"h264"}],"format":{}}`), &raw)
	if _, err := parseProbe(raw, "v.mp4"); err == nil {
		t.Error("a file with no audio stream was accepted")
	}
}

// FuzzParseProbe: whatever tags a file carries, parsing never panics and
// every track gets a title, an artist and an album.
func FuzzParseProbe(f *testing.F) {
	f.Add("a/b.mp3", "Beyoncé ✨", "3/12", "2008-01-01", "")
	f.Add("x.flac", "", "", "", "  ")
	f.Add("日本/曲.ogg", "\x00\xff", "-1", "99999999999999999999", "Кино")
	f.Add("Sigur Rós/x.mp3", "A\u0301gætis", "1", "", "Sigur Ro\u0301s")
	f.Fuzz(func(t *testing.T, path, title, track, date, artist string) {
		raw := ffprobeOut{}
		raw.Streams = append(raw.Streams, ffprobeStream{CodecType: "audio", Tags: map[string]string{"title": title, "track": track, "date": date, "ARTIST": artist}})
		p, err := parseProbe(raw, path)
		if err != nil {
			t.Fatal(err)
		}
		if p.Artist == "" || p.Title == "" {
			t.Fatalf("empty field in %+v", p)
		}
		for _, s := range []string{p.Title, p.Artist, p.Album, p.AlbumArt} {
			if utf8.ValidString(s) && !norm.NFC.IsNormalString(s) {
				t.Fatalf("tag %q is not stored in NFC", s)
			}
		}
		if p.TrackNo < 0 || p.Year < 0 {
			t.Fatalf("negative number in %+v", p)
		}
	})
}

func TestParseEBUR128(t *testing.T) {
	const out = `[Parsed_ebur128_3 @ 0x1] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  True peak:
    Peak:       -inf dBFS
[Parsed_ebur128_3 @ 0x2] Summary:

  Integrated loudness:
    I:         -18.7 LUFS
    Threshold: -28.7 LUFS

  Loudness range:
    LRA:        20.0 LU

  True peak:
    Peak:       -0.4 dBFS
`
	lufs, peak, err := parseEBUR128(out)
	if err != nil || lufs != -18.7 || peak != -0.4 {
		t.Errorf("last summary: %v %v %v", lufs, peak, err)
	}
	lufs, peak, err = parseEBUR128(out[:strings.Index(out, "[Parsed_ebur128_3 @ 0x2]")])
	if err != nil || lufs != -70 || peak != silenceFloor {
		t.Errorf("silence: %v %v %v, want -70 and %v", lufs, peak, err, silenceFloor)
	}
	if _, _, err := parseEBUR128("Summary:\n I: -20 LUFS\n"); err == nil {
		t.Error("summary without a peak accepted")
	}
}
