package catalog

import (
	"fmt"
	"strconv"
)

// Clock formats a length or play position of ms milliseconds as m:ss, or
// h:mm:ss from an hour on, in whole seconds truncated (46.6 s is 0:46, as
// a play head shows it); below zero is 0:00. Every place segue shows a
// track's length (the CLI's listings and status lines, the interface, the
// share page) writes it with Clock, so one track never shows two lengths.
func Clock(ms int64) string {
	s := max(ms, 0) / 1000
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
