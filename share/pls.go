package share

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"segue/catalog"
)

// IsPLS reports whether b is a PLS playlist (Winamp's, written by VLC,
// Audacious, Clementine and most internet radios): its first line that is
// not blank is the section header "[playlist]", in any case.
func IsPLS(b []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4<<10), 1<<20)
	for sc.Scan() {
		if s := playlistLine(sc.Text()); s != "" {
			return strings.EqualFold(s, "[playlist]")
		}
	}
	return false
}

// ParsePLS reads a PLS playlist: FileN (the location), TitleN ("Artist -
// Title", or a title alone) and LengthN (seconds; -1 or 0 for unknown)
// make entry N, in the order of N (1, 2, ...; a gap costs nothing). Keys
// are any case; lines it does not know (NumberOfEntries, Version, comments
// starting with ; or #) are ignored, and so is a value whose N is not a
// number. A line that is not UTF-8 is read as Windows-1252, as ParseM3U8
// does. PLS names no playlist, so name is always "". Errors: a line longer
// than 1 MiB, more than 100,000 entries, or the reader's.
func ParsePLS(r io.Reader) (name string, entries []Entry, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	byN := map[int]*Entry{}
	line := 0
	for sc.Scan() {
		line++
		s := playlistLine(sc.Text())
		key, value, ok := strings.Cut(s, "=")
		if !ok || strings.HasPrefix(s, ";") || strings.HasPrefix(s, "#") {
			continue
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		var field string
		for _, f := range []string{"file", "title", "length"} {
			if strings.HasPrefix(key, f) {
				field = f
				break
			}
		}
		n, err := strconv.Atoi(strings.TrimPrefix(key, field))
		if field == "" || err != nil || n < 0 {
			continue
		}
		e := byN[n]
		if e == nil {
			if len(byN) >= maxEntries {
				return "", nil, fmt.Errorf("pls: more than %d entries", maxEntries)
			}
			e = &Entry{}
			byN[n] = e
		}
		switch field {
		case "file":
			e.Location = value
		case "title":
			t := parseExtinf("," + value)
			e.Artist, e.Title = t.Artist, t.Title
		case "length":
			if secs, err := strconv.ParseFloat(value, 64); err == nil && secs > 0 && secs < 1e7 {
				e.DurationMS = int64(secs * 1000)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("pls line %d: %w", line+1, err)
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	for _, n := range ns {
		entries = append(entries, *byN[n])
	}
	return "", entries, nil
}

// WritePLS writes a PLS playlist (version 2, which VLC, mpv, Audacious,
// Winamp and internet radio players read): for entry N (from 1) FileN,
// its location; TitleN, "Artist - Title" as M3U8's #EXTINF has it (the
// title alone without an artist); LengthN, whole seconds, -1 when unknown;
// then NumberOfEntries and Version. PLS has no field for the playlist's
// name or an album, so neither is written (ParsePLS names no playlist).
// An entry without a location has no FileN line: its title and length
// alone, which segue playlist import matches by, and players pass over.
func WritePLS(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "[playlist]")
	for i, e := range entries {
		n := i + 1
		if loc := oneLine(e.Location); loc != "" {
			fmt.Fprintf(bw, "File%d=%s\n", n, loc)
		}
		title := oneLine(e.Title)
		if artist := oneLine(e.Artist); artist != "" {
			title = artist + " - " + title
		}
		fmt.Fprintf(bw, "Title%d=%s\n", n, title)
		length := int64(-1)
		if e.DurationMS > 0 {
			length = catalog.Seconds(e.DurationMS)
		}
		fmt.Fprintf(bw, "Length%d=%d\n", n, length)
	}
	fmt.Fprintf(bw, "NumberOfEntries=%d\nVersion=2\n", len(entries))
	return bw.Flush()
}
