package subsonic

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"segue/catalog"
	"segue/mp3"
)

// Gapless playback of a transcoded stream. A server transcodes with ffmpeg
// (libmp3lame) into a pipe, where ffmpeg cannot go back to write the
// Xing/LAME frame: the stream carries neither the encoder's delay nor its
// padding, which played as about 50 ms of silence between tracks. The
// delay is LAME's (576 samples, plus the decoder's 529: catalog.StartSkip,
// as for the origin's renditions). The padding follows from the length of
// the file the server transcoded, which the file's own header gives:
// Subsonic's download method sends the file as it is, and its first
// headBytes (for Ogg also its last tailBytes) are enough. Measured with
// gonic and supysonic, whose ffmpeg decodes a source from its first
// sample (skipping an MP3 source's own delay) to its last (an MP3
// source's padding included, which the trim drops as well).

// headBytes and tailBytes are how much of the original file is read for
// its length: its metadata blocks (a FLAC STREAMINFO, a WAV's fmt and
// data chunk headers, an MP3's Info frame after an ID3v2 tag, an Ogg
// stream's first page) and its last Ogg page.
const (
	headBytes = 64 << 10
	tailBytes = 64 << 10
)

// lengthTimeout bounds the requests for the original file's length: a
// server slow to answer them costs the gapless end, not the playback.
const lengthTimeout = 3 * time.Second

// sourceSamples returns how many samples per channel at 44.1 kHz the file
// the server transcodes song trackID from holds, from its header; ok is
// false when the server does not send the file (no download permission),
// its format is not known here, its header does not say or its rate is
// not 44.1 kHz (a resampled length is not exact).
func (c *Client) sourceSamples(ctx context.Context, trackID string) (n int64, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, lengthTimeout)
	defer cancel()
	head, _, err := c.original(ctx, trackID, fmt.Sprintf("bytes=0-%d", headBytes-1), headBytes)
	if err != nil {
		return 0, false
	}
	tail := head // a file shorter than headBytes came whole
	if len(head) == headBytes && bytes.HasPrefix(head, []byte("OggS")) {
		if b, partial, err := c.original(ctx, trackID, fmt.Sprintf("bytes=-%d", tailBytes), tailBytes); err == nil && partial {
			tail = b
		} else {
			tail = nil
		}
	}
	n, rate, ok := sourceLength(head, tail)
	if !ok || rate != catalog.SampleRate {
		return 0, false
	}
	return n, true
}

// original reads up to limit bytes of song trackID's file as it is (the
// download method) asking for byteRange; partial says the server sent
// that range (206), not the file from its start.
func (c *Client) original(ctx context.Context, trackID, byteRange string, limit int64) (b []byte, partial bool, err error) {
	u, err := c.songURL(ctx, "download", trackID, url.Values{})
	if err != nil {
		return nil, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Range", byteRange)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, false, c.netErr("download", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return nil, false, c.statusErr("download", resp)
	}
	b, err = io.ReadAll(io.LimitReader(resp.Body, limit))
	return b, resp.StatusCode == http.StatusPartialContent, err
}

// sourceLength reads the length of an audio file from its first bytes
// (head) and, for Ogg, its last (tail; nil: not read): samples per channel
// and the sample rate in Hz. It knows FLAC (STREAMINFO's total samples),
// WAV (the data chunk's size over the block size), MP3 at 44.1 kHz with an
// Info frame (frames * 1152 - delay - padding) and Ogg Vorbis and Opus
// (the last page's granule position, less Opus's pre-skip; Opus counts at
// 48 kHz, RFC 7845 section 4). ok is false for anything else.
func sourceLength(head, tail []byte) (samples int64, rate int, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte("fLaC")):
		return flacLength(head)
	case bytes.HasPrefix(head, []byte("RIFF")):
		return wavLength(head)
	case bytes.HasPrefix(head, []byte("OggS")):
		return oggLength(head, tail)
	}
	first, err := mp3.NewFileReader(bytes.NewReader(head)).Next()
	if err != nil {
		return 0, 0, false
	}
	g, ok := mp3.ReadInfo(first)
	n := int64(g.Frames)*catalog.SamplesPerFrame - int64(g.Delay+g.Padding)
	if !ok || n <= 0 {
		return 0, 0, false
	}
	return n, catalog.SampleRate, true
}

// flacLength reads STREAMINFO, the first metadata block (RFC 9639 section
// 8.2): after "fLaC" and the block's 4-byte header, 10 bytes of block and
// frame sizes, then 20 bits of rate, 3 of channels, 5 of depth and 36 of
// total samples (0: unknown).
func flacLength(b []byte) (int64, int, bool) {
	if len(b) < 8+18 || b[4]&0x7f != 0 {
		return 0, 0, false
	}
	v := binary.BigEndian.Uint64(b[8+10:])
	rate, total := int(v>>44), int64(v&(1<<36-1))
	return total, rate, rate > 0 && total > 0
}

// wavLength walks the RIFF chunks for "fmt " (rate at 4, block size at
// 12) and "data" (its size).
func wavLength(b []byte) (int64, int, bool) {
	if len(b) < 12 || string(b[8:12]) != "WAVE" {
		return 0, 0, false
	}
	var rate, block int
	for at := 12; at+8 <= len(b); {
		id, size := string(b[at:at+4]), int64(binary.LittleEndian.Uint32(b[at+4:]))
		body := b[at+8:]
		switch {
		case id == "fmt " && len(body) >= 16:
			rate, block = int(binary.LittleEndian.Uint32(body[4:])), int(binary.LittleEndian.Uint16(body[12:]))
		case id == "data":
			if rate <= 0 || block <= 0 {
				return 0, 0, false
			}
			n := size / int64(block)
			return n, rate, n > 0
		}
		next := int64(at) + 8 + size + size&1 // chunks are padded to even sizes
		if next > int64(len(b)) {
			break
		}
		at = int(next)
	}
	return 0, 0, false
}

// oggLength reads the identification header on the first page (Vorbis:
// the rate; Opus: the pre-skip) and the granule position of the last page
// in tail (RFC 3533 section 6: "OggS", version, flags, then the granule as
// a little-endian 64-bit integer).
func oggLength(head, tail []byte) (int64, int, bool) {
	const pageHeader = 27
	if len(head) < pageHeader+1 || len(tail) < pageHeader {
		return 0, 0, false
	}
	segs := int(head[26])
	if len(head) < pageHeader+segs {
		return 0, 0, false
	}
	packet := head[pageHeader+segs:]
	var rate int
	var skip int64
	switch {
	case bytes.HasPrefix(packet, []byte("\x01vorbis")) && len(packet) >= 16:
		rate = int(binary.LittleEndian.Uint32(packet[12:]))
	case bytes.HasPrefix(packet, []byte("OpusHead")) && len(packet) >= 12:
		rate, skip = 48000, int64(binary.LittleEndian.Uint16(packet[10:]))
	default:
		return 0, 0, false
	}
	last := bytes.LastIndex(tail, []byte("OggS"))
	for last >= 0 && len(tail)-last < pageHeader {
		last = bytes.LastIndex(tail[:last], []byte("OggS"))
	}
	if last < 0 {
		return 0, 0, false
	}
	granule := int64(binary.LittleEndian.Uint64(tail[last+6:]))
	n := granule - skip
	return n, rate, rate > 0 && n > 0
}
