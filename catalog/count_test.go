package catalog

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 tracks", 1: "1 track", 2: "2 tracks", 21: "21 tracks"} {
		if got := Count(n, "track"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPlural: a noun whose plural is not an s away takes the plural given
// ("1 entries" was printed by playlist import and cache verify).
func TestPlural(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Plural(0, "entry", "entries"), "0 entries"},
		{Plural(1, "entry", "entries"), "1 entry"},
		{Plural(7, "entry", "entries"), "7 entries"},
		{Plural(1, "miss", "misses"), "1 miss"},
		{Plural(2, "miss", "misses"), "2 misses"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}
