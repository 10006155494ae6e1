package share

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"segue/catalog"
)

var sample = []Entry{
	{Title: "Néon Noir", Artist: "Mélodie Sauvage", Album: "Café Électrique", DurationMS: 9000, Location: "http://127.0.0.1:7700/api/v1/tracks/t1"},
	{Title: "Dernier Métro 🚇", Artist: "Mélodie Sauvage", Album: "Café Électrique", DurationMS: 10000, Location: "http://127.0.0.1:7700/api/v1/tracks/t2"},
	{Title: "Level - One", Artist: "The Square Waves", DurationMS: 8000},
}

func TestM3U8RoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteM3U8(&b, "Road trip", sample); err != nil {
		t.Fatal(err)
	}
	name, got, err := ParseM3U8(&b)
	if err != nil || name != "Road trip" {
		t.Fatalf("name %q err %v", name, err)
	}
	// "Artist - Title" splits at the first " - ": a title holding one keeps it.
	if !reflect.DeepEqual(got, sample) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, sample)
	}
}

func TestXSPFRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXSPF(&b, "Road <trip> & co", sample); err != nil {
		t.Fatal(err)
	}
	title, got, err := ParseXSPF(&b)
	if err != nil || title != "Road <trip> & co" || !reflect.DeepEqual(got, sample) {
		t.Fatalf("round trip: %q %v\n got %+v\nwant %+v", title, err, got, sample)
	}
}

func TestParseForeignM3U(t *testing.T) {
	in := "\ufeff#EXTM3U\r\n#EXTINF:123 tvg-id=\"x\",Solo Title\r\nmusic/a.mp3\r\nplain/b.flac\r\n#EXTINF:-1,X - Y\r\n"
	_, got, err := ParseM3U8(strings.NewReader(in))
	want := []Entry{{Title: "Solo Title", DurationMS: 123000, Location: "music/a.mp3"}, {Location: "plain/b.flac"}, {Title: "Y", Artist: "X"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v\nwant %+v", got, err, want)
	}
	if _, _, err := ParseXSPF(strings.NewReader("<playlist><oops")); err == nil {
		t.Fatal("broken XSPF parsed")
	}
}

func TestMatch(t *testing.T) {
	cands := []catalog.Track{
		{ID: "a", Title: "Neon Noir", Artist: "Melodie Sauvage", Album: "Live", DurationMS: 9400},
		{ID: "b", Title: "NÉON NOIR", Artist: "Mélodie  Sauvage", Album: "Café Électrique", DurationMS: 9100},
		{ID: "c", Title: "Néon Noir", Artist: "Someone Else", DurationMS: 9000},
		{ID: "d", Title: "Néon Noir", Artist: "Mélodie Sauvage", DurationMS: 60000},
	}
	if got, ok := Match(sample[0], cands); !ok || got.ID != "b" {
		t.Fatalf("Match = %q, %v; want b (album breaks the tie)", got.ID, ok)
	}
	if _, ok := Match(Entry{Title: "Nothing"}, cands); ok {
		t.Fatal("matched an absent title")
	}
	if got, ok := Match(Entry{Title: "neon noir", DurationMS: 60000}, cands); !ok || got.ID != "d" {
		t.Fatalf("duration should pick d, got %q %v", got.ID, ok)
	}
}

func FuzzParseM3U8(f *testing.F) {
	var b bytes.Buffer
	WriteM3U8(&b, "n", sample)
	f.Add(b.String())
	f.Add("#EXTINF:1e400,a - b\nx\n#EXTINF:")
	f.Fuzz(func(t *testing.T, s string) {
		_, es, err := ParseM3U8(strings.NewReader(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteM3U8(&out, "", es); err != nil {
			t.Fatal(err)
		}
		if _, es2, err := ParseM3U8(&out); err != nil || len(es2) != len(es) {
			t.Fatalf("rewrite of %d entries parsed back as %d (%v)", len(es), len(es2), err)
		}
	})
}

func FuzzParseXSPF(f *testing.F) {
	var b bytes.Buffer
	WriteXSPF(&b, "t", sample)
	f.Add(b.String())
	f.Fuzz(func(t *testing.T, s string) {
		ParseXSPF(strings.NewReader(s)) // must not panic or hang
	})
}
