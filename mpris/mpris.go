// Package mpris puts a running segue on the D-Bus session bus as an MPRIS2
// media player (org.mpris.MediaPlayer2 and its .Player interface), so media
// keys and tools such as playerctl drive it. It is a thin adapter: every
// method calls the player's own control methods (player/control.go), the
// ones the interface and segue ctl use. It draws nothing and resolves
// nothing but through Options.Resolve.
//
// Spec: https://specifications.freedesktop.org/mpris-spec/2.2/
package mpris

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"segue/catalog"
	"segue/player"
)

// Names from the MPRIS2 specification.
const (
	busName     = "org.mpris.MediaPlayer2.segue"
	objectPath  = dbus.ObjectPath("/org/mpris/MediaPlayer2")
	rootIface   = "org.mpris.MediaPlayer2"
	playerIface = "org.mpris.MediaPlayer2.Player"
	propsIface  = "org.freedesktop.DBus.Properties"
)

// Options configure a Server.
type Options struct {
	// Player is what the methods drive.
	Player *player.Player
	// Resolve turns OpenUri's URI into tracks (nil: OpenUri fails).
	Resolve func(ctx context.Context, targets []string) ([]catalog.Track, error)
	// Instance is the name of the segue instance (--instance NAME, "" for
	// the default one), which names its bus name (see Open).
	Instance string
	// Art returns the URL of a track's cover for mpris:artUrl, "" when it
	// has none (nil: no artUrl). It is called off the event path, once per
	// track, and may fetch; ctx ends when the Server closes.
	Art func(ctx context.Context, t catalog.Track) string
}

// Server is segue on the session bus. Close releases its name.
type Server struct {
	conn *dbus.Conn
	opts Options
	name string

	ctx  context.Context // ends at Close; bounds Art
	stop context.CancelFunc
	arts sync.WaitGroup // the cover lookups (setTrack), which Close waits for

	// announce orders the announcements: each is computed and sent under
	// it, so they reach the bus in the order of the states they say.
	// Lock order: announce, then mu.
	announce sync.Mutex

	mu      sync.Mutex    // guards the fields below
	track   catalog.Track // as last announced (none: ID "")
	art     string        // the track's mpris:artUrl, "" until known
	started string        // the ID of the track last announced starting, "" since none was current
	status  string        // PlaybackStatus as last announced
	volume  int           // as last announced
	shuffle bool          // as last announced
	repeat  player.Repeat // as last announced
	closed  bool          // set by Close: no cover lookup starts after it
}

// Open connects to the session bus ($DBUS_SESSION_BUS_ADDRESS, else
// $XDG_RUNTIME_DIR/bus; never an autolaunched one), takes the
// name org.mpris.MediaPlayer2.segue, or org.mpris.MediaPlayer2.segue.NAME
// for Options.Instance NAME (see InstanceName), or
// org.mpris.MediaPlayer2.segue.instance<pid> when another segue has that
// one, and exports the player. An error means there is no session bus:
// the caller says so once and goes on without.
func Open(opts Options) (*Server, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if rt := os.Getenv("XDG_RUNTIME_DIR"); addr == "" && rt != "" {
		if _, err := os.Stat(filepath.Join(rt, "bus")); err == nil {
			addr = "unix:path=" + filepath.Join(rt, "bus")
		}
	}
	if addr == "" {
		return nil, errors.New("mpris: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, fmt.Errorf("mpris: no D-Bus session bus: %w", err)
	}
	st := opts.Player.Status()
	s := &Server{conn: conn, opts: opts, status: playbackStatus(st.State), volume: st.Volume, shuffle: st.Shuffle, repeat: st.Repeat}
	s.ctx, s.stop = context.WithCancel(context.Background())
	for _, iface := range []string{rootIface, playerIface} {
		if err := conn.ExportMethodTable(s.methods(iface), objectPath, iface); err != nil {
			conn.Close()
			return nil, fmt.Errorf("mpris: export %s: %w", iface, err)
		}
	}
	if err := conn.Export(props{s}, objectPath, propsIface); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mpris: export properties: %w", err)
	}
	for _, name := range []string{InstanceName(opts.Instance), fmt.Sprintf("%s.instance%d", busName, os.Getpid())} {
		reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("mpris: request name %s: %w", name, err)
		}
		if reply == dbus.RequestNameReplyPrimaryOwner {
			s.name = name
			if st.Index >= 0 { // now, so that a failed Open leaves no cover lookup behind
				s.setTrack(st.Track)
			}
			return s, nil
		}
	}
	conn.Close()
	return nil, fmt.Errorf("mpris: the bus names %s and its instance name are taken", busName)
}

// InstanceName is the bus name of the segue instance named instance:
// org.mpris.MediaPlayer2.segue for the default one (""), and
// org.mpris.MediaPlayer2.segue.NAME for --instance NAME, with each '.' of
// NAME as '_' and '_' before a leading digit (a bus name's element has
// no '.' and begins with no digit), so that playerctl -p segue.NAME
// drives the one segue ctl --instance NAME does. A named instance took
// the default's name when it started first, and the default one then
// took segue.instance<pid>: playerctl -p segue and media keys drove
// another segue than segue ctl did.
func InstanceName(instance string) string {
	if instance == "" {
		return busName
	}
	el := strings.ReplaceAll(instance, ".", "_")
	if el[0] >= '0' && el[0] <= '9' {
		el = "_" + el
	}
	return busName + "." + el
}

// Name is the bus name taken.
func (s *Server) Name() string { return s.name }

// Close leaves the bus once the cover lookups (Options.Art) it started
// have returned: it cancels their context first.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.arts.Wait()
	return s.conn.Close()
}

// methods are the D-Bus methods of iface.
func (s *Server) methods(iface string) map[string]any {
	p := s.opts.Player
	if iface == rootIface {
		return map[string]any{
			"Raise": func() *dbus.Error { return nil },
			"Quit":  func() *dbus.Error { return nil },
		}
	}
	return map[string]any{
		"Next":      func() *dbus.Error { p.Next(); return nil },
		"Previous":  func() *dbus.Error { p.Previous(); return nil },
		"Pause":     func() *dbus.Error { p.Pause(); return nil },
		"PlayPause": func() *dbus.Error { p.TogglePause(); return nil },
		"Stop":      func() *dbus.Error { p.Stop(); return nil },
		"Play":      func() *dbus.Error { p.Resume(); return nil },
		"Seek": func(offsetUS int64) *dbus.Error {
			st := p.Status()
			if st.Index < 0 {
				return nil
			}
			if to, next := seekTarget(st.Position, trackLength(st), offsetUS); next {
				p.Next()
			} else {
				p.Seek(to)
			}
			return nil
		},
		"SetPosition": func(track dbus.ObjectPath, posUS int64) *dbus.Error {
			st := p.Status()
			if st.Index < 0 || track != trackPath(st.Track.ID) {
				return nil // the spec: "the call is ignored as 'stale'"
			}
			if to, ok := positionAt(trackLength(st), posUS); ok {
				p.Seek(to)
			}
			return nil
		},
		"OpenUri": func(uri string) *dbus.Error {
			if s.opts.Resolve == nil {
				return dbus.MakeFailedError(fmt.Errorf("this segue opens no URIs"))
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			tracks, err := s.opts.Resolve(ctx, []string{uri})
			if err != nil {
				return dbus.MakeFailedError(err)
			}
			p.Play(tracks...)
			return nil
		},
	}
}

// Observe sees each player event and announces what changed, whoever
// changed it (the interface, segue ctl, a D-Bus client): PropertiesChanged
// on org.mpris.MediaPlayer2.Player for the track, the playback status, the
// volume, shuffle and loop status, and the Seeked signal (µs) for a seek.
//
// Each announcement is the difference between one Player.Status snapshot
// and what was last announced, sent so that a listener that keeps the
// properties from PropertiesChanged alone (playerctl --follow, a GNOME
// shell) only passes through states segue was in (see emitChanged). The
// events come late (the player does not wait for its consumer), and each
// was announced from the event and the rest read live: Metadata NoTrack
// went alone before PlaybackStatus Stopped, and PlaybackStatus Playing
// alone before the first track's Metadata, so a media bar showed Playing
// with no track at each start from an empty queue.
func (s *Server) Observe(ev player.Event) {
	switch e := ev.(type) {
	case player.TrackEvent:
		if e.Seek {
			return // Seeked said it; the metadata (and its artUrl) stand
		}
		t := e.Track
		if e.Duration > 0 {
			t.DurationMS = e.Duration.Milliseconds()
		}
		s.announce.Lock()
		defer s.announce.Unlock()
		st := s.opts.Player.Status()
		if st.Index < 0 || st.Track.ID != t.ID {
			s.emitChanged(s.diff(st, nil)) // gone by now: say what is current
			return
		}
		s.mu.Lock()
		again := s.started == t.ID
		s.started = t.ID
		s.mu.Unlock()
		s.emitChanged(s.diff(st, &t)) // with Metadata, the same track again too: see announceStart
		s.announceStart(st, t.ID, again)
	case player.StateEvent, player.EndEvent, player.ChangedEvent:
		s.announce.Lock()
		defer s.announce.Unlock()
		s.emitChanged(s.diff(s.opts.Player.Status(), nil))
	case player.ErrorEvent:
		if player.IsGone(e.Err) {
			// a track removed from the catalog is skipped: its title is
			// not shown as if it played on until the next one starts
			s.announce.Lock()
			defer s.announce.Unlock()
			s.emitChanged(s.diff(s.opts.Player.Status(), nil))
		}
	case player.PositionEvent:
		if e.Seek {
			s.conn.Emit(objectPath, playerIface+".Seeked", e.Position.Microseconds())
		}
	}
}

// emitChanged sends changed, which moves a listener on from PlaybackStatus
// before, in one PropertiesChanged (none when it is empty), or in two when
// it changes both Metadata and PlaybackStatus; and every signal with
// Metadata says the PlaybackStatus the listener is in after it, changed or
// not. playerctl (2.4, playerctl-player.c's properties_changed_callback)
// acts on a signal's Metadata before its PlaybackStatus whatever their
// order, and on a new mpris:trackid with no PlaybackStatus beside it asks
// for the status then, live: in one signal a stop with its queue gone was
// Playing with no track to playerctl --follow before it was Stopped, and
// Metadata NoTrack alone, read as a new open had begun, was too. Split, the
// state between is one segue is in: to Stopped, PlaybackStatus goes first
// (stopped with the track before); to Playing or Paused (a track
// current), Metadata first (the status before with the track now current).
func (s *Server) emitChanged(changed map[string]dbus.Variant, before string) {
	send := func(m map[string]dbus.Variant) {
		s.conn.Emit(objectPath, propsIface+".PropertiesChanged", playerIface, m, []string{})
	}
	md, hasMD := changed["Metadata"]
	status, hasStatus := changed["PlaybackStatus"]
	switch {
	case hasMD && hasStatus && status.Value() == "Stopped":
		send(map[string]dbus.Variant{"PlaybackStatus": status})
	case hasMD && hasStatus:
		send(map[string]dbus.Variant{"Metadata": md, "PlaybackStatus": dbus.MakeVariant(before)})
		delete(changed, "Metadata")
	case hasMD:
		changed["PlaybackStatus"] = dbus.MakeVariant(before)
	}
	if len(changed) > 0 {
		send(changed)
	}
}

// diff records st as announced and returns the properties it changes:
// the playback status; the track, forgotten when the player has none
// current (its queue ran out or was cleared or emptied: Metadata says
// NoTrack as segue ctl status says "track": null) and taken from the
// queue when it moved while no TrackEvent says so (a skip while paused,
// the first track of a queue before its stream opens); opened, when not
// nil, is st's current track as its stream opened (its length the
// stream's), whose Metadata is announced even when it is the same track
// again; and the volume, shuffle and loop status.
func (s *Server) diff(st player.Status, opened *catalog.Track) (changed map[string]dbus.Variant, before string) {
	changed = map[string]dbus.Variant{}
	var want catalog.Track
	switch {
	case opened != nil:
		want = *opened
	case st.Index >= 0 && !st.Gone[st.Track.ID]:
		// a track removed from the catalog (player.GoneError) is
		// skipped, never shown: NoTrack until the next one starts
		want = st.Track
	}
	s.mu.Lock()
	before = s.status
	if status := playbackStatus(st.State); status != s.status {
		s.status = status
		changed["PlaybackStatus"] = dbus.MakeVariant(status)
	}
	if st.Volume != s.volume {
		s.volume = st.Volume
		changed["Volume"] = dbus.MakeVariant(float64(st.Volume) / 100)
	}
	if st.Shuffle != s.shuffle {
		s.shuffle = st.Shuffle
		changed["Shuffle"] = dbus.MakeVariant(st.Shuffle)
	}
	if st.Repeat != s.repeat {
		s.repeat = st.Repeat
		changed["LoopStatus"] = dbus.MakeVariant(loopStatus[st.Repeat])
	}
	moved := want.ID != s.track.ID
	if want.ID == "" {
		s.started = ""
	}
	s.mu.Unlock()
	if moved || opened != nil {
		s.setTrack(want)
		changed["Metadata"] = dbus.MakeVariant(s.metadata())
	}
	return changed, before
}

// announceStart emits Seeked with where track id starts, after its
// Metadata, when a client cannot tell: the same track again (repeat one,
// or queued twice in a row) has the same mpris:trackid, so a client that
// counts the position on from the last Seeked (playerctl, and the bars
// built on it) went on past the track's end (1:07 of a 0:06 track); and a
// track started past its first second (a seek as it opened) was taken to
// start at 0:00, as the spec lets a client assume on a new track.
func (s *Server) announceStart(st player.Status, id string, again bool) {
	var at time.Duration
	if st.Index >= 0 && st.Track.ID == id {
		at = st.Position
	}
	if again || at >= time.Second {
		s.conn.Emit(objectPath, playerIface+".Seeked", at.Microseconds())
	}
}

// setTrack makes t the current track (none when t.ID is "") and, with
// Options.Art, looks up its cover in the background, announcing Metadata
// again once it is known and t is still current. The same track again
// keeps the cover it has.
func (s *Server) setTrack(t catalog.Track) {
	s.mu.Lock()
	defer s.mu.Unlock()
	same := s.track.ID == t.ID
	s.track = t
	if !same {
		s.art = ""
	}
	if same || s.opts.Art == nil || t.ID == "" || s.closed {
		return
	}
	s.arts.Go(func() {
		url := s.opts.Art(s.ctx, t)
		if url == "" {
			return
		}
		// in order with Observe's announcements: one of a track gone since
		// came after Metadata naming it again
		s.announce.Lock()
		defer s.announce.Unlock()
		s.mu.Lock()
		current := s.track.ID == t.ID
		if current {
			s.art = url
		}
		s.mu.Unlock()
		if current && s.ctx.Err() == nil {
			s.mu.Lock()
			status := s.status
			s.mu.Unlock()
			s.emitChanged(map[string]dbus.Variant{"Metadata": dbus.MakeVariant(s.metadata())}, status)
		}
	})
}

// trackLength is the current track's length: its stream's, else (a skip
// while paused opens none until playback resumes) the catalog's.
func trackLength(st player.Status) time.Duration {
	if st.Duration > 0 {
		return st.Duration
	}
	return time.Duration(st.Track.DurationMS) * time.Millisecond
}

// trackPath is a track's mpris:trackid.
func trackPath(id string) dbus.ObjectPath {
	var b strings.Builder
	for _, r := range id { // object path elements take [A-Za-z0-9_] only
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return dbus.ObjectPath("/org/segue/track/" + b.String())
}

func playbackStatus(st player.State) string {
	switch st {
	case player.Playing, player.Buffering:
		return "Playing"
	case player.Paused:
		return "Paused"
	}
	return "Stopped"
}

// metadata is the Metadata of the track last announced (metadataOf).
func (s *Server) metadata() map[string]dbus.Variant {
	s.mu.Lock()
	t, art := s.track, s.art
	s.mu.Unlock()
	return metadataOf(t, art)
}

// metadataOf is t's Metadata: mpris:length in µs, and mpris:artUrl art
// when it is not ""; NoTrack's when t.ID is "".
func metadataOf(t catalog.Track, art string) map[string]dbus.Variant {
	if t.ID == "" {
		return map[string]dbus.Variant{"mpris:trackid": dbus.MakeVariant(dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/NoTrack"))}
	}
	m := map[string]dbus.Variant{
		"mpris:trackid": dbus.MakeVariant(trackPath(t.ID)),
		"mpris:length":  dbus.MakeVariant(t.DurationMS * 1000),
		"xesam:title":   dbus.MakeVariant(t.Title),
		"xesam:artist":  dbus.MakeVariant([]string{t.Artist}),
		"xesam:album":   dbus.MakeVariant(t.Album),
	}
	if art != "" {
		m["mpris:artUrl"] = dbus.MakeVariant(art)
	}
	return m
}

// current is the Metadata of st's current track: the one last announced
// (with its stream's length and its cover) when it is that one, else the
// queue's, so that GetAll says one state, PlaybackStatus and Metadata from
// the same snapshot.
func (s *Server) current(st player.Status) map[string]dbus.Variant {
	if st.Index < 0 {
		return metadataOf(catalog.Track{}, "")
	}
	s.mu.Lock()
	t, art := s.track, s.art
	s.mu.Unlock()
	if t.ID != st.Track.ID {
		t, art = st.Track, ""
	}
	return metadataOf(t, art)
}

// props answers org.freedesktop.DBus.Properties from the player's state,
// read live.
type props struct{ s *Server }

func (pr props) all(iface string) (map[string]dbus.Variant, *dbus.Error) {
	s, p := pr.s, pr.s.opts.Player
	switch iface {
	case rootIface:
		return map[string]dbus.Variant{
			"CanQuit": dbus.MakeVariant(false), "CanRaise": dbus.MakeVariant(false), "HasTrackList": dbus.MakeVariant(false),
			"Identity": dbus.MakeVariant("segue"), "SupportedUriSchemes": dbus.MakeVariant([]string{"http", "https"}),
			"SupportedMimeTypes": dbus.MakeVariant([]string{}),
		}, nil
	case playerIface:
		st := p.Status()
		return map[string]dbus.Variant{
			"PlaybackStatus": dbus.MakeVariant(playbackStatus(st.State)),
			"LoopStatus":     dbus.MakeVariant(loopStatus[st.Repeat]),
			"Rate":           dbus.MakeVariant(1.0), "MinimumRate": dbus.MakeVariant(1.0), "MaximumRate": dbus.MakeVariant(1.0),
			"Shuffle":   dbus.MakeVariant(st.Shuffle),
			"Metadata":  dbus.MakeVariant(s.current(st)),
			"Volume":    dbus.MakeVariant(float64(st.Volume) / 100),
			"Position":  dbus.MakeVariant(st.Position.Microseconds()),
			"CanGoNext": dbus.MakeVariant(true), "CanGoPrevious": dbus.MakeVariant(true),
			"CanPlay": dbus.MakeVariant(true), "CanPause": dbus.MakeVariant(true),
			"CanSeek": dbus.MakeVariant(true), "CanControl": dbus.MakeVariant(true),
		}, nil
	}
	return nil, dbus.NewError("org.freedesktop.DBus.Error.UnknownInterface", []any{iface})
}

// Get returns one property.
func (pr props) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	m, err := pr.all(iface)
	if err != nil {
		return dbus.Variant{}, err
	}
	v, ok := m[name]
	if !ok {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{name})
	}
	return v, nil
}

// GetAll returns every property of iface.
func (pr props) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) { return pr.all(iface) }

// loopStatus is MPRIS's LoopStatus of each repeat mode.
var loopStatus = map[player.Repeat]string{player.RepeatOff: "None", player.RepeatAll: "Playlist", player.RepeatOne: "Track"}

// Set changes Volume (see volumeLevel), Rate (see rateSet), LoopStatus
// (None, Track, Playlist: repeat off, one, all) and Shuffle (a boolean),
// each announced by Observe like any other change; the other properties
// are read-only. A value of the wrong type, or one the spec gives no
// meaning (LoopStatus "track", Volume NaN), is InvalidArgs and changes
// nothing: the spec's values are these words exactly ("LoopStatus: May be
// one of the following: None, Track, Playlist").
func (pr props) Set(iface, name string, v dbus.Variant) *dbus.Error {
	p := pr.s.opts.Player
	bad := func(want string) *dbus.Error {
		return dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{fmt.Sprintf("%s %v: want %s", name, v.Value(), want)})
	}
	if iface != playerIface {
		return dbus.NewError("org.freedesktop.DBus.Error.PropertyReadOnly", []any{name})
	}
	switch name {
	case "Volume":
		vol, ok := v.Value().(float64)
		level, finite := volumeLevel(vol)
		if !ok || !finite {
			return bad("a number from 0.0 to 1.0")
		}
		p.SetVolume(level)
	case "Rate":
		rate, ok := v.Value().(float64)
		pause, finite := rateSet(rate)
		if !ok || !finite {
			return bad("a number (segue plays at 1.0 only; 0.0 pauses)")
		}
		if pause {
			p.Pause()
		}
	case "LoopStatus":
		for r, s := range loopStatus {
			if s == v.Value() {
				p.SetRepeat(r)
				return nil
			}
		}
		return bad("None, Track or Playlist")
	case "Shuffle":
		on, ok := v.Value().(bool)
		if !ok {
			return bad("true or false")
		}
		p.SetShuffle(on, uint64(time.Now().UnixNano())) // on when on does nothing
	default:
		return dbus.NewError("org.freedesktop.DBus.Error.PropertyReadOnly", []any{name})
	}
	return nil
}
