package cli

import (
	"context"
	"errors"
	"testing"

	"segue/net/originclient"
)

// TestTUIRadioUnknownSeedWording: R on a track the origin no longer knows
// (a row left from before the origin lost it) was told the origin's own
// answer, "seed t0… not found" (no kind, no source), and said "could not
// radio after “X”: it is not on the origin", where segue radio says
// "track t0… not found on the origin at HOST". The radio the interface is
// given finds which ID is unknown, as segue radio does, and the interface
// says its sentence (ui's TestRadioUnknownSeedWording).
func TestTUIRadioUnknownSeedWording(t *testing.T) {
	o := serveLibrary(t, t.TempDir(), t.TempDir()) // an origin with nothing in it
	c, err := originclient.New("http://"+o.addr, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const seed = "t0000000000000000"
	_, err = tuiRadio{c}.Radio(context.Background(), seed, 5)
	var nf *originclient.NotFoundError
	want := "track " + seed + " not found on the origin at " + o.addr
	if !errors.As(err, &nf) || nf.Sentence() != want {
		t.Fatalf("the interface's radio after an unknown track fails with %v; want a NotFoundError saying %q", err, want)
	}
}
