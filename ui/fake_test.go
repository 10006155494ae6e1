package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"segue/catalog"
	"segue/net/originclient"
	"segue/player"
	"segue/ui/action"
)

// fixture is a small catalog: two artists, three albums.
func fixture() *fakeCatalog {
	tr := func(id, title, artistID, artist, albumID, album string, no int, sec int64) catalog.Track {
		return catalog.Track{ID: id, Title: title, ArtistID: artistID, Artist: artist, AlbumID: albumID, Album: album, TrackNo: no, Year: 2024, DurationMS: sec * 1000}
	}
	north := catalog.Album{ID: "al1", Title: "Northern Lights", ArtistID: "ar1", Artist: "Aurora Lane", Year: 2024, HasCover: true, Tracks: []catalog.Track{
		tr("t1", "Aurora", "ar1", "Aurora Lane", "al1", "Northern Lights", 1, 185),
		tr("t2", "Polar Night", "ar1", "Aurora Lane", "al1", "Northern Lights", 2, 242),
		tr("t3", "Solstice", "ar1", "Aurora Lane", "al1", "Northern Lights", 3, 201),
	}}
	tides := catalog.Album{ID: "al2", Title: "Tides", ArtistID: "ar1", Artist: "Aurora Lane", Year: 2021, Tracks: []catalog.Track{
		tr("t4", "Auroral Tide", "ar1", "Aurora Lane", "al2", "Tides", 1, 300),
	}}
	cont := catalog.Album{ID: "al3", Title: "Continuum", ArtistID: "ar2", Artist: "The Gapless Set", Year: 2019, Tracks: []catalog.Track{
		tr("t5", "Continuum I", "ar2", "The Gapless Set", "al3", "Continuum", 1, 95),
		tr("t6", "Continuum II", "ar2", "The Gapless Set", "al3", "Continuum", 2, 110),
	}}
	for _, a := range []*catalog.Album{&north, &tides, &cont} {
		a.TrackCount = len(a.Tracks)
	}
	return &fakeCatalog{
		albums: []catalog.Album{north, tides, cont},
		artists: []catalog.Artist{
			{ID: "ar1", Name: "Aurora Lane", Albums: []catalog.Album{north, tides}},
			{ID: "ar2", Name: "The Gapless Set", Albums: []catalog.Album{cont}},
		},
	}
}

// fakeCatalog answers from memory with a substring match. mu guards calls.
type fakeCatalog struct {
	albums  []catalog.Album
	artists []catalog.Artist

	mu      sync.Mutex
	queries []string
	offline bool
}

// setOffline takes the fake origin down (true) or brings it back.
func (c *fakeCatalog) setOffline(off bool) {
	c.mu.Lock()
	c.offline = off
	c.mu.Unlock()
}

// errOffline is what the origin client says when the origin is down and
// the document was never stored.
var errOffline = fmt.Errorf("get http://127.0.0.1:7700/api/v1/x: %w (the origin is unreachable: dial tcp 127.0.0.1:7700: connect: connection refused)", originclient.ErrOffline)

func (c *fakeCatalog) Search(_ context.Context, q string, limit int) (catalog.SearchResult, error) {
	c.mu.Lock()
	c.queries = append(c.queries, q)
	off := c.offline
	c.mu.Unlock()
	if off {
		return catalog.SearchResult{}, errOffline
	}
	res := catalog.SearchResult{Query: q}
	m := func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(q)) }
	for _, a := range c.albums {
		for _, t := range a.Tracks {
			if m(t.Title) || m(t.Artist) {
				res.Tracks = append(res.Tracks, t)
			}
		}
		if m(a.Title) || m(a.Artist) {
			a.Tracks = nil
			res.Albums = append(res.Albums, a)
		}
	}
	for _, a := range c.artists {
		if m(a.Name) {
			res.Artists = append(res.Artists, catalog.Artist{ID: a.ID, Name: a.Name})
		}
	}
	return res, nil
}

func (c *fakeCatalog) Artists(context.Context) ([]catalog.Artist, error) {
	c.mu.Lock()
	off := c.offline
	c.mu.Unlock()
	if off {
		return nil, errOffline
	}
	out := make([]catalog.Artist, len(c.artists))
	for i, a := range c.artists {
		out[i] = catalog.Artist{ID: a.ID, Name: a.Name}
	}
	return out, nil
}

func (c *fakeCatalog) Artist(_ context.Context, id string) (catalog.Artist, error) {
	for _, a := range c.artists {
		if a.ID == id {
			return a, nil
		}
	}
	return catalog.Artist{}, errors.New("not found")
}

func (c *fakeCatalog) Album(_ context.Context, id string) (catalog.Album, error) {
	for _, a := range c.albums {
		if a.ID == id {
			return a, nil
		}
	}
	return catalog.Album{}, errors.New("not found")
}

// Cover returns a 32x32 PNG: a diagonal split, light over dark.
func (c *fakeCatalog) Cover(_ context.Context, albumID string) ([]byte, string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			v := uint8(30)
			if x > y {
				v = 230
			}
			img.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes(), "image/png", nil
}

// fakePlayer keeps a real player.Queue and reports track changes on its
// channel the way the engine does. mu guards the queue.
//
// Like the engine after a seek while paused, its status never knows the
// track's length: the interface must keep showing it.
type fakePlayer struct {
	mu     sync.Mutex
	q      *player.Queue
	state  player.State
	volume int
	pos    time.Duration
	ch     chan player.Event
	log    []action.Kind
	acts   []action.Action
	radio  map[string]bool // marked as the player's PlayRadio marks
}

func newFakePlayer() *fakePlayer {
	return &fakePlayer{q: player.NewQueue(), volume: 80, ch: make(chan player.Event, 64), radio: map[string]bool{}}
}

func (p *fakePlayer) Events() <-chan player.Event { return p.ch }

func (p *fakePlayer) Do(_ context.Context, a action.Action) (player.Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, a.Kind)
	p.acts = append(p.acts, a)
	before := p.q.Index()
	switch a.Kind {
	case action.Shuffle:
		p.q.SetShuffle(!p.q.Shuffled(), rand.New(rand.NewPCG(1, 2)))
	case action.CycleRepeat:
		p.q.SetRepeat((p.q.Repeat() + 1) % 3)
	case action.SeekBy:
		p.pos = max(p.pos+a.By, 0)
	case action.SeekTo:
		p.pos = a.To
	case action.PlayNow:
		for _, t := range a.Tracks {
			p.radio[t.ID] = p.radio[t.ID] || a.Radio
		}
		p.q.PlayNow(a.Tracks...)
		p.state = player.Playing
	case action.PlayNext:
		p.q.PlayNext(a.Tracks...)
		if p.q.Index() != before { // the engine plays what comes into an idle queue
			p.state = player.Playing
		}
	case action.Add:
		p.q.Add(a.Tracks...)
		if p.q.Index() != before {
			p.state = player.Playing
		}
	case action.Next:
		p.q.Next()
	case action.Remove:
		p.q.Remove(a.Index)
	case action.Move:
		p.q.Move(a.Index, a.Delta)
	case action.Clear:
		p.q.Clear()
	case action.Jump:
		p.q.Jump(a.Index)
	case action.VolumeBy:
		p.volume = min(max(p.volume+a.Delta, 0), 100)
	case action.TogglePause:
		if p.state == player.Playing {
			p.state = player.Paused
		} else if p.q.Index() >= 0 {
			p.state = player.Playing
		}
		if p.ch != nil {
			p.ch <- player.StateEvent{State: p.state}
		}
	}
	if t, ok := p.q.Current(); ok && p.ch != nil && (p.q.Index() != before || a.Kind == action.PlayNow) {
		d := time.Duration(t.DurationMS) * time.Millisecond
		p.ch <- player.TrackEvent{Track: t, Index: p.q.Index(), Duration: d}
		p.ch <- player.StateEvent{State: player.Playing}
		p.ch <- player.SegmentEvent{TrackID: t.ID, Rendition: "high", From: catalog.SourceOrigin}
		p.ch <- player.PositionEvent{TrackID: t.ID, Position: 42 * time.Second, Duration: d}
		p.ch <- player.BufferEvent{TrackID: t.ID, Ahead: 20 * time.Second}
	}
	return p.statusLocked(), nil
}

func (p *fakePlayer) statusLocked() player.Status {
	t, _ := p.q.Current()
	return player.Status{State: p.state, Track: t, Index: p.q.Index(), Position: p.pos, Volume: p.volume,
		Repeat: p.q.Repeat(), Shuffle: p.q.Shuffled(), Queue: p.q.Tracks(), Radio: p.radio}
}

// actions returns every request the player was given.
func (p *fakePlayer) actions() []action.Action {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]action.Action(nil), p.acts...)
}

func (p *fakePlayer) kinds() []action.Kind {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]action.Kind(nil), p.log...)
}
