package subsonic

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"

	"segue/cache"
	"segue/catalog"
	"segue/mp3"
)

// Playback. segue's player plays a manifest of segments (runs of whole MP3
// frames). A Subsonic server has a progressive stream instead
// (stream?id=&format=mp3&maxBitRate=), so a track plays in two ways:
//
//   - Streamed: Manifest starts the download, waits for its first frame and
//     returns a provisional manifest whose segments are keys of this
//     download (sha256 of server, track, bitrate and index: never the sha256
//     of bytes), 96 frames each (the first 16); Segments hands each out as
//     soon as its frames have arrived, so playback starts before the
//     download ends. The frame count comes from the Xing/LAME frame when
//     the server sends one, else from the song's duration plus a margin:
//     segments past the end of the stream are empty and the decoder ends
//     where the frames do. A server that sends FLAC, Ogg Vorbis or WAV as
//     it is gets byte chunks instead of frame runs (the player decodes
//     those with beep's decoders).
//   - Resumed: a stream cut or silent for 5 s mid-track is asked again
//     from where it stopped (resume.go); before, a cut one was stored as
//     the whole track, shorter, and a silent one held the play head.
//   - Released: of whole downloads, only the last two keep their bytes in
//     memory; the older ones' provisional keys are read from the cache.
//   - Stored: when a download completes, its segments are stored in the
//     cache under the sha256 of their bytes with the exact manifest (as a
//     document keyed by server, track and bitrate): from then on the track
//     plays, and pins for offline, like any origin track.
//
// Gapless: a stream with a LAME tag is trimmed exactly (encoder delay,
// decoder delay, padding). A stream transcoded into a pipe carries none: it
// is trimmed by LAME's delay and, to the sample, at the length of the file
// it was transcoded from, read from that file's header (length.go).

// Store keeps whole tracks and their manifests; *cache.Cache satisfies it.
type Store interface {
	Has(hash string) bool
	Put(hash string, data []byte) error
	GetDoc(key string) (cache.Doc, error)
	PutDoc(key string, d cache.Doc) error
}

var _ Store = (*cache.Cache)(nil)

// SegmentSource is the player's source of segment bytes (player
// declares the same interface; *fetch.Fetcher satisfies it).
type SegmentSource interface {
	Segment(ctx context.Context, hash string, u catalog.Urgency) ([]byte, catalog.Source, error)
}

// framesPerSegment matches the origin's segments (about 2.5 s). The first
// segment is shorter (about 0.4 s), so that playback starts as soon as the
// server has sent that much.
const (
	framesPerSegment   = 96
	firstSegmentFrames = 16
)

// segmentFrames is the frame count of segment i.
func segmentFrames(i int) int64 {
	if i == 0 {
		return firstSegmentFrames
	}
	return framesPerSegment
}

// durationMargin is added to a song's duration (whole seconds, rounded
// down or to the nearest) when the stream's frame count is not known up
// front; an encoder adds its delay and padding, under two frames, besides.
const durationMargin = 1

// Kbps returns the bitrate of a rendition name: 96, 160 or 320, and 160
// for anything else (auto): a Subsonic stream has one bitrate.
func Kbps(rendition string) int {
	if k, ok := catalog.Bitrates[rendition]; ok {
		return k
	}
	return catalog.Bitrates[catalog.RenditionNormal]
}

func renditionOf(kbps int) string {
	for name, k := range catalog.Bitrates {
		if k == kbps {
			return name
		}
	}
	return catalog.RenditionNormal
}

// streams are the downloads in flight and the keys of their segments.
type streams struct {
	mu    sync.Mutex           // guards the maps
	byKey map[string]segRef    // provisional segment key -> where it is
	all   map[string]*download // track ID + "@" + kbps -> its download
	order []*download          // downloads holding bytes, oldest first

	starting singleflight.Group // stream requests being sent, by track ID + "@" + kbps
	wg       sync.WaitGroup     // the download goroutines
	stop     context.CancelFunc // cancels them all (Close)
	ctx      context.Context
}

// releaseLocked drops the bytes of the oldest whole downloads beyond
// keptDownloads that the cache holds; s.mu must be held.
func (s *streams) releaseLocked() {
	var keep []*download
	for i, d := range s.order {
		d.mu.Lock()
		if i < len(s.order)-keptDownloads+1 && d.done && d.stored != nil {
			d.segs, d.released = nil, true
		}
		released := d.released
		d.mu.Unlock()
		if !released {
			keep = append(keep, d)
		}
	}
	s.order = keep
}

type segRef struct {
	d *download
	i int
}

// download is one progressive stream being read.
type download struct {
	trackID string
	kbps    int
	man     catalog.Manifest // provisional
	// src is how many samples the file the server transcoded holds, when
	// the stream has no Info frame and that file's header said (else 0):
	// the stream's exact length.
	src int64

	mu      sync.Mutex // guards the fields below
	segs    [][]byte   // complete segments so far; nil once released
	done    bool
	err     error
	changed chan struct{} // closed and replaced when the above change
	// stored are the hashes the segments were stored under, set when the
	// whole download went into the cache; a released download's
	// segments are asked of the cache by them.
	stored   []string
	released bool
}

// keptDownloads is how many whole downloads keep their bytes in memory:
// the track playing and the one before; older ones are read from the
// cache (where keep put them) by the player still holding their
// provisional manifest.
const keptDownloads = 2

// segmentKey names segment i of a download: not a hash of bytes.
func (c *Client) segmentKey(trackID string, kbps, i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("subsonic\x00%s\x00%s\x00%d\x00%d", c.Server(), trackID, kbps, i)))
	return hex.EncodeToString(sum[:])
}

// manifestKey is where the exact manifest of a stored track is kept.
func (c *Client) manifestKey(trackID string, kbps int) string {
	return fmt.Sprintf("subsonic://%s/%s@%d/manifest", c.Server(), trackID, kbps)
}

// Manifest is ManifestAt the client's bitrate.
func (c *Client) Manifest(ctx context.Context, trackID string) (catalog.Manifest, error) {
	return c.ManifestAt(ctx, trackID, c.kbps)
}

// ManifestAt returns how to play trackID at kbps: the stored manifest when
// the whole track is in the cache (at that bitrate, else any other), else
// a provisional one for a download it starts.
func (c *Client) ManifestAt(ctx context.Context, trackID string, kbps int) (catalog.Manifest, error) {
	for _, k := range append([]int{kbps}, 320, 160, 96) {
		if m, ok := c.stored(trackID, k); ok {
			return *m, nil
		}
	}
	d, err := c.startDownload(ctx, trackID, kbps)
	if err != nil {
		return catalog.Manifest{}, err
	}
	return d.man, nil
}

// stored returns the stored manifest of trackID at kbps when every one of
// its segments is still in the cache.
func (c *Client) stored(trackID string, kbps int) (*catalog.Manifest, bool) {
	if c.store == nil {
		return nil, false
	}
	doc, err := c.store.GetDoc(c.manifestKey(trackID, kbps))
	if err != nil {
		return nil, false
	}
	var m catalog.Manifest
	if json.Unmarshal(doc.Body, &m) != nil || m.Validate() != nil {
		return nil, false
	}
	for _, s := range m.Renditions[0].Segments {
		if !c.store.Has(s.Hash) {
			return nil, false
		}
	}
	return &m, true
}

// Segments returns the player's segment source: the segments of downloads
// in flight from c (waiting for their frames), anything else from next
// (the fetch chain over the cache; nil: none).
func (c *Client) Segments(next SegmentSource) SegmentSource { return segments{c, next} }

type segments struct {
	c    *Client
	next SegmentSource
}

// Segment implements SegmentSource.
func (s segments) Segment(ctx context.Context, hash string, u catalog.Urgency) ([]byte, catalog.Source, error) {
	c, next := s.c, s.next
	c.streams.mu.Lock()
	ref, ok := c.streams.byKey[hash]
	c.streams.mu.Unlock()
	if !ok {
		if next == nil {
			return nil, "", fmt.Errorf("segment %.12s: %w", hash, ErrNotFound)
		}
		return next.Segment(ctx, hash, u)
	}
	d := ref.d
	for {
		d.mu.Lock()
		switch {
		case d.released && ref.i < len(d.stored) && next != nil:
			h := d.stored[ref.i]
			d.mu.Unlock()
			return next.Segment(ctx, h, u)
		case ref.i < len(d.segs):
			b := d.segs[ref.i]
			d.mu.Unlock()
			return b, catalog.SourceOrigin, nil
		case d.err != nil:
			err := d.err
			d.mu.Unlock()
			return nil, "", err
		case d.done: // past the end of the stream
			d.mu.Unlock()
			return []byte{}, catalog.SourceOrigin, nil
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
}

// startDownload returns the download of trackID at kbps, starting it when
// none is in flight: it returns once the first frame has arrived (or the
// server answered with an error).
func (c *Client) startDownload(ctx context.Context, trackID string, kbps int) (*download, error) {
	key := trackID + "@" + strconv.Itoa(kbps)
	s := &c.streams
	s.mu.Lock()
	if s.ctx == nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
		s.byKey, s.all = map[string]segRef{}, map[string]*download{}
	}
	if d, ok := s.all[key]; ok {
		d.mu.Lock()
		failed := d.err != nil
		d.mu.Unlock()
		if !failed {
			s.mu.Unlock()
			return d, nil
		}
	}
	bg := s.ctx
	s.mu.Unlock()
	// The current track and the next one's prefetch, or a pin, may ask at
	// once: one stream request serves them.
	ch := s.starting.DoChan(key, func() (any, error) { return c.openDownload(ctx, bg, trackID, kbps, key) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*download), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// openDownload requests the stream, waits for its first bytes, builds the
// provisional manifest and starts reading; the download lives as long as bg.
func (c *Client) openDownload(ctx, bg context.Context, trackID string, kbps int, key string) (*download, error) {
	s := &c.streams
	sg, err := c.song(ctx, trackID)
	if err != nil {
		return nil, fmt.Errorf("play %s: %w", trackID, err)
	}
	// The length of the file the server may transcode is asked meanwhile,
	// so a stream without an Info frame does not wait for it in turn.
	var src int64
	var lookup sync.WaitGroup
	lctx, stopLookup := context.WithCancel(ctx)
	lookup.Go(func() { src, _ = c.sourceSamples(lctx, trackID) })
	defer func() { stopLookup(); lookup.Wait() }()
	body, size, err := c.openStream(ctx, bg, trackID, kbps)
	if err != nil {
		return nil, fmt.Errorf("play %s: %w", trackID, err)
	}
	br := bufio.NewReaderSize(body, 64<<10)
	head, _ := br.Peek(4)
	d := &download{trackID: trackID, kbps: kbps, changed: make(chan struct{})}
	var read func()
	if codec := codecOf(head); codec != catalog.CodecMP3 {
		d.man = c.provisionalBytes(trackID, kbps, sg, codec, size)
		read = func() { c.readBytes(d, br) }
	} else {
		fr := mp3.NewFileReader(br)
		first, err := fr.Next()
		if err != nil {
			body.Close()
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w: the stream is empty", mp3.ErrNotMP3)
			}
			return nil, fmt.Errorf("play %q from %s: %w", sg.Title, c.Server(), err)
		}
		if _, tagged := mp3.ReadInfo(first); !tagged {
			lookup.Wait()
			d.src = src
		}
		d.man = c.provisional(trackID, kbps, sg, first, d.src)
		read = func() { c.read(d, first, fr) }
	}

	s.mu.Lock()
	s.releaseLocked()
	s.all[key] = d
	s.order = append(s.order, d)
	for i, seg := range d.man.Renditions[0].Segments {
		s.byKey[seg.Hash] = segRef{d, i}
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer body.Close()
		read()
	}()
	return d, nil
}

// codecOf names the codec of a stream by its first bytes: a server that
// does not transcode sends FLAC, Ogg Vorbis or WAV as they are; anything
// else is taken for MP3 (the frame reader says what is wrong with it).
func codecOf(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("fLaC")):
		return catalog.CodecFLAC
	case bytes.HasPrefix(head, []byte("OggS")):
		return catalog.CodecVorbis
	case bytes.HasPrefix(head, []byte("RIFF")):
		return catalog.CodecWAV
	}
	return catalog.CodecMP3
}

// Chunks of a stream that is not MP3: its segments are runs of bytes, the
// first small so that playback starts soon.
const (
	firstChunkBytes = 16 << 10
	chunkBytes      = 64 << 10
)

func chunkSize(i int) int64 {
	if i == 0 {
		return firstChunkBytes
	}
	return chunkBytes
}

// provisionalBytes builds the manifest of a download of codec (not MP3)
// whose size is size bytes (-1: unknown). Its segments are byte chunks;
// their frame counts only share the song's duration out, for the player's
// read-ahead (the decoder ends where the stream does). An unknown size is
// estimated from the file's size or bitrate, with a quarter more segments
// (empty past the end).
func (c *Client) provisionalBytes(trackID string, kbps int, sg song, codec string, size int64) catalog.Manifest {
	m := catalog.Manifest{TrackID: trackID, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: framesPerSegment}
	if size <= 0 {
		size = sg.Size
		if size <= 0 {
			size = int64(sg.Duration+durationMargin) * int64(cmp.Or(sg.BitRate, 1411)) * 125
		}
		size += size / 4
	}
	var chunks []int64
	for at, i := int64(0), 0; at < size; i++ {
		n := min(chunkSize(i), size-at)
		chunks = append(chunks, n)
		at += n
	}
	frames := (int64(sg.Duration+durationMargin)*catalog.SampleRate)/catalog.SamplesPerFrame + 2
	per := max(1, (frames+int64(len(chunks))-1)/int64(max(1, len(chunks))))
	m.TotalSamples = per * int64(len(chunks)) * catalog.SamplesPerFrame
	r := catalog.Rendition{Name: renditionOf(kbps), Codec: codec, Bitrate: sg.BitRate}
	for i, n := range chunks {
		r.Segments = append(r.Segments, catalog.Segment{Hash: c.segmentKey(trackID, kbps, i), Size: n, Frames: int(per)})
	}
	m.Renditions = []catalog.Rendition{r}
	return m
}

// readBytes cuts a stream that is not MP3 into the chunks of its
// provisional manifest and, when it ends whole, stores the track.
func (c *Client) readBytes(d *download, r io.Reader) {
	for i := 0; ; i++ {
		b := make([]byte, chunkSize(i))
		n, err := io.ReadFull(r, b)
		if n > 0 {
			d.publish(b[:n], nil, false)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			d.publish(nil, fmt.Errorf("stream %s from %s: %w", d.trackID, c.Server(), &serverError{err}), false)
			return
		}
	}
	c.keep(d)
	d.publish(nil, nil, true)
}

// songURL is the URL of method (stream, download) for song trackID with
// the parameters v (which it fills) and the login's.
func (c *Client) songURL(ctx context.Context, method, trackID string, v url.Values) (string, error) {
	raw, err := serverID(catalog.PrefixTrack, trackID)
	if err != nil {
		return "", err
	}
	auth, err := c.login(ctx)
	if err != nil {
		return "", err
	}
	v.Set("id", raw)
	for k, vs := range auth {
		v[k] = vs
	}
	return c.methodURL(method, v), nil
}

// provisional builds the manifest of a download whose first frame is
// first; src is the length of the file it was transcoded from (0: unknown).
func (c *Client) provisional(trackID string, kbps int, sg song, first []byte, src int64) catalog.Manifest {
	m := catalog.Manifest{TrackID: trackID, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: framesPerSegment}
	var frames int64
	if g, ok := mp3.ReadInfo(first); ok {
		// the Info frame decodes as one frame of silence (see decode.go)
		frames = int64(g.Frames) + 1
		m.StartSkip = catalog.SamplesPerFrame + g.Delay + 529
		m.TotalSamples = int64(g.Frames)*catalog.SamplesPerFrame - int64(g.Delay+g.Padding)
	} else {
		// LAME's delay, as for the origin's renditions without an Info frame
		m.StartSkip = catalog.StartSkip
		frames = (int64(sg.Duration+durationMargin)*catalog.SampleRate)/catalog.SamplesPerFrame + 2
		if src > 0 {
			frames = max(frames, (src+int64(m.StartSkip))/catalog.SamplesPerFrame+2)
		}
		m.TotalSamples = frames*catalog.SamplesPerFrame - int64(m.StartSkip)
		if src > 0 {
			m.TotalSamples = src
		}
	}
	r := catalog.Rendition{Name: renditionOf(kbps), Codec: catalog.CodecMP3, Bitrate: kbps}
	for i, at := 0, int64(0); at < frames; i++ {
		n := min(segmentFrames(i), frames-at)
		at += n
		nominal := int64(kbps) * 1000 / 8 * n * catalog.SamplesPerFrame / catalog.SampleRate
		r.Segments = append(r.Segments, catalog.Segment{Hash: c.segmentKey(trackID, kbps, i), Size: nominal, Frames: int(n)})
	}
	m.Renditions = []catalog.Rendition{r}
	return m
}

// read cuts the stream into segments as frames arrive and, when it ends
// whole, stores the track.
func (c *Client) read(d *download, first []byte, fr *mp3.Reader) {
	var seg []byte
	n, i := 0, 0 // frames in seg, its index
	add := func(f []byte) {
		seg = append(seg, f...)
		n++
		if int64(n) == segmentFrames(i) {
			d.publish(seg, nil, false)
			seg, n = nil, 0
			i++
		}
	}
	add(first)
	for {
		f, err := fr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			d.publish(nil, fmt.Errorf("stream %s from %s: %w", d.trackID, c.Server(), &serverError{err}), false)
			return
		}
		add(f)
	}
	if n > 0 {
		d.publish(seg, nil, false)
	}
	c.keep(d) // before done, so that Download finds the track stored
	d.publish(nil, nil, true)
}

// Download returns the stored manifest of trackID at the client's
// bitrate, streaming the whole track into the store first when it is not
// there (for offline pins). It fails when there is no store or the store
// refused the track (full of pins).
func (c *Client) Download(ctx context.Context, trackID string) (catalog.Manifest, error) {
	if m, ok := c.stored(trackID, c.kbps); ok {
		return *m, nil
	}
	d, err := c.startDownload(ctx, trackID, c.kbps)
	if err != nil {
		return catalog.Manifest{}, err
	}
	for {
		d.mu.Lock()
		done, derr, ch := d.done, d.err, d.changed
		d.mu.Unlock()
		switch {
		case derr != nil:
			return catalog.Manifest{}, derr
		case done:
			if m, ok := c.stored(trackID, c.kbps); ok {
				return *m, nil
			}
			return catalog.Manifest{}, fmt.Errorf("download %s from %s: the cache did not keep it (is it full of pins?)", trackID, c.Server())
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return catalog.Manifest{}, ctx.Err()
		}
	}
}

// TrackDocs returns the store keys of what plays and lists t offline, all
// stored once t was downloaded and its album and song read: its stored
// manifest at the client's bitrate, its album and its song.
func (c *Client) TrackDocs(t catalog.Track) []string {
	keys := []string{c.manifestKey(t.ID, c.kbps)}
	if raw, err := serverID(catalog.PrefixAlbum, t.AlbumID); err == nil {
		keys = append(keys, c.DocKey("getAlbum", url.Values{"id": {raw}}))
	}
	if raw, err := serverID(catalog.PrefixTrack, t.ID); err == nil {
		keys = append(keys, c.DocKey("getSong", url.Values{"id": {raw}}))
	}
	return keys
}

// publish adds a segment, a failure or the end, and wakes the readers.
func (d *download) publish(seg []byte, err error, done bool) {
	d.mu.Lock()
	if seg != nil {
		d.segs = append(d.segs, seg)
	}
	d.err, d.done = err, done || d.done
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
}

// keep stores a whole download: its segments under the sha256 of their
// bytes and the exact manifest, so the track plays from the cache from now
// on. A cache that refuses (full of pins, a full disk) only costs that.
func (c *Client) keep(d *download) {
	if c.store == nil {
		return
	}
	m := d.man
	m.Renditions = []catalog.Rendition{{Name: d.man.Renditions[0].Name, Codec: d.man.Renditions[0].Codec, Bitrate: d.man.Renditions[0].Bitrate}}
	var frames int64
	var hashes []string
	prov := d.man.Renditions[0].Segments
	bytesMode := d.man.Renditions[0].Codec != catalog.CodecMP3
	if bytesMode && len(d.segs) > len(prov) {
		return // longer than its manifest: it could not have played whole
	}
	for i, b := range d.segs {
		k := frameCount(b)
		if bytesMode {
			k = prov[i].Frames
		}
		frames += int64(k)
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		if err := c.store.Put(h, b); err != nil {
			return
		}
		hashes = append(hashes, h)
		m.Renditions[0].Segments = append(m.Renditions[0].Segments, catalog.Segment{Hash: h, Size: int64(len(b)), Frames: k})
	}
	if len(m.Renditions[0].Segments) == 0 {
		return
	}
	switch _, exact := mp3.ReadInfo(d.segs[0]); {
	case bytesMode: // the decoder ends where the stream does
		m.TotalSamples = min(m.TotalSamples, frames*catalog.SamplesPerFrame)
	case !exact: // the stream's length, or the transcoded file's when known
		m.TotalSamples = frames*catalog.SamplesPerFrame - int64(m.StartSkip)
		if d.src > 0 {
			m.TotalSamples = min(m.TotalSamples, d.src)
		}
	}
	if m.Validate() != nil {
		return
	}
	body, err := json.Marshal(m)
	if err != nil {
		return
	}
	if c.store.PutDoc(c.manifestKey(d.trackID, d.kbps), cache.Doc{Body: body, ContentType: "application/json"}) == nil {
		d.mu.Lock()
		d.stored = hashes
		d.mu.Unlock()
	}
}

// frameCount counts the frames of a segment the reader cut.
func frameCount(b []byte) int {
	k := 0
	for off := 0; off < len(b); k++ {
		n, err := mp3.FrameLen(b[off:])
		if err != nil {
			break
		}
		off += n
	}
	return k
}

// Close stops the downloads in flight and waits for them.
func (c *Client) Close() error {
	c.streams.mu.Lock()
	stop := c.streams.stop
	c.streams.mu.Unlock()
	if stop != nil {
		stop()
	}
	c.streams.wg.Wait()
	c.fresh.Close()
	return nil
}
