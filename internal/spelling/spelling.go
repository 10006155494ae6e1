// Package spelling finds the names a mistyped word most likely meant: the
// "did you mean" of an unknown command, flag, help topic or setting. It
// knows nothing of what the names stand for; its callers say the sentence.
package spelling

import (
	"slices"
	"strings"
)

// MaxSuggestions is how many names Nearest returns at most: more than
// three in one sentence is a list to read, not a suggestion.
const MaxSuggestions = 3

// Nearest returns the names of names that word most likely meant, at most
// MaxSuggestions and in the order of names: first those the fewest edits
// away (Distance, ignoring case; two at most, one for a word of three
// letters or fewer, so that "ca" does not suggest every short name), then
// those that begin with word ("pla": play, playlist); names two edits away
// are left out when one begins with word ("keep": keep-pinned, not help
// or peer). It returns nothing
// when none is near, or when word is one of names.
func Nearest(word string, names []string) []string {
	w := strings.ToLower(word)
	if w == "" || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, word) }) {
		return nil
	}
	limit := min(2, max(1, len([]rune(w))/2))
	dist := make([]int, len(names))
	best := limit + 1
	for i, name := range names {
		dist[i] = Distance(w, strings.ToLower(name))
		best = min(best, dist[i])
	}
	// a name that begins with what was typed is more likely than names
	// two edits away: "--keep" meant --keep-pinned, not --help or --peer
	if best == 2 && slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(strings.ToLower(n), w) }) {
		best = limit + 1
	}
	var out []string
	for i, name := range names {
		if dist[i] == best && best <= limit && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, name := range names {
		if strings.HasPrefix(strings.ToLower(name), w) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out[:min(len(out), MaxSuggestions)]
}

// Distance is the number of edits that make a into b: a letter put in,
// taken out or changed, or two neighbouring letters swapped ("plya" is
// one swap from "play"; Levenshtein's distance counts that as two). It
// counts runes and tells case apart. (This is the optimal string alignment
// distance: no letter is edited twice.)
func Distance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// rows i-2, i-1 and i of the table of distances between prefixes
	prev2, prev, cur := make([]int, len(t)+1), make([]int, len(t)+1), make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}
