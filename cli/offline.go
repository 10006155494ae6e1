package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/net/fetch"
	"segue/offline"
	"segue/share"
)

func init() { register(offlineCmd) }

func offlineCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offline",
		Short: "Pin playlists, albums and tracks in the cache for offline play",
		Long: `offline downloads every segment of a playlist, album or track (one
rendition) with its manifests and covers, and pins them in the cache: pinned
data is never evicted, so it plays with the origin down.`,
	}
	var asJSON bool
	var quality string
	add := &cobra.Command{
		Use:         "add URL|PLAYLIST_ID|ALBUM_ID|TRACK_ID...",
		Short:       "Download and pin for offline play",
		Args:        cobra.MinimumNArgs(1),
		Annotations: ids(idPlaylist + "," + idAlbum),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCache(func(c *cache.Cache) error {
				for _, ref := range args {
					if err := a.offlineAdd(cmd.Context(), c, ref, quality, asJSON); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	choiceFlag(add.Flags(), &quality, "quality", catalog.RenditionNormal, []string{catalog.RenditionLow, catalog.RenditionNormal, catalog.RenditionHigh},
		"rendition to keep: low (96k), normal (160k) or high (320k)")
	add.Flags().BoolVar(&asJSON, "json", false, "print the pinned collection as JSON")
	list := &cobra.Command{
		Use:   "list",
		Short: "List what is pinned and how much of it the cache holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withCache(func(c *cache.Cache) error { return a.offlineList(c, asJSON) })
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	remove := &cobra.Command{
		Use:         "remove REF...",
		Short:       "Unpin a collection (its data may then be evicted)",
		Args:        cobra.MinimumNArgs(1),
		Annotations: ids(idPinned),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCache(func(c *cache.Cache) error {
				for _, ref := range args {
					if err := a.unpinRef(c, ref); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}

// offlineAdd pins ref and reports it on the command line.
func (a *app) offlineAdd(ctx context.Context, c *cache.Cache, ref, quality string, asJSON bool) error {
	col, err := a.pinRef(ctx, c, ref, quality, a.downloadProgress)
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(col)
	}
	fmt.Fprintf(a.stdout, "pinned %s %q: %d tracks, %s (%s)\n", col.Kind, col.Name, len(col.Tracks), config.FormatBytes(col.Bytes), quality)
	return nil
}

// pinRef resolves ref into tracks, records the segments and documents they
// need, pins and downloads them and saves the collection in the offline
// list. progress makes the download's progress callback once the
// collection's size is known. The CLI (segue offline add) and the
// interface (O) both pin through it.
func (a *app) pinRef(ctx context.Context, c *cache.Cache, ref, quality string, progress func(offline.Collection) offline.Progress) (offline.Collection, error) {
	r, err := newResolver(a, c)
	if err != nil {
		return offline.Collection{}, withExit(ExitUsage, err)
	}
	tracks, err := r.resolve(ctx, []string{ref}, "")
	if err != nil {
		return offline.Collection{}, err
	}
	col := offline.Collection{Ref: ref, Quality: quality, Added: time.Now().UTC()}
	client, id, err := r.target(ref)
	if err != nil {
		return offline.Collection{}, err
	}
	if len(tracks) == 0 && id != "" && !strings.HasPrefix(id, catalog.PrefixPlaylist) {
		return offline.Collection{}, withExit(ExitNotFound, fmt.Errorf("offline add %q: it holds no tracks", ref))
	}
	switch {
	case id == "":
		l, _ := share.ParseURL(ref)
		pl, _ := client.SharedPlaylist(ctx, l.Token)
		col.Kind, col.Name = "playlist", pl.Name
		col.Docs = append(col.Docs, client.URL("p", l.Token))
	case strings.HasPrefix(id, catalog.PrefixPlaylist):
		pl, _ := client.Playlist(ctx, id)
		col.Kind, col.Name = "playlist", pl.Name
		col.Docs = append(col.Docs, client.URL("api", "v1", "playlists", id))
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		col.Kind, col.Name = "album", tracks[0].Album
	case strings.HasPrefix(id, catalog.PrefixArtist):
		col.Kind, col.Name = "artist", tracks[0].Artist
		col.Docs = append(col.Docs, client.URL("api", "v1", "artists", id))
	default:
		col.Kind, col.Name = "track", tracks[0].Title
	}
	sizes := map[string]int64{}
	albums := map[string]bool{}
	for _, t := range tracks {
		m, err := r.Manifest(ctx, t.ID)
		if err != nil {
			return offline.Collection{}, fmt.Errorf("offline add %q: manifest of %q: %w", ref, t.Title, err)
		}
		rend := m.Rendition(quality)
		if rend == nil {
			return offline.Collection{}, fmt.Errorf("offline add %q: track %q has no %s rendition", ref, t.Title, quality)
		}
		col.Tracks = append(col.Tracks, t.ID)
		for _, s := range rend.Segments {
			if _, dup := sizes[s.Hash]; !dup {
				sizes[s.Hash] = s.Size
				col.Hashes = append(col.Hashes, s.Hash)
				col.Bytes += s.Size
			}
		}
		oc := r.originOf(t.ID)
		col.Docs = append(col.Docs, oc.URL("api", "v1", "tracks", t.ID, "manifest"))
		if col.Kind == "track" {
			col.Docs = append(col.Docs, oc.URL("api", "v1", "tracks", t.ID))
		}
		if !albums[t.AlbumID] { // the album view and its cover, once per album
			albums[t.AlbumID] = true
			col.Docs = append(col.Docs, oc.URL("api", "v1", "albums", t.AlbumID), oc.URL("api", "v1", "albums", t.AlbumID, "cover"))
			oc.Album(ctx, t.AlbumID)
			oc.Cover(ctx, t.AlbumID) // an album may have none: then nothing is stored
		}
	}
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil {
		return offline.Collection{}, err
	}
	f := fetch.New(c, r.tiers(), fetch.Options{Logger: a.logger()})
	if err := offline.Download(ctx, col, sizes, c, f, progress(col)); err != nil {
		c.Unpin(l.Unheld(col.Keys())...) // nothing half-pinned stays behind; what others pin stays
		return offline.Collection{}, err
	}
	l.Put(col)
	if err := l.Save(); err != nil {
		return offline.Collection{}, err
	}
	return col, nil
}

// downloadProgress draws a byte progress bar on a terminal, and a line per
// 10% otherwise.
func (a *app) downloadProgress(col offline.Collection) offline.Progress {
	desc := fmt.Sprintf("offline %s", col.Name)
	if isTerminal(a.stderr) {
		bar := progressbar.DefaultBytes(col.Bytes, desc)
		return func(done, _ int64) { bar.Set64(done) }
	}
	last := int64(-1)
	return func(done, total int64) {
		if pct := done * 10 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(a.stderr, "%s: %d%% (%s of %s)\n", desc, pct*10, config.FormatBytes(done), config.FormatBytes(total))
		}
	}
}

// offlineEntry is one line of offline list --json.
type offlineEntry struct {
	offline.Collection
	CachedBytes int64 `json:"cached_bytes"`
	Complete    bool  `json:"complete"`
}

func (a *app) offlineList(c *cache.Cache, asJSON bool) error {
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil {
		return err
	}
	entries := []offlineEntry{}
	for _, col := range l.Collections {
		e := offlineEntry{Collection: col}
		for _, h := range col.Hashes {
			if c.Has(h) {
				e.CachedBytes++
			}
		}
		e.Complete = e.CachedBytes == int64(len(col.Hashes))
		e.CachedBytes = e.CachedBytes * col.Bytes / max(int64(len(col.Hashes)), 1)
		entries = append(entries, e)
	}
	if asJSON {
		return a.printJSON(entries)
	}
	t := newTable("KIND", "NAME", "TRACKS", "SIZE", "QUALITY", "STATE", "REF").whole("KIND", "TRACKS", "SIZE", "QUALITY", "REF")
	for _, e := range entries {
		state := "complete"
		if !e.Complete {
			state = "partial: run offline add again"
		}
		t.row(e.Kind, e.Name, strconv.Itoa(len(e.Tracks)), config.FormatBytes(e.Bytes), e.Quality, state, e.Ref)
	}
	return a.printTables(t)
}

// unpinRef drops ref from the offline list and unpins what no other pinned
// collection holds.
func (a *app) unpinRef(c *cache.Cache, ref string) error {
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil {
		return err
	}
	if _, ok := l.Find(ref); !ok {
		return withExit(ExitNotFound, fmt.Errorf("offline remove %q: not pinned (see segue offline list)", ref))
	}
	if err := c.Unpin(l.Remove(ref)...); err != nil {
		return err
	}
	return l.Save()
}
