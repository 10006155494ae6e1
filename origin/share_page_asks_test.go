package origin

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/catalog"
	"segue/internal/testkit"
)

// frontProxy is a reverse proxy on loopback in front of an origin, as a
// browser sees it: it counts what is asked of the origin, and its
// connection can be cut. While down is cutConn, each request's connection
// is closed with no answer (a phone that lost its signal, a laptop off
// Wi-Fi); while it is cutOrigin, each request is answered 502, as a
// TLS-terminating proxy answers when the origin behind it is down.
//
// With pace set, streams pass at pace bytes a second, as over a phone's
// connection, so the browser holds only a few seconds ahead; cutting the
// connection then cuts a stream that is passing too.
type frontProxy struct {
	base  string
	down  atomic.Int32   // up, cutConn or cutOrigin
	pace  atomic.Int64   // bytes a second of a stream's body; 0: unpaced
	mu    sync.Mutex     // guards asked and cut
	asked map[string]int // requests by "METHOD path"
	cut   []string       // paths asked while down
}

// What a frontProxy does to requests.
const (
	up int32 = iota
	cutConn
	cutOrigin
)

func newFrontProxy(t *testing.T, origin string) *frontProxy {
	t.Helper()
	to, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &frontProxy{base: "http://" + ln.Addr().String(), asked: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(to)
	rp.FlushInterval = -1 // each piece as it passes
	rp.ModifyResponse = func(resp *http.Response) error {
		if pace := p.pace.Load(); pace > 0 && strings.HasSuffix(resp.Request.URL.Path, "/stream") {
			resp.Body = &pacedBody{ReadCloser: resp.Body, pace: pace, down: &p.down}
		}
		return nil
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		down := p.down.Load()
		p.mu.Lock()
		p.asked[r.Method+" "+r.URL.Path]++
		if down != up {
			p.cut = append(p.cut, r.URL.Path)
		}
		p.mu.Unlock()
		switch down {
		case up:
			rp.ServeHTTP(w, r)
		case cutOrigin:
			http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
		default:
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// pacedBody passes a body at pace bytes a second, and fails once down is
// not up (the reverse proxy then drops the client's connection).
type pacedBody struct {
	io.ReadCloser
	pace int64
	down *atomic.Int32
}

func (b *pacedBody) Read(p []byte) (int, error) {
	if b.down.Load() != up {
		return 0, errors.New("connection cut")
	}
	piece := b.pace / 20
	if int64(len(p)) > piece {
		p = p[:piece]
	}
	n, err := b.ReadCloser.Read(p)
	time.Sleep(time.Duration(n) * time.Second / time.Duration(b.pace)) // the pace itself, not a wait for something
	return n, err
}

// count returns how many requests of path the proxy passed on or cut.
func (p *frontProxy) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, v := range p.asked {
		if strings.HasSuffix(k, " "+path) {
			n += v
		}
	}
	return n
}

// sharedBehindProxy starts Chromium and a stream world whose playlist
// name holds its three tracks (6.1 s, 3.7 s, 2.2 s), shared, and returns
// the link's page through a frontProxy.
func sharedBehindProxy(t *testing.T, name string) (context.Context, *streamWorld, *frontProxy, catalog.Playlist, string) {
	t.Helper()
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	proxy := newFrontProxy(t, w.r.base)
	pl, link := shared(t, w.r.base, w.owner, name, w.ids)
	return ctx, w, proxy, pl, proxy.base + "/p/" + link.Token
}

// openPage opens a share page in the browser of ctx at a phone's width
// and waits for its "Play all" button.
func openPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
}

// A recipient's page asks the origin about a track that cannot play once
// a press, not without end: the page reloaded a failed player to have it
// ready for its play button, Chromium fetched it again at once (load()
// ignores preload="none"), it failed again, and the page asked why and
// reloaded it again: a track taken out of the playlist after the page
// opened was asked for, with a HEAD after each, hundreds of times a
// second for as long as the page stayed open.
func TestSharePageAsksOnceWhyATrackCannotPlay(t *testing.T) {
	ctx, w, proxy, pl, page := sharedBehindProxy(t, "Asks once")
	openPage(t, ctx, page)
	if _, err := clientFor(t, w.r.base, w.owner).RemoveFromPlaylist(context.Background(), pl.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio"); return a.currentTime > 0.2 && !a.paused; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the first track does not play: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("audio").currentTime = 5.5`)); err != nil {
		t.Fatal(err)
	}
	js := `(() => { const p = document.querySelector("audio"), rows = document.querySelectorAll("tbody");
		return p.ended && !rows[2].classList.contains("playing") && rows[2].querySelector("input").value === "0" && !rows[1].querySelector(".why").hidden; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the third track does not play to its end after the one taken out, or that one's row says nothing: %v\n%s", err, text)
	}
	// Its stream once (the page plays through one MediaSource, whose GET
	// says why); the fallback's <audio> asked once, and once HEAD to learn
	// why, and Chromium may ask again itself.
	stream := "/api/v1/tracks/" + w.ids[1] + "/stream"
	n := proxy.count(stream)
	t.Logf("%s asked %d times", stream, n)
	if n > 4 {
		t.Errorf("the page asked the origin for %s %d times while the next track played (want at most 4: the stream, and HEAD to learn why)", stream, n)
	}
}
