package catalog

import "testing"

func TestIsID(t *testing.T) {
	for s, want := range map[string]bool{
		"t3f2c9a1b0d4e5f67": true, "al1": true, "ar_x-2": true, "pl_pl-3": true, // a Subsonic server's IDs carry the prefixes
		"pl_pl-MS9ub25lLm0zdQ==": true, "pl_pl-MS9hYi5tM3U=": true, // gonic's playlists: padded URL-safe base64
		"": false, "zz": false, "x1": false, "t 1": false, "t1/2": false, "https://h/p/TOKEN": false, "tñ": false,
		"=": false, "pl===": false, "pl=x": false, "t1?a=b": false,
	} {
		if got := IsID(s); got != want {
			t.Errorf("IsID(%q) = %v, want %v", s, got, want)
		}
	}
}
