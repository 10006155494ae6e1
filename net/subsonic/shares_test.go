package subsonic

import (
	"slices"
	"testing"
)

// TestPlaylistShares: which of getShares' shares unshare deletes. A share
// whose ID is the playlist's (segue's origin) is the one, whatever its
// songs; else every share holding exactly the playlist's songs in order
// (Navidrome's own share IDs); no songs match no share by entries.
func TestPlaylistShares(t *testing.T) {
	share := func(id string, songs ...string) serverShare {
		s := serverShare{ID: flexString(id)}
		for _, sg := range songs {
			s.Entry = append(s.Entry, song{ID: flexString(sg)})
		}
		return s
	}
	shares := []serverShare{share("a1", "s1", "s2"), share("b2", "s2", "s1"), share("c3", "s1", "s2"), share("d4"), share("e5", "s1")}
	for _, c := range []struct {
		name  string
		raw   string
		songs []string
		want  []string
	}{
		{"keyed by the playlist", "c3", []string{"s9"}, []string{"c3"}},
		{"same songs in order", "p1", []string{"s1", "s2"}, []string{"a1", "c3"}},
		{"other order", "p1", []string{"s2", "s1"}, []string{"b2"}},
		{"a prefix is not the playlist", "p1", []string{"s1", "s2", "s3"}, nil},
		{"no songs", "p1", nil, nil},
		{"none", "p1", []string{"s7"}, nil},
	} {
		if got := playlistShares(shares, c.raw, c.songs); !slices.Equal(got, c.want) {
			t.Errorf("%s: playlistShares(%s, %v) = %v, want %v", c.name, c.raw, c.songs, got, c.want)
		}
	}
}
