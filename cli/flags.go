package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"segue/config"
)

// Flag values that check themselves when set, so a bad value is refused
// while the flags are parsed: a usage error (exit 2) before any work, with
// or without --json. Those with a fixed set of values complete them.

// rangeInt is an int flag that takes only whole numbers from min to max.
type rangeInt struct {
	v        *int
	min, max int
}

// intFlag defines an int flag on fs limited to [min, max].
func intFlag(fs *pflag.FlagSet, p *int, name string, value, min, max int, usage string) {
	*p = value
	fs.Var(&rangeInt{v: p, min: min, max: max}, name, usage)
}

func (r *rangeInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < r.min || n > r.max {
		return fmt.Errorf("want a whole number from %d to %d", r.min, r.max)
	}
	*r.v = n
	return nil
}

func (r *rangeInt) String() string { return strconv.Itoa(*r.v) }
func (r *rangeInt) Type() string   { return "int" }

// choice is a string flag that takes one of a few values; a value ending
// in ":" is a prefix that wants more after it (wav:FILE).
type choice struct {
	v       *string
	choices []string
}

// choiceFlag defines a string flag on fs that takes one of choices.
func choiceFlag(fs *pflag.FlagSet, p *string, name, value string, choices []string, usage string) {
	*p = value
	fs.Var(&choice{v: p, choices: choices}, name, usage)
}

func (c *choice) Set(s string) error {
	ok := slices.ContainsFunc(c.choices, func(ch string) bool {
		prefix, isPrefix := strings.CutSuffix(ch, ":")
		if isPrefix {
			return strings.HasPrefix(s, ch) && len(s) > len(prefix)+1
		}
		return s == ch
	})
	if !ok {
		return fmt.Errorf("want %s", strings.Join(c.shown(), ", "))
	}
	*c.v = config.HomeOutput(s) // wav:~/out.wav, as for a path flag
	return nil
}

// shown lists the choices as the help spells them (wav:FILE).
func (c *choice) shown() []string {
	out := make([]string, len(c.choices))
	for i, ch := range c.choices {
		out[i] = ch
		if strings.HasSuffix(ch, ":") {
			out[i] += "FILE"
		}
	}
	return out
}

func (c *choice) String() string { return *c.v }
func (c *choice) Type() string   { return "string" }

// completions are the values the shell offers for the flag.
func (c *choice) completions() []string { return c.choices }

// timeout is a duration flag of 1 s or more (config.ParseTimeout): 0, a
// negative duration or a bare number is refused while the flags are
// parsed.
type timeout struct{ v *time.Duration }

// timeoutFlag defines a timeout flag on fs storing into p, value its default.
func timeoutFlag(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(&timeout{v: p}, name, usage)
}

func (t *timeout) Set(s string) error {
	d, err := config.ParseTimeout(s)
	if err != nil {
		return err
	}
	*t.v = d
	return nil
}

func (t *timeout) String() string { return t.v.String() }
func (t *timeout) Type() string   { return "duration" }

// pathValue is a string flag that names a file or folder. A leading "~"
// is the home directory (config.HomePath), as in config.toml and the
// SEGUE_* variables: the shell expands it only at the start of a word, so
// --data=~/music reached segue as a folder named "~" in the current one.
type pathValue struct{ v *string }

// pathVar is the flag value of a path flag storing into p, value its
// default: fs.Var(pathVar(&p, ""), name, usage).
func pathVar(p *string, value string) pflag.Value {
	*p = value
	return &pathValue{v: p}
}

func (p *pathValue) Set(s string) error {
	*p.v = config.HomePath(s)
	return nil
}

func (p *pathValue) String() string { return *p.v }
func (p *pathValue) Type() string   { return "string" }

// The choices of flags more than one command has.
var (
	outputChoices  = []string{"alsa", "null", "wav:", "wav16:"}
	qualityChoices = []string{"auto", "low", "normal", "high"}
)

// outputUsage is the help of --output, the interface's and play's alike
// (the interface's named no wav16:FILE, play's no SEGUE_OUTPUT).
const outputUsage = "audio `OUTPUT`: alsa, null, wav:FILE or wav16:FILE (default from config, env SEGUE_OUTPUT)"
