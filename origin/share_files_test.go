package origin

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"segue/share"
)

// A share link's playlist file with its ending in capitals (TOKEN.M3U8, as
// a phone's keyboard or an old habit writes it) was refused as "no playlist
// file the origin makes: end it in .m3u8 (lower case)": endings of files
// are any case to their users. Every ending the origin makes is now taken
// in any case, and answers what the lower-case one does.
func TestShareLinkFileEndingInAnyCase(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Endings", []string{w.hold, w.joga})
	for _, format := range slices.Sorted(maps.Keys(share.PlaylistFormats)) {
		lower, lowerBody := get(t, "GET", link.String()+"."+format, nil)
		if lower.StatusCode != 200 || len(lowerBody) == 0 {
			t.Fatalf("the link + .%s: %d %s; want the playlist file", format, lower.StatusCode, lowerBody)
		}
		mixed := []byte(format)
		mixed[0] -= 'a' - 'A' // M3u8, Xspf
		for _, ext := range []string{strings.ToUpper(format), string(mixed)} {
			resp, body := get(t, "GET", link.String()+"."+ext, nil)
			if resp.StatusCode != 200 || !bytes.Equal(body, lowerBody) {
				t.Errorf("the link + .%s: %d\n%s\nwant 200 and what .%s answers:\n%s", ext, resp.StatusCode, body, format, lowerBody)
			}
			for _, h := range []string{"Content-Type", "Content-Disposition", "ETag"} {
				if got, want := resp.Header.Get(h), lower.Header.Get(h); got != want {
					t.Errorf("the link + .%s: %s %q; want %q, as .%s", ext, h, got, want, format)
				}
			}
		}
	}
}
