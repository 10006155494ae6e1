package subsonic

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

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
// the rendition (renditionFor); format is ignored (every rendition is
// already MP3). timeOffset (seconds, whole or decimal: "3", "3.5", to the
// millisecond) starts the stream there (origin.Server.ServeStreamFrom):
// exact to the sample for a gapless decoder, up to two frames (52 ms)
// early for one that ignores the LAME tag. A timeOffset that is not such a
// number of at least 0 is code 0; one at or past the end of the song is
// code 0 naming its length.
func (a *API) stream(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	maxBitRate, res := rq.p.integer("maxBitRate", 0, 0, 1<<20)
	if res != nil {
		return res
	}
	offset, res := rq.p.seconds("timeOffset", 0, 1<<30)
	if res != nil {
		return res
	}
	t, err := a.o.Reader().Track(rq.Context(), id)
	if err != nil {
		return a.notFound(rq, "song "+id, err)
	}
	if offset > 0 && offset.Milliseconds() >= t.DurationMS {
		return failed(CodeGeneric, fmt.Sprintf("timeOffset %s is past the end of song %s, which lasts %d s: give a timeOffset below that", rq.p.get("timeOffset"), id, catalog.Seconds(t.DurationMS)))
	}
	a.o.ServeStreamFrom(rq.w, rq.Request, id, renditionFor(maxBitRate), offset)
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
// coverArt IDs this API hands out). With size (pixels) the cover is
// scaled down to fit size x size, its aspect ratio kept, in its own format
// (JPEG or PNG), with an ETag of its own; a cover that fits already, or
// is too large to decode (maxCoverPixels), is served as stored, as
// without size.
func (a *API) getCoverArt(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	size, res := rq.p.integer("size", 0, 0, 1<<30)
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
	if size == 0 {
		if _, _, err := a.o.Reader().Cover(rq.Context(), id); err != nil {
			return a.notFound(rq, "cover art "+id, err)
		}
	} else if done, res := a.scaledCover(rq, id, size); done {
		return res
	}
	a.o.ServeCover(rq.w, rq.Request, id)
	return nil
}

// scaledCover answers album id's cover scaled to fit size x size (see
// getCoverArt) and reports true; false when the stored cover is the
// answer. A cover scaled before at that size comes from a.covers.
func (a *API) scaledCover(rq *request, id string, size int) (bool, *Response) {
	data, ctype, hash, err := a.o.CoverImage(rq.Context(), id)
	if err != nil {
		return true, a.notFound(rq, "cover art "+id, err)
	}
	etag := `"` + hash + "-" + strconv.Itoa(size) + `"`
	// what a 304 carries too (RFC 9110 15.4.5): without Cache-Control a
	// cache revalidated every time
	cacheHeaders := func(h http.Header) {
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if strings.Contains(rq.Header.Get("If-None-Match"), etag) { // 304 without scaling again
		cacheHeaders(rq.w.Header())
		rq.w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	key := coverKey{hash: hash, size: size}
	scaled, ok := a.covers.get(key)
	if !ok {
		select {
		case a.scaling <- struct{}{}:
		case <-rq.Context().Done(): // the client left while it waited
			return true, nil
		}
		scaled, err = scaleCover(data, ctype, size)
		a.scales.Add(1)
		<-a.scaling
		if err != nil {
			a.log.Warn("cover not scaled: served as stored", "album", id, "err", err)
		}
		if scaled == nil {
			return false, nil
		}
		a.covers.put(key, scaled)
	}
	rq.w.Header().Set("Content-Type", ctype)
	cacheHeaders(rq.w.Header())
	http.ServeContent(rq.w, rq.Request, "", time.Time{}, bytes.NewReader(scaled))
	return true, nil
}
