package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"segue/catalog"
)

// searchLimit is how many of each kind segue search lists by default; play
// --search asks for as many and plays the first, so that it plays the track
// segue search lists first (the origin ranks the first of a longer list
// more carefully: asked for one, it may answer another).
const searchLimit = 10

func init() {
	register(searchCmd)
	register(libraryCmd)
}

func searchCmd(a *app) *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Search the origin for tracks, albums and artists",
		Long: `search asks the origin for tracks, albums and artists matching every word
(prefixes count: "beyo" finds Beyoncé; case, accents, Unicode forms, kana voicing
and punctuation are ignored: "acdc" finds AC/DC, "よあそび" finds ヨアソビ). IDs in the
output can be given to segue play, playlist add and offline add.`,
		ValidArgsFunction: cobra.NoFileCompletions, // words, not file names
		Args: func(_ *cobra.Command, args []string) error {
			if strings.TrimSpace(strings.Join(args, "")) == "" {
				return errors.New("give at least one word to search for")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			q := strings.Join(args, " ")
			if _, sub := a.subsonicURL(); !sub {
				if err := noSearchWords(q); err != nil {
					return err
				}
			}
			return a.withClient(func(c source) error {
				res, err := c.Search(cmd.Context(), q, limit)
				if err != nil {
					return err
				}
				if len(res.Tracks)+len(res.Albums)+len(res.Artists) == 0 {
					return withExit(ExitNotFound, fmt.Errorf("search %q: nothing found", res.Query))
				}
				if asJSON {
					return a.printJSON(res)
				}
				return a.printTables(trackTable(res.Tracks), albumTable(res.Albums), artistTable(res.Artists))
			})
		},
	}
	intFlag(cmd.Flags(), &limit, "limit", searchLimit, 1, catalog.MaxSearchLimit, fmt.Sprintf("at most `N` of each kind (1-%d)", catalog.MaxSearchLimit))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// noSearchWords is the usage error of a query that holds no word for
// segue's origin, nil for one that does. Punctuation alone ("*", "-", a
// quote), which a search engine's syntax suggests, is no word to it
// (catalog.SearchWords): it found nothing (exit 3), as if the library had
// no such track. A Subsonic server reads its own syntax ("*" lists
// everything there), so it is not asked of one.
func noSearchWords(q string) error {
	if len(catalog.SearchWords(q)) > 0 {
		return nil
	}
	return withExit(ExitUsage, fmt.Errorf("search %q: no word to search for: punctuation (* \" - ( and the like) is not searched; "+
		"give letters, digits or a symbol, each word matching as a prefix (segue search bj finds Björk), or list everything with segue library", q))
}

func libraryCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "library [ARTIST_ID|ALBUM_ID]",
		Short: "Browse the origin: artists, an artist's albums, an album's tracks",
		Long: `library lists the artists (by sort name: "The Beatles" under B); with an
artist ID, the artist's own albums and then the albums of others the artist
appears on (compilations, guest spots) with the artist's tracks there; with
an album ID, its tracks in disc and track order, numbered 1-03 (disc-track)
when the album spans discs.`,
		Args:        cobra.MaximumNArgs(1),
		Annotations: ids(idArtist + "," + idAlbum),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withClient(func(c source) error {
				ctx := cmd.Context()
				var v any
				var tb func() []*table
				var err error
				switch {
				case len(args) == 0:
					var as []catalog.Artist
					as, err = c.Artists(ctx)
					v, tb = as, func() []*table {
						return []*table{artistTable(as).orSay("the origin has no music yet: on it, run segue origin ingest MUSIC_DIR")}
					}
				case !catalog.IsID(args[0]): // "al1/x": the origin's "malformed id" named neither it nor what to do
					return &usageError{notLibraryTarget(ctx, c, args[0])}
				case strings.HasPrefix(args[0], catalog.PrefixArtist):
					var ar catalog.Artist
					ar, err = c.Artist(ctx, args[0])
					v, tb = ar, func() []*table { return []*table{albumTable(ar.Albums), appearsOnTable(ar.AppearsOn)} }
				case strings.HasPrefix(args[0], catalog.PrefixAlbum):
					var al catalog.Album
					al, err = c.Album(ctx, args[0])
					v, tb = al, func() []*table { return []*table{albumTrackTable(al)} }
				default:
					return &usageError{notLibraryTarget(ctx, c, args[0])}
				}
				if err != nil {
					return err
				}
				if asJSON {
					return a.printJSON(v)
				}
				return a.printTables(tb()...)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// notLibraryTarget is segue library's error for a target that is no
// artist or album ID, saying what it is and where to go instead: a
// track's album (looked up: "segue library ALBUM_ID"), a playlist's
// segue playlist show, words' segue search. It said only "give an artist
// ID (ar...) or an album ID (al...)", to a user holding a track ID from
// segue search.
func notLibraryTarget(ctx context.Context, c source, target string) error {
	const not = "not an artist ID (ar…) or an album ID (al…), which segue library takes"
	switch {
	case catalog.IsID(target) && strings.HasPrefix(target, catalog.PrefixTrack):
		if t, err := c.Track(ctx, target); err == nil && t.AlbumID != "" {
			return fmt.Errorf("library %q: a track (%s by %s), %s; its album is segue library %s", target, t.Title, t.Artist, not, t.AlbumID)
		}
		return fmt.Errorf("library %q: a track ID, %s; segue search --json names a track's album_id", target, not)
	case catalog.IsID(target) && strings.HasPrefix(target, catalog.PrefixPlaylist):
		return fmt.Errorf("library %q: a playlist ID, %s; segue playlist show %s lists its tracks", target, not, target)
	}
	return fmt.Errorf("library %q: %s; segue search WORDS finds them by name", target, not)
}

// trackTable, albumTable and artistTable are the listings of search and
// library; IDs are never cut, so they can always be copied.

func trackTable(ts []catalog.Track) *table {
	t := newTable("TRACK", "ARTIST", "ALBUM", "LENGTH", "ID").whole("LENGTH", "ID")
	for _, tr := range ts {
		t.row(tr.Title, tr.Artist, tr.Album, catalog.Clock(tr.DurationMS), tr.ID)
	}
	return t
}

// albumTrackTable lists an album's tracks with their numbers, "1-03"
// (disc-track) when the album spans discs.
func albumTrackTable(al catalog.Album) *table {
	t := newTable("#", "TRACK", "ARTIST", "LENGTH", "ID").whole("#", "LENGTH", "ID")
	for _, tr := range al.Tracks {
		t.row(al.Number(tr), tr.Title, tr.Artist, catalog.Clock(tr.DurationMS), tr.ID)
	}
	return t
}

// appearsOnTable lists the albums of others an artist appears on, each
// followed by the artist's tracks there.
func appearsOnTable(as []catalog.Album) *table {
	t := newTable("APPEARS ON", "ALBUM ARTIST", "YEAR", "#", "TRACK", "LENGTH", "ID").whole("YEAR", "#", "LENGTH", "ID")
	for _, al := range as {
		t.row(al.Title, al.Artist, yearText(al.Year), "", "", "", al.ID)
		for _, tr := range al.Tracks {
			t.row("", "", "", al.Number(tr), tr.Title, catalog.Clock(tr.DurationMS), tr.ID)
		}
	}
	return t
}

// yearText is an album's year in a listing, blank when unknown (0), as
// the interface and --json leave it out.
func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func albumTable(as []catalog.Album) *table {
	t := newTable("ALBUM", "ARTIST", "YEAR", "TRACKS", "ID").whole("YEAR", "TRACKS", "ID")
	for _, al := range as {
		t.row(al.Title, al.Artist, yearText(al.Year), strconv.Itoa(al.TrackCount), al.ID)
	}
	return t
}

func artistTable(as []catalog.Artist) *table {
	t := newTable("ARTIST", "ID").whole("ID")
	for _, ar := range as {
		t.row(ar.Name, ar.ID)
	}
	return t
}
