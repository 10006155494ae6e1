package subsonic

import (
	"mime"
	"strings"

	"segue/catalog"
)

// renditionFor maps stream's maxBitRate (kbit/s; 0 means no limit) to the
// best rendition within it: the highest whose bitrate is at most the
// limit, or the lowest when none is (segue does not transcode further).
func renditionFor(maxBitRate int) string {
	best := catalog.RenditionLow
	for _, name := range catalog.RenditionNames {
		if maxBitRate == 0 || catalog.Bitrates[name] <= maxBitRate {
			if catalog.Bitrates[name] > catalog.Bitrates[best] {
				best = name
			}
		}
	}
	return best
}

// stream answers a song as the origin's progressive MP3 (an info frame
// with the gapless delay and padding, then the rendition's segments;
// Range, HEAD and ETag as /api/v1/tracks/{id}/stream). maxBitRate picks
// the rendition (renditionFor); format and timeOffset are ignored: every
// rendition is already MP3, and clients seek with Range.
func (a *API) stream(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	maxBitRate, res := rq.p.integer("maxBitRate", 0, 0, 1<<20)
	if res != nil {
		return res
	}
	if _, err := a.o.Reader().Track(rq.Context(), id); err != nil {
		return a.notFound(rq, "song "+id, err)
	}
	a.o.ServeStream(rq.w, rq.Request, id, renditionFor(maxBitRate))
	return nil
}

// download answers a song's best rendition as an attachment (the origin
// keeps no original files).
func (a *API) download(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	t, err := a.o.Reader().Track(rq.Context(), id)
	if err != nil {
		return a.notFound(rq, "song "+id, err)
	}
	name := strings.NewReplacer("/", "_", "\\", "_").Replace(t.Artist + " - " + t.Title + ".mp3")
	rq.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	a.o.ServeStream(rq.w, rq.Request, id, catalog.RenditionHigh)
	return nil
}

// getCoverArt answers the cover of an album, or of a song's album (the
// coverArt IDs this API hands out); size is ignored: the image is served
// as ingested.
func (a *API) getCoverArt(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if !strings.HasPrefix(id, catalog.PrefixAlbum) {
		t, err := a.o.Reader().Track(rq.Context(), id)
		if err != nil {
			return a.notFound(rq, "cover art "+id, err)
		}
		id = t.AlbumID
	}
	if _, _, err := a.o.Reader().Cover(rq.Context(), id); err != nil {
		return a.notFound(rq, "cover art "+id, err)
	}
	a.o.ServeCover(rq.w, rq.Request, id)
	return nil
}
