package cli

import "testing"

// TestTUIRadioOfflineSaysWhy: R with the origin stopped said "could not
// radio after “Aurora Test”: it is not available offline" of a track that
// was playing from the cache right there; what is not there is a radio,
// which only the origin makes. The line says so now.
func TestTUIRadioOfflineSaysWhy(t *testing.T) {
	url, stop := stoppableTUIOrigin(t)
	_, d := runTUIIn(t, url, 120)
	d.wait("type to search")
	d.press("/")
	d.paste("aurora")
	d.wait(`1 track · 0 albums · 0 artists`)
	d.press("\r", "\r")
	d.wait(`▶ Aurora Test`)
	stop()
	d.press("R")
	d.wait(`no radio after “Aurora Test”: a radio needs the origin, which is unreachable`)
}
