package share

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// pathTags is what an entry's location says about its track when the
// entry carries no title: the file name and the folders above it.
type pathTags struct {
	// titles are the readings of the file name, most likely first: without
	// a track-number prefix ("01 - Title"), the part after "Artist - ",
	// the whole name.
	titles []string
	// album and artist are the parent folder and the one above it
	// (Artist/Album/01 Title.mp3); "" when the path has none.
	album, artist string
}

var (
	// trackNoPrefix is "01 ", "01. ", "01 - ", "1-01 ", "01_": a track
	// number (maybe with a disc number) and a separator.
	trackNoPrefix = regexp.MustCompile(`^\d{1,3}(?:[-.]\d{1,3})?(?:\s*[-._)]\s*|\s+)`)
	// extension is a file name extension of letters and digits.
	extension = regexp.MustCompile(`\.[A-Za-z0-9]{1,5}$`)
	// urlScheme starts a URL: "file:", "http://".
	urlScheme = regexp.MustCompile(`^(?i:file:|[a-z][a-z0-9+.-]+://)`)
)

// tagsFromLocation reads loc, an M3U line or XSPF location: a POSIX,
// Windows or relative path, a file: or http(s): URL, percent-encoded or
// not. ok is false when loc names no file.
func tagsFromLocation(loc string) (t pathTags, ok bool) {
	elems := locationElems(loc)
	if len(elems) == 0 {
		return t, false
	}
	name := extension.ReplaceAllString(elems[len(elems)-1], "")
	if strings.TrimSpace(name) == "" {
		return t, false
	}
	if stripped := trackNoPrefix.ReplaceAllString(name, ""); strings.TrimSpace(stripped) != "" {
		t.titles = append(t.titles, stripped)
		if i := strings.LastIndex(stripped, " - "); i >= 0 && strings.TrimSpace(stripped[i+3:]) != "" {
			t.titles = append(t.titles, stripped[i+3:])
		}
	}
	if !slices.Contains(t.titles, name) {
		t.titles = append(t.titles, name)
	}
	if n := len(elems); n >= 2 {
		t.album = elems[n-2]
		if n >= 3 {
			t.artist = elems[n-3]
		}
	}
	return t, true
}

// locationElems splits loc into its path elements, decoded, without a
// drive letter or "."; ".." drops the element before it.
func locationElems(loc string) []string {
	loc = strings.TrimSpace(loc)
	p := loc
	if urlScheme.MatchString(loc) { // "C:\" is a drive, not a scheme; a path may hold "#"
		if u, err := url.Parse(loc); err == nil {
			p = u.Path
		}
	} else if dec, err := url.PathUnescape(loc); err == nil {
		p = dec // "100% Pure.mp3" does not decode and stays as it is
	}
	var out []string
	for _, e := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch {
		case e == "..":
			out = out[:max(len(out)-1, 0)]
		case e != "." && !(len(e) == 2 && e[1] == ':'):
			out = append(out, e)
		}
	}
	return out
}

// ResolveRelative makes the relative file locations of entries relative to
// dir instead (the folder of the playlist they came from), as players read
// them: "01 Title.mp3" in Artist/Album/album.m3u names Artist/Album/01
// Title.mp3, whose folders then say album and artist. URLs, absolute
// paths and Windows drive paths stay as they are.
func ResolveRelative(entries []Entry, dir string) {
	for i, e := range entries {
		loc := strings.TrimSpace(e.Location)
		if loc == "" || urlScheme.MatchString(loc) || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, `\`) ||
			len(loc) >= 2 && loc[1] == ':' {
			continue
		}
		entries[i].Location = strings.TrimSuffix(dir, "/") + "/" + loc
	}
}
