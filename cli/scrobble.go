package cli

import (
	"context"
	"time"

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
	rec := scrobble.NewRecorder(s.Record, nil)
	return rec.Observe, func() {
		rec.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
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
