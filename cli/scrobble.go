package cli

import (
	"context"
	"time"

	"segue/catalog"
	"segue/player"
	"segue/scrobble"
)

// scrobbler records plays and sends them to the origin in the background,
// unless config [events] send = false or the state dir (where plays wait
// for delivery) cannot be written. watch follows the player; stop
// records the play in progress and makes a last delivery attempt of at
// most a second (what it cannot deliver stays in the state dir's spool for
// the next run).
func (a *app) scrobbler(to scrobble.Poster) (watch func(player.Event), stop func()) {
	if !a.cfg.Events.Send || a.stateProblem() != nil { // plays are spooled in the state dir: said once there
		return func(player.Event) {}, func() {}
	}
	s := scrobble.NewSender(scrobble.Options{Spool: scrobble.OpenSpool(a.cfg.StateDir), Poster: to, Logger: a.logger()})
	// life ends when the stop's second is up: it calls off the spooling
	// of the last play too, not only the delivery, should another segue
	// hold the spool (stopped with Ctrl-Z while holding it).
	life, end := context.WithCancel(context.Background())
	rec := scrobble.NewRecorder(func(ev catalog.PlayEvent) { s.Record(life, ev) }, nil)
	return rec.Observe, func() {
		defer end()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		defer context.AfterFunc(ctx, end)()
		rec.Close()
		s.Close(ctx)
	}
}

// observeAll returns a watcher that hands each event to every fn in turn.
func observeAll(fns ...func(player.Event)) func(player.Event) {
	return func(ev player.Event) {
		for _, fn := range fns {
			fn(ev)
		}
	}
}
