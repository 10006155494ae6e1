package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/offline"
	"segue/share"
)

func init() { register(offlineCmd) }

func offlineCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offline",
		Short: "Pin playlists, albums, artists and tracks in the cache for offline play",
		Long: `offline downloads every segment of a playlist, album, artist (its tracks)
or track (one rendition) with its manifests and covers, and pins them in the
cache: pinned data is never evicted, so it plays with the origin down.`,
	}
	var asJSON bool
	var quality string
	add := &cobra.Command{
		Use:         "add URL|PLAYLIST_ID|ALBUM_ID|ARTIST_ID|TRACK_ID...",
		Short:       "Download and pin for offline play",
		Args:        cobra.MinimumNArgs(1),
		Annotations: ids(idPlaylist+","+idAlbum+","+idArtist, idsRepeat), // an artist pins its tracks (its Library page offline)
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.stateProblem(); errors.As(err, new(*usageError)) { // a mistyped state_dir, before any work
				return err
			}
			return a.withDiskCache(cmd.Context(), func(c *cache.Cache) error {
				var pinned []offline.Collection
				for _, ref := range args {
					col, err := a.offlineAdd(cmd.Context(), c, ref, quality, asJSON)
					if err != nil {
						return pinnedBefore(err, pinned)
					}
					pinned = append(pinned, col)
				}
				switch {
				case !asJSON:
					return nil
				case len(pinned) == 1:
					return a.printJSON(pinned[0])
				}
				return a.printJSON(pinned)
			})
		},
	}
	choiceFlag(add.Flags(), &quality, "quality", catalog.RenditionNormal, []string{catalog.RenditionLow, catalog.RenditionNormal, catalog.RenditionHigh},
		"`QUALITY` to keep: low (96k), normal (160k) or high (320k)")
	add.Flags().BoolVar(&asJSON, "json", false, "print the pinned collection as JSON (several REFs: an array of them)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List what is pinned and how much of it the cache holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// a --cache or SEGUE_CACHE not there: exit 3, where a new empty
			// cache was made there, holding none of the pins
			if err := a.givenCacheThere("list"); err != nil {
				return err
			}
			return a.withCache(cmd.Context(), func(c *cache.Cache) error { return a.offlineList(cmd.Context(), c, asJSON) })
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	remove := &cobra.Command{
		Use:         "remove REF...",
		Short:       "Unpin a collection (its data may then be evicted)",
		Args:        cobra.MinimumNArgs(1),
		Annotations: ids(idPinned, idsRepeat),
		RunE: func(cmd *cobra.Command, args []string) error {
			var refs, keys []string // the same ref twice is one, however a link is written
			for _, ref := range args {
				if !slices.Contains(keys, pinKey(ref)) {
					refs, keys = append(refs, ref), append(keys, pinKey(ref))
				}
			}
			unlock, err := a.lockPins(cmd.Context(), "offline remove")
			if err != nil {
				return err
			}
			defer unlock()
			l, err := a.pinnedList(refs)
			if err != nil {
				return err
			}
			// a cache that --cache or SEGUE_CACHE names and is not there
			// (mistyped): the pins stay listed, where taking them off the
			// list, making a new cache and unpinning nothing in it left
			// the real cache's segments pinned, never evicted and no
			// longer listed. The default or configured cache not there
			// was deleted: its pins go from the list as before.
			if err := a.givenCacheThere("unpin"); err != nil {
				return err
			}
			return a.withDiskCache(cmd.Context(), func(c *cache.Cache) error {
				for _, ref := range refs {
					if err := unpinFrom(c, l, ref); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	cmd.AddCommand(add, list, jsonErrorFlag(remove))
	return cmd
}

// offlineAdd pins ref and returns the pin; without asJSON it also says so
// on stdout (with it, the caller prints every pin as one JSON document: two
// REFs printed two objects one after the other, which no JSON reader took).
// Ctrl-C or SIGTERM stops it (exit 130, saying so) once the offline list
// is locked: it died of the signal (143 with no word) and left what it had
// pinned pinned; waiting for the lock stops the same way (lockPins).
func (a *app) offlineAdd(ctx context.Context, c *cache.Cache, ref, quality string, asJSON bool) (offline.Collection, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	report := a.cliPinReport(ctx, ref)
	var signalled context.Context // set once the list is locked
	stopSignals := func() {}
	start := report.start
	report.start = func() {
		signalled, stopSignals = stopOnSignal(ctx)
		context.AfterFunc(signalled, cancel)
		start()
	}
	col, err := a.pinRef(ctx, c, ref, quality, report)
	if signalled != nil {
		ierr := interrupted(signalled, err, "offline add "+ref, "nothing of it was pinned (what it downloaded stays in the cache, unpinned): run the same command again to pin it")
		stopSignals()
		if ierr != nil {
			return col, ierr
		}
	}
	if err != nil || asJSON {
		return col, err
	}
	if len(col.Tracks) == 0 {
		// only a playlist pins empty (planPin refuses an album, artist or
		// track with none, exit 3): unlike play or playlist import, which
		// say it is empty (exit 3), a pin follows the playlist, so one that
		// fills later is kept offline; "0 tracks, 0 B" read as a download
		// that failed
		_, err = fmt.Fprintf(a.stdout, "pinned %s %q: empty for now (it holds no tracks); its tracks are downloaded once it has some, "+
			"when segue offline list (or the interface, at start) follows it\n", col.Kind, col.Name)
		return col, err
	}
	_, err = fmt.Fprintf(a.stdout, "pinned %s %q: %s, %s (%s)\n", col.Kind, col.Name, catalog.Count(len(col.Tracks), "track"), config.FormatBytes(col.Bytes), quality)
	return col, err
}

// pinnedBefore is err, the failure of one REF of offline add, saying which
// of the REFs before it were pinned and stay so (with --json nothing else
// says it: stdout holds only the {"error": ...} object); err as it is when
// none were.
func pinnedBefore(err error, pinned []offline.Collection) error {
	if len(pinned) == 0 {
		return err
	}
	refs := make([]string, len(pinned))
	for i, col := range pinned {
		refs[i] = col.Ref
	}
	return &keptPinsError{err: err, kept: "pinned before it, and kept: " + strings.Join(refs, ", ") + " (segue offline list shows them)"}
}

// keptPinsError is a failure of offline add after some REFs were pinned:
// the failure said as it would be alone (its sentence, its exit status),
// then kept.
type keptPinsError struct {
	err  error
	kept string
}

func (e *keptPinsError) Error() string { return e.err.Error() + "; " + e.kept }
func (e *keptPinsError) Unwrap() error { return e.err }

// Plain is the failure's sentence, then what was kept (see plainError).
func (e *keptPinsError) Plain() string { return sentence(e.err) + "; " + e.kept }

// pinReport hears how a pin goes: manifests (may be nil) as the tracks'
// documents arrive, then the download's byte progress, made once the
// collection's size is known.
type pinReport struct {
	lock      func() (unlock func(), err error) // (may be nil: offline.Lock, saying nothing) takes the offline list
	start     func()                            // (may be nil) once ref is known to be a target, before the network is asked
	manifests func(done, total int)
	bytes     func(offline.Collection) offline.Progress
}

// pinRef resolves ref into tracks, records the segments and documents they
// need, pins and downloads them and saves the collection in the offline
// list. It checks that the list can be saved before downloading anything,
// and unpins what it pinned when saving fails after all. The CLI (segue
// offline add) and the interface (O) both pin through it.
func (a *app) pinRef(ctx context.Context, c *cache.Cache, ref, quality string, report pinReport) (offline.Collection, error) {
	ref = pinKey(ref)
	if err := a.stateProblem(); errors.As(err, new(*usageError)) {
		return offline.Collection{}, err
	} else if err != nil {
		return offline.Collection{}, fmt.Errorf("offline add %q: the offline list cannot be saved in the state dir %s (%w); nothing was downloaded", ref, a.cfg.StateDir, err)
	}
	if err := os.MkdirAll(a.cfg.StateDir, 0o700); err != nil { // for the lock; the list is saved there
		return offline.Collection{}, fmt.Errorf("offline add %q: %w", ref, err)
	}
	lock := report.lock
	if lock == nil {
		lock = func() (func(), error) { return offline.Lock(ctx, a.cfg.StateDir, nil) }
	}
	unlock, err := lock()
	if err != nil {
		return offline.Collection{}, err
	}
	defer unlock()
	l, err := a.loadPins(true)
	if err != nil {
		return offline.Collection{}, err
	}
	r, err := newResolver(a, c, quality)
	if err != nil {
		return offline.Collection{}, err
	}
	defer r.close()
	if _, _, err := r.target(ref); err != nil {
		return offline.Collection{}, err // said before any "reading the track list"
	}
	if old, ok := l.Find(ref); ok && pinnedElsewhere(old, r.src.BaseURL()) {
		// the same ID here is another collection (or none): pinning it
		// replaced the other origin's pin and unpinned what only it held
		return offline.Collection{}, fmt.Errorf("offline add %q: it is pinned already from the origin at %s, not the configured %s, "+
			"where the same ID names another %s or none; nothing was changed: to pin this origin's, offline remove it first "+
			"(segue --origin %s offline remove %s), or follow that pin with segue --origin %s offline list",
			ref, old.Origin, r.src.BaseURL(), old.Kind, old.Origin, ref, old.Origin)
	}
	if report.start != nil {
		report.start()
	}
	col, sizes, err := a.planPin(ctx, r, ref, quality, report.manifests)
	if err != nil {
		return offline.Collection{}, err
	}
	col.Added = time.Now().UTC()
	// a ref pinned already (at another quality) is replaced: what only
	// the old pin held is unpinned, where it stayed pinned by no pin
	old, _ := l.Find(ref)
	if err := a.applyPin(ctx, c, r, l, old, col, sizes, report.bytes); err != nil {
		return offline.Collection{}, err
	}
	return col, nil
}

// applyPin makes col (the new state of a pin; old is what the list held
// under its ref, or zero) true in the cache and the list: it pins and
// downloads what col needs, saves the list, and unpins what only old
// held. When anything fails, col's pins that nothing else holds are undone.
func (a *app) applyPin(ctx context.Context, c *cache.Cache, r *resolver, l *offline.List, old, col offline.Collection,
	sizes map[string]int64, progress func(offline.Collection) offline.Progress) error {
	var p offline.Progress
	if progress != nil {
		p = progress(col)
	}
	if err := pinRoom(c, col, sizes); err != nil {
		return err
	}
	f := fetch.New(c, r.tiers(), fetch.Options{Logger: a.logger()})
	undo := func() { c.Unpin(l.Unheld(col.Keys())...) } // what others pin stays
	if err := offline.Download(ctx, col, sizes, c, f, p); err != nil {
		undo()
		return err
	}
	l.Put(col)
	if err := l.Save(); err != nil {
		l.Remove(col.Ref)
		if old.Ref != "" {
			l.Put(old)
		}
		undo()
		return fmt.Errorf("%w; the pins were undone", err)
	}
	if old.Ref != "" {
		return c.Unpin(l.Unheld(old.Keys())...)
	}
	return nil
}

// pinRoom refuses, before anything is pinned or downloaded, a pin whose
// segments would make the pinned bytes exceed the cache's cap: the cache
// refused to keep them (ErrPinFull) while the download went on, and offline
// add said "pinned" (exit 0) of a collection that then played only with
// the origin up.
func pinRoom(c *cache.Cache, col offline.Collection, sizes map[string]int64) error {
	pinned, more, err := c.PinCost(col.Hashes, sizes)
	if err != nil || more == 0 || pinned+more <= c.MaxBytes() {
		return err // a pin already held takes nothing more, whatever the cap
	}
	return fmt.Errorf("offline add %s %q: %w: it needs %s more, and the cache's cap of %s holds %s pinned already; "+
		"raise the cap ([cache] size in config.toml, or --cache-size) or unpin something (segue offline remove REF); nothing was downloaded",
		col.Kind, col.Name, cache.ErrPinFull, config.FormatBytes(more), config.FormatBytes(c.MaxBytes()), config.FormatBytes(pinned))
}

// planPin resolves ref into the collection that pins it at quality: its
// tracks, their segments (with sizes) and the documents that browse them
// offline. Manifests are read several at a time; manifests hears of each.
func (a *app) planPin(ctx context.Context, r *resolver, ref, quality string, manifests func(done, total int)) (offline.Collection, map[string]int64, error) {
	col := offline.Collection{Ref: ref, Quality: quality}
	tracks, _, err := r.resolve(ctx, []string{ref}, "")
	if err != nil {
		return col, nil, err
	}
	if src, _, err := r.target(ref); err == nil {
		col.Origin = src.BaseURL() // where the ID means this collection (see loadPins)
	}
	if r.sub != nil {
		return a.planSubsonicPin(ctx, r.sub, col, tracks, manifests)
	}
	src, id, err := r.target(ref)
	if err != nil {
		return col, nil, err
	}
	client := src.(*originclient.Client) // a segue origin's, as r.sub is nil
	if len(tracks) == 0 && id != "" && !strings.HasPrefix(id, catalog.PrefixPlaylist) {
		return col, nil, withExit(ExitNotFound, fmt.Errorf("offline add %q: it holds no tracks", ref))
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
	col.Tracks, col.Hashes = []string{}, []string{} // an empty playlist's are [] in JSON, not null
	mans, err := a.readManifests(ctx, r, ref, tracks, manifests)
	if err != nil {
		return col, nil, err
	}
	sizes := map[string]int64{}
	albums := map[string]bool{}
	for i, t := range tracks {
		rend := mans[i].Rendition(quality)
		if rend == nil {
			return col, nil, fmt.Errorf("offline add %q: track %q has no %s rendition", ref, t.Title, quality)
		}
		col.Tracks = append(col.Tracks, t.ID)
		for _, s := range rend.Segments {
			if _, dup := sizes[s.Hash]; !dup {
				sizes[s.Hash] = s.Size
				col.Hashes = append(col.Hashes, s.Hash)
				col.Bytes += s.Size
			}
		}
		oc := r.originOf(t.ID).(*originclient.Client)
		// the track's own document of every pin, not only a track's:
		// without it segue play TRACK_ID of a pinned album's track failed
		// "not available offline" (readManifests stored it)
		col.Docs = append(col.Docs, oc.URL("api", "v1", "tracks", t.ID, "manifest"), oc.URL("api", "v1", "tracks", t.ID))
		if !albums[t.AlbumID] { // the album view and its cover, once per album
			albums[t.AlbumID] = true
			col.Docs = append(col.Docs, oc.URL("api", "v1", "albums", t.AlbumID))
			// the cover only of an album that has one: asking for one
			// never stored waited 5 s per album for an origin that does
			// not answer (offline list: 10 s for two albums, silent)
			al, aerr := oc.Album(ctx, t.AlbumID)
			if aerr != nil || al.HasCover {
				if _, _, err := oc.Cover(ctx, t.AlbumID); err == nil {
					// an album without a cover pins none: a pin that can
					// never arrive would count as waiting forever
					col.Docs = append(col.Docs, oc.URL("api", "v1", "albums", t.AlbumID, "cover"))
				}
			}
		}
	}
	return col, sizes, nil
}

// manifestWorkers is how many manifests a pin reads at once.
const manifestWorkers = 8

// readManifests reads the manifests of tracks in parallel, in tracks'
// order; done (may be nil) hears of each one read.
func (a *app) readManifests(ctx context.Context, r *resolver, ref string, tracks []catalog.Track, done func(done, total int)) ([]*catalog.Manifest, error) {
	out := make([]*catalog.Manifest, len(tracks))
	var (
		mu sync.Mutex // guards n and serializes done
		n  int
	)
	if done != nil {
		done(0, len(tracks))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(manifestWorkers)
	for i, t := range tracks {
		g.Go(func() error {
			m, err := r.Manifest(gctx, t.ID)
			if err != nil {
				return fmt.Errorf("offline add %q: manifest of %q: %w", ref, t.Title, err)
			}
			// the track's document, stored for the pin (planPin): what
			// resolves the track's ID with the origin down
			if oc, ok := r.originOf(t.ID).(*originclient.Client); ok {
				if _, err := oc.Track(gctx, t.ID); err != nil {
					return fmt.Errorf("offline add %q: track %q: %w", ref, t.Title, err)
				}
			}
			out[i] = m
			mu.Lock()
			defer mu.Unlock()
			n++
			if done != nil {
				done(n, len(tracks))
			}
			return nil
		})
	}
	return out, g.Wait()
}

// cliPinReport says what a pin is doing from its first second: a line
// when it starts, the manifests read, then the bytes downloaded (a bar on a
// terminal, a line per 10% otherwise).
func (a *app) cliPinReport(ctx context.Context, ref string) pinReport {
	tty := isTerminal(a.stderr)
	return pinReport{
		lock:  func() (func(), error) { return a.lockPins(ctx, "offline add "+ref) },
		start: func() { fmt.Fprintf(a.stderr, "offline %s: reading the track list\n", ref) },
		manifests: func(done, total int) {
			switch {
			case total == 0: // an empty playlist: offlineAdd says so
			case tty:
				fmt.Fprintf(a.stderr, "\roffline %s: manifests %d of %d", ref, done, total)
				if done == total {
					fmt.Fprintln(a.stderr)
				}
			case done == total:
				fmt.Fprintf(a.stderr, "offline %s: %s read\n", ref, catalog.Count(total, "manifest"))
			}
		},
		bytes: a.downloadProgress,
	}
}

// pinsBusy says why an offline command waits (see offline.Lock).
func (a *app) pinsBusy() {
	fmt.Fprintf(a.stderr, "segue: another segue is changing the offline list (%s); waiting for it\n", filepath.Join(a.cfg.StateDir, offline.FileName))
}

// lockPins takes the offline list for command what as offline.Lock does,
// saying so when it waits for another segue; Ctrl-C or SIGTERM ends that
// wait (exit 130, saying nothing was changed), where the signal went
// unheard until the other segue let go of the list.
func (a *app) lockPins(ctx context.Context, what string) (unlock func(), err error) {
	ctx, stop := stopOnSignal(ctx)
	defer stop()
	unlock, err = offline.Lock(ctx, a.cfg.StateDir, a.pinsBusy)
	if ierr := interrupted(ctx, err, what, "it was waiting for another segue to finish changing the offline list, and changed nothing: run it again once that one is done"); ierr != nil {
		return nil, ierr
	}
	return unlock, err
}

// downloadProgress draws a byte progress bar on a terminal, and a line per
// 10% otherwise, of the bytes downloaded (offline.Progress); nothing when
// there is nothing to download (an empty playlist printed "0% (0 B of
// 0 B)", and a pin that followed a rename 0% to 100% of segments it held).
func (a *app) downloadProgress(col offline.Collection) offline.Progress {
	desc := fmt.Sprintf("offline %s", col.Name)
	if isTerminal(a.stderr) {
		var bar *progressbar.ProgressBar
		return func(done, total int64) {
			if bar == nil { // the total is what is downloaded, known at the first call
				bar = progressbar.DefaultBytes(total, desc)
			}
			bar.Set64(done)
		}
	}
	last := int64(-1)
	return func(done, total int64) {
		if pct := done * 10 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(a.stderr, "%s: %d%% (%s of %s)\n", desc, pct*10, config.FormatBytes(done), config.FormatBytes(total))
		}
	}
}

// pinSync is what syncPins found for one pinned collection.
type pinSync struct {
	// Change says in words what followed the origin ("renamed from
	// "Old"; 3 tracks, was 2"); empty when nothing changed.
	Change string
	// Removed lists the tracks the pin held that the origin's catalog no
	// longer has (catalog.ErrTrackGone), which the pin dropped.
	Removed []string
	// Gone means the origin no longer has the collection; the pin stays
	// as it was.
	Gone bool
	// Revoked means the pin is a share link's and the link opens nothing
	// on its origin now (its 404: the owner revoked it, or deleted the
	// playlist, which an origin does not tell apart); the pin stays as it
	// was. Gone is set too.
	Revoked bool
	// Unheard says why the pin was not followed: its source did not
	// answer (stored copies answered for it); the pin stays as it was.
	Unheard string
	// Token means the origin keeps the collection (a playlist) for a
	// token this client did not send (origin token adopt-local handed it
	// over); the pin stays as it was.
	Token bool
	// Elsewhere means the pin is by ID and was made against another
	// origin than the configured one (pinnedElsewhere): it was not
	// followed, and stays as it was.
	Elsewhere bool
}

// syncPins makes every pin in l follow its collection on the origin: a
// renamed or edited playlist (or a re-ingested album) takes its new name,
// tracks and segments; what is new is downloaded and pinned, what only
// the old version held is unpinned; segments of a pin the cache no longer
// holds (dropped as damaged) are downloaded again. Segments the cache holds are not
// downloaded again, and documents are revalidated with their ETags. With
// the origin unreachable, or answering none of them within 0.5 s, the
// stored documents answer, so nothing changes and pinSync.Unheard says why.
// It returns what it found, by ref; a failure to apply one change is
// returned after the others were tried. progress (may be nil) reports each
// download, as for offline add.
func (a *app) syncPins(ctx context.Context, c *cache.Cache, l *offline.List, progress func(offline.Collection) offline.Progress) (map[string]pinSync, error) {
	r, err := newResolver(a, c, a.cfg.Player.Quality)
	if err != nil {
		return nil, err
	}
	defer r.close()
	found := map[string]pinSync{}
	up := map[string]string{} // origin base URL -> "" when it answered, else why not
	var errs []error
	for _, old := range slices.Clone(l.Collections) {
		if ctx.Err() != nil { // Ctrl-C: the pins not followed yet stay as they are
			break
		}
		if !r.pinnedHere(old) {
			continue // another source's pin: not on this one is not gone
		}
		if pinnedElsewhere(old, r.src.BaseURL()) {
			// another segue origin's ID: the configured origin would
			// answer for another collection (its tracks replaced the
			// pin's, unpinning its segments) or none (listed gone)
			found[old.Ref] = pinSync{Elsewhere: true}
			continue
		}
		client, _, err := r.target(old.Ref)
		if err != nil {
			continue
		}
		base := client.BaseURL()
		if _, tried := up[base]; !tried {
			// Every document would wait for its own connect timeout
			// otherwise; stored copies would answer them anyway.
			up[base] = client.Source() + " cannot be reached"
			if dialable(ctx, base) {
				_, up[base] = answers(ctx, client, old)
			}
		}
		if up[base] != "" {
			found[old.Ref] = lastHeard(old, up[base])
			continue
		}
		col, sizes, err := a.planPin(ctx, r, old.Ref, old.Quality, nil)
		if why := storedWhy(client); why != "" && err == nil {
			// planned from copies stored here, not from the origin:
			// the pin stays as it was until the origin answers
			found[old.Ref] = lastHeard(old, why)
			continue
		}
		switch {
		case errors.Is(err, originclient.ErrNotFound):
			// a share link's own 404, not one of its tracks' (a
			// *NotFoundError of kind track): the link was revoked, which
			// was listed as "gone from the origin", a deleted
			// playlist's words
			var track *originclient.NotFoundError
			found[old.Ref] = pinSync{Gone: true, Revoked: isShareURL(old.Ref) && !errors.As(err, &track)}
			heard := "gone"
			if found[old.Ref].Revoked {
				heard = "revoked"
			}
			setHeard(l, old.Ref, heard)
			continue
		case errors.Is(err, originclient.ErrOwnedByToken):
			found[old.Ref] = pinSync{Token: true}
			setHeard(l, old.Ref, "token")
			continue
		case err != nil:
			continue // unreachable or broken for now: the pin stays as it was
		}
		col.Added = old.Added
		change := pinChange(old, col)
		// a pin an older segue made lacks its tracks' own documents
		// (planPin): they are pinned, saying nothing
		newDocs := !slices.Equal(col.Docs, old.Docs)
		if change == "" {
			// A pin the cache lost segments of (cache verify or a read
			// found them damaged and dropped them) was "partial: run
			// offline add again": the sync fetches them as it would new
			// ones.
			missing := 0
			for _, h := range col.Hashes {
				if !c.Has(h) {
					missing++
				}
			}
			if missing == 0 && !newDocs {
				setHeard(l, old.Ref, "") // it answered with the collection
				continue
			}
			if missing > 0 {
				change = catalog.Count(missing, "missing segment") + " fetched again"
			}
		}
		if err := a.applyPin(ctx, c, r, l, old, col, sizes, progress); err != nil {
			errs = append(errs, fmt.Errorf("follow %s %q on the origin: %w", old.Kind, old.Name, err))
			continue
		}
		sync := pinSync{Change: change}
		// a track the pin no longer holds is either taken out of its
		// playlist or out of the catalog: only asking tells which
		for _, id := range old.Tracks {
			if !slices.Contains(col.Tracks, id) {
				if _, err := client.Track(ctx, id); errors.Is(err, catalog.ErrTrackGone) {
					sync.Removed = append(sync.Removed, id)
				}
			}
		}
		if n := len(sync.Removed); n > 0 {
			sync.Change += fmt.Sprintf("; %s removed from the origin's catalog", catalog.Count(n, "track"))
		}
		found[old.Ref] = sync
	}
	return found, errors.Join(errs...)
}

// lastHeard is what offline list shows of old while its origin does not
// answer (why says why not): what the origin last answered for it, kept
// in the list (Collection.Heard), so a revoked link's pin is not listed
// complete once its origin is down.
func lastHeard(old offline.Collection, why string) pinSync {
	s := pinSync{Unheard: why}
	switch old.Heard {
	case "revoked":
		s.Gone, s.Revoked = true, true
	case "gone":
		s.Gone = true
	case "token":
		s.Token = true
	}
	return s
}

// setHeard records in l what the origin answered for ref (Collection.Heard:
// "gone", "revoked", "token", or "" for the collection itself); offline
// list saves the list when it changed.
func setHeard(l *offline.List, ref, heard string) {
	for i := range l.Collections {
		if l.Collections[i].Ref == ref {
			l.Collections[i].Heard = heard
		}
	}
}

// pinnedHere reports whether col was pinned from the source r speaks to,
// by its documents' keys: a Subsonic server's are under
// subsonic://SERVER/, a segue origin's under the origin's URL (which may
// have moved since: its pins follow it). With the configured source
// switched between a segue origin and a Subsonic server, every pin of the
// other one was "gone from the origin: offline remove it".
func (r *resolver) pinnedHere(col offline.Collection) bool {
	if len(col.Docs) == 0 {
		return true
	}
	if r.sub != nil {
		return strings.HasPrefix(col.Docs[0], "subsonic://"+r.sub.Server()+"/")
	}
	return !strings.HasPrefix(col.Docs[0], "subsonic://")
}

// pinChange describes how col differs from old in words, or "" when it
// pins the same things.
func pinChange(old, col offline.Collection) string {
	var what []string
	if col.Name != old.Name {
		what = append(what, fmt.Sprintf("renamed from %q", old.Name))
	}
	if len(col.Tracks) != len(old.Tracks) {
		what = append(what, fmt.Sprintf("%s, was %d", catalog.Count(len(col.Tracks), "track"), len(old.Tracks)))
	} else if !slices.Equal(col.Tracks, old.Tracks) {
		what = append(what, "tracks changed")
	}
	if len(what) == 0 && (!slices.Equal(col.Hashes, old.Hashes) || !slices.Equal(withoutTrackDocs(col.Docs), withoutTrackDocs(old.Docs))) {
		what = append(what, "re-encoded on the origin")
	}
	return strings.Join(what, "; ")
}

// withoutTrackDocs is docs without the tracks' own documents
// (.../api/v1/tracks/ID), which a pin an older segue made has only for a
// pin of one track: their coming is no change on the origin.
func withoutTrackDocs(docs []string) []string {
	return slices.DeleteFunc(slices.Clone(docs), func(d string) bool {
		_, id, ok := strings.Cut(d, "/api/v1/tracks/")
		return ok && !strings.Contains(id, "/")
	})
}

// offlineEntry is one line of offline list --json.
type offlineEntry struct {
	offline.Collection
	CachedBytes int64 `json:"cached_bytes"`
	Complete    bool  `json:"complete"`
	// State is complete, partial, gone (no longer on the origin),
	// revoked (a share link's pin whose link opens nothing now: revoked,
	// or its playlist deleted), token (the origin keeps it for a token
	// this client did not send) or elsewhere (pinned by ID from another
	// origin than the configured one, named in Origin: not followed).
	State string `json:"state"`
	// Note is what the STATE column says of any state but complete: what
	// it means and what to do ("the share link was revoked ...: offline
	// remove it, or ask the sharer for a new link"); a script had only
	// the state's word.
	Note string `json:"note,omitempty"`
	// Changed says what followed the origin in this run, if anything.
	Changed string `json:"changed,omitempty"`
	// Removed lists the IDs of the tracks this run found taken out of
	// the origin's catalog, which the pin dropped.
	Removed []string `json:"removed,omitempty"`
	// Heard hides the Collection's own (kept in the offline list): State
	// says it.
	Heard string `json:"heard,omitempty"`
}

// offlineList first makes the pins follow the origin (syncPins), then
// lists them with their current name, track count and state.
func (a *app) offlineList(ctx context.Context, c *cache.Cache, asJSON bool) error {
	// a state dir that cannot be written still lists (syncPins says what
	// it could not save)
	unlock, lerr := a.lockPins(ctx, "offline list")
	if errors.As(lerr, new(*exitError)) { // Ctrl-C while waiting
		return lerr
	}
	if lerr == nil {
		defer unlock()
	}
	l, err := a.loadPins(lerr == nil)
	if err != nil {
		return err
	}
	ctx, stop := stopOnSignal(ctx)
	defer stop()
	heardBefore := map[string]string{}
	for _, col := range l.Collections {
		heardBefore[col.Ref] = col.Heard
	}
	found, serr := a.syncPins(ctx, c, l, a.downloadProgress)
	if lerr == nil && slices.ContainsFunc(l.Collections, func(col offline.Collection) bool { return col.Heard != heardBefore[col.Ref] }) {
		// what the origin answered is shown while it does not answer
		// (lastHeard); a list that cannot be saved lists all the same
		if err := l.Save(); err != nil {
			fmt.Fprintln(a.stderr, "segue:", err)
		}
	}
	if ierr := interrupted(ctx, ctx.Err(), "offline list", "the pins it brought up to date with the origin are saved, the others stay as they were "+
		"(what it downloaded stays in the cache): run the same command again to follow the rest and list them"); ierr != nil {
		return ierr
	}
	if serr != nil {
		fmt.Fprintln(a.stderr, "segue:", serr)
	}
	var unheard []string
	for _, col := range l.Collections {
		if why := found[col.Ref].Unheard; why != "" && !slices.Contains(unheard, why) {
			unheard = append(unheard, why)
			fmt.Fprintf(a.stderr, "segue: %s; its pins are listed as they were when it last answered (offline list follows them once it answers)\n", why)
		}
	}
	if lerr == nil { // no pin is being made meanwhile: one the list does not hold is no pin's
		if err := releaseUnheldPins(c, l); err != nil {
			fmt.Fprintln(a.stderr, "segue:", err)
		}
	}
	entries := []offlineEntry{}
	for _, col := range l.Collections {
		e := offlineEntry{Collection: col, Changed: found[col.Ref].Change, Removed: found[col.Ref].Removed}
		var have int64
		for _, h := range col.Hashes {
			if c.Has(h) {
				have++
			}
		}
		e.Complete = have == int64(len(col.Hashes))
		e.CachedBytes = have * col.Bytes / max(int64(len(col.Hashes)), 1)
		switch {
		case found[col.Ref].Revoked:
			e.State = "revoked"
		case found[col.Ref].Gone:
			e.State = "gone"
		case found[col.Ref].Token:
			e.State = "token"
		case found[col.Ref].Elsewhere:
			e.State = "elsewhere"
		case e.Complete:
			e.State = "complete"
		default:
			e.State = "partial"
		}
		if e.State != "complete" {
			e.Note = pinStates[e.State]
		}
		if e.State == "elsewhere" {
			e.Note = elsewhereNote(col)
		}
		if e.State == "gone" && e.Kind != "playlist" {
			// a track, album or artist out of the catalog (segue origin
			// remove, its files deleted and ingested again), not deleted
			e.Note = "removed from the origin's catalog: offline remove it"
		}
		entries = append(entries, e)
	}
	if asJSON {
		return a.printJSON(entries)
	}
	t := newTable("KIND", "NAME", "TRACKS", "SIZE", "QUALITY", "STATE", "REF", "ORIGIN").whole("KIND", "TRACKS", "SIZE", "QUALITY", "REF", "ORIGIN").
		orSay("nothing is pinned: pin a playlist, album or track with segue offline add ID")
	for _, e := range entries {
		state := cmp.Or(e.Note, e.State)
		if e.Changed != "" {
			state += " (updated: " + e.Changed + ")"
		}
		t.row(e.Kind, e.Name, strconv.Itoa(len(e.Tracks)), config.FormatBytes(e.Bytes), e.Quality, state, e.Ref, e.Origin)
	}
	return a.printTables(t)
}

// pinStates are what offline list says of a pin's state (offlineEntry's
// State) but complete, and what to do about it.
var pinStates = map[string]string{
	"partial": "partial: run offline add again",
	"gone":    "gone from the origin: offline remove it",
	"revoked": "the share link was revoked (or its playlist deleted): offline remove it, or ask the sharer for a new link",
	"token":   "belongs to a token on the origin: send its secret (--token, SEGUE_TOKEN or token in config.toml) to follow it",
	// "elsewhere" names the pin's origin: elsewhereNote
}

// releaseUnheldPins unpins the keys pinned in c that no collection of the
// offline list l holds: an older segue's offline add of a ref pinned
// already left the old pin's segments so, pinned for good and never
// evicted. The caller holds the offline list's lock, so no pin is half
// made.
func releaseUnheldPins(c *cache.Cache, l *offline.List) error {
	keys, err := c.PinnedKeys()
	if err != nil {
		return err
	}
	if unheld := l.Unheld(keys); len(unheld) > 0 {
		return c.Unpin(unheld...)
	}
	return nil
}

// pinnedList is the offline list, loaded once for offline remove to
// unpin refs from. It refuses refs (exit 3) when one of them is not
// pinned, before any is unpinned: offline remove A TYPO unpinned A, then
// failed, so a script that took the failure for "nothing done" had lost
// A's pin.
func (a *app) pinnedList(refs []string) (*offline.List, error) {
	l, err := a.loadPins(true)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if _, ok := pinnedRef(l, ref); !ok {
			err := fmt.Errorf("offline remove %q: not pinned (see segue offline list)", ref)
			if len(refs) > 1 {
				err = fmt.Errorf("%w; nothing was unpinned", err)
			}
			return nil, withExit(ExitNotFound, err)
		}
	}
	return l, nil
}

// pinKey is the ref a pin of ref is kept under: a share link's canonical
// form (as pasted it may be in <...>, end a sentence, or name its host in
// capitals), else ref as given.
func pinKey(ref string) string {
	if isShareURL(ref) {
		if l, err := share.ParseURL(ref); err == nil {
			return l.String()
		}
	}
	return ref
}

// pinnedRef returns the ref under which l keeps the pin ref names: ref
// itself (as an older segue kept a link, as given), or its pinKey.
func pinnedRef(l *offline.List, ref string) (string, bool) {
	for _, k := range []string{ref, pinKey(ref)} {
		if _, ok := l.Find(k); ok {
			return k, true
		}
	}
	return ref, false
}

// unpinRef drops ref from the offline list as unpinFrom does.
func (a *app) unpinRef(c *cache.Cache, ref string) error {
	unlock, err := offline.Lock(context.Background(), a.cfg.StateDir, nil)
	if err != nil {
		return err
	}
	defer unlock()
	l, err := a.loadPins(true)
	if err != nil {
		return err
	}
	return unpinFrom(c, l, ref)
}

// unpinFrom drops ref from l, saves l, then unpins what no other pinned
// collection holds (in that order, so a list that cannot be saved leaves
// every pin it names in place).
func unpinFrom(c *cache.Cache, l *offline.List, ref string) error {
	key, ok := pinnedRef(l, ref)
	if !ok {
		return withExit(ExitNotFound, fmt.Errorf("offline remove %q: not pinned (see segue offline list)", ref))
	}
	orphans := l.Remove(key)
	if err := l.Save(); err != nil {
		return fmt.Errorf("offline remove %q: %w; nothing was unpinned", ref, err)
	}
	return c.Unpin(orphans...)
}

// dialable reports whether the origin at base accepts a TCP connection
// within a few seconds.
func dialable(ctx context.Context, base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.TrimPrefix(u.Scheme, "subsonic+")]
	}
	host := net.JoinHostPort(u.Hostname(), port)
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", host)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// answerWait is how long syncPins waits for an origin's first answer.
const answerWait = 5 * time.Second

// answers reports whether the origin of c answers a request for the
// manifest of one of old's tracks (a pin always stores its manifests; of
// a Subsonic server, the track) within answerWait, and if not, why, in words. An origin that takes
// connections but does not answer (a stopped process, an overloaded host,
// a hung proxy) passes dialable, and each of its pins' documents then
// waited out the client's 15 s before the stored copy answered: offline
// list took minutes and printed nothing. A stored copy that answered in
// its place (stale.Wait) is no answer either: the pin was then planned
// from stored copies, and each album's cover, never stored when it has
// none, waited 5 s more.
func answers(ctx context.Context, c source, old offline.Collection) (bool, string) {
	if len(old.Tracks) == 0 {
		return true, ""
	}
	actx, cancel := context.WithTimeout(ctx, answerWait)
	defer cancel()
	var err error
	if _, origin := c.(*originclient.Client); origin {
		// a segue origin's manifest is a document, revalidated with the
		// origin (a stored copy answers after stale.Wait)
		_, err = c.Manifest(actx, old.Tracks[0])
	} else {
		// a Subsonic server's stored manifest answers without asking it;
		// getSong asks it
		_, err = c.Track(actx, old.Tracks[0])
	}
	var ne net.Error // the client's own end of a silent request (a timeout)
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return false, fmt.Sprintf("%s did not answer within %v", c.Source(), answerWait)
	}
	if why := storedWhy(c); why != "" {
		return false, why
	}
	return true, ""
}
