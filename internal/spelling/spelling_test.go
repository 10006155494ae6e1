package spelling

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "play", 4},
		{"play", "play", 0},
		{"plya", "play", 1},      // one swap
		{"shufle", "shuffle", 1}, // a letter left out
		{"ingets", "ingest", 1},
		{"serch", "search", 1},
		{"stauts", "status", 1},
		{"ab", "ba", 1},
		{"ca", "abc", 3}, // no letter is edited twice (true Damerau would say 2)
		{"kitten", "sitting", 3},
		{"Play", "play", 1}, // case counts; Nearest folds it
		{"ünïcode", "unicode", 2},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (it is symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestNearest(t *testing.T) {
	commands := []string{"cache", "completion", "ctl", "demo", "help", "library", "offline", "origin", "peer", "play", "playlist", "radio", "search"}
	for _, c := range []struct {
		word string
		want []string
	}{
		{"plya", []string{"play"}},
		{"PLYA", []string{"play"}},
		{"pla", []string{"play", "playlist"}},
		{"playlsit", []string{"playlist"}},
		{"serch", []string{"search"}},
		{"orign", []string{"origin"}},
		{"p", []string{"peer", "play", "playlist"}},
		{"c", []string{"cache", "completion", "ctl"}},
		{"ca", []string{"cache"}}, // one edit at most for a short word: not ctl, play, ...
		{"xyzzy", nil},
		{"play", nil}, // a name itself needs no suggestion
		{"", nil},
	} {
		if got := Nearest(c.word, commands); !slices.Equal(got, c.want) {
			t.Errorf("Nearest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	// a name that begins with the word outranks names two edits away
	// (cache clear --keep said "did you mean --help, --peer or --keep-pinned?")
	flags := []string{"help", "json", "keep-pinned", "origin", "peer", "token"}
	if got := Nearest("keep", flags); !slices.Equal(got, []string{"keep-pinned"}) {
		t.Errorf("Nearest(keep) = %q, want [keep-pinned]", got)
	}
	if got := Nearest("peet", flags); !slices.Equal(got, []string{"peer"}) { // one edit still comes first
		t.Errorf("Nearest(peet) = %q, want [peer]", got)
	}
	if got := Nearest("volme", []string{"volume", "volume", "voice"}); !slices.Equal(got, []string{"volume"}) {
		t.Errorf("Nearest with a name twice = %q, want it once", got)
	}
}
