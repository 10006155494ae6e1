package share

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Entry is one playlist item as M3U8 and XSPF carry it: enough tags to find
// the track again on another origin.
type Entry struct {
	Title      string `json:"title"`
	Artist     string `json:"artist"`
	Album      string `json:"album,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Location   string `json:"location,omitempty"`
}

// maxEntries bounds what an imported file may hold, so a hostile file cannot
// exhaust memory.
const maxEntries = 100_000

// WriteM3U8 writes an extended M3U playlist (UTF-8).
func WriteM3U8(w io.Writer, name string, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "#EXTM3U")
	if name != "" {
		fmt.Fprintf(bw, "#PLAYLIST:%s\n", oneLine(name))
	}
	for _, e := range entries {
		fmt.Fprintf(bw, "#EXTINF:%d,%s - %s\n", (e.DurationMS+500)/1000, oneLine(e.Artist), oneLine(e.Title))
		if e.Album != "" {
			fmt.Fprintf(bw, "#EXTALB:%s\n", oneLine(e.Album))
		}
		loc := oneLine(e.Location)
		if loc == "" || strings.HasPrefix(loc, "#") {
			loc = "# (no location)"
		}
		fmt.Fprintln(bw, loc)
	}
	return bw.Flush()
}

// ParseM3U8 reads an M3U or extended M3U playlist. Lines it does not know
// are ignored; an entry without #EXTINF keeps its location only.
func ParseM3U8(r io.Reader) (name string, entries []Entry, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cur Entry
	var pending bool
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if !utf8.ValidString(s) {
			return "", nil, fmt.Errorf("m3u8 line %d: not UTF-8", line)
		}
		switch {
		case s == "" || s == "#EXTM3U":
		case strings.HasPrefix(s, "#PLAYLIST:"):
			name = strings.TrimPrefix(s, "#PLAYLIST:")
		case strings.HasPrefix(s, "#EXTINF:"):
			cur, pending = parseExtinf(strings.TrimPrefix(s, "#EXTINF:")), true
		case strings.HasPrefix(s, "#EXTALB:"):
			cur.Album = strings.TrimPrefix(s, "#EXTALB:")
		case s == "# (no location)" && pending:
			entries, cur, pending = append(entries, cur), Entry{}, false
		case strings.HasPrefix(s, "#"):
		default:
			cur.Location = s
			entries, cur, pending = append(entries, cur), Entry{}, false
		}
		if len(entries) > maxEntries {
			return "", nil, fmt.Errorf("m3u8: more than %d entries", maxEntries)
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("m3u8 line %d: %w", line+1, err)
	}
	if pending {
		entries = append(entries, cur)
	}
	return name, entries, nil
}

// parseExtinf reads "SECONDS[ attrs],ARTIST - TITLE".
func parseExtinf(s string) Entry {
	var e Entry
	head, title, _ := strings.Cut(s, ",")
	if f := strings.Fields(head); len(f) > 0 {
		if secs, err := strconv.ParseFloat(f[0], 64); err == nil && secs > 0 && secs < 1e7 {
			e.DurationMS = int64(secs * 1000)
		}
	}
	if artist, t, ok := strings.Cut(title, " - "); ok {
		e.Artist, e.Title = strings.TrimSpace(artist), strings.TrimSpace(t)
	} else {
		e.Title = strings.TrimSpace(title)
	}
	return e
}

func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(s))
}

// xspf is the subset of XSPF 1 segue reads and writes.
type xspf struct {
	XMLName xml.Name    `xml:"http://xspf.org/ns/0/ playlist"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"title,omitempty"`
	Tracks  []xspfTrack `xml:"trackList>track"`
}

type xspfTrack struct {
	Location string `xml:"location,omitempty"`
	Title    string `xml:"title,omitempty"`
	Creator  string `xml:"creator,omitempty"`
	Album    string `xml:"album,omitempty"`
	Duration int64  `xml:"duration,omitempty"` // milliseconds
}

// WriteXSPF writes an XSPF 1 playlist.
func WriteXSPF(w io.Writer, title string, entries []Entry) error {
	p := xspf{Version: "1", Title: title}
	p.Tracks = make([]xspfTrack, len(entries))
	for i, e := range entries {
		t := &p.Tracks[i]
		t.Location, t.Title, t.Creator, t.Album, t.Duration = e.Location, e.Title, e.Artist, e.Album, e.DurationMS
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("write xspf: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// ParseXSPF reads an XSPF playlist.
func ParseXSPF(r io.Reader) (title string, entries []Entry, err error) {
	var p xspf
	dec := xml.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&p); err != nil {
		return "", nil, fmt.Errorf("read xspf: %w", err)
	}
	if len(p.Tracks) > maxEntries {
		return "", nil, fmt.Errorf("xspf: more than %d entries", maxEntries)
	}
	for _, t := range p.Tracks {
		d := t.Duration
		if d < 0 {
			d = 0
		}
		entries = append(entries, Entry{Title: t.Title, Artist: t.Creator, Album: t.Album, DurationMS: d, Location: t.Location})
	}
	return p.Title, entries, nil
}
