package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
	"segue/share"
)

func init() { register(playlistCmd) }

func playlistCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "playlist",
		Aliases: []string{"pl"},
		Short:   "Create, edit, share, import and export playlists on the origin",
		Long: `playlist manages your playlists on the origin. Positions count from 1, as
"playlist show" prints them. Where tracks are added, an album, artist or
playlist ID adds its tracks in order. A share URL (http(s)://HOST/p/TOKEN)
works wherever a playlist ID does for reading: show, export, import, play.`,
	}
	var asJSON bool
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	// edit wraps a command that changes a playlist and prints the result.
	// edit wraps a command that changes a playlist and prints the result;
	// its arguments complete as kinds says (see idsAnnotation).
	edit := func(use, short, kinds string, args cobra.PositionalArgs, do func(ctx context.Context, c source, args []string) (catalog.Playlist, error)) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: args, Annotations: ids(kinds), RunE: func(cmd *cobra.Command, args []string) error {
			if strings.HasPrefix(kinds, idPlaylist) { // the first argument is the playlist
				if err := checkPlaylistID(args[0]); err != nil {
					return err
				}
			}
			return a.withClient(func(c source) error {
				pl, err := do(cmd.Context(), c, args)
				if err != nil {
					return whichNotFound(cmd.Context(), c, err, idArgs(kinds, args)...)
				}
				return a.printPlaylist(pl, asJSON, false)
			})
		}}
	}
	// One playlist ID; then what adds tracks; a playlist and a name or
	// position (nothing to complete).
	const (
		onePlaylist = idPlaylist
		thenTracks  = idPlaylist + " " + idAlbum + "," + idArtist + "," + idPlaylist + " " + idsRepeat
		thenWord    = idPlaylist + " -"
		thenFromTo  = idPlaylist + " - -"
	)
	list := &cobra.Command{Use: "list", Short: "List your playlists", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		return a.withClient(func(c source) error {
			pls, err := c.Playlists(cmd.Context())
			if err != nil {
				return err
			}
			empty := "no playlists yet: make one with segue playlist create NAME [TRACK_ID...] (or import FILE)"
			local := ""
			if len(pls) == 0 {
				local = localPlaylists(cmd.Context(), c)
			}
			if asJSON {
				if local != "" {
					fmt.Fprintln(a.stderr, "segue: "+local)
				}
				return a.printJSON(pls)
			}
			if local != "" {
				empty = "no playlists of yours yet, but " + local
			}
			t := newTable("ID", "NAME", "TRACKS", "LENGTH", "SHARED").whole("ID", "TRACKS", "LENGTH", "SHARED").
				orSay(empty)
			for _, p := range pls {
				t.row(p.ID, p.Name, strconv.Itoa(p.TrackCount), catalog.Clock(p.DurationMS), p.ShareURL)
			}
			return a.printTables(t)
		})
	}}
	show := &cobra.Command{Use: "show ID|URL", Short: "Show a playlist's tracks", Args: cobra.ExactArgs(1), Annotations: ids(onePlaylist), RunE: func(cmd *cobra.Command, args []string) error {
		return a.withCache(cmd.Context(), func(ch *cache.Cache) error {
			r, err := newResolver(a, ch, a.cfg.Player.Quality)
			if err != nil {
				return withExit(ExitUsage, err)
			}
			defer r.close()
			pl, err := openPlaylist(cmd.Context(), r, args[0])
			if err != nil {
				return err
			}
			return a.printPlaylist(pl, asJSON, true)
		})
	}}
	create := edit("create NAME [TRACK_ID|ALBUM_ID...]", "Create a playlist", "- "+idAlbum+","+idArtist+","+idPlaylist+" "+idsRepeat, cobra.MinimumNArgs(1), func(ctx context.Context, c source, args []string) (catalog.Playlist, error) {
		if err := checkGivenName("playlist", args[0]); err != nil {
			return catalog.Playlist{}, err
		}
		tracks, err := trackIDs(ctx, c, args[1:])
		if err != nil {
			return catalog.Playlist{}, err
		}
		return c.CreatePlaylist(ctx, args[0], tracks)
	})
	rename := edit("rename ID NAME", "Rename a playlist", thenWord, cobra.ExactArgs(2), func(ctx context.Context, c source, args []string) (catalog.Playlist, error) {
		if err := checkGivenName("playlist", args[1]); err != nil {
			return catalog.Playlist{}, err
		}
		return c.RenamePlaylist(ctx, args[0], args[1])
	})
	at := atFlag{idx: -1}
	add := edit("add ID TRACK_ID|ALBUM_ID...", "Add tracks or an album's tracks (at the end, or before position --at)", thenTracks, cobra.MinimumNArgs(2), func(ctx context.Context, c source, args []string) (catalog.Playlist, error) {
		tracks, err := trackIDs(ctx, c, args[1:])
		if err != nil {
			return catalog.Playlist{}, err
		}
		if at.beyond {
			return catalog.Playlist{}, pastEnd(ctx, c, args[0], func(n int) error { return catalog.NoInsertAt(at.text, n) })
		}
		return c.AddToPlaylist(ctx, args[0], tracks, at.idx)
	})
	add.Flags().Var(&at, "at", "insert before position `N`, counting from 1 (default: append)")
	// --track names the track the caller saw at the position (another
	// device may have edited the playlist since): the origin refuses, and
	// changes nothing, when it holds another
	var removeExpect, moveExpect string
	const expectUsage = "refuse unless the position holds this `TRACK_ID` (what playlist show listed there); the playlist may have changed since"
	remove := edit("remove ID POSITION", "Remove the track at a position (counting from 1)", thenWord, cobra.ExactArgs(2), func(ctx context.Context, c source, args []string) (catalog.Playlist, error) {
		if err := checkExpectTrack(&removeExpect); err != nil {
			return catalog.Playlist{}, err
		}
		pos, beyond, err := position(args[1])
		if err != nil {
			return catalog.Playlist{}, err
		}
		if beyond {
			return catalog.Playlist{}, pastEnd(ctx, c, args[0], func(n int) error { return catalog.NoTrackAt(args[1], n) })
		}
		pl, err := c.RemoveFromPlaylist(ctx, args[0], pos, removeExpect)
		return pl, notInPlaylist(ctx, c, args[0], removeExpect, err)
	})
	remove.Flags().StringVar(&removeExpect, "track", "", expectUsage)
	remove.Annotations[positionsAnnotation] = "segue playlist show ID"
	move := edit("move ID FROM TO", "Move a track from one position to another (counting from 1)", thenFromTo, cobra.ExactArgs(3), func(ctx context.Context, c source, args []string) (catalog.Playlist, error) {
		if err := checkExpectTrack(&moveExpect); err != nil {
			return catalog.Playlist{}, err
		}
		from, fromBeyond, err := position(args[1])
		if err != nil {
			return catalog.Playlist{}, err
		}
		to, toBeyond, err := position(args[2])
		if err != nil {
			return catalog.Playlist{}, err
		}
		if fromBeyond || toBeyond {
			return catalog.Playlist{}, pastEnd(ctx, c, args[0], func(n int) error { return catalog.NoMove(args[1], args[2], n) })
		}
		pl, err := c.MoveInPlaylist(ctx, args[0], from, to, moveExpect)
		return pl, notInPlaylist(ctx, c, args[0], moveExpect, err)
	})
	move.Flags().StringVar(&moveExpect, "track", "", expectUsage)
	move.Annotations[positionsAnnotation] = "segue playlist show ID"
	del := &cobra.Command{Use: "delete ID", Short: "Delete a playlist (and its share link)", Args: cobra.ExactArgs(1), Annotations: ids(onePlaylist), RunE: func(cmd *cobra.Command, args []string) error {
		if err := checkPlaylistID(args[0]); err != nil {
			return err
		}
		return a.withClient(func(c source) error {
			return whichNotFound(cmd.Context(), c, c.DeletePlaylist(cmd.Context(), args[0]), args[0])
		})
	}}
	shareCmd := &cobra.Command{Use: "share ID", Short: "Print the playlist's share URL (creating it)", Args: cobra.ExactArgs(1), Annotations: ids(onePlaylist), RunE: func(cmd *cobra.Command, args []string) error {
		if err := checkPlaylistID(args[0]); err != nil {
			return err
		}
		return a.withClient(func(c source) error {
			l, err := c.SharePlaylist(cmd.Context(), args[0])
			if err != nil {
				return whichNotFound(cmd.Context(), c, err, args[0])
			}
			if asJSON {
				return a.printJSON(map[string]string{"url": l.String()})
			}
			_, err = fmt.Fprintln(a.stdout, l.String())
			return err
		})
	}}
	unshare := &cobra.Command{Use: "unshare ID", Short: "Revoke the playlist's share URL at once", Args: cobra.ExactArgs(1), Annotations: ids(onePlaylist), RunE: func(cmd *cobra.Command, args []string) error {
		if err := checkPlaylistID(args[0]); err != nil {
			return err
		}
		return a.withClient(func(c source) error {
			// a playlist with no link said nothing, exit 0: one who meant
			// to revoke a leaked link with another playlist's ID believed
			// it revoked. The link is revoked whatever the read before
			// says (a Subsonic server says so itself: net/subsonic).
			ctx := cmd.Context()
			before, berr := catalog.Playlist{}, errors.New("not read")
			if _, own := c.(*originclient.Client); own {
				before, berr = c.Playlist(ctx, args[0])
			}
			err := c.UnsharePlaylist(ctx, args[0])
			if err == nil && berr == nil && before.ShareURL == "" {
				return fmt.Errorf("playlist unshare %s: the playlist %q is not shared, so nothing was revoked (segue playlist list shows which are, under SHARED)", args[0], cellText(before.Name))
			}
			return whichNotFound(ctx, c, err, args[0])
		})
	}}
	// delete and unshare print nothing when they succeed: their own --json
	// says so (the group's said "print JSON")
	cmd.AddCommand(list, show, create, rename, jsonErrorFlag(del), add, remove, move, shareCmd, jsonErrorFlag(unshare), playlistExportCmd(a, &asJSON), playlistImportCmd(a, &asJSON))
	return cmd
}

// checkPlaylistID refuses, as a bad argument (2), what is given for a
// playlist's ID and cannot be one: an album's ID said "playlist al… not
// found" (3), as if it were a playlist gone, and "pl1/x" the origin's
// "malformed id", naming neither it nor what to do.
func checkPlaylistID(ref string) error {
	if !catalog.IsID(ref) || !strings.HasPrefix(ref, catalog.PrefixPlaylist) { // a Subsonic server's IDs carry it too (net/subsonic)
		return &usageError{fmt.Errorf("%q is not a playlist ID (pl…): segue playlist list shows them", ref)}
	}
	return nil
}

// checkExpectTrack takes the --track of playlist remove and move as
// pasted (pastedID) and refuses, as a bad flag (2), one that is no track
// ID: the origin compared it with the track at the position and it was
// said as "the playlist was edited since you loaded it" (exit 1), sending
// the user to reload a playlist nobody had changed. Empty is no --track.
func checkExpectTrack(expect *string) error {
	if *expect == "" {
		return nil
	}
	*expect = pastedID(*expect)
	if !catalog.IsID(*expect) || !strings.HasPrefix(*expect, catalog.PrefixTrack) {
		return &usageError{fmt.Errorf("--track %q: not a track ID (t…), the one playlist show lists at the position", *expect)}
	}
	return nil
}

// notInPlaylist is err, the error of an edit of playlist id by position
// that named the track expect (--track), unless that is
// catalog.ErrPlaylistChanged and expect is at no position of the playlist
// now: then a bad flag (2) saying the track is not in it and how to see
// what is. It was "the playlist was edited since you loaded it; reload it"
// (1) for a mistyped or wrong ID, and nobody had edited the playlist. A
// track that is in it, elsewhere, is still that (a stale view).
func notInPlaylist(ctx context.Context, c source, id, expect string, err error) error {
	if err == nil || expect == "" || !errors.Is(err, catalog.ErrPlaylistChanged) {
		return err
	}
	pl, perr := c.Playlist(ctx, id)
	if perr != nil || slices.ContainsFunc(pl.Tracks, func(t catalog.Track) bool { return t.ID == expect }) {
		return err
	}
	return &usageError{fmt.Errorf("track %s is not in playlist %s (at any position; it holds %s), so nothing was changed: "+
		"segue playlist show %s lists its tracks and their positions (if it was there, another device removed it since)",
		expect, id, catalog.Count(len(pl.Tracks), "track"), id)}
}

// openPlaylist reads a playlist by ID from the configured origin, or by
// share URL from the origin the URL names (a malformed URL gets the share
// URL parser's reason).
func openPlaylist(ctx context.Context, r *resolver, ref string) (catalog.Playlist, error) {
	if !isShareURL(ref) {
		if err := checkPlaylistID(ref); err != nil {
			return catalog.Playlist{}, err
		}
		return r.src.Playlist(ctx, ref)
	}
	l, err := share.ParseURL(ref)
	if err != nil {
		return catalog.Playlist{}, withExit(ExitUsage, err)
	}
	c, err := r.client(l.Origin, l.Token, l.Pin)
	if err != nil {
		return catalog.Playlist{}, withExit(ExitUsage, err)
	}
	pl, err := c.SharedPlaylist(ctx, l.Token)
	if err != nil {
		return pl, r.linked(c, fmt.Errorf("open the shared playlist: %w", err))
	}
	return pl, nil
}

func (a *app) printPlaylist(pl catalog.Playlist, asJSON, tracks bool) error {
	if asJSON {
		return a.printJSON(pl)
	}
	w := &report{w: a.stdout}
	w.printf("%s  %s  (%s, %s)\n", pl.ID, cellText(pl.Name), catalog.Count(pl.TrackCount, "track"), catalog.Clock(pl.DurationMS))
	if pl.ShareURL != "" {
		w.printf("shared: %s\n", pl.ShareURL)
	}
	if w.err != nil {
		return w.err
	}
	if tracks {
		t := newTable("#", "TRACK", "ARTIST", "ALBUM", "LENGTH", "ID").whole("#", "LENGTH", "ID")
		for i, tr := range pl.Tracks {
			t.row(strconv.Itoa(i+1), tr.Title, tr.Artist, tr.Album, catalog.Clock(tr.DurationMS), tr.ID)
		}
		return a.printTables(t)
	}
	return nil
}

// trackIDs returns refs with each album, artist or playlist ID replaced by
// the IDs of its tracks in order; other refs are taken for track IDs (the
// origin refuses unknown ones).
func trackIDs(ctx context.Context, c source, refs []string) ([]string, error) {
	var out []string
	for _, ref := range refs {
		if !catalog.IsID(ref) {
			return nil, notAnID(ref, false)
		}
		if strings.HasPrefix(ref, catalog.PrefixAlbum) || strings.HasPrefix(ref, catalog.PrefixArtist) || strings.HasPrefix(ref, catalog.PrefixPlaylist) {
			ts, err := byID(ctx, c, ref)
			if err != nil {
				return nil, fmt.Errorf("add %s: %w", ref, err)
			}
			for _, t := range ts {
				out = append(out, t.ID)
			}
			continue
		}
		out = append(out, ref)
	}
	return out, nil
}

// checkGivenName refuses, as a bad argument (2) before anything is asked,
// the name of a what (a playlist, a token) that holds a control or
// text-direction character (catalog.CheckNameChars), which the origin
// refuses too: a name with U+202E showed reversed in listings. The name is
// quoted with Go's escapes, so the sentence shows the character it names.
func checkGivenName(what, name string) error {
	if err := catalog.CheckNameChars(name); err != nil {
		return &usageError{fmt.Errorf("%s name %+q: %w", what, name, err)}
	}
	return nil
}

// position parses a position counting from 1 into a 0-based index. A
// whole number too large for an int ("99999999999999999999") is a
// position no playlist has, not a malformed one: beyond is then true, and
// the caller says so as of any position past the end (pastEnd, exit 2);
// it said "want a whole number" where 99 said "there is no track at
// position 99".
func position(s string) (idx int, beyond bool, err error) {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(s, "-") {
		return 0, true, nil
	}
	if err != nil || n < 1 {
		return 0, false, &usageError{fmt.Errorf("position %q: want a whole number from 1 (the first track; see playlist show)", s)}
	}
	return n - 1, false, nil
}

// pastEnd is the error of a position beyond any int in the playlist id of
// c: say's sentence (catalog.NoTrackAt, NoInsertAt, NoMove) for the
// playlist's length, which the source says of any position past its end.
// A playlist that is not there is that error (exit 3), as for any position.
func pastEnd(ctx context.Context, c source, id string, say func(n int) error) error {
	pl, err := c.Playlist(ctx, id)
	if err != nil {
		return err
	}
	return say(len(pl.Tracks))
}

// atFlag is playlist add's --at: a position counting from 1 to insert
// before (idx, 0-based), 0 or none to append (idx -1), or one too large for
// an int (beyond, as position says; text is as given).
type atFlag struct {
	idx    int
	text   string
	beyond bool
}

func (f *atFlag) Set(s string) error {
	if s == "0" {
		f.idx, f.text, f.beyond = -1, s, false
		return nil
	}
	idx, beyond, err := position(s)
	if err != nil {
		return errors.New("want a position counting from 1 (the first track; see playlist show), or 0 to append")
	}
	f.idx, f.text, f.beyond = idx, s, beyond
	return nil
}

func (f *atFlag) String() string {
	if f.text == "" {
		return "0"
	}
	return f.text
}

func (f *atFlag) Type() string { return "int" }

// exportResult is what export prints with --json: the file written, or
// (to stdout) the playlist's text itself.
type exportResult struct {
	Format  string `json:"format"`
	Entries int    `json:"entries"`
	Path    string `json:"path,omitempty"`
	Text    string `json:"text,omitempty"`
}

func playlistExportCmd(a *app, asJSON *bool) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:         "export ID|URL",
		Short:       "Write a playlist as M3U8, XSPF or PLS",
		Args:        cobra.ExactArgs(1),
		Annotations: ids(idPlaylist),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out != "" && out != "-" {
				// before asking the origin, as play checks --output wav:FILE:
				// a missing folder failed after it, "open ...: no such file or directory" (1)
				if err := checkOutputFile("--output", out); err != nil {
					return err
				}
				if err := checkOverwrite("--output", out, "a playlist", playlistFile); err != nil {
					return err
				}
			}
			return a.withCache(cmd.Context(), func(ch *cache.Cache) error {
				r, err := newResolver(a, ch, a.cfg.Player.Quality)
				if err != nil {
					return withExit(ExitUsage, err)
				}
				defer r.close()
				// Ctrl-C while it asks the origin: nothing is written yet
				// (the file is made after, and written whole)
				ctx, stop := stopOnSignal(cmd.Context())
				defer stop()
				pl, err := openPlaylist(ctx, r, args[0])
				if ierr := interrupted(ctx, err, "playlist export", "nothing was written: run the same command again to export it"); ierr != nil {
					return ierr
				}
				if err != nil {
					return err
				}
				var w io.Writer = a.stdout
				var text strings.Builder
				if *asJSON { // the text goes in the JSON: alone it printed M3U8 or XSPF
					w = &text
				}
				var file *os.File
				if out != "" && out != "-" {
					if file, err = os.Create(out); err != nil {
						return fmt.Errorf("export: %w", err)
					}
					defer file.Close()
					w = file
				}
				base, token := a.cfg.Origin, ""
				if l, err := share.ParseURL(cmp.Or(pl.ShareURL, args[0])); err == nil { // shared
					base, token = l.Origin, l.Token
				}
				if r.sub != nil {
					fmt.Fprintln(a.stderr, "segue: note: a Subsonic server's stream URLs carry your credentials, so the entries have none; "+
						"segue playlist import matches them by title, artist and album")
				} else if token == "" && a.cfg.Token != "" {
					fmt.Fprintln(a.stderr, "segue: note: the playlist is not shared, so its entries carry no token; "+
						"on an origin that requires tokens, run segue playlist share "+pl.ID+" and export again for other players")
				}
				entries := make([]share.Entry, len(pl.Tracks))
				for i, t := range pl.Tracks {
					entries[i] = share.Entry{Title: t.Title, Artist: t.Artist, Album: t.Album, DurationMS: t.DurationMS}
					if r.sub == nil {
						entries[i].Location = share.StreamURL(base, t.ID, token)
					}
				}
				err = share.WritePlaylist(w, format, pl.Name, entries)
				if file != nil && err == nil {
					err = file.Close() // a full disk may say so only here
				}
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				if !*asJSON {
					return nil
				}
				res := exportResult{Format: format, Entries: len(entries), Text: text.String()}
				if out != "" && out != "-" {
					res.Path = out
				}
				return a.printJSON(res)
			})
		},
	}
	choiceFlag(cmd.Flags(), &format, "format", "m3u8", []string{"m3u8", "m3u", "xspf", "pls"}, "`FORMAT`: m3u8 (m3u is the same, UTF-8), xspf or pls")
	cmd.Flags().VarP(pathVar(&out, "-"), "output", "o", "`FILE` to write (- for stdout)")
	return cmd
}

// localPlaylists says, when the origin c keeps playlists for "local", how
// they are handed over (originclient.LocalNote), for playlist list to say
// on stderr. "" for a source without that count (a Subsonic server), an
// origin too old to tell, or none kept.
func localPlaylists(ctx context.Context, c source) string {
	lo, ok := c.(originclient.LocalCounter)
	if !ok {
		return ""
	}
	return originclient.LocalNote(ctx, lo)
}
