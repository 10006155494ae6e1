package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"segue/offline"
)

// A share link opens its playlist for anyone who has it, also for a
// listener whose configured origin is the link's own origin and who has no
// token for it (a household member set up with the origin's URL, a token
// not yet given). The resolver kept one client per origin URL, the
// configured one's, without the link's token, so on an origin that requires
// tokens the link's playlist opened (/p/ needs none) and then every
// manifest was refused 401: `segue play URL` was exit 1, "3 of 3 tracks
// could not be played: ... the origin requires a token and none is set",
// and `offline add URL` failed alike. Both must play and pin the link.
func TestShareLinkOfTheConfiguredOriginWithoutAToken(t *testing.T) {
	url, ids, manifests, _, _, _, shareURL := sharedMix(t)
	listener := clientEnv(t, url) // the same origin, no token

	wav := filepath.Join(t.TempDir(), "mix.wav")
	out, errOut, code := segue(t, append(listener, "play", shareURL, "--output", "wav:"+wav, "--fast", "--json")...)
	if code != 0 {
		t.Fatalf("play %s with the link's origin configured and no token: exit %d\n%s\n%s", shareURL, code, out, errOut)
	}
	if got, want := wavFrames(t, wav), totalSamples(manifests); got != want {
		t.Errorf("the link played %d samples, want its tracks' total_samples %d", got, want)
	}

	out, errOut, code = segue(t, append(listener, "offline", "add", shareURL, "--json")...)
	if code != 0 {
		t.Fatalf("offline add %s with the link's origin configured and no token: exit %d\n%s\n%s", shareURL, code, out, errOut)
	}
	var pin offline.Collection
	if err := json.Unmarshal([]byte(out), &pin); err != nil {
		t.Fatalf("offline add --json: %v\n%s", err, out)
	}
	if strings.Join(pin.Tracks, " ") != strings.Join(ids[:2], " ") || pin.Bytes == 0 {
		t.Errorf("offline add pinned tracks %v (%d bytes), want %v", pin.Tracks, pin.Bytes, ids[:2])
	}
}
