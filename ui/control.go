package ui

import (
	"context"
	"time"

	"segue/player"
	"segue/ui/action"
)

// control adapts a *player.Player to Player.
type control struct{ p *player.Player }

// Control returns p as the interface's Player.
func Control(p *player.Player) Player { return control{p} }

// Events returns the player's event channel.
func (c control) Events() <-chan player.Event { return c.p.Events() }

// Do maps a request onto the player's methods; they only take a lock and
// wake the engine, so none blocks on I/O.
func (c control) Do(_ context.Context, a action.Action) (player.Status, error) {
	p := c.p
	switch a.Kind {
	case action.PlayNow:
		if a.Radio {
			p.PlayRadio(a.Tracks...)
		} else {
			p.Play(a.Tracks...)
		}
	case action.PlayNext:
		p.PlayNext(a.Tracks...)
	case action.Add:
		p.Add(a.Tracks...)
	case action.TogglePause:
		p.TogglePause()
	case action.Next:
		p.Next()
	case action.Previous:
		p.Previous()
	case action.SeekBy:
		p.SeekBy(a.By)
	case action.SeekTo:
		p.Seek(a.To)
	case action.VolumeBy:
		p.ChangeVolume(a.Delta)
	case action.Remove:
		p.Remove(a.Index)
	case action.Move:
		p.Move(a.Index, a.Delta)
	case action.Clear:
		p.Clear()
	case action.Shuffle:
		p.SetShuffle(!p.Status().Shuffle, uint64(time.Now().UnixNano()))
	case action.CycleQuality:
		p.SetQuality(p.Quality().Next())
	case action.CycleRepeat:
		p.SetRepeat((p.Status().Repeat + 1) % 3)
	case action.Jump:
		p.Jump(a.Index)
	}
	return p.Status(), nil
}
