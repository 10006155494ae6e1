package origin

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"time"

	"segue/catalog"
)

// sharePage is the browser view of a shared playlist: one self-contained
// document (inline style, cover as a data: URL), no script, no outside fetch.
var sharePage = template.Must(template.New("share").Funcs(template.FuncMap{
	"dur": func(ms int64) string {
		s := (ms + 500) / 1000
		if s >= 3600 {
			return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
		}
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	},
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.P.Name}} · segue</title>
<style>
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#111418;color:#e8e6e3}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem}
header{display:flex;gap:1.5rem;align-items:flex-end;margin-bottom:1.5rem}
img,.nocover{width:10rem;height:10rem;border-radius:.4rem;flex:none;background:#2a2f36;object-fit:cover}
h1{margin:.2rem 0;font-size:2rem}
.meta{color:#9aa3ad}
table{width:100%;border-collapse:collapse}
td{padding:.45rem .4rem;border-bottom:1px solid #23282e}
td.n,td.d{color:#9aa3ad;font-variant-numeric:tabular-nums;width:1%;white-space:nowrap}
td.d{text-align:right}
.sub{color:#9aa3ad;font-size:.9em}
pre{background:#1c2026;padding:.8rem 1rem;border-radius:.4rem;white-space:pre-wrap;word-break:break-all}
</style></head><body><main>
<header>{{if .Cover}}<img src="{{.Cover}}" alt="cover">{{else}}<div class="nocover"></div>{{end}}
<div><div class="meta">Playlist</div><h1>{{.P.Name}}</h1>
<div class="meta">{{.P.TrackCount}} tracks · {{dur .P.DurationMS}}</div></div></header>
<table>{{range $i, $t := .P.Tracks}}
<tr><td class="n">{{inc $i}}</td><td>{{$t.Title}}<div class="sub">{{$t.Artist}} — {{$t.Album}}</div></td><td class="d">{{dur $t.DurationMS}}</td></tr>{{end}}
</table>
<h2>Listen in segue</h2>
<pre>segue play {{.P.ShareURL}}</pre>
<p class="meta">or press <b>o</b> in segue and paste the link. To keep a copy: <code>segue playlist import {{.P.ShareURL}}</code></p>
</main></body></html>
`))

func (s *Server) serveSharePage(w http.ResponseWriter, r *http.Request, pl catalog.Playlist) {
	data := struct {
		P     catalog.Playlist
		Cover template.URL
	}{P: pl}
	for _, t := range pl.Tracks { // the first album with a cover
		if data.Cover = s.coverDataURL(r, t.AlbumID); data.Cover != "" {
			break
		}
	}
	var b bytes.Buffer
	if err := sharePage.Execute(&b, data); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.Bytes()))
}

// coverDataURL returns an album's cover inline as a data: URL, or "".
func (s *Server) coverDataURL(r *http.Request, albumID string) template.URL {
	hash, mime, err := s.reader.Cover(r.Context(), albumID)
	if err != nil {
		return ""
	}
	path, err := s.blobs.Path(hash)
	if err != nil {
		return ""
	}
	img, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(img))
}
