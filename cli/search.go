package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/net/originclient"
)

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
(prefixes count: "beyo" finds Beyoncé; case and accents are ignored). IDs in the
output can be given to segue play, playlist add and offline add.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withClient(func(c *originclient.Client) error {
				res, err := c.Search(cmd.Context(), strings.Join(args, " "), limit)
				if err != nil {
					return err
				}
				if asJSON {
					return a.printJSON(res)
				}
				if len(res.Tracks)+len(res.Albums)+len(res.Artists) == 0 {
					return withExit(ExitNotFound, fmt.Errorf("search %q: nothing found", res.Query))
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				printTracks(tw, res.Tracks)
				printAlbums(tw, res.Albums)
				printArtists(tw, res.Artists)
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "at most this many of each kind (1-100)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func libraryCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "library [ARTIST_ID|ALBUM_ID]",
		Short: "Browse the origin: artists, an artist's albums, an album's tracks",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withClient(func(c *originclient.Client) error {
				ctx := cmd.Context()
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				var v any
				var print func()
				var err error
				switch {
				case len(args) == 0:
					var as []catalog.Artist
					as, err = c.Artists(ctx)
					v, print = as, func() { printArtists(tw, as) }
				case strings.HasPrefix(args[0], catalog.PrefixArtist):
					var ar catalog.Artist
					ar, err = c.Artist(ctx, args[0])
					v, print = ar, func() { printAlbums(tw, ar.Albums) }
				case strings.HasPrefix(args[0], catalog.PrefixAlbum):
					var al catalog.Album
					al, err = c.Album(ctx, args[0])
					v, print = al, func() { printTracks(tw, al.Tracks) }
				default:
					return &usageError{fmt.Errorf("library %q: give an artist ID (ar...) or an album ID (al...)", args[0])}
				}
				if err != nil {
					return notFoundExit(err)
				}
				if asJSON {
					return a.printJSON(v)
				}
				print()
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// The print functions write one table each, ended by a blank line (which
// also ends the tabwriter's column block, so tables align on their own).

func printTracks(tw *tabwriter.Writer, ts []catalog.Track) {
	if len(ts) == 0 {
		return
	}
	fmt.Fprintln(tw, "TRACK\tARTIST\tALBUM\tLENGTH\tID")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Title, t.Artist, t.Album, clock(t.DurationMS), t.ID)
	}
	fmt.Fprintln(tw)
}

func printAlbums(tw *tabwriter.Writer, as []catalog.Album) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintln(tw, "ALBUM\tARTIST\tYEAR\tTRACKS\tID")
	for _, al := range as {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", al.Title, al.Artist, al.Year, al.TrackCount, al.ID)
	}
	fmt.Fprintln(tw)
}

func printArtists(tw *tabwriter.Writer, as []catalog.Artist) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintln(tw, "ARTIST\tID")
	for _, ar := range as {
		fmt.Fprintf(tw, "%s\t%s\n", ar.Name, ar.ID)
	}
	fmt.Fprintln(tw)
}
