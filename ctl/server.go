package ctl

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"segue/catalog"
	"segue/player"
)

// Options configure what a Server serves.
type Options struct {
	// Player is what the commands drive.
	Player *player.Player
	// Resolve turns targets (IDs, URLs) into tracks for open and queue
	// add/next; an unknown target's error should wrap ErrNotFound.
	Resolve func(ctx context.Context, targets []string) ([]catalog.Track, error)
	// Radio starts a radio after seed (a track, album, artist or playlist
	// ID) now, as the interface's R does: its tracks replace the queue,
	// marked radio, and it goes on as the instance's radios do. An unknown
	// seed's error, or a radio with nothing to play, should wrap
	// ErrNotFound. Nil: the radio verb says this segue has none.
	Radio func(ctx context.Context, seed string) error
	// Logger receives refused connections and failed writes (default: discard).
	Logger *slog.Logger
}

// maxRequest bounds one request line, in bytes: 1 MiB, about 55,000
// targets of queue add (it was 64 KiB, about 3,500, and a longer line was
// cut off with no answer: "connection reset by peer").
const maxRequest = 1 << 20

// Server answers control requests on a unix socket. It owns its accept loop
// and one goroutine per connection; Close stops and waits for all of them.
//
// Observe may run before Serve and while it runs (see Observe).
//
// Lock order: Server.mu only; it is never held while writing to a client
// or calling the player.
type Server struct {
	path string
	ln   *net.UnixListener
	lock *os.File // flock'ed: this instance owns Path
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu sync.Mutex // guards the fields below
	// opts is set once, by Serve: the accept loop and the connections'
	// goroutines, which Serve starts after setting it, read it without mu;
	// Observe, which may run before or during Serve, reads it under mu
	// (playerIfServed).
	opts      Options
	served    bool // Serve has been called
	watchers  map[chan Event]struct{}
	conns     map[net.Conn]bool // true: a watcher, told its end by Close rather than cut off
	rendition string
	source    string
	volume    int // as "volume" events last said it (from Serve on)
	// shown is the track "track" events last named, early that track when
	// it was named before its stream opened (a skip while paused), so the
	// TrackEvent of its opening does not name it twice.
	shown, early string
}

// Listen takes the socket at path (see SocketPath; its directory is
// created 0700) for this instance; Serve starts answering on it. It fails
// with ErrRunning when another live instance holds it; a socket left by a
// dead one is replaced. The socket is mode 0600, and a connection from
// another user is refused (SO_PEERCRED).
func Listen(path string) (*Server, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%w (its control socket is %s): drive it with segue ctl", ErrRunning, path)
	}
	// until Serve, connections wait in the socket's backlog while the
	// instance starts (a radio's first batch, the sound device): the lock
	// file says so, and segue ctl waits StartWait for it, not AnswerWait
	lock.Truncate(0)
	lock.WriteAt([]byte(starting), 0)
	os.Remove(path) // a dead instance's socket: the lock says nobody serves it
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err == nil {
		err = os.Chmod(path, 0o600)
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		lock.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	s := &Server{path: path, ln: ln, lock: lock, watchers: map[chan Event]struct{}{}, conns: map[net.Conn]bool{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	return s, nil
}

// Serve starts answering requests with opts. Call it once: a second call
// panics. Called once Close has begun, it answers nothing (the socket is
// gone). It may run while another goroutine calls Observe.
func (s *Server) Serve(opts Options) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	vol := 0
	if opts.Player != nil {
		vol = opts.Player.Volume() // not under mu: see the lock order
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.served {
		panic("ctl: Server.Serve called twice")
	}
	s.served, s.opts, s.volume = true, opts, vol
	s.lock.Truncate(0) // started (see Listen)
	if s.ctx.Err() != nil {
		// Close has begun: its Wait may be under way, and an Add now would
		// race it (sync.WaitGroup)
		return
	}
	s.wg.Add(1)
	go s.accept()
}

// playerIfServed is the player Serve was given: nil before Serve.
func (s *Server) playerIfServed() *player.Player {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Player
}

// quitGrace bounds how long Close waits for a watcher to take its last
// events and the quit line.
const quitGrace = time.Second

// Close stops accepting, ends every connection, waits for their goroutines
// and removes the socket. Each watcher is sent the events still queued for it
// and a last "quit" line first (within quitGrace), so that segue ctl watch
// can tell this orderly end from a connection lost.
func (s *Server) Close() error {
	s.stop()
	err := s.ln.Close()
	s.mu.Lock()
	for c, watching := range s.conns {
		if watching { // its goroutine writes the quit line and returns
			c.SetWriteDeadline(time.Now().Add(quitGrace))
			continue
		}
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	os.Remove(s.path)
	return errors.Join(err, s.lock.Close())
}

// Observe sees each player event (the caller forwards the player's
// channel); watchers that are behind miss events rather than slow playback.
//
// It may be called before Serve and while Serve runs (an instance may
// watch its player's events first). What it sees before Serve is told to
// no watcher, deliberately not kept for later: none can be connected
// before Serve, and a watcher's first lines (segue ctl watch) are the
// state and track as they are when it connects, so events replayed after
// them would say an older state than the one just printed. A segment's
// rendition and source are kept for status, and a change before Serve
// (ChangedEvent) is read from the player once Serve has it: the volume
// watch starts from is the player's at Serve.
func (s *Server) Observe(ev player.Event) {
	var out *Event
	switch e := ev.(type) {
	case player.TrackEvent:
		if !e.Seek && s.shownTrack(e.Track.ID, false) {
			out = &Event{Event: "track", Track: trackOf(e.Track)}
		}
	case player.ChangedEvent:
		// A skip while paused or stopped changes the current track with
		// no TrackEvent (its stream opens when playback resumes): watch
		// went on naming the track before it.
		if p := s.playerIfServed(); p != nil {
			st := p.Status()
			if st.State != player.Playing && st.Index >= 0 && s.shownTrack(st.Track.ID, true) {
				out = &Event{Event: "track", Track: trackOf(st.Track)}
			}
			// watch said nothing of a volume changed (MPRIS announced it):
			// a status bar fed by watch kept the volume it started with
			if vol, ok := s.volumeChanged(st.Volume); ok {
				if out != nil {
					s.broadcast(*out)
				}
				out = &Event{Event: "volume", Volume: &vol}
			}
		}
	case player.PositionEvent:
		if e.Seek { // a jump; while paused there was no position event until playback resumed
			ms := e.Position.Milliseconds()
			out = &Event{Event: "position", PositionMS: &ms}
		}
	case player.StateEvent:
		out = &Event{Event: "state", State: e.State.String()}
	case player.RenditionEvent:
		out = &Event{Event: "rendition", Rendition: e.Rendition}
	case player.ErrorEvent:
		out = &Event{Event: "error", Message: e.Err.Error(), Fatal: e.Fatal, Gone: player.IsGone(e.Err)}
	case player.SegmentEvent:
		s.mu.Lock()
		s.rendition, s.source = e.Rendition, string(e.From)
		s.mu.Unlock()
	}
	if out != nil {
		s.broadcast(*out)
	}
}

// shownTrack says whether a "track" event should name track id: a track
// starting always does, but for its first opening after a change named it
// early; a change (changed) only when it is not the track named last.
func (s *Server) shownTrack(id string, changed bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case changed && id == s.shown:
		return false
	case !changed && id == s.early:
		s.early = ""
		return false
	}
	s.shown, s.early = id, ""
	if changed {
		s.early = id
	}
	return true
}

// volumeChanged says whether vol is not the volume "volume" events last
// said, and makes it the one they said.
func (s *Server) volumeChanged(vol int) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := vol != s.volume
	s.volume = vol
	return vol, changed
}

func (s *Server) broadcast(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers {
		select {
		case w <- e:
		default:
		}
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		s.conns[c] = false
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// serve answers one request on c.
func (s *Server) serve(c *net.UnixConn) {
	enc := json.NewEncoder(c)
	enc.SetEscapeHTML(false) // segue ctl status and watch --json pass titles on: "Rock & Roll", not "Rock \u0026 Roll"
	if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
		s.opts.Logger.Warn("control socket: refused a connection from another user", "uid", uid, "err", err)
		enc.Encode(Response{Error: "refused: this segue belongs to another user"})
		return
	}
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 4096), maxRequest)
	if !sc.Scan() {
		if errors.Is(sc.Err(), bufio.ErrTooLong) { // another client than segue ctl, which checks first
			enc.Encode(Response{Error: tooLong.Error(), Kind: kindOf(tooLong)})
			// read on what it still sends (for a while): closed with it
			// unread, the answer was lost to "connection reset by peer"
			c.CloseWrite()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, io.LimitReader(c, 64<<20))
		}
		return
	}
	var req Request
	resp := Response{}
	cmd, err := func() (command, error) {
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return command{}, fmt.Errorf("%w: the request is not JSON: %w", ErrBadRequest, err)
		}
		return parse(req)
	}()
	if err == nil && cmd.verb == "watch" {
		s.mu.Lock()
		_, open := s.conns[c]
		closing := s.ctx.Err() != nil
		if open && !closing { // once Close has passed, it is cut off as any other
			s.conns[c] = true
		}
		s.mu.Unlock()
		if open && !closing && enc.Encode(resp) == nil {
			s.watch(c, enc)
		}
		return
	}
	if err == nil {
		resp, err = s.do(cmd)
	}
	if err != nil {
		resp = Response{Error: err.Error(), Kind: kindOf(err)}
	}
	enc.Encode(resp)
}

func kindOf(err error) string {
	switch {
	case errors.Is(err, ErrBadRequest):
		return "bad_request"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	}
	return ""
}

// peerUID is the user ID of the process at the other end of c (SO_PEERCRED).
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if cerr != nil {
		return -1, cerr
	}
	return int(cred.Uid), nil
}

// do carries out one command through the player's control methods.
func (s *Server) do(c command) (Response, error) {
	p := s.opts.Player
	switch c.verb {
	case "play":
		p.Resume()
	case "pause":
		p.Pause()
	case "toggle":
		p.TogglePause()
	case "next":
		p.Next()
	case "prev":
		p.Previous()
	case "stop":
		p.Stop()
	case "seek":
		st := p.Status()
		if st.Index < 0 {
			// it said only that; now what to do too
			return Response{}, errors.New("nothing is playing to seek in: play something first (segue ctl open ID, or queue add ID)")
		}
		length := st.Duration
		if length <= 0 { // no stream open yet (a skip while paused): the catalog's
			length = time.Duration(st.Track.DurationMS) * time.Millisecond
		}
		to, end := c.seek.D.Milliseconds(), length.Milliseconds()
		if !c.seek.Relative && end > 0 && catalog.Seconds(to) > catalog.Seconds(end) {
			// a position the track does not have, as a queue position past
			// its end (exit 3); it went to the end, and so to the next
			// track. Compared in the whole seconds status shows (1:00.4 of
			// a 60.2 s track is its end); a move by +N past the end stops
			// at the end.
			at := cmp.Or(c.seek.Beyond, catalog.Clock(to))
			return Response{}, NotFound(fmt.Errorf("there is no position %s in the track playing: it is %s long (see segue ctl status)",
				at, catalog.Clock(end)))
		}
		if c.seek.Relative {
			p.SeekBy(c.seek.D)
		} else {
			p.Seek(c.seek.D)
		}
	case "volume":
		if c.volume.Relative {
			p.ChangeVolume(c.volume.N)
		} else {
			p.SetVolume(c.volume.N)
		}
	case "quality":
		p.SetQuality(c.quality)
	case "shuffle":
		p.SetShuffle(c.shuffle, uint64(time.Now().UnixNano())) // on when on does nothing
	case "repeat":
		p.SetRepeat(c.repeat)
	case "radio":
		if s.opts.Radio == nil {
			return Response{}, errors.New("this segue has no radio: it needs the origin (segue radio --help)")
		}
		ctx, cancel := context.WithTimeout(s.ctx, ResolveTimeout)
		defer cancel()
		if err := s.opts.Radio(ctx, c.targets[0]); err != nil {
			return Response{}, err
		}
	case "open":
		tracks, err := s.resolve(c.targets)
		if err != nil {
			return Response{}, err
		}
		p.Play(tracks...)
	case "queue":
		return s.queue(c)
	}
	return Response{Status: s.status()}, nil
}

func (s *Server) queue(c command) (Response, error) {
	p := s.opts.Player
	switch c.sub {
	case "list":
		st := p.Status()
		q := make([]QueueEntry, len(st.Queue))
		for i, t := range st.Queue {
			q[i] = QueueEntry{Index: i + 1, Current: i == st.Index, Track: *trackOf(t), Radio: st.Radio[t.ID], Gone: st.Gone[t.ID]}
		}
		return Response{Queue: q}, nil
	case "add", "next":
		tracks, err := s.resolve(c.targets)
		if err != nil {
			return Response{}, err
		}
		if c.sub == "add" {
			p.Add(tracks...)
		} else {
			p.PlayNext(tracks...)
		}
	case "remove", "play", "move":
		// The player checks the positions as it acts: checked here first,
		// a script's remove raced by another's could pass the check, find
		// the queue shorter and exit 0 having done nothing.
		var ok bool
		switch c.sub {
		case "remove":
			ok = p.Remove(c.n - 1)
		case "play":
			ok = p.Jump(c.n - 1)
		case "move":
			ok = p.Move(c.n-1, c.to-1)
		}
		if !ok {
			n := len(p.Status().Queue)
			for i, at := range []int{c.n, c.to}[:len(c.at)] {
				if at > n {
					// worded as a playlist's position past its end (catalog.NoTrackAt)
					return Response{}, NotFound(fmt.Errorf("there is no track at position %s: the queue has %s (see segue ctl queue list)", c.at[i], catalog.Count(n, "track")))
				}
			}
			return Response{}, NotFound(fmt.Errorf("the queue changed while segue ctl queue %s ran: see segue ctl queue list and run it again", c.sub))
		}
	case "clear":
		p.Clear()
	}
	return Response{Status: s.status()}, nil
}

func (s *Server) resolve(targets []string) ([]catalog.Track, error) {
	ctx, cancel := context.WithTimeout(s.ctx, ResolveTimeout)
	defer cancel()
	tracks, err := s.opts.Resolve(ctx, targets)
	if err == nil && len(tracks) == 0 {
		err = fmt.Errorf("%w: the targets hold no tracks", ErrNotFound)
	}
	return tracks, err
}

func (s *Server) status() *Status {
	p := s.opts.Player
	st := p.Status()
	out := &Status{State: st.State.String(), PositionMS: st.Position.Milliseconds(), Volume: st.Volume,
		Shuffle: st.Shuffle, Repeat: st.Repeat.String(), Quality: string(p.Quality()), QueueLength: len(st.Queue), QueueIndex: st.Index, QueuePosition: st.Index + 1, QueueGone: len(st.Gone)}
	if st.Index >= 0 {
		out.Track = trackOf(st.Track)
		if st.Duration > 0 {
			out.Track.DurationMS = st.Duration.Milliseconds()
		}
	}
	s.mu.Lock()
	out.Rendition, out.Source = s.rendition, s.source
	s.mu.Unlock()
	return out
}

// watch streams events to c until it hangs up or the server closes: the
// state and track at once, then each change, and the play head once a
// second while playing. When the server closes it sends what is still
// queued and then the quit line (see Quit).
func (s *Server) watch(c net.Conn, enc *json.Encoder) {
	ch := make(chan Event, 64)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
	}()
	hangup := make(chan struct{})
	go func() { // a client only ever closes; its read ends then
		c.Read(make([]byte, 1))
		close(hangup)
	}()
	st := s.status()
	first := []Event{{Event: "state", State: st.State}}
	if st.Track != nil {
		first = append(first, Event{Event: "track", Track: st.Track})
	}
	for _, e := range first {
		if enc.Encode(e) != nil {
			return
		}
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		var e Event
		select {
		case <-s.ctx.Done():
			s.quit(enc, ch)
			return
		case <-hangup:
			return
		case e = <-ch:
		case <-tick.C:
			st := s.opts.Player.Status()
			if st.State != player.Playing {
				continue
			}
			ms := st.Position.Milliseconds()
			e = Event{Event: "position", PositionMS: &ms}
		}
		if enc.Encode(e) != nil {
			return
		}
	}
}

// quit tells a watcher the server closes: the events still in ch, then
// the quit line (Close has set c's write deadline).
func (s *Server) quit(enc *json.Encoder, ch chan Event) {
	for {
		select {
		case e := <-ch:
			if enc.Encode(e) != nil {
				return
			}
		default:
			enc.Encode(Event{Event: Quit})
			return
		}
	}
}
