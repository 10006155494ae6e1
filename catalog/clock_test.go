package catalog

import "testing"

func TestClock(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		want string
	}{
		{0, "0:00"},
		{-5, "0:00"},
		{999, "0:00"},
		{46633, "0:46"}, // the demo's Continuum I: ctl and play rounded it to 0:47, search showed 0:46
		{47390, "0:47"},
		{59999, "0:59"},
		{60000, "1:00"},
		{3599999, "59:59"},
		{3600000, "1:00:00"},
		{3662000, "1:01:02"}, // play and ctl wrote 61:02
		{36000000, "10:00:00"},
	} {
		if got := Clock(c.ms); got != c.want {
			t.Errorf("Clock(%d) = %q; want %q", c.ms, got, c.want)
		}
	}
}
