package cli

import (
	"encoding/json"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestOfflineListKeepsOtherSourcesPins: one origin, pinned from as a segue
// origin and as a Subsonic server (its /rest/ API): offline list with
// either source configured judges only its own pins, and shows the other
// one's as they are. It asked the configured source for every pin, and a
// pin of the other was "gone from the origin: offline remove it".
func TestOfflineListKeepsOtherSourcesPins(t *testing.T) {
	h := newToneHost(t, "Pinned Twice")
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", h.data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	segueOrigin := []string{"--origin", "http://" + servingRE.FindStringSubmatch(log.String())[1]}
	subsonicServer := []string{"--origin", "subsonic+" + segueOrigin[1], "--password-file", h.keyFile}

	h.run(append(segueOrigin, "offline", "add", h.trackID)...)
	h.run(append(subsonicServer, "offline", "add", "t_"+h.trackID)...)
	for _, source := range [][]string{segueOrigin, subsonicServer} {
		var pins []offlineEntry
		if err := json.Unmarshal([]byte(h.run(append(source, "offline", "list", "--json")...)), &pins); err != nil {
			t.Fatal(err)
		}
		if len(pins) != 2 {
			t.Fatalf("offline list %s: %+v, want the 2 pins", source[1], pins)
		}
		for _, p := range pins {
			if p.State != "complete" {
				t.Errorf("offline list %s: pin %s is %q, want complete", source[1], p.Ref, p.State)
			}
		}
	}
}
