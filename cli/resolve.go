package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/scrobble"
	"segue/share"
)

// resolver turns targets (IDs, API URLs, share URLs) into tracks and
// remembers which origin each track came from, so its manifest and
// segments are asked of that origin, even when it is not the configured
// one. segue play, segue offline and the interface's `o` all resolve
// through it; it is safe for concurrent use.
type resolver struct {
	a    *app
	docs *cache.Cache
	src  source               // the configured origin
	def  *originclient.Client // src when it is a segue origin, else nil
	sub  *subsonic.Client     // src when it is a Subsonic server, else nil

	mu      sync.Mutex                      // guards clients, owner and holder
	clients map[string]*originclient.Client // segue origins by base URL (#sha256=PIN after it for a pinned link), def included
	owner   map[string]source               // track ID -> origin it came from
	holder  map[string]*originclient.Client // segment hash -> the origin other than def whose manifest named it
}

// maxHolders bounds holder; past it the map starts again (a segment whose
// holder is forgotten is asked of def first, then of the others).
const maxHolders = 200_000

// newResolver returns the resolver of the configured origin; a Subsonic
// server streams at quality's bitrate. Close it before the cache.
func newResolver(a *app, docs *cache.Cache, quality string) (*resolver, error) {
	r := &resolver{a: a, docs: docs, clients: map[string]*originclient.Client{}, owner: map[string]source{},
		holder: map[string]*originclient.Client{}}
	if raw, ok := a.subsonicURL(); ok {
		sub, err := a.openSubsonic(raw, docs, quality)
		if err != nil {
			return nil, err
		}
		r.src, r.sub = sub, sub
		return r, nil
	}
	def, err := originclient.New(a.cfg.Origin, originclient.Options{Token: a.cfg.Token, Docs: docs, TLS: a.tlsFor(a.cfg.Origin, "")})
	if err != nil {
		return nil, withExit(ExitUsage, err)
	}
	r.src, r.def = def, def
	r.clients[clientKey(def.BaseURL(), a.cfg.Token, "")] = def
	return r, nil
}

// poster is where plays are sent: the configured origin.
func (r *resolver) poster() scrobble.Poster {
	if r.sub != nil {
		return r.sub
	}
	return r.def
}

// close stops a Subsonic server's downloads in flight, and the segue
// origins' requests still refreshing stored documents.
func (r *resolver) close() {
	if r.sub != nil {
		r.sub.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.clients {
		c.Close()
	}
}

// client returns the client of the origin at base, with token and, when a
// share link carries one, its certificate pin: a pinned link gets a client
// of its own, even of the configured origin (whose client, without the
// pin, refused the link's certificate), and so does a share link's token
// (the configured origin's client, without it or with the listener's own
// token, was refused the link's manifests on an origin requiring tokens).
func (r *resolver) client(base, token, pin string) (*originclient.Client, error) {
	key := clientKey(base, token, pin)
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[key]; ok {
		return c, nil
	}
	c, err := originclient.New(base, originclient.Options{Token: token, Docs: r.docs, TLS: r.a.tlsFor(base, pin)})
	if err != nil {
		return nil, err
	}
	r.clients[key] = c
	return c, nil
}

// clientKey is the key of r.clients: one client for each origin base URL,
// token and certificate pin.
func clientKey(base, token, pin string) string {
	key := base + "#token=" + token
	if pin != "" {
		key += "#" + share.PinPrefix + pin
	}
	return key
}

// originOf returns the origin trackID came from, or the configured one.
func (r *resolver) originOf(trackID string) source {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.owner[trackID]; c != nil {
		return c
	}
	return r.src
}

// tiers is the fetch chain's network side: the origin whose manifest
// named the segment (the configured one unless the track came from a share
// link or another origin's URL), then the other origins (segments are
// content-addressed, so any origin holding the hash may answer; the fetcher
// checks the bytes). Asking the configured origin first cost a listener
// who opened another origin's link a round trip per segment, and 0.3 s of
// retries when the configured origin was down.
func (r *resolver) tiers() []fetch.Tier {
	if r.sub != nil { // a Subsonic server has no segments by hash: the cache, then the download (see subsonicPlayer)
		return nil
	}
	return []fetch.Tier{{Source: catalog.SourceOrigin, Remote: holderFirst{r}}, {Source: catalog.SourceOrigin, Remote: r}}
}

// holderOf returns the origin whose manifest named hash, or def.
func (r *resolver) holderOf(hash string) *originclient.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.holder[hash]; c != nil {
		return c
	}
	return r.def
}

// holderFirst is the first network tier: the origin that holds a segment.
type holderFirst struct{ r *resolver }

// holderFirst reports a download's bytes as they come, as the origin
// client does, for ABR's abandon rule (fetch.Received).
var (
	_ fetch.ProgressRemote = holderFirst{}
	_ fetch.FreshRemote    = holderFirst{}
)

// Chunk asks the origin whose manifest named hash (see tiers).
func (h holderFirst) Chunk(ctx context.Context, hash string) ([]byte, error) {
	return h.r.holderOf(hash).Chunk(ctx, hash)
}

// ChunkProgress is Chunk calling progress with the bytes of each read.
func (h holderFirst) ChunkProgress(ctx context.Context, hash string, progress func(n int)) ([]byte, error) {
	return h.r.holderOf(hash).ChunkProgress(ctx, hash, progress)
}

// ChunkFresh is ChunkProgress on a connection of its own (a hedged
// request: see fetch.FreshRemote).
func (h holderFirst) ChunkFresh(ctx context.Context, hash string, progress func(n int)) ([]byte, error) {
	return h.r.holderOf(hash).ChunkFresh(ctx, hash, progress)
}

// BaseURLOf names the origin asked for hash, for fetch's messages.
func (h holderFirst) BaseURLOf(hash string) string { return h.r.holderOf(hash).BaseURL() }

// errNoOtherOrigin answers a chunk request when no track came from an
// origin other than the one holderFirst asked.
var errNoOtherOrigin = fmt.Errorf("no other origin known: %w", fetch.ErrNoRemote)

// Chunk asks the origins other than the one holderFirst asked.
func (r *resolver) Chunk(ctx context.Context, hash string) ([]byte, error) {
	asked := r.holderOf(hash)
	r.mu.Lock()
	var others []*originclient.Client
	for _, c := range r.clients {
		if c != asked {
			others = append(others, c)
		}
	}
	r.mu.Unlock()
	err := errNoOtherOrigin
	for _, c := range others {
		b, cerr := c.Chunk(ctx, hash)
		if cerr == nil {
			return b, nil
		}
		err = cerr
	}
	return nil, err
}

// Manifest asks the origin the track came from (a stored copy offline).
func (r *resolver) Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error) {
	src := r.originOf(trackID)
	m, err := src.Manifest(ctx, trackID)
	if err != nil {
		return nil, err
	}
	if c, ok := src.(*originclient.Client); ok && c != r.def {
		r.mu.Lock()
		if len(r.holder) > maxHolders {
			clear(r.holder)
		}
		for _, rend := range m.Renditions {
			for _, seg := range rend.Segments {
				r.holder[seg.Hash] = c
			}
		}
		r.mu.Unlock()
	}
	return &m, nil
}

// emptyShare is a shared playlist that holds no tracks: its name and the
// link it was opened by.
type emptyShare struct {
	name, link string
	id         bool // link is a playlist ID of the configured origin, not a share link
}

// String names it as a person knows it: the shared playlist "NAME" (URL).
func (e emptyShare) String() string {
	return fmt.Sprintf("the shared playlist %q (%s)", e.name, e.link)
}

// resolve returns the tracks of targets in order, plus the first hit of
// search when it is not empty. empty are the shared playlists among
// targets that hold no tracks (and the playlist IDs, marked id).
func (r *resolver) resolve(ctx context.Context, targets []string, search string) (tracks []catalog.Track, empty []emptyShare, err error) {
	var out []catalog.Track
	add := func(c source, ts ...catalog.Track) {
		r.mu.Lock()
		for _, t := range ts {
			r.owner[t.ID] = c
		}
		r.mu.Unlock()
		out = append(out, ts...)
	}
	for _, t := range targets {
		c, id, err := r.target(t)
		if err != nil {
			return nil, nil, err
		}
		if id == "" { // a share URL: always a segue origin's
			l, _ := share.ParseURL(t)
			pl, err := c.(*originclient.Client).SharedPlaylist(ctx, l.Token)
			if err != nil {
				return nil, nil, r.linked(c, fmt.Errorf("open the shared playlist: %w", err))
			}
			if len(pl.Tracks) == 0 {
				empty = append(empty, emptyShare{name: pl.Name, link: t})
			}
			add(c, pl.Tracks...)
			continue
		}
		ts, err := byID(ctx, c, id)
		if err != nil {
			return nil, nil, r.linked(c, fmt.Errorf("resolve %q: %w", t, err))
		}
		if len(ts) == 0 && strings.HasPrefix(id, catalog.PrefixPlaylist) { // named in the error, as a link is
			if pl, err := c.Playlist(ctx, id); err == nil {
				empty = append(empty, emptyShare{name: pl.Name, link: id, id: true})
			}
		}
		add(c, ts...)
	}
	if search != "" {
		if _, sub := r.src.(*subsonic.Client); !sub {
			if err := noSearchWords(search); err != nil {
				return nil, nil, err
			}
		}
		res, err := r.src.Search(ctx, search, searchLimit)
		if err != nil {
			return nil, nil, fmt.Errorf("search %q: %w", search, err)
		}
		if len(res.Tracks) == 0 {
			return nil, nil, withExit(ExitNotFound, fmt.Errorf("search %q: no track found", search))
		}
		add(r.src, res.Tracks[0])
	}
	return out, empty, nil
}

// noTracks is the error for targets that hold no tracks, after prefix
// (play's "play: "; segue ctl's reply has none, the client names the
// command), naming the shared playlists among them that have none (empty,
// from resolve) and saying to ask their owners, then to verb the link again;
// with no link among them, the first playlist ID with none and how to add
// tracks to it.
func noTracks(prefix, verb string, empty []emptyShare) error {
	var links []emptyShare
	for _, e := range empty {
		if !e.id {
			links = append(links, e)
		}
	}
	if len(links) == 0 && len(empty) > 0 { // playlists by ID: whoever asks can add to them
		e := empty[0]
		return ownWords(fmt.Sprintf("%sthe targets hold no tracks: the playlist %q (%s) has none; add some (segue playlist add %s TRACK_ID...), then %s it again", prefix, e.name, e.link, e.link, verb))
	}
	empty = links
	switch len(empty) {
	case 0:
		return errors.New(prefix + "the targets hold no tracks")
	case 1:
		return ownWords(prefix + "the targets hold no tracks: " + empty[0].String() + " has none; ask its owner to add some, then " + verb + " the link again")
	}
	names := make([]string, len(empty))
	for i, e := range empty {
		names[i] = e.String()
	}
	return ownWords(prefix + "the targets hold no tracks: " + strings.Join(names, ", ") + " have none; ask their owners to add some, then " + verb + " the links again")
}

// linked marks err as a failure of the origin a link or URL named when c
// is not the configured origin (see linkedOrigin).
func (r *resolver) linked(c source, err error) error {
	if c == r.src || sameOrigin(c.BaseURL(), r.a.cfg.Origin) {
		return err
	}
	return &linkedOrigin{err}
}

// target reads one TARGET: an ID for the configured origin, an API URL of
// some origin, or a share URL (returned with an empty id).
func (r *resolver) target(t string) (source, string, error) {
	if !isShareURL(t) {
		if !catalog.IsID(t) {
			return nil, "", notAnID(t, true)
		}
		return r.src, t, nil
	}
	l, err := share.ParseURL(t)
	if err == nil {
		c, err := r.client(l.Origin, l.Token, l.Pin)
		if err != nil {
			return nil, "", withExit(ExitUsage, err)
		}
		return c, "", nil
	}
	if u, perr := url.Parse(t); perr == nil && strings.Contains(u.Path, "/p/") { // a share URL gone wrong: say how
		return nil, "", withExit(ExitUsage, err)
	}
	bad := withExit(ExitUsage, fmt.Errorf("%q: want .../tracks/ID, .../albums/ID, .../artists/ID or a share URL /p/TOKEN", t))
	if hint := fileURLHint(t); hint != "" {
		return nil, "", withExit(ExitUsage, fmt.Errorf("%q names a file, not a track, album, artist or share URL: %s", t, hint))
	}
	u, err := url.Parse(t)
	if err != nil || u.Host == "" {
		return nil, "", bad
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return nil, "", bad
	}
	kind, id := parts[len(parts)-2], parts[len(parts)-1]
	if (id == "manifest" || id == "stream") && len(parts) >= 3 { // .../tracks/ID/manifest or /stream (an export's entry)
		kind, id = parts[len(parts)-3], parts[len(parts)-2]
	}
	if kind != "tracks" && kind != "albums" && kind != "artists" {
		return nil, "", bad
	}
	base := u.Scheme + "://" + u.Host
	if i := strings.Index(u.Path, "/api/v1/"); i > 0 { // an origin served under a path
		base += u.Path[:i]
	}
	token := r.a.tokenFor(base)
	if token == "" { // a shared playlist's export entry carries its share token
		token = u.Query().Get("share")
	}
	c, err := r.client(base, token, "")
	if err != nil {
		return nil, "", withExit(ExitUsage, err)
	}
	return c, id, nil
}

// byID resolves a playlist, album, artist or track ID by its prefix.
func byID(ctx context.Context, c source, id string) ([]catalog.Track, error) {
	switch {
	case strings.HasPrefix(id, catalog.PrefixPlaylist):
		pl, err := c.Playlist(ctx, id)
		return pl.Tracks, err
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		al, err := c.Album(ctx, id)
		return al.Tracks, err
	case strings.HasPrefix(id, catalog.PrefixArtist):
		ar, err := c.Artist(ctx, id)
		if err != nil {
			return nil, err
		}
		var ts []catalog.Track
		for _, al := range ar.Albums {
			full, err := c.Album(ctx, al.ID)
			if err != nil {
				return nil, err
			}
			ts = append(ts, full.Tracks...)
		}
		for _, al := range ar.AppearsOn { // compilations and guest spots: the artist's own tracks there
			ts = append(ts, al.Tracks...)
		}
		return ts, nil
	}
	tr, err := c.Track(ctx, id)
	if err != nil {
		return nil, err
	}
	return []catalog.Track{tr}, nil
}

// fileURLHint says what to do with the file the URL t names (file:///…/
// song.flac, a radio's .pls on the web: catalog.FileHint, after
// downloading it for a web URL), or "" when t names no such file.
func fileURLHint(t string) string {
	u, err := url.Parse(t)
	if err != nil || u.Scheme == "" || strings.Contains(u.Path, "/p/") { // a share link gone wrong says how itself
		return ""
	}
	if u.Scheme == "file" {
		return catalog.FileHint(u.Path)
	}
	if hint := catalog.FileHint(path.Base(u.Path)); hint != "" {
		return "download it (curl -o " + path.Base(u.Path) + " URL), then: " + hint
	}
	return ""
}

// plainID is what an ID looks like; anything else is taken for a URL.
var plainID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// notAnID is the bad argument t, which is not an ID (catalog.NotATarget;
// catalog.NotATargetFolder when t is a folder here).
func notAnID(t string, urls bool) error {
	if fi, err := os.Stat(config.HomePath(t)); err == nil && fi.IsDir() {
		abs, err := filepath.Abs(config.HomePath(t))
		if err != nil {
			abs = t
		}
		return withExit(ExitUsage, catalog.NotATargetFolder(t, abs))
	}
	return withExit(ExitUsage, catalog.NotATarget(t, urls))
}

// Open resolves what the interface's `o` is given. Anything that is not a
// plain ID must be a share URL (or an API URL of an origin): a malformed
// one gets the share URL parser's reason.
func (r *resolver) Open(ctx context.Context, ref string) ([]catalog.Track, error) {
	ref = strings.TrimSpace(ref)
	ref = catalog.Unpasted(ref, plainID.MatchString) // as pasted from JSON or a sentence: "al1", <al1>, “al1”.
	// a file's name, or words (a title typed where / searches): said in
	// one line with what to do, where a word went on to the resolver,
	// whose sentence was too long for the status line ("it failed (the
	// log has the details)")
	if hint := catalog.FileHint(ref); hint != "" && !strings.Contains(ref, "://") {
		return nil, fmt.Errorf("%w: %q is a file, not a share link or ID: %s", share.ErrBadURL, ref, hint)
	}
	if plainID.MatchString(ref) && !catalog.IsID(ref) {
		return nil, fmt.Errorf("%w: %q is neither a share link nor a playlist, album, artist or track ID: press / to search by name", share.ErrBadURL, ref)
	}
	if _, err := share.ParseURL(ref); err != nil && strings.Contains(ref, "://") {
		if hint := fileURLHint(ref); hint != "" { // it said the scheme or path was wrong
			return nil, fmt.Errorf("%w: the link names a file, not a share link or ID: %s", share.ErrBadURL, hint)
		}
	}
	if !plainID.MatchString(ref) {
		if !strings.Contains(ref, "/") {
			return nil, fmt.Errorf("%w: %q is neither a share link nor a playlist, album, artist or track ID", share.ErrBadURL, ref)
		}
		if _, err := share.ParseURL(ref); err != nil && !strings.Contains(ref, "/api/") {
			return nil, err
		}
	}
	tracks, empty, err := r.resolve(ctx, []string{ref}, "")
	if err != nil {
		where := "the origin"
		if r.sub != nil {
			where = r.sub.Source()
		}
		return nil, openError(ref, where, err)
	}
	if len(tracks) == 0 && len(empty) > 0 {
		// the status line's one line: the name, not the link just typed
		if empty[0].id {
			return nil, withExit(ExitNotFound, ownWords(fmt.Sprintf("nothing to play: the playlist %q holds no tracks; add some first", empty[0].name)))
		}
		return nil, withExit(ExitNotFound, ownWords(fmt.Sprintf("nothing to play: the shared playlist %q holds no tracks; ask its owner to add some", empty[0].name)))
	}
	return tracks, nil
}

// openError says in one short line why ref did not open: the status line
// has room for one, and the full error (with URLs) would cut the reason off.
// where names the source (the origin, or a Subsonic server by its host).
func openError(ref, where string, err error) error {
	what := "open " + ref
	var nf *originclient.NotFoundError
	if l, perr := share.ParseURL(ref); perr == nil {
		what, where = "open shared playlist", "its origin "+strings.TrimPrefix(strings.TrimPrefix(l.Origin, "http://"), "https://")
		if errors.Is(err, originclient.ErrNotFound) || errors.Is(err, originclient.ErrUnauthorized) {
			// what to do too, as segue play of the link says (the origin's
			// shareGone); a said: Say cut it at "revoked"
			return plainSaid{said{what + ": the link is unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one",
				fmt.Errorf("%s: %w", what, errors.Join(originclient.ErrNotFound, err))}}
		}
	}
	switch {
	case errors.Is(err, originclient.ErrOffline):
		return fmt.Errorf("%s: %s is unreachable and it was never opened here: %w", what, where, originclient.ErrOffline)
	case errors.As(err, &nf):
		return plainSaid{said{what + ": " + nf.Sentence(), err}}
	case errors.Is(err, originclient.ErrNotFound):
		return fmt.Errorf("%s: %w", what, originclient.ErrNotFound)
	}
	return err
}

// plainSaid is a said the interface's status line says as it is too (its
// Plain): "open al1: album al1 not found on the origin at HOST".
type plainSaid struct{ said }

// Plain is the sentence.
func (p plainSaid) Plain() string { return p.msg }
