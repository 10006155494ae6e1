package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/internal/boundedread"
	"segue/share"
)

func playlistImportCmd(a *app, asJSON *bool) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "import FILE|URL",
		Short: "Create a playlist from an M3U8/PLS/XSPF file or a share URL",
		Long: `import creates one of your playlists from an M3U8 (or M3U), PLS or XSPF file,
matching its entries to tracks on your origin by title, artist and duration, or
from a share URL (a copy: later changes to the shared playlist do not follow). Entries that
match nothing are listed; the rest are imported.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCache(cmd.Context(), func(ch *cache.Cache) error {
				return a.runImport(cmd.Context(), ch, args[0], name, *asJSON)
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "`NAME` of the new playlist (default: the file's or the shared one's)")
	return cmd
}

// importResult is what import prints with --json.
type importResult struct {
	Playlist  catalog.Playlist `json:"playlist"`
	Unmatched []share.Entry    `json:"unmatched"`
}

func (a *app) runImport(ctx context.Context, ch *cache.Cache, src, name string, asJSON bool) error {
	if name != "" { // a name given is refused as create refuses it; one the file gives is fitted
		if err := checkGivenName("playlist", name); err != nil {
			return err
		}
	}
	r, err := newResolver(a, ch, a.cfg.Player.Quality)
	if err != nil {
		return withExit(ExitUsage, err)
	}
	defer r.close()
	client := r.src
	var entries []share.Entry
	var ids []string
	title, where := "", "on the origin"
	if u, err := url.Parse(src); err == nil && u.Scheme == "file" && (u.Host == "" || u.Host == "localhost") {
		src = u.Path // a file: URL, as a file manager copies a file: the file (it was "not a segue share URL")
	}
	shared := isShareURL(src)
	if _, perr := share.ParseURL(src); shared && perr != nil && catalog.FileHint(strings.TrimRight(strings.SplitN(src, "?", 2)[0], "/")) != "" {
		// a playlist file on the web (a radio's .pls, an .m3u on a
		// server): said as "not a segue share URL" alone
		return &usageError{fmt.Errorf("playlist import: %s is a playlist file on the web, not a segue share link: download it (curl -o FILE '%s') and import the file (segue playlist import FILE)", src, src)}
	}
	if shared {
		where = "in your library" // not the origin the link names
		pl, err := openPlaylist(ctx, r, src)
		if err != nil {
			return err
		}
		if len(pl.Tracks) == 0 { // as an empty file is refused: it made an empty playlist
			return withExit(ExitNotFound, ownWords(fmt.Sprintf("playlist import: the shared playlist %q (%s) has no tracks: "+
				"there is nothing to import; no playlist was made: ask its owner to add some, then import it again", pl.Name, src)))
		}
		title = pl.Name
		l, _ := share.ParseURL(src)
		sameOrigin := strings.TrimSuffix(a.cfg.Origin, "/") == l.Origin
		for _, t := range pl.Tracks {
			if sameOrigin {
				ids = append(ids, t.ID)
			} else {
				entries = append(entries, share.Entry{Title: t.Title, Artist: t.Artist, Album: t.Album, DurationMS: t.DurationMS})
			}
		}
	} else {
		src = config.HomePath(src) // a quoted "~/list.m3u8", as -o=~/x
		if title, entries, err = readPlaylistFile(src); err != nil {
			return err
		}
	}
	res := importResult{Unmatched: []share.Entry{}}
	progress := a.countProgress("playlist import: matching", len(entries))
	ctx, stop := stopOnSignal(ctx)
	defer stop()
	for i, e := range entries {
		progress(i)
		if err := ctx.Err(); err != nil {
			return interrupted(ctx, err, "playlist import", importKept(i, len(entries)))
		}
		id, problem, err := matchEntry(ctx, client, e, where)
		if ierr := interrupted(ctx, err, "playlist import", importKept(i, len(entries))); ierr != nil {
			return ierr
		}
		if err != nil {
			return err
		}
		if problem == "" {
			ids = append(ids, id)
		} else {
			e.Problem = problem
			res.Unmatched = append(res.Unmatched, e)
		}
	}
	progress(len(entries))
	if len(ids) == 0 && len(res.Unmatched) > 0 && shared {
		return withExit(ExitNotFound, ownWords(sharedNoMatch(title, src, client.BaseURL(), res.Unmatched)))
	}
	if len(ids) == 0 && len(res.Unmatched) > 0 {
		return withExit(ExitNotFound, fmt.Errorf("playlist import: none of the %s of %s matches a track on the origin (the first: %s); no playlist was made",
			catalog.Plural(len(res.Unmatched), "entry", "entries"), src, res.Unmatched[0].Problem))
	}
	if name == "" { // one the file or link gave, fitted to what the origin keeps
		name = catalog.PlaylistName(title)
	}
	if name == "" {
		name = catalog.PlaylistName(strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)))
	}
	if res.Playlist, err = client.CreatePlaylist(ctx, name, ids); err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(res)
	}
	fmt.Fprintf(a.stdout, "imported %d of %s into %s (%s)\n", len(ids), catalog.Count(len(ids)+len(res.Unmatched), "track"), res.Playlist.ID, res.Playlist.Name)
	for _, e := range res.Unmatched {
		fmt.Fprintf(a.stdout, "  no match: %s: %s\n", cellText(entryText(e)), cellText(e.Problem))
	}
	return nil
}

// importKept says what an import stopped while matching entry i (from 0)
// of n kept: nothing, since the playlist is made only after all are matched.
func importKept(i, n int) string {
	return fmt.Sprintf("no playlist was made (it stopped matching at entry %d of %d): run the same command again to import it", i+1, n)
}

// entryText names an entry as a person knows it: artist, title and length,
// or else its location.
func entryText(e share.Entry) string {
	if e.Title == "" {
		return e.Location
	}
	return e.Artist + " - " + e.Title + " (" + catalog.Clock(e.DurationMS) + ")"
}

// sharedNoMatch says that none of the tracks of the playlist name shared
// at link (each of unmatched, with why) is in the library at library, and
// what to do.
func sharedNoMatch(name, link, library string, unmatched []share.Entry) string {
	first := unmatched[0]
	what := fmt.Sprintf("none of the %d tracks of the shared playlist %q (%s) was found in your library at %s (the first, %s: %s)",
		len(unmatched), name, link, library, entryText(first), first.Problem)
	if len(unmatched) == 1 {
		what = fmt.Sprintf("the one track of the shared playlist %q (%s) was not found in your library at %s (%s: %s)",
			name, link, library, entryText(first), first.Problem)
	}
	return "playlist import: " + what + "; no playlist was made: add their music to your library and import again, " +
		"or play the playlist where it is shared: segue play " + link
}

// importSearchLimit is how many tracks each search of an import reads.
const importSearchLimit = 25

// matchEntry finds the track e names on the origin, trying share.Queries
// in turn. problem, when not "", says why there is none (no track where,
// "on the origin" or "in your library", has its title...): one entry's
// trouble (nothing to search for, a search the origin refused as bad)
// never stops the others. err is a failure no entry can get past (the
// origin unreachable, a token refused).
func matchEntry(ctx context.Context, c source, e share.Entry, where string) (id, problem string, err error) {
	qs := share.Queries(e)
	if len(qs) == 0 {
		return "", "nothing to search for: no title, and no file name in its location", nil
	}
	problem = "no track " + where + " has this title and artist"
	if e.Title == "" {
		problem = "no track " + where + " has this file's name as its title in an album or by an artist its folders name"
	}
	for _, q := range qs {
		found, err := c.Search(ctx, q, importSearchLimit)
		if err != nil && exitStatus(err) == ExitUsage {
			problem = fmt.Sprintf("search %q: %s", q, sentence(err))
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("playlist import: %w", err)
		}
		if t, ok := share.Match(e, found.Tracks); ok {
			return t.ID, "", nil
		}
	}
	return "", problem, nil
}

// wantPlaylist says what playlist import reads, after what was wrong.
const wantPlaylist = "give an M3U8, PLS or XSPF playlist (fix the file, or export it again from the player that made it)"

// maxPlaylistFile is the most a playlist file may hold: 10,000 entries
// (as many as a playlist holds) of XSPF with long titles and locations
// come to a few MiB.
const maxPlaylistFile = 64 << 20

// readPlaylistFile parses an M3U8, PLS or XSPF file, telling them apart
// by content; relative locations become relative to the file's folder.
func readPlaylistFile(path string) (string, []share.Entry, error) {
	if path == "-" { // as origin events import reads it; here it was "- does not exist"
		return "", nil, &usageError{errors.New("playlist import: - (standard input) is not read: save the playlist to a file and give its path, e.g. segue playlist import list.m3u8")}
	}
	f, err := openInput("playlist import", path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	b, err := boundedread.Read(f, maxPlaylistFile)
	if errors.Is(err, boundedread.ErrTooLarge) {
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is %w, more than any playlist file: it is not a playlist; %s", path, err, wantPlaylist)}
	}
	if err != nil {
		return "", nil, fmt.Errorf("playlist import: read %s: %w", path, err)
	}
	if b, err = share.UTF8(b); err != nil {
		return "", nil, &usageError{fmt.Errorf("playlist import: %s does not parse: %w; %s", path, err, wantPlaylist)}
	}
	if bytes.IndexByte(b, 0) >= 0 { // read as M3U, its bytes were entries that matched nothing (3)
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is not a playlist: it holds binary data; %s", path, wantPlaylist)}
	}
	// Read as M3U, a PLS file's or a JSON document's lines were each an
	// entry (File1=..., "{"), matching nothing or the wrong track.
	head := bytes.TrimSpace(bytes.TrimPrefix(b[:min(len(b), 512)], []byte("\ufeff")))
	if len(bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\ufeff")))) == 0 { // it said "holds no entries"
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is empty; %s", path, wantPlaylist)}
	}
	parse := share.ParseM3U8
	switch {
	case share.IsPLS(b):
		parse = share.ParsePLS
	case isHTML(head): // read as XSPF it "does not parse: ... expected element type <playlist> but have <html>"
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is not a playlist: it is an HTML page (a web page, not the playlist file it may link to: "+
			"save the playlist file itself); %s", path, wantPlaylist)}
	case bytes.HasPrefix(head, []byte("<")):
		if root := xmlRoot(b); root != "" && root != "playlist" {
			return "", nil, &usageError{fmt.Errorf("playlist import: %s is not a playlist: it is an XML document of <%s>, not XSPF's <playlist>; %s", path, root, wantPlaylist)}
		}
		parse = share.ParseXSPF
	case (bytes.HasPrefix(head, []byte("{")) || bytes.HasPrefix(head, []byte("["))) && json.Valid(b):
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is not a playlist: it is a JSON document; %s", path, wantPlaylist)}
	}
	title, entries, err := parse(bytes.NewReader(b))
	if err != nil {
		return "", nil, &usageError{fmt.Errorf("playlist import: %s does not parse: %w; %s", path, err, wantPlaylist)}
	}
	if len(entries) == 0 {
		return "", nil, &usageError{fmt.Errorf("playlist import: %s holds no entries; %s", path, wantPlaylist)}
	}
	if plainText(b, entries) { // read as M3U, each line an entry: "none of the N entries ... matches" (3)
		return "", nil, &usageError{fmt.Errorf("playlist import: %s is not a playlist: none of its %s is a track's path, URL or #EXTINF entry (it is plain text); %s",
			path, catalog.Plural(len(entries), "line", "lines"), wantPlaylist)}
	}
	if dir, err := filepath.Abs(filepath.Dir(path)); err == nil {
		share.ResolveRelative(entries, filepath.ToSlash(dir))
	}
	return title, entries, nil
}

// isHTML reports whether head, the start of a file with spaces and a byte
// order mark trimmed, begins an HTML page (<!DOCTYPE html>, <html>, or a
// comment or an XML declaration before one).
func isHTML(head []byte) bool {
	h := strings.ToLower(string(head))
	if !strings.HasPrefix(h, "<") {
		return false
	}
	return strings.HasPrefix(h, "<!doctype html") || strings.HasPrefix(h, "<html") ||
		(strings.HasPrefix(h, "<?xml") || strings.HasPrefix(h, "<!--")) && (strings.Contains(h, "<!doctype html") || strings.Contains(h, "<html"))
}

// xmlRoot returns the local name of the first element of the XML document
// b (XSPF's is "playlist"), or "" when none is read before an error (a
// malformed document: ParseXSPF says why).
func xmlRoot(b []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // the root's name is ASCII in any encoding XSPF is written in
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// plainText reports whether b, parsed as M3U into entries, is no
// playlist but plain text: it has no #EXTM3U, #EXTINF or #PLAYLIST line,
// and none of its entries' locations looks like a track's, a URL or a
// path (a plain M3U lists only those, with no #EXTM3U: they import).
func plainText(b []byte, entries []share.Entry) bool {
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if strings.HasPrefix(line, "#EXT") || strings.HasPrefix(line, "#PLAYLIST:") {
			return false
		}
	}
	for _, e := range entries {
		if e.Title != "" || looksLikeLocation(e.Location) {
			return false
		}
	}
	return true
}

// looksLikeLocation reports whether s, a line of an M3U, names a track as
// M3U files do: a URL (scheme://...), an absolute path (/..., ~/...,
// C:\..., \\server\...), or a name ending as a music or playlist file's
// (01 Song.flac, Album/01 Song.mp3). A line of prose ("milk and/or
// bread", "3/4 of the rent") is none.
func looksLikeLocation(s string) bool {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && strings.Contains(s, "://") {
		return true
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~/") || strings.HasPrefix(s, `\\`) {
		return true
	}
	if len(s) >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/') && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return true
	}
	return catalog.IsMediaFileName(s)
}
