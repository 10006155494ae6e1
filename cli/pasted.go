package cli

import (
	"slices"

	"github.com/spf13/cobra"

	"segue/catalog"
)

// pastedIDs makes every command of c's tree whose arguments take IDs (its
// idsAnnotation) take each as pasted from a sentence, a chat or JSON: an
// argument that is an ID once the brackets, quotes and sentence
// punctuation around it are dropped (catalog.PastedAround: "al1.",
// "(al1)", “al1”,) is that ID, as the interface's `o` and a pasted share
// link take it. IDs are letters, digits, '_', '-' and a closing '=', none
// of which PastedAround holds, so no ID is ever changed. Arguments the
// annotation marks "-" (a name, a position) are left as given. segue ctl
// queue, whose flags cobra leaves among its arguments, trims its add and
// next targets itself (queueIDs).
func pastedIDs(c *cobra.Command) {
	if kinds, ok := c.Annotations[idsAnnotation]; ok && c.RunE != nil {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return run(cmd, trimPastedIDs(kinds, args))
		}
	}
	for _, sub := range c.Commands() {
		pastedIDs(sub)
	}
}

// trimPastedIDs returns args with each argument kinds (an idsAnnotation)
// marks as an ID replaced by pastedID of it; args itself is not changed.
func trimPastedIDs(kinds string, args []string) []string {
	out := slices.Clone(args)
	for i, arg := range args {
		if namesID(kinds, i) {
			out[i] = pastedID(arg)
		}
	}
	return out
}

// pastedID is the ID s holds as pasted (see pastedIDs), or s unchanged
// when it holds none (a URL, a word: the command says what is wrong).
func pastedID(s string) string { return catalog.Unpasted(s, catalog.IsID) }
