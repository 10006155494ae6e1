package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ID prefixes tell what an ID names at a glance (and in a URL).
const (
	PrefixTrack  = "t"
	PrefixAlbum  = "al"
	PrefixArtist = "ar"
)

// NewID derives a stable ID from the parts that identify a thing, so the same
// input always yields the same ID: prefix + 16 hex digits of sha256.
// Parts are case-folded and trimmed first.
func NewID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(p))))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil))[:16]
}

// PrefixPlaylist starts playlist IDs (random, not derived).
const PrefixPlaylist = "pl"

// PastedAround is what may be around an ID or link pasted from a
// sentence, JSON or chat (segue play's arguments, the interface's `o`):
// spaces, brackets and quotes, and the punctuation of a sentence it ended,
// as share.ParseURL drops them around a link (Unpasted).
const PastedAround = " \t<>()[]{}\"'“”‘’«».,;:!?"

// Unpasted returns what s was meant to be when it was pasted from a
// sentence, JSON or chat: s itself when valid(s), else s without what
// PastedAround holds around it when that is valid ("al1." is al1 for
// IsID), else s unchanged (the caller says what is wrong with it).
func Unpasted(s string, valid func(string) bool) string {
	if valid(s) {
		return s
	}
	if t := strings.Trim(s, PastedAround); t != s && valid(t) {
		return t
	}
	return s
}

// IsID reports whether s has the shape of an ID: a kind's prefix
// (PrefixTrack, PrefixAlbum, PrefixArtist, PrefixPlaylist), then letters,
// digits, '_' and '-' only, and at most two '=' at the end (a Subsonic
// server's IDs carry the prefixes too, see net/subsonic; gonic's playlist
// IDs are URL-safe base64 of a path, padded: "pl_pl-MS9hLm0zdQ==", which
// segue play and radio refused as no ID). It says nothing of whether the
// ID exists.
func IsID(s string) bool {
	body := strings.TrimSuffix(strings.TrimSuffix(s, "="), "=")
	if body == "" || strings.Trim(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
		return false
	}
	for _, p := range []string{PrefixTrack, PrefixAlbum, PrefixArtist, PrefixPlaylist} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// NotATarget is the error for s given as a target that is not an ID; urls
// says a URL is taken there too (a radio's seed must be an ID), so the
// sentence offers it. The sentence ends with what to do for what s looks
// like: a playlist file is imported (segue playlist import), a music file
// is ingested on an origin, and words are searched for an ID; a URL
// copied without its start is told the start.
func NotATarget(s string, urls bool) error {
	msg := fmt.Sprintf("%q is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID", s)
	if urls {
		msg += ", nor a URL"
	}
	switch hint := FileHint(s); {
	case hint != "":
		msg += ": " + hint
	case urls && strings.Contains(s, "/"): // a URL copied without its start
		msg += ": a URL starts with http:// or https://"
	case !urls && strings.Contains(s, "://"):
		msg += ": only an ID is taken here, not a URL; segue search WORDS, segue library and segue playlist list show the IDs there are"
	default:
		msg += "; segue search WORDS, segue library and segue playlist list show the IDs there are"
	}
	return errors.New(msg)
}

// NotATargetFolder is the error for s given as a target, which is no ID
// but a folder here (abs, its absolute path): a music folder, as a player
// of files takes it. NotATarget took it for a URL copied without its start
// ("a URL starts with http:// or https://") or said only where IDs are
// listed.
func NotATargetFolder(s, abs string) error {
	return fmt.Errorf("%q is a folder here, not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID: "+
		"segue plays what an origin serves: add the folder to one (segue origin ingest %s), then play its IDs (segue search WORDS shows them)", s, ShellWord(abs))
}

// FileHint says what to do with s, given where an ID or link goes, when its
// name ends as a playlist file's (segue playlist import it) or a music
// file's (ingest its folder on an origin); "" for any other s.
func FileHint(s string) string {
	if !strings.Contains(s, ".") {
		return ""
	}
	switch ext := strings.ToLower(s[strings.LastIndexByte(s, '.')+1:]); {
	case playlistExts[ext]:
		return "to play a playlist file, import it first (segue playlist import " + ShellWord(s) + ") and play the playlist's ID it prints"
	case audioExts[ext]:
		return "segue plays what an origin serves: add the file's folder to one (segue origin ingest FOLDER), then play the track's ID (segue search WORDS shows it)"
	}
	return ""
}

// ShellWord is s as one word a shell reads back as s, for a command a
// sentence suggests: in single quotes when it is empty or holds a
// character the shell would take otherwise.
func ShellWord(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n'\"$`\\*?[]{}()<>|&;#~!") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// IsMediaFileName reports whether name (a file name or path) ends as a
// music file's or a playlist file's name (.mp3, .flac, .m3u8...; any case).
func IsMediaFileName(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return false
	}
	ext := strings.ToLower(name[i+1:])
	return audioExts[ext] || playlistExts[ext]
}

// playlistExts and audioExts are the file name endings NotATarget takes
// for a playlist file and a music file (lower case, without the dot).
var (
	playlistExts = map[string]bool{"m3u": true, "m3u8": true, "pls": true, "xspf": true}
	audioExts    = map[string]bool{"mp3": true, "flac": true, "ogg": true, "oga": true, "opus": true,
		"wav": true, "m4a": true, "aac": true, "wma": true, "aiff": true, "aif": true, "ape": true, "wv": true}
)
