package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"segue/internal/testkit"
)

// mprisView is what a media bar knows of segue: the PlaybackStatus and the
// Metadata's trackid and title, from GetAll and then PropertiesChanged
// alone, as playerctl --follow and a GNOME shell keep it.
type mprisView struct {
	status, trackid, title string
}

// impossible says what is wrong with v, "" when nothing: a player Playing
// or Paused names a track (the spec's NoTrack trackid is "no track
// current"), and a track shown has a title.
func (v mprisView) impossible() string {
	noTrack := v.trackid == "/org/mpris/MediaPlayer2/TrackList/NoTrack" || v.trackid == ""
	switch {
	case (v.status == "Playing" || v.status == "Paused") && noTrack:
		return v.status + " with no track"
	case !noTrack && v.title == "":
		return "a track with no title"
	}
	return ""
}

// mprisListener follows segue's org.mpris.MediaPlayer2.Player properties on
// the bus at addr as a media bar does, recording each view it passes
// through, one per PropertiesChanged.
type mprisListener struct {
	mu    sync.Mutex // guards views
	views []mprisView
}

func listenMPRIS(t *testing.T, addr, name string) *mprisListener {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged"),
		dbus.WithMatchObjectPath("/org/mpris/MediaPlayer2")); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 1000)
	conn.Signal(ch)
	l := &mprisListener{}
	var all map[string]dbus.Variant
	if err := conn.Object(name, "/org/mpris/MediaPlayer2").Call("org.freedesktop.DBus.Properties.GetAll", 0, "org.mpris.MediaPlayer2.Player").Store(&all); err != nil {
		t.Fatalf("GetAll: %v", err)
	}
	v := mprisView{}
	v.apply(all)
	l.views = append(l.views, v)
	go func() {
		for sig := range ch {
			if len(sig.Body) < 2 || sig.Body[0] != "org.mpris.MediaPlayer2.Player" {
				continue
			}
			changed, _ := sig.Body[1].(map[string]dbus.Variant)
			l.mu.Lock()
			v := l.views[len(l.views)-1]
			v.apply(changed)
			l.views = append(l.views, v)
			l.mu.Unlock()
		}
	}()
	return l
}

func (v *mprisView) apply(changed map[string]dbus.Variant) {
	if s, ok := changed["PlaybackStatus"]; ok {
		v.status, _ = s.Value().(string)
	}
	if m, ok := changed["Metadata"]; ok {
		md, _ := m.Value().(map[string]dbus.Variant)
		v.trackid, v.title = "", ""
		if id, ok := md["mpris:trackid"]; ok {
			v.trackid = fmt.Sprint(id.Value())
		}
		if title, ok := md["xesam:title"]; ok {
			v.title, _ = title.Value().(string)
		}
	}
}

// seen returns the views so far, from the one at mark on.
func (l *mprisListener) seen(mark int) []mprisView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]mprisView(nil), l.views[mark:]...)
}

func (l *mprisListener) last() mprisView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.views[len(l.views)-1]
}

// TestMPRISNeverShowsAnImpossibleState: at each transition that ends what
// is playing (the end of the queue with repeat off, a seek to the end of
// the last track, ctl stop, queue clear, the current track removed) every
// state a listener that reads PropertiesChanged alone passes through is
// one segue could be in. Metadata NoTrack went in a signal of its own
// before PlaybackStatus Stopped when the change was observed late (the
// queue ran out while an earlier event was being announced), so a media
// bar showed Playing with no title.
func TestMPRISNeverShowsAnImpossibleState(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	pc := mprisHost(t, h)
	var addr string
	for _, e := range h.env {
		addr, _ = strings.CutPrefix(e, "DBUS_SESSION_BUS_ADDRESS=")
	}
	conf := filepath.Join(h.dir, "config", "segue") // no radio at the queue's end: it ends
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "config.toml"), []byte("[player]\nautoplay = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTUIWith(t, url, 100, 30, h.dir, append([]string{"XDG_RUNTIME_DIR=" + h.runtime}, h.env...)...)
	s.waitText("Search")
	h.waitSocket("the interface's control socket")
	testkit.Wait(t, time.Minute, "segue on the bus", func() bool { return strings.Contains(pc("-l"), "segue") })
	l := listenMPRIS(t, addr, "org.mpris.MediaPlayer2.segue")
	bar := h.follow("metadata", "--format", "{{status}}|{{title}}")

	noTrack := mprisView{"Stopped", "/org/mpris/MediaPlayer2/TrackList/NoTrack", ""}
	check := func(what string, mark int, want mprisView) {
		t.Helper()
		reached := func() bool { // a want with no trackid takes any track's
			v := l.last()
			if want.trackid == "" && v.trackid != noTrack.trackid {
				v.trackid = ""
			}
			return v == want
		}
		for deadline := time.Now().Add(30 * time.Second); !reached(); <-time.After(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the listener never reached %+v; it saw %+v; segue ctl status: %+v", what, want, l.seen(mark), h.status())
			}
		}
		for _, v := range l.seen(mark) {
			if why := v.impossible(); why != "" {
				t.Errorf("%s: a listener saw %s: %+v (all: %+v)", what, why, v, l.seen(mark))
			}
		}
	}
	// playing starts track i from an empty queue: from NoTrack to Playing
	// it, which passed through Playing with no track too.
	playing := func(i int) int {
		t.Helper()
		mark := len(l.seen(0))
		h.ok("queue", "clear")
		check("ctl queue clear", mark, noTrack)
		mark = len(l.seen(0))
		h.ok("open", tracks[i].ID)
		check("ctl open", mark, mprisView{"Playing", "", tracks[i].Title})
		return len(l.seen(0))
	}

	for round := 0; round < 5; round++ {
		mark := playing(0)
		h.ok("seek", "0:59")
		check("the queue's end (repeat off)", mark, noTrack)

		mark = playing(0)
		h.ok("seek", "1:00")
		check("a seek to the end of the last track", mark, noTrack)

		mark = playing(1)
		h.dbusSend("Seek", "int64:120000000") // past the end: Next, with none
		check("MPRIS Seek past the end of the last track", mark, noTrack)
	}

	mark := playing(0)
	h.ok("seek", "1:00")
	check("a seek to the end of the last track", mark, noTrack)
	mark = len(l.seen(0))
	h.ok("play") // plays the queue again from its first track
	check("ctl play after the queue's end", mark, mprisView{"Playing", "", tracks[0].Title})

	mark = playing(0)
	h.ok("stop")
	check("ctl stop", mark, mprisView{"Stopped", "", tracks[0].Title})

	mark = playing(0)
	h.ok("queue", "clear")
	check("ctl queue clear", mark, noTrack)

	mark = playing(2)
	h.ok("queue", "remove", "1")
	check("the current track removed", mark, noTrack)

	for _, line := range strings.Split(bar.String(), "\n") {
		if line == "Playing|" || line == "Paused|" {
			t.Errorf("playerctl --follow printed %q:\n%s", line, bar.String())
			break
		}
	}
}
