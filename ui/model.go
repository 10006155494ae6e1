package ui

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/catalog"
	"segue/net/abr"
	"segue/player"
	"segue/ui/action"
	"segue/ui/cover"
	"segue/ui/keys"
	"segue/ui/library"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/nowplaying"
	"segue/ui/pin"
	"segue/ui/playlists"
	"segue/ui/prompt"
	"segue/ui/queue"
	"segue/ui/search"
	"segue/ui/styles"
)

// Screen indexes, in tab order.
const (
	searchScreen = iota
	libraryScreen
	queueScreen
	nowScreen
	playlistsScreen
)

// Model is the root of the interface. It routes and lays out; the screens
// do the work.
type Model struct {
	ctx    context.Context
	player Player
	km     keys.Map
	st     *styles.Styles
	covers *cover.Store

	radio     Radio
	autoplay  bool
	source    string        // Options.SourceName, or player.DefaultSourceName
	lastTrack catalog.Track // the last track that started, the seed of autoplay

	search  *search.View
	library *library.View
	queue   *queue.View
	now     *nowplaying.View
	lists   *playlists.View
	screens []Screen
	active  int

	bar     *nowplaying.Bar
	status  nowplaying.Status
	line    statusLine
	help    bool
	helpTop int // the first help line shown when help scrolls

	pending  []action.Action // requests waiting for the one in flight
	inFlight bool
	// asked and answered count the requests made and answered, in order:
	// an answer is to a request made after a refusal the line shows when
	// answered passes the line's after
	asked, answered int

	wait  *awaiting // a prompt or the picker on its way, or nil
	waits int       // awaitings so far, the last one's id

	store  playlists.Store
	opener Opener
	pinner pin.Pinner
	pins   *pin.State
	picker *playlists.Picker // open over the active screen, or nil
	prompt *prompt.Prompt    // open in the status line, or nil
	output []string          // terminal sequences (OSC 52) to write before the next frame

	log *slog.Logger

	startNotice string
	startErr    bool
	warnings    <-chan string
	ascii       bool
	w, h        int
	// bodyRows is the rows the screen got at the last View: bodyHeight
	// less the extra lines of a notice that wraps.
	bodyRows int
}

// New builds the interface. ctx bounds every Cmd's I/O.
func New(ctx context.Context, o Options) *Model {
	st, km := styles.New(o.Theme), keys.Default()
	covers := cover.NewStore(ctx, o.Catalog)
	pins := pin.NewState()
	m := &Model{
		store: o.Playlists, opener: o.Opener, pinner: o.Pinner, pins: pins,
		lists: playlists.New(ctx, o.Playlists, st, km, pins),
		ctx:   ctx, player: o.Player, km: km, st: st, covers: covers,
		search:  search.New(ctx, o.Catalog, st, km),
		library: library.New(ctx, o.Catalog, st, km, covers),
		queue:   queue.New(st, km),
		now:     nowplaying.New(st, km, covers),
		bar:     nowplaying.NewBar(st),
		status:  nowplaying.Status{Volume: 100},
		line:    statusLine{st: st, stay: cmp.Or(o.NoticeFor, NoticeShow)},

		startNotice: o.Notice, startErr: o.NoticeIsError, ascii: o.ASCII, warnings: o.Warnings,
		log: cmp.Or(o.Log, slog.New(slog.DiscardHandler)),
	}
	m.library.SetPins(pins)
	m.search.SetPins(pins)
	if o.Playlists != nil {
		m.library.SetPlaylists(o.Playlists)
	}
	m.now.Silent = o.Silent
	m.radio, m.autoplay = o.Radio, o.Autoplay && o.Radio != nil
	m.source = cmp.Or(o.SourceName, player.DefaultSourceName)
	m.status.OriginName = strings.TrimPrefix(m.source, "the ") // "origin", "Subsonic server"
	m.screens = []Screen{m.search, m.library, m.queue, m.now, m.lists}
	return m
}

// Init loads the artist list and starts listening to the player.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.library.Init(), m.lists.Init(), pin.Load(m.pinner), waitEvents(m.player.Events()), m.request(action.Action{Kind: action.Refresh}),
		waitWarning(m.warnings)}
	if m.startNotice != "" {
		cmds = append(cmds, m.line.show(m.startNotice, m.startErr))
	}
	return tea.Batch(cmds...)
}

// Update routes msg. Keys held for what a screen opens go to it once it
// is open (await.go).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	if w := m.wait; w != nil && w.opens != nil {
		return m, tea.Batch(cmd, m.opened())
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		return m, m.keys(msg)
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case events:
		return m, tea.Batch(m.apply(msg.list), waitEvents(m.player.Events()))
	case eventsClosed:
		return m, m.line.show("playback stopped: the player shut down", true)
	case warning:
		return m, tea.Batch(m.line.show(string(msg), true), waitWarning(m.warnings))
	case awaited:
		return m, m.arrived(msg)
	case action.Action:
		return m, m.request(msg)
	case action.Radio:
		return m, m.startRadio(msg.Seed, msg.From)
	case radioLoaded:
		return m, m.radioLoaded(msg)
	case done:
		m.inFlight = false
		m.answered++
		var cmds []tea.Cmd
		if msg.err != nil {
			cmds = append(cmds, m.fail(msg.err))
		} else {
			if msg.a.Kind != action.Refresh && m.answered > m.line.after {
				m.line.settle()
			}
			idle := !m.status.HasTrack || m.status.State == player.Stopped
			q := fromStatus(&m.status, msg.status)
			m.queue.SetState(q)
			cmds = append(cmds, m.statusChanged(), m.confirm(msg.a, idle))
		}
		return m, tea.Batch(append(cmds, m.next())...)
	case notice.Msg:
		if msg.Cause != nil {
			m.log.Warn("interface", "err", msg.Cause)
		}
		switch {
		case msg.Text == "":
			return m, nil
		case msg.Refusal:
			return m, m.line.refuse(msg.Text, m.asked)
		}
		return m, m.line.show(msg.Text, msg.Err)
	case fade:
		return m, m.line.fade(msg)
	case cover.Loaded:
		m.covers.Put(msg)
		return m, nil
	case library.OpenAlbum, library.OpenArtist:
		return m, tea.Batch(m.show(libraryScreen), m.library.Update(msg))
	case library.AlbumTracks:
		return m, m.library.Update(msg)
	case playlists.Open:
		m.active = playlistsScreen // not show: that would reload the list over the open playlist
		return m, m.lists.Update(msg)
	}
	if c, ok := msg.(playlists.Changed); ok && c.Err == nil {
		m.line.settle() // an edit succeeded: a J or K refused before it is old news
	}
	if cmd, ok := m.sharing(msg); ok {
		return m, cmd
	}
	// a screen's own messages (search results, loaded documents)
	var cmds []tea.Cmd
	if m.picker != nil {
		// its list loaded: keys typed while it loaded may finish it
		cmds = append(cmds, m.pickerUpdate(msg))
	}
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// layout hands every part its size: tab line, screen, status line, bar.
func (m *Model) layout() {
	bodyH := m.bodyHeight()
	m.bodyRows = bodyH
	for _, s := range m.screens {
		s.SetSize(m.w, bodyH)
	}
	if m.picker != nil {
		m.picker.SetSize(m.w, bodyH)
	}
	m.bar.SetSize(m.w, nowplaying.BarHeightIn(m.h))
}

func (m *Model) bodyTop() int { return 1 }

func (m *Model) bodyHeight() int { return max(m.h-2-nowplaying.BarHeightIn(m.h), 0) }

// keys handles keys that arrived together. Bubble Tea v1 reports runes
// read in one go as one KeyRunes message ("jjj" from a held key over ssh,
// or a busy machine), which no single-key binding matches; outside an input
// each rune counts as its own key. Once a key opens an input (the search's
// `/`, a prompt), the rest is text for it. A key that starts work (a
// request, a prompt opened by message, a document to load) has the rest
// wait for that work's message, as if they had been typed after it: three
// volume steps reach the player in order, and a name typed right after N
// lands in the prompt N opens. Keys that come apart while a prompt or the
// picker is on its way wait for it in the same way (hold, in await.go).
func (m *Model) keys(msg tea.KeyMsg) tea.Cmd {
	if m.wait != nil {
		return m.hold(msg)
	}
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) < 2 {
		return m.key(msg)
	}
	for i, r := range msg.Runes {
		rest := msg
		rest.Runes = msg.Runes[i:]
		if m.typing() {
			return m.key(rest)
		}
		one := msg
		one.Runes = []rune{r}
		if cmd := m.key(one); cmd != nil && i+1 < len(msg.Runes) {
			rest.Runes = msg.Runes[i+1:]
			if m.wait != nil { // with the keys typed after them
				m.hold(rest)
				return cmd
			}
			return tea.Sequence(cmd, func() tea.Msg { return rest })
		} else if cmd != nil {
			return cmd
		}
	}
	return nil
}

// typing reports whether printable keys are text for an input: a prompt
// that takes text, or the active screen's. A yes/no question takes one
// key: "nS" typed together answered n and lost the S.
func (m *Model) typing() bool {
	if m.prompt != nil {
		return !m.prompt.Confirm()
	}
	return m.picker == nil && !m.help && m.screens[m.active].Typing()
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	km, scr := m.km, m.screens[m.active]
	if m.prompt != nil {
		if key.Matches(msg, km.ForceQuit) {
			return tea.Quit
		}
		cmd, done := m.prompt.Key(msg)
		if done {
			m.prompt = nil
		}
		return cmd
	}
	if m.picker != nil {
		if key.Matches(msg, km.ForceQuit) {
			return tea.Quit
		}
		return m.pickerUpdate(msg)
	}
	if m.help {
		return m.helpKey(msg)
	}
	switch {
	case key.Matches(msg, km.ForceQuit):
		return tea.Quit
	case key.Matches(msg, km.NextScreen):
		return m.show((m.active + 1) % len(m.screens))
	case key.Matches(msg, km.PrevScreen):
		return m.show((m.active + len(m.screens) - 1) % len(m.screens))
	case key.Matches(msg, km.Reload):
		if r, ok := scr.(reloader); ok {
			return r.Reload()
		}
		return m.request(action.Action{Kind: action.Refresh})
	}
	if scr.Typing() {
		return m.leaveInput(msg, scr)
	}
	switch {
	case key.Matches(msg, km.Quit):
		return tea.Quit
	case key.Matches(msg, km.Help):
		m.help = true
	case key.Matches(msg, km.Search):
		m.search.Focus()
		return m.show(searchScreen)
	case key.Matches(msg, km.OpenURL):
		return m.askURL()
	case !m.status.HasTrack && len(m.queue.State().Tracks) == 0 && key.Matches(msg, km.Pause, km.Next, km.Prev):
		// the player has nothing to act on: these keys did nothing
		return m.line.show("nothing to play: the queue is empty (/ searches, tab browses the library)", false)
	case !m.status.HasTrack && key.Matches(msg, km.SeekBack, km.SeekFwd, km.SeekPercent):
		return m.line.show("nothing is playing: start a track, then ← → and 0-9 seek in it", false)
	case key.Matches(msg, km.Pause):
		return m.request(action.Action{Kind: action.TogglePause})
	case key.Matches(msg, km.Next):
		return m.request(action.Action{Kind: action.Next})
	case key.Matches(msg, km.Prev):
		return m.request(action.Action{Kind: action.Previous})
	case key.Matches(msg, km.SeekBack):
		return m.request(action.Action{Kind: action.SeekBy, By: -seekStep})
	case key.Matches(msg, km.SeekFwd):
		return m.request(action.Action{Kind: action.SeekBy, By: seekStep})
	case key.Matches(msg, km.SeekTo):
		return m.askSeek()
	case key.Matches(msg, km.SeekPercent):
		return m.seekPercent(int(msg.Runes[0] - '0'))
	case key.Matches(msg, km.VolUp):
		return m.request(action.Action{Kind: action.VolumeBy, Delta: volumeStep})
	case key.Matches(msg, km.VolDown):
		return m.request(action.Action{Kind: action.VolumeBy, Delta: -volumeStep})
	case key.Matches(msg, km.Quality):
		return m.request(action.Action{Kind: action.CycleQuality})
	case m.active == nowScreen && key.Matches(msg, km.ToPlaylist, km.Radio):
		return m.nowKey(msg)
	default:
		return m.await(msg, scr)
	}
	return nil
}

func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	barTop := m.h - nowplaying.BarHeightIn(m.h)
	switch {
	case msg.Y == 0:
		if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft {
			if i := m.tabAt(msg.X); i >= 0 {
				return m.show(i)
			}
		}
		return nil
	case msg.Y >= barTop:
		if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft {
			return m.bar.Click(msg.X, msg.Y-barTop)
		}
		return nil
	case msg.Y >= m.bodyTop() && msg.Y < m.bodyTop()+m.bodyRows: // not on a notice's lines
		msg.Y -= m.bodyTop()
		return m.screens[m.active].Update(msg)
	}
	return nil
}

// nowKey handles s and R on Now Playing: they act on the playing track, as
// on a track row elsewhere. They did nothing there.
func (m *Model) nowKey(msg tea.KeyMsg) tea.Cmd {
	t := m.status.Track
	switch {
	case !m.status.HasTrack:
		return m.line.show("nothing is playing: s and R here act on the playing track", false)
	case key.Matches(msg, m.km.Radio):
		return m.startRadio(t.ID, "“"+t.Title+"”")
	}
	return m.awaitCmd(msg.String(), func() tea.Msg { return playlists.Pick{Tracks: []catalog.Track{t}} })
}

// show makes screen i the active one and runs what it does on coming into
// view.
func (m *Model) show(i int) tea.Cmd {
	if i == m.active {
		return nil
	}
	m.active = i
	if s, ok := m.screens[i].(shower); ok {
		return s.Shown()
	}
	return nil
}

// request queues a to the player, keeping one request in flight so they
// arrive in order.
func (m *Model) request(a action.Action) tea.Cmd {
	m.pending = append(m.pending, a)
	m.asked++
	return m.next()
}

// refreshPending reports whether a Refresh waits to be sent: one more
// would only report the same status.
func (m *Model) refreshPending() bool {
	return slices.ContainsFunc(m.pending, func(a action.Action) bool { return a.Kind == action.Refresh })
}

func (m *Model) next() tea.Cmd {
	if m.inFlight || len(m.pending) == 0 {
		return nil
	}
	a := m.pending[0]
	m.pending = m.pending[1:]
	m.inFlight = true
	return do(m.ctx, m.player, a)
}

// confirm tells the user what a request did where it is not self-evident.
// idle says nothing played before it: then an add or play next that
// started playback says it plays now ("plays next" of a track playing;
// an add keeps its "added … to the queue" first).
func (m *Model) confirm(a action.Action, idle bool) tea.Cmd {
	started := idle && len(a.Tracks) > 0 && m.status.HasTrack && m.status.State == player.Playing &&
		m.status.Track.ID == a.Tracks[0].ID
	switch {
	case started && a.Kind == action.Add:
		return m.line.show("added "+tracksNamed(a.Tracks, a.From)+" to the queue: playing now", false)
	case started && a.Kind == action.PlayNext:
		return m.line.show("playing "+tracksNamed(a.Tracks, a.From)+" now: nothing was playing", false)
	}
	switch a.Kind {
	case action.Add:
		return m.line.show("added "+tracksNamed(a.Tracks, a.From)+" to the queue", false)
	case action.PlayNext:
		if len(a.Tracks) == 1 {
			return m.line.show(tracksNamed(a.Tracks, a.From)+" plays next", false)
		}
		return m.line.show(tracksNamed(a.Tracks, a.From)+" play next", false)
	case action.Shuffle:
		if m.queue.State().Shuffle {
			return m.line.show("shuffle on: z again puts the queue back in order", false)
		}
		return m.line.show("shuffle off: the queue is back in its order", false)
	case action.CycleRepeat:
		return m.line.show("repeat "+m.queue.State().Repeat, false)
	case action.CycleQuality:
		return m.line.show(qualityLine(m.status), false)
	case action.VolumeBy:
		if nowplaying.BarHeightIn(m.h) == 1 {
			// the one-line bar has no room for the volume: + and -
			// showed nothing
			return m.line.show(fmt.Sprintf("volume %d%%", m.status.Volume), false)
		}
	}
	return nil
}

// fail tells the user in one sentence what went wrong (notice.Say) and
// writes the whole error to the log.
func (m *Model) fail(err error) tea.Cmd {
	f := notice.Failed(err)
	m.log.Warn("interface", "err", err)
	return m.line.show(f.Text, true)
}

// apply folds player events into the status and hands it to its views.
func (m *Model) apply(list []player.Event) tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range list {
		if t, ok := e.(player.TrackEvent); ok {
			m.lastTrack = t.Track
		}
		if ev, ok := e.(player.ErrorEvent); ok && ev.TrackID == m.lastTrack.ID && player.IsGone(ev.Err) {
			m.lastTrack = catalog.Track{} // out of the catalog: no radio after it
		}
		if end, ok := e.(player.EndEvent); ok && end.Gone {
			// every track left was removed from the catalog: said once, and
			// no radio from a seed the origin no longer has
			cmds = append(cmds, m.line.show(player.AllGone(m.source), true))
		} else if ok && !end.Cleared && m.autoplay && m.lastTrack.ID != "" { // a queue cleared is a choice of nothing
			cmds = append(cmds, m.startRadio(m.lastTrack.ID, "“"+m.lastTrack.Title+"”"))
		}
		i, err := apply(&m.status, e)
		if i > -2 {
			q := m.queue.State()
			q.Index = i
			m.queue.SetState(q)
		}
		if err != nil {
			cmds = append(cmds, m.fail(err))
		}
		switch s := e.(type) {
		case player.StallEvent:
			if s.Ended {
				cmds = append(cmds, m.line.show(stallNote(s), false))
			} else {
				m.line.hold(stallNote(s))
			}
		case player.StateEvent:
			if s.State != player.Buffering { // paused or stopped while it waited
				cmds = append(cmds, m.line.release())
			}
		}
		if _, ok := e.(player.ChangedEvent); ok && !m.refreshPending() {
			// segue ctl, MPRIS or a key changed the queue or a setting:
			// the status after it shows what the player now holds
			cmds = append(cmds, m.request(action.Action{Kind: action.Refresh}))
		}
	}
	return tea.Batch(append(cmds, m.statusChanged())...)
}

// statusChanged hands the playback status to the parts that show it.
func (m *Model) statusChanged() tea.Cmd {
	m.bar.SetStatus(m.status)
	return m.now.SetStatus(m.status)
}

// View lays out the tab line, the active screen (or help), the status line
// and the now-playing bar in exactly the window's size. Names from the
// origin (a playlist's, a track's tags) may hold invisible text-direction
// characters (catalog.IsBidiControl): the frame goes out without them, as
// the CLI's tables do, so an override cannot show a row reversed or as
// another. They take no cells, so the layout is the same.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	bodyH := m.bodyHeight()
	var lines []string // a long notice wraps: the screen gets the rows left
	if m.prompt != nil {
		lines = []string{m.prompt.View(m.st, m.w)}
	} else {
		lines = m.line.view(m.w, min(MaxNoticeRows, 1+bodyH/2), m.shortHelp())
	}
	bodyH -= len(lines) - 1
	m.fitBody(bodyH)
	var body string
	if m.help {
		body = m.helpView(m.w, bodyH)
	} else {
		body = m.screens[m.active].View()
	}
	if m.picker != nil && !m.help {
		body = m.picker.View()
	}
	out := catalog.StripBidi(list.Block(m.tabs()+"\n"+list.Block(body, m.w, bodyH)+"\n"+strings.Join(lines, "\n")+"\n"+m.bar.View(), m.w, m.h))
	if m.ascii {
		return toASCII(out)
	}
	return out
}

// fitBody gives the screen shown and the picker h rows, what the notice
// leaves of the body, so a list keeps its selected row in view: a notice
// that wrapped was drawn over the list's last rows, the selected one among
// them (J on the queue's last track at 40x15).
func (m *Model) fitBody(h int) {
	m.bodyRows = h
	m.screens[m.active].SetSize(m.w, h)
	if m.picker != nil {
		m.picker.SetSize(m.w, h)
	}
}

// tabs is the tab line. When the tabs do not fit, it shows the active one
// and where it is among them, so the active screen is always named.
func (m *Model) tabs() string {
	if m.compactTabs() {
		return list.Fit(m.st.ActiveTitle(m.screens[m.active].Title())+m.st.Muted.Render(fmt.Sprintf(" %d/%d", m.active+1, len(m.screens))), m.w)
	}
	var b strings.Builder
	for i, s := range m.screens {
		if i == m.active {
			b.WriteString(m.st.ActiveTitle(s.Title()))
		} else {
			b.WriteString(m.st.Tab.Render(s.Title()))
		}
	}
	tabs := b.String()
	hint := m.st.Muted.Render("? help")
	if gap := m.w - lipgloss.Width(tabs) - lipgloss.Width(hint); gap > 0 {
		tabs += strings.Repeat(" ", gap) + hint
	}
	return list.Fit(tabs, m.w)
}

// compactTabs reports whether the window is too narrow for every tab.
func (m *Model) compactTabs() bool {
	w := 0
	for _, s := range m.screens {
		w += lipgloss.Width(m.st.Tab.Render(s.Title()))
	}
	return w > m.w
}

// tabAt returns the screen whose tab covers column x, or -1.
func (m *Model) tabAt(x int) int {
	if m.compactTabs() {
		return -1
	}
	pos := 0
	for i, s := range m.screens {
		w := lipgloss.Width(m.st.Tab.Render(s.Title()))
		if x >= pos && x < pos+w {
			return i
		}
		pos += w
	}
	return -1
}

// qualityLine says when the quality b chose is heard: a higher fixed one,
// or any with nothing playing, from the next segment on (the player fetches
// again what is buffered lower); auto as the link allows, segment by
// segment; a lower one once what is buffered has played (it is downloaded
// already). It said "from the next segment on" for every switch, and a
// switch up was heard only once the 18 s buffered had played. A higher
// one on a link the player measured too slow to carry it (abr.LinkCarries)
// is heard once what is buffered has played too, as the player then
// fetches nothing again (upgradeAhead): on a 200 kbit/s link high was
// said "from the next segment on" and heard 18 s later.
func qualityLine(s nowplaying.Status) string {
	say := "quality " + s.Preference + ": "
	want := catalog.Bitrates[s.Preference]
	switch {
	case s.Rendition == "" || s.Buffer < time.Second:
		return say + "from the next segment on"
	case want > catalog.Bitrates[s.Rendition] && s.LinkKbps > 0 && !abr.LinkCarries(s.LinkKbps, want):
		return say + fmt.Sprintf("once the %d s buffered have played (the link, about %d kbit/s, is too slow to fetch them again at %dk)",
			int(s.Buffer.Seconds()), int(s.LinkKbps), want)
	case want >= catalog.Bitrates[s.Rendition]:
		return say + "from the next segment on"
	case s.Preference == string(player.QualityAuto):
		return say + "chosen for each segment as the link allows"
	}
	return say + fmt.Sprintf("once the %d s buffered have played", int(s.Buffer.Seconds()))
}
