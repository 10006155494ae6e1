package cli

import (
	"testing"

	"segue/config"
	"segue/player"
)

func TestPlayerOptionsMaxBoost(t *testing.T) {
	for _, c := range []struct {
		set, want float64
		bad       bool
	}{{10, 10, false}, {3.5, 3.5, false}, {0, player.NoBoost, false}, {-3, 0, true}, {31, 0, true}} {
		a := &app{cfg: config.Default()}
		a.cfg.Player.MaxBoostDB = c.set
		o, err := a.playerOptions("auto")
		if (err != nil) != c.bad || (!c.bad && o.MaxBoostDB != c.want) {
			t.Errorf("max_boost_db = %g: options %g, error %v; want %g, error %v", c.set, o.MaxBoostDB, err, c.want, c.bad)
		}
	}
}
