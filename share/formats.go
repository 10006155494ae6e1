package share

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"segue/catalog"
)

// Entry is one playlist item as M3U8 and XSPF carry it: enough tags to find
// the track again on another origin.
type Entry struct {
	Title      string `json:"title"`
	Artist     string `json:"artist"`
	Album      string `json:"album,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Location   string `json:"location,omitempty"`
	// Problem says why the entry did not match; import fills it for the
	// entries it lists as unmatched. The playlist writers ignore it.
	Problem string `json:"problem,omitempty"`
}

// PlaylistFormats are the playlist files a share link also serves, its
// token followed by the format's extension (https://HOST/p/TOKEN.m3u8),
// for a player given the link (mpv, VLC, a phone's player), each with its
// media type: every entry a track's progressive MP3 (StreamURL). m3u is
// the same UTF-8 text as m3u8, for players that know only that name; pls
// is for those that take PLS (internet radio players, Winamp's heirs).
var PlaylistFormats = map[string]string{
	"m3u8": "audio/x-mpegurl; charset=utf-8",
	"m3u":  "audio/x-mpegurl; charset=utf-8",
	"xspf": "application/xspf+xml",
	"pls":  "audio/x-scpls; charset=utf-8",
}

// CutFormat splits a share link's last path segment, "TOKEN" or
// "TOKEN.EXT", into the token and the PlaylistFormats key EXT names ("" for
// none; an extension that is not one stays in token, which is then not
// ValidToken). EXT is any case, as file endings are to their users
// (TOKEN.M3U8, TOKEN.Xspf); format is the key, lower case.
func CutFormat(segment string) (token, format string) {
	if i := strings.LastIndexByte(segment, '.'); i >= 0 {
		ext := segment[i+1:]
		// ASCII case only: a rune that lowers to an ASCII letter (the
		// Kelvin sign to "k") changes the length
		if f := strings.ToLower(ext); len(f) == len(ext) {
			if _, ok := PlaylistFormats[f]; ok {
				return segment[:i], f
			}
		}
	}
	return segment, ""
}

// WritePlaylist writes entries as format, a PlaylistFormats key: XSPF
// for xspf, PLS for pls (which has no name), M3U8 for the others.
func WritePlaylist(w io.Writer, format, name string, entries []Entry) error {
	switch format {
	case "xspf":
		return WriteXSPF(w, name, entries)
	case "pls":
		return WritePLS(w, entries)
	}
	return WriteM3U8(w, name, entries)
}

// StreamURL is where any player (mpv, VLC, a browser) streams a track: the
// origin at base's progressive MP3 (GET /api/v1/tracks/{id}/stream), with
// the share token in the query when the playlist is shared, as players
// send no Authorization header.
func StreamURL(base, trackID, token string) string {
	u := strings.TrimSuffix(base, "/") + "/api/v1/tracks/" + url.PathEscape(trackID) + "/stream"
	if token != "" {
		u += "?" + url.Values{"share": {token}}.Encode()
	}
	return u
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
		fmt.Fprintf(bw, "#EXTINF:%d,%s - %s\n", catalog.Seconds(e.DurationMS), oneLine(e.Artist), oneLine(e.Title))
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

// playlistLine is a line of an M3U or PLS playlist as text: without the
// byte order mark a first line may carry and the space around it, and read
// as Windows-1252, the encoding of legacy playlists, when it is not UTF-8
// (every byte decodes, so such a line costs no entry).
func playlistLine(raw string) string {
	s := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
	if !utf8.ValidString(s) {
		s, _ = charmap.Windows1252.NewDecoder().String(s)
	}
	return s
}

// ParseM3U8 reads an M3U or extended M3U playlist. Lines it does not know
// are ignored; an entry without #EXTINF keeps its location only. A line
// that is not UTF-8 is read as Windows-1252, the encoding of legacy .m3u
// files, so one such line costs no entry. Errors: a line longer than 1 MiB,
// more than 100,000 entries, or the reader's.
func ParseM3U8(r io.Reader) (name string, entries []Entry, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cur Entry
	var pending bool
	line := 0
	for sc.Scan() {
		line++
		s := playlistLine(sc.Text())
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

// xspfTrack holds every field as text, so one track's odd value (a
// duration of "3:45") costs that value only, not the playlist.
type xspfTrack struct {
	Location string `xml:"location,omitempty"`
	Title    string `xml:"title,omitempty"`
	Creator  string `xml:"creator,omitempty"`
	Album    string `xml:"album,omitempty"`
	Duration string `xml:"duration,omitempty"` // milliseconds
}

// WriteXSPF writes an XSPF 1 playlist.
func WriteXSPF(w io.Writer, title string, entries []Entry) error {
	p := xspf{Version: "1", Title: title}
	p.Tracks = make([]xspfTrack, len(entries))
	for i, e := range entries {
		t := &p.Tracks[i]
		t.Location, t.Title, t.Creator, t.Album = e.Location, e.Title, e.Artist, e.Album
		if e.DurationMS > 0 {
			t.Duration = strconv.FormatInt(e.DurationMS, 10)
		}
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

// ParseXSPF reads an XSPF playlist, in UTF-8 or the encoding its XML
// declaration names (see xmlCharset). A duration that is not a whole
// number of milliseconds is dropped; the entry stays. Errors: XML that
// does not parse, more than 100,000 tracks.
func ParseXSPF(r io.Reader) (title string, entries []Entry, err error) {
	var p xspf
	dec := xml.NewDecoder(io.LimitReader(r, 64<<20))
	dec.CharsetReader = xmlCharset
	if err := dec.Decode(&p); err != nil {
		return "", nil, fmt.Errorf("read xspf: %w", err)
	}
	if len(p.Tracks) > maxEntries {
		return "", nil, fmt.Errorf("xspf: more than %d entries", maxEntries)
	}
	for _, t := range p.Tracks {
		e := Entry{Title: strings.TrimSpace(t.Title), Artist: strings.TrimSpace(t.Creator), Album: strings.TrimSpace(t.Album),
			Location: strings.TrimSpace(t.Location)}
		if d, err := strconv.ParseInt(strings.TrimSpace(t.Duration), 10, 64); err == nil && d > 0 {
			e.DurationMS = d
		}
		entries = append(entries, e)
	}
	return p.Title, entries, nil
}
