package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"segue/catalog"
	"segue/net/originclient"
	"segue/share"
)

// fakeStore keeps playlists in memory the way the origin does: it answers
// each change with the playlist as it is after it. mu guards everything.
type fakeStore struct {
	cat *fakeCatalog

	mu     sync.Mutex
	pls    []catalog.Playlist
	shared map[string]string // token -> playlist ID
	n      int
}

func newFakeStore(cat *fakeCatalog) *fakeStore {
	return &fakeStore{cat: cat, shared: map[string]string{}}
}

// errNoPlaylist is what the origin client says of an unknown playlist.
var errNoPlaylist = fmt.Errorf("playlist: %w", originclient.ErrNotFound)

func (s *fakeStore) find(id string) (*catalog.Playlist, error) {
	i := slices.IndexFunc(s.pls, func(p catalog.Playlist) bool { return p.ID == id })
	if i < 0 {
		return nil, errNoPlaylist
	}
	return &s.pls[i], nil
}

func (s *fakeStore) track(id string) catalog.Track {
	for _, a := range s.cat.albums {
		for _, t := range a.Tracks {
			if t.ID == id {
				return t
			}
		}
	}
	return catalog.Track{ID: id, Title: id}
}

// answer returns a copy with its counts filled in.
func answer(p *catalog.Playlist) catalog.Playlist {
	p.TrackCount, p.DurationMS = len(p.Tracks), 0
	for _, t := range p.Tracks {
		p.DurationMS += t.DurationMS
	}
	c := *p
	c.Tracks = slices.Clone(p.Tracks)
	return c
}

func (s *fakeStore) Playlists(context.Context) ([]catalog.Playlist, error) {
	s.cat.mu.Lock()
	off := s.cat.offline
	s.cat.mu.Unlock()
	if off {
		return nil, errOffline
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]catalog.Playlist, len(s.pls))
	for i := range s.pls {
		out[i] = answer(&s.pls[i])
		out[i].Tracks = nil
	}
	return out, nil
}

func (s *fakeStore) Playlist(_ context.Context, id string) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	return answer(p), nil
}

func (s *fakeStore) CreatePlaylist(_ context.Context, name string, ids []string) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	p := catalog.Playlist{ID: fmt.Sprintf("pl%d", s.n), Name: name}
	for _, id := range ids {
		p.Tracks = append(p.Tracks, s.track(id))
	}
	s.pls = append(s.pls, p)
	return answer(&s.pls[len(s.pls)-1]), nil
}

func (s *fakeStore) RenamePlaylist(_ context.Context, id, name string) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	p.Name = name
	return answer(p), nil
}

func (s *fakeStore) DeletePlaylist(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.find(id); err != nil {
		return err
	}
	s.pls = slices.DeleteFunc(s.pls, func(p catalog.Playlist) bool { return p.ID == id })
	return nil
}

func (s *fakeStore) AddToPlaylist(_ context.Context, id string, ids []string, pos int) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	for _, tid := range ids {
		p.Tracks = append(p.Tracks, s.track(tid))
	}
	return answer(p), nil
}

// changed is what the origin answers an edit by position whose position
// does not hold expect (catalog.ErrPlaylistChanged), or nil.
func changed(p *catalog.Playlist, pos int, expect string) error {
	switch {
	case expect == "" || pos >= 0 && pos < len(p.Tracks) && p.Tracks[pos].ID == expect:
		return nil
	case pos < 0 || pos >= len(p.Tracks):
		return catalog.Changed(pos, len(p.Tracks), "", "", expect)
	}
	return catalog.Changed(pos, len(p.Tracks), p.Tracks[pos].ID, p.Tracks[pos].Title, expect)
}

func (s *fakeStore) RemoveFromPlaylist(_ context.Context, id string, pos int, expect string) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err == nil {
		err = changed(p, pos, expect)
	}
	if err != nil {
		return catalog.Playlist{}, err
	}
	if pos < 0 || pos >= len(p.Tracks) {
		return catalog.Playlist{}, errors.Join(err, errors.New("no such position"))
	}
	p.Tracks = slices.Delete(p.Tracks, pos, pos+1)
	return answer(p), nil
}

func (s *fakeStore) MoveInPlaylist(_ context.Context, id string, from, to int, expect string) (catalog.Playlist, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err == nil {
		err = changed(p, from, expect)
	}
	if err != nil {
		return catalog.Playlist{}, err
	}
	t := p.Tracks[from]
	p.Tracks = slices.Insert(slices.Delete(p.Tracks, from, from+1), to, t)
	return answer(p), nil
}

// fakeOrigin is where the fake store's share links point.
const fakeOrigin = "http://music.test"

func (s *fakeStore) SharePlaylist(_ context.Context, id string) (share.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.find(id)
	if err != nil {
		return share.Link{}, err
	}
	l := share.Link{Origin: fakeOrigin, Token: "tok_" + id + "_abcdefghijklmnopqrstu"}
	s.shared[l.Token] = id
	p.ShareURL = l.String()
	return l, nil
}

// Open resolves a share URL of the store (or a playlist, album or track ID) the
// way the CLI's opener does: the URL parser's error for a malformed one.
func (s *fakeStore) Open(ctx context.Context, ref string) ([]catalog.Track, error) {
	if id, ok := s.shareID(ref); ok || !isID(ref) {
		if !ok {
			if _, err := share.ParseURL(ref); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("open %s: the link is unknown or was revoked", ref)
		}
		p, err := s.Playlist(ctx, id)
		return p.Tracks, err
	}
	if a, err := s.cat.Album(ctx, ref); err == nil {
		return a.Tracks, nil
	}
	if t := s.track(ref); t.Title != ref {
		return []catalog.Track{t}, nil
	}
	p, err := s.Playlist(ctx, ref)
	return p.Tracks, err
}

func (s *fakeStore) shareID(ref string) (string, bool) {
	l, err := share.ParseURL(ref)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.shared[l.Token]
	return id, ok
}

func isID(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// fakePinner reports half the download, then waits for release before it
// finishes, so a test sees the progress and then the pinned mark.
type fakePinner struct {
	release chan struct{}

	mu     sync.Mutex
	pinned []string
}

func (p *fakePinner) Pinned() ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.pinned), nil
}

func (p *fakePinner) Pin(ctx context.Context, ref string, progress func(done, total int64)) error {
	progress(50, 100)
	select {
	case <-p.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	progress(100, 100)
	p.mu.Lock()
	p.pinned = append(p.pinned, ref)
	p.mu.Unlock()
	return nil
}

func (p *fakePinner) Unpin(ref string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pinned = slices.DeleteFunc(p.pinned, func(r string) bool { return r == ref })
	return nil
}
