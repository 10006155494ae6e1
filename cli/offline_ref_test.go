package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOfflineShareLinkAsPasted: segue takes a share link as pasted (in
// <...>, with a sentence's punctuation), but offline add kept the pin under
// the text given, so the same playlist pasted twice was two pins (listed
// twice), and offline remove of the link as offline list shows it, or as
// pasted another way, said "not pinned". Now a link's pin is kept under the
// canonical link, and remove finds it whichever way the link is written.
func TestOfflineShareLinkAsPasted(t *testing.T) {
	_, _, _, _, _, _, shareURL := sharedMix(t)
	listener := clientEnv(t, "http://127.0.0.1:9") // the link's origin is not the configured one
	segueOK(t, append(listener, "offline", "add", "<"+shareURL+">")...)
	segueOK(t, append(listener, "offline", "add", "("+strings.ToUpper(shareURL[:4])+shareURL[4:]+").")...)
	var pins []struct{ Ref string }
	if err := json.Unmarshal([]byte(segueOK(t, append(listener, "offline", "list", "--json")...)), &pins); err != nil {
		t.Fatal(err)
	}
	if len(pins) != 1 || pins[0].Ref != shareURL {
		t.Fatalf("pins after adding one link twice, as pasted: %+v, want one with ref %s", pins, shareURL)
	}
	if out, errOut, code := segue(t, append(listener, "offline", "remove", " "+shareURL+".")...); code != 0 {
		t.Fatalf("offline remove of the link as pasted: exit %d, want 0\n%s%s", code, out, errOut)
	}
	if out := segueOK(t, append(listener, "offline", "list", "--json")...); strings.TrimSpace(out) != "[]" {
		t.Errorf("offline list after remove: %s, want []", out)
	}
}
