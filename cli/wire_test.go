package cli

import (
	"testing"

	"segue/config"
	"segue/player"
)

func TestPlayerOptionsMaxBoost(t *testing.T) {
	for _, c := range []struct{ set, want float64 }{{10, 10}, {3.5, 3.5}, {0, player.NoBoost}} {
		a := &app{cfg: config.Default()}
		a.cfg.Player.MaxBoostDB = c.set
		if o, err := a.playerOptions("auto"); err != nil || o.MaxBoostDB != c.want {
			t.Errorf("max_boost_db = %g: options %g, error %v; want %g", c.set, o.MaxBoostDB, err, c.want)
		}
	}
}
