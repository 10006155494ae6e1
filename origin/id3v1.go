package origin

import (
	"bytes"
	"os"
	"strings"
	"unicode/utf8"
)

// id3v1Fields are the text fields of an ID3v1 tag (the last 128 bytes of
// an MP3, starting "TAG"), by the name ffmpeg gives each, with their
// offsets in the tag.
var id3v1Fields = []struct {
	key        string
	start, end int
}{{"title", 3, 33}, {"artist", 33, 63}, {"album", 63, 93}, {"date", 93, 97}, {"comment", 97, 127}}

// id3v1Latin1 puts back the text of an ID3v1 tag that ffprobe could not
// give as UTF-8. ID3v1 text is ISO-8859-1 (Latin-1), and ffmpeg copies its
// bytes as they are, so an accented letter of an old MP3 tagged only with
// ID3v1 came out as "�" ("Café" read "Caf�") in every listing and search.
// A value of tags (ffprobe's format tags, read with string_validation
// ignore, so each byte that is not UTF-8 is one U+FFFD, as Go decodes it)
// is replaced by its Latin-1 reading when the file at path ends in an
// ID3v1 tag whose field of that name decodes, byte for byte, to exactly
// that value: text another tag gave (ID3v2, whose frames say their own
// encoding) is left as it is.
func id3v1Latin1(path string, tags map[string]string) {
	damaged := false
	for _, v := range tags {
		if strings.ContainsRune(v, utf8.RuneError) {
			damaged = true
			break
		}
	}
	if !damaged {
		return
	}
	tag := readID3v1(path)
	if tag == nil {
		return
	}
	for key, v := range tags {
		if !strings.ContainsRune(v, utf8.RuneError) {
			continue
		}
		for _, f := range id3v1Fields {
			if !strings.EqualFold(key, f.key) {
				continue
			}
			raw := id3v1Text(tag[f.start:f.end])
			if string(bytes.Runes(raw)) == v {
				tags[key] = latin1(raw)
			}
		}
	}
}

// readID3v1 is the ID3v1 tag at the end of the file at path, nil when it
// has none or cannot be read.
func readID3v1(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < 128 {
		return nil
	}
	tag := make([]byte, 128)
	if _, err := f.ReadAt(tag, fi.Size()-128); err != nil || !bytes.HasPrefix(tag, []byte("TAG")) {
		return nil
	}
	return tag
}

// id3v1Text is a field's text as ffmpeg reads it (libavformat/id3v1.c,
// get_string): up to its first NUL, trailing spaces dropped.
func id3v1Text(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimRight(b, " ")
}

// latin1 decodes ISO-8859-1 bytes, each the code point of its value.
func latin1(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		s.WriteRune(rune(c))
	}
	return s.String()
}
