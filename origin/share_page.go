package origin

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"segue/catalog"
	"segue/share"
)

// sharePageScript is the share page's script: where the browser has Media
// Source Extensions for MP3, it plays the tracks gapless through one
// MediaSource (each track's encoder delay and padding, from the LAME tag of
// its stream's Info frame, cut by the append window), else through the
// page's <audio> per track. share_page.js holds what both ways share and
// the fallback; share_page_mse.js the MediaSource player and the start.
var sharePageScript = sharePageCommonJS + sharePageMSEJS

var (
	//go:embed share_page.js
	sharePageCommonJS string
	//go:embed share_page_mse.js
	sharePageMSEJS string
)

// sharePage is the browser view of a shared playlist: one document (inline
// style) whose only script is inline and carries the response's CSP nonce;
// the cover is the origin's, linked (a large one inlined made the page MBs
// before its track list, sent whole on each visit), so the browser caches it.
// Each track has an <audio> element on its stream URL (with the share token
// in the query, as <audio> sends no header), named for its track for screen
// readers, in a row of its own under the track's number, names and length,
// as wide as the three (beside them, a phone's 390 px left its timeline 44 px).
// Where the browser has Media Source Extensions for MP3 the script swaps
// each for a play button and a position slider named for the track and
// plays every track through one <audio> and one MediaSource, gapless
// (sharePageScript; media-src blob: for its object URL); elsewhere the
// <audio> per track plays.
// "Play all" starts the first and each ended track starts the next, and
// while a track plays or is stopped the button pauses or resumes it; the
// track playing is named to the media session (a phone's lock screen).
// A track that waits for its audio over 5 s while playing (a stalled or
// slow link, which ends in no error) says so in its row until it plays.
// A track that cannot play (taken out of the playlist, or the link revoked,
// after the page opened) says why, by the status of its stream's GET (of a
// HEAD after the <audio>'s error; connect-src 'self'), and a track Play all reached is passed over,
// unless the origin does not answer (the connection or the origin is
// down: the next would fail alike), where Play all waits for that track's
// play button; once the link is known revoked the players are emptied and
// ask no more.
// Names are isolated (<bdi>): one written right to left keeps its own
// direction and punctuation on the left-to-right page. Its icon is empty
// (data:, which img-src allows), or the browser asks the origin for
// /favicon.ico, which a token-requiring origin refuses: a console error.
// Open Graph and Twitter card tags let chat apps preview the link. A
// playlist with no tracks shown is a page saying it is empty and what to
// do, with no list, button or script.
var sharePage = template.Must(template.New("share").Funcs(template.FuncMap{
	"dur":   catalog.Clock,
	"count": catalog.Count,
	"inc":   func(i int) int { return i + 1 },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.P.Name}} · segue</title>
<meta name="description" content="{{.Description}}">
<meta property="og:type" content="music.playlist">
<meta property="og:site_name" content="segue">
<meta property="og:title" content="{{.P.Name}}">
<meta property="og:description" content="{{.Description}}">
<meta property="og:url" content="{{.P.ShareURL}}">
{{if .Image}}<meta property="og:image" content="{{.Image}}">
{{end}}<meta name="twitter:card" content="{{if .Image}}summary_large_image{{else}}summary{{end}}">
<meta name="twitter:title" content="{{.P.Name}}">
<meta name="twitter:description" content="{{.Description}}">
{{if .Image}}<meta name="twitter:image" content="{{.Image}}">
{{end}}<style>
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#111418;color:#e8e6e3;overflow-wrap:anywhere}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem}
header{display:flex;gap:1.5rem;align-items:flex-end;margin-bottom:1.5rem}
img,.nocover{width:10rem;height:10rem;border-radius:.4rem;flex:none;background:#2a2f36;object-fit:cover}
h1{margin:.2rem 0;font-size:2rem}
.meta{color:#9aa3ad}
a{color:#8ab4f8}
button{font:inherit;background:#e8e6e3;color:#111418;border:0;border-radius:2rem;padding:.4rem 1.2rem;margin-top:.6rem;cursor:pointer}
button:disabled{opacity:.5;cursor:default}
table{width:100%;border-collapse:collapse;table-layout:fixed}
td{padding:.45rem .4rem 0;vertical-align:top}
tr+tr td{padding:0 .4rem .45rem;border-bottom:1px solid #23282e}
td.n{width:1.8rem}td.d{width:3.6rem}
td.n,td.d{color:#9aa3ad;font-variant-numeric:tabular-nums;white-space:nowrap}
td.d{text-align:right}
tbody.playing td{background:#1c2026}
audio{display:block;width:100%;height:2.2rem;margin-top:.3rem}
.ctl{display:flex;gap:.6rem;align-items:center;margin-top:.3rem}
.ctl button{margin:0;padding:0;width:2.2rem;height:2.2rem;flex:none}
.ctl input{flex:1;min-width:0;margin:0;accent-color:#8ab4f8}
.ctl span{color:#9aa3ad;font-size:.9em;font-variant-numeric:tabular-nums;white-space:nowrap}
.sub{color:#9aa3ad;font-size:.9em}
.why{color:#ffb4a8;margin:.3rem 0 0}
pre,code{white-space:pre-wrap;word-break:break-all}
pre{background:#1c2026;padding:.8rem 1rem;border-radius:.4rem}
@media (max-width:30rem){header{flex-direction:column;align-items:flex-start}h1{font-size:1.6rem}main{padding:1rem .75rem}}
</style></head><body><main>
<header>{{if .Cover}}<img src="{{.Cover}}" alt="Cover of {{.CoverAlbum}}">{{else}}<div class="nocover"></div>{{end}}
<div><div class="meta">Playlist</div><h1><bdi>{{.P.Name}}</bdi></h1>
{{if .Tracks}}<div class="meta">{{count .P.TrackCount "track"}} · {{dur .P.DurationMS}}</div>
<button id="playall" type="button"><span aria-hidden="true">▶ </span><span>Play all</span></button>
<p id="notice" class="why" role="alert" hidden></p>{{else}}<div class="meta">No tracks</div>{{end}}</div></header>
{{if .Tracks}}<table>{{range $i, $t := .Tracks}}
<tbody><tr><td class="n">{{inc $i}}</td><td><bdi>{{$t.Title}}</bdi><div class="sub"><bdi>{{$t.Artist}}</bdi> — <bdi>{{$t.Album}}</bdi></div></td><td class="d">{{dur $t.DurationMS}}</td></tr>
<tr><td colspan="3"><audio controls preload="none" src="{{$t.Src}}" data-ms="{{$t.DurationMS}}" aria-label="{{$t.Title}} — {{$t.Artist}}"></audio><p class="why" role="alert" hidden></p></td></tr></tbody>{{end}}
</table>
<h2>Listen in segue</h2>
<pre>segue play {{.P.ShareURL}}</pre>
<p class="meta">or press <b>o</b> in segue and paste the link. To keep a copy: <code>segue playlist import {{.P.ShareURL}}</code></p>
<h2>Listen in another player</h2>
<p class="meta"><a href="{{.PlaylistFile}}" download>The playlist as M3U8</a>: mpv, VLC and phone players play it, each track streamed through this link.</p>
{{else}}<h2>This playlist is empty</h2>
<p class="meta">It has no tracks to play: none were added, or those it had were taken out of its owner's library. Ask its owner to add tracks, then open this link again.</p>
{{end}}</main>
{{if .Tracks}}<script nonce="{{.Nonce}}">{{.Script}}</script>{{end}}</body></html>
`))

// shareRefusal is why a share link opens nothing: the status and the
// sentence of the JSON error for clients, the title and hint of the page
// for a browser.
type shareRefusal struct {
	status      int
	msg         string
	title, hint string
}

var (
	// A link cut short by a few characters still has a token's shape: say
	// to copy it again before asking its owner.
	shareRefusedGone = shareRefusal{http.StatusNotFound, shareGone, "This share link is unknown or was revoked",
		"Check that you have the whole link: copy it again, all of it. If you do, its owner may have stopped sharing the playlist: ask them for a new link."}
	shareRefusedCut = shareRefusal{http.StatusBadRequest, shareCut, "This is not a whole share link",
		"Part of it is missing or changed: copy the link again, all of it."}
)

// shareRefusedFormat refuses a whole share token followed by ext, an
// ending that names no playlist file in any case (TOKEN.mp3, TOKEN.pls):
// the token was said to be cut, and copying the link again did not help.
func shareRefusedFormat(ext string) shareRefusal {
	exts := slices.Sorted(maps.Keys(share.PlaylistFormats))
	list := "." + strings.Join(exts, ", .")
	return shareRefusal{http.StatusNotFound,
		fmt.Sprintf("this share link ends in %q, which is no playlist file the origin makes: end it in %s, or drop the ending for the playlist's page", ext, list),
		"This share link ends in " + ext,
		"The origin makes its playlist as " + list + " files: end the link in one of those, or drop the ending to open the playlist's page."}
}

// shareRefused answers a share link that opens nothing, as the JSON error
// for clients or as a page saying it for a browser.
func shareRefused(w http.ResponseWriter, r *http.Request, why shareRefusal) {
	if !wantsHTML(r) && !previewBot(r) {
		writeError(w, why.status, why.msg)
		return
	}
	writePage(w, why.status, pageText{Title: why.title, Hint: why.hint})
}

// shareTrack is a playlist track with the URL the page streams it from.
type shareTrack struct {
	catalog.Track
	Src string
}

func (s *Server) serveSharePage(w http.ResponseWriter, r *http.Request, pl catalog.Playlist) {
	token := r.PathValue("token")
	base := s.base(r)
	var nonce [16]byte
	rand.Read(nonce[:]) // never fails (crypto/rand)
	data := struct {
		P                  catalog.Playlist
		Tracks             []shareTrack
		Cover, CoverAlbum  string // the cover's URL, relative to the page; its album
		PlaylistFile       string // the link's .m3u8 (serveSharePlaylist), relative to the page
		Image, Description string
		Nonce              string
		Script             template.JS
	}{P: pl, Nonce: hex.EncodeToString(nonce[:]), Script: template.JS(sharePageScript)} // hex: nothing for HTML to escape
	data.Description = "Playlist · " + catalog.Count(pl.TrackCount, "track") + " · listen in the browser or in segue"
	if len(pl.Tracks) == 0 {
		data.Description = "Playlist · empty: no tracks to play yet"
	}
	q := url.Values{"share": {token}}.Encode()
	// The streams and cover are relative to the page, so that they stay
	// under the path of an origin served under one (a proxy took it off
	// r's path).
	api := "../api/v1/"
	data.PlaylistFile = token + ".m3u8"
	if strings.HasSuffix(r.URL.Path, "/") { // /p/TOKEN/
		api, data.PlaylistFile = "../"+api, "../"+data.PlaylistFile
	}
	asked := map[string]bool{} // albums whose cover was looked for
	for _, t := range pl.Tracks {
		data.Tracks = append(data.Tracks, shareTrack{Track: t, Src: api + "tracks/" + url.PathEscape(t.ID) + "/stream?" + q})
		if data.Cover != "" || asked[t.AlbumID] {
			continue
		}
		asked[t.AlbumID] = true
		if s.hasCover(r.Context(), t.AlbumID) { // the first album with a cover
			cover := "albums/" + url.PathEscape(t.AlbumID) + "/cover?" + q
			data.Cover, data.CoverAlbum, data.Image = api+cover, t.Album, base+"/api/v1/"+cover
		}
	}
	var b bytes.Buffer
	if err := sharePage.Execute(&b, data); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "+
		"media-src 'self' blob:; connect-src 'self'; script-src 'nonce-"+data.Nonce+"'")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.Bytes()))
}

// hasCover reports whether album albumID has a cover the origin can serve:
// one the catalog names and the blob store holds (a page linking one it
// lost shows a broken image).
func (s *Server) hasCover(ctx context.Context, albumID string) bool {
	hash, _, err := s.reader.Cover(ctx, albumID)
	if err != nil {
		return false
	}
	_, ok, err := s.blobs.Stat(ctx, hash) // S3: a HEAD, no body
	return err == nil && ok
}
