package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"segue/catalog"
	"segue/net/subsonic"
	"segue/offline"
)

// planSubsonicPin is planPin for a Subsonic server: each track is streamed
// whole into the cache (a Subsonic server has no segments to list), and
// the collection pins its segments, its stored manifest and the listings
// that resolve and show it offline.
func (a *app) planSubsonicPin(ctx context.Context, sub *subsonic.Client, col offline.Collection, tracks []catalog.Track, manifests func(done, total int)) (offline.Collection, map[string]int64, error) {
	// a playlist pins empty, as on segue's origin (planPin): the pin
	// follows it, so one that fills later is downloaded then
	if len(tracks) == 0 && !strings.HasPrefix(col.Ref, catalog.PrefixPlaylist) {
		return col, nil, withExit(ExitNotFound, fmt.Errorf("offline add %q: it holds no tracks", col.Ref))
	}
	switch ref := col.Ref; {
	case strings.HasPrefix(ref, catalog.PrefixPlaylist):
		pl, err := sub.Playlist(ctx, ref)
		if err != nil {
			return col, nil, err
		}
		col.Kind, col.Name = "playlist", pl.Name
		raw := strings.TrimPrefix(ref, catalog.PrefixPlaylist+"_")
		col.Docs = append(col.Docs, sub.DocKey("getPlaylist", url.Values{"id": {raw}}))
	case strings.HasPrefix(ref, catalog.PrefixAlbum):
		col.Kind, col.Name = "album", tracks[0].Album
	case strings.HasPrefix(ref, catalog.PrefixArtist):
		col.Kind, col.Name = "artist", tracks[0].Artist
		raw := strings.TrimPrefix(ref, catalog.PrefixArtist+"_")
		col.Docs = append(col.Docs, sub.DocKey("getArtist", url.Values{"id": {raw}}))
	default:
		col.Kind, col.Name = "track", tracks[0].Title
	}
	col.Tracks, col.Hashes = []string{}, []string{} // an empty playlist's are [] in JSON, not null
	sizes := map[string]int64{}
	docs := map[string]bool{}
	for i, t := range tracks {
		m, err := sub.Download(ctx, t.ID) // stores the manifest and getSong
		if err != nil {
			return col, nil, fmt.Errorf("offline add %q: %q: %w", col.Ref, t.Title, err)
		}
		if _, err := sub.Album(ctx, t.AlbumID); err != nil {
			return col, nil, fmt.Errorf("offline add %q: album of %q: %w", col.Ref, t.Title, err)
		}
		// the cover once per album; an album without one pins none (a pin
		// that can never arrive would count as waiting forever)
		if k := sub.CoverKey(ctx, t.AlbumID); k != "" && !docs[k] {
			if _, _, err := sub.Cover(ctx, t.AlbumID); err == nil {
				docs[k] = true
				col.Docs = append(col.Docs, k)
			}
		}
		if manifests != nil {
			manifests(i+1, len(tracks))
		}
		col.Tracks = append(col.Tracks, t.ID)
		for _, s := range m.Renditions[0].Segments {
			if _, dup := sizes[s.Hash]; !dup {
				sizes[s.Hash] = s.Size
				col.Hashes = append(col.Hashes, s.Hash)
				col.Bytes += s.Size
			}
		}
		for _, k := range sub.TrackDocs(t) {
			if !docs[k] {
				docs[k] = true
				col.Docs = append(col.Docs, k)
			}
		}
	}
	return col, sizes, nil
}
