package origin

import (
	"encoding/json"
	"testing"
)

func TestParseProbeTags(t *testing.T) {
	for _, c := range []struct {
		name, path, js string
		want           probe
	}{
		{"ogg tags live on the stream, keys in any case", "a/x.ogg",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"vorbis","duration":"3.5",
			  "tags":{"TITLE":"Ça va 🎶","ARTIST":"Zaz","ALBUM":"Recto","TRACKNUMBER":"04/11","DATE":"2013"}}],"format":{"duration":"3.4"}}`,
			probe{Duration: 3.5, Codec: "vorbis", Title: "Ça va 🎶", Artist: "Zaz", AlbumArt: "Zaz", Album: "Recto", TrackNo: 4, Year: 2013}},
		{"no tags: title from the file name", "loose/01 - Intro.flac",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"flac"}],"format":{"duration":"60"}}`,
			probe{Duration: 60, Codec: "flac", Title: "01 - Intro", Artist: "Unknown Artist", AlbumArt: "Unknown Artist", Album: "Unknown Album"}},
		{"album artist and attached picture", "c.mp3",
			`{"streams":[{"index":0,"codec_type":"audio","codec_name":"mp3"},
			  {"index":1,"codec_type":"video","codec_name":"png","disposition":{"attached_pic":1}}],
			  "format":{"duration":"2","tags":{"title":"T","artist":"A feat. B","album_artist":"A","disc":"2/2","date":"bogus"}}}`,
			probe{Duration: 2, Codec: "mp3", HasCover: true, CoverIdx: 1, Title: "T", Artist: "A feat. B", AlbumArt: "A", Album: "Unknown Album", DiscNo: 2}},
	} {
		var raw ffprobeOut
		if err := json.Unmarshal([]byte(c.js), &raw); err != nil {
			t.Fatal(err)
		}
		got, err := parseProbe(raw, c.path)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", c.name, got, err, c.want)
		}
	}
	var raw ffprobeOut
	json.Unmarshal([]byte(`{"streams":[{"codec_type":"video","codec_name":"h264"}],"format":{}}`), &raw)
	if _, err := parseProbe(raw, "v.mp4"); err == nil {
		t.Error("a file with no audio stream was accepted")
	}
}
