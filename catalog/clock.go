package catalog

import "fmt"

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
