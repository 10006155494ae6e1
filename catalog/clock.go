package catalog

import (
	"fmt"
	"strconv"
)

// Seconds turns a length or play position of ms milliseconds into whole
// seconds, truncated: 59.6 s is 59, as a play head that has not reached
// 1:00 shows it; below zero is 0. It is segue's one rounding rule for
// lengths: Clock writes its result, and every length given in seconds
// (Subsonic's duration, M3U8's #EXTINF) is its result, so one track never
// reads 0:59 in one place and 60 in another. Lengths kept in milliseconds
// (the origin's JSON, XSPF, ctl) are not rounded at all.
func Seconds(ms int64) int64 { return max(ms, 0) / 1000 }

// Clock formats a length or play position of ms milliseconds as m:ss, or
// h:mm:ss from an hour on, in the whole seconds of Seconds (46.6 s is
// 0:46). Every place segue shows a track's length (the CLI's listings and
// status lines, the interface, the share page) writes it with Clock.
func Clock(ms int64) string {
	s := Seconds(ms)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Count says n of a noun in words: "1 track", "2 tracks", "0 albums".
// The noun takes an s in the plural; see Plural for one that does not.
// The client's messages and the origin's (its share page, its errors) say
// counts with it: the share page's preview said "1 tracks".
func Count(n int, noun string) string { return Plural(n, noun, noun+"s") }

// Plural says n of a noun whose plural is not the noun and an s, given
// both forms: "1 entry", "2 entries"; "1 miss", "0 misses".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
