package cli

import (
	"cmp"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/catalog"
	"segue/config"
	"segue/offline"
)

func completionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the shell completion script",
		Long: `completion prints a script that completes segue's commands, flag values
(--output, --quality, --format) and IDs: playlists, albums and artists, from
the origin or, when it is down, from what this machine has browsed before.

  bash: source <(segue completion bash)
  zsh:  segue completion zsh > "${fpath[1]}/_segue"
  fish: segue completion fish > ~/.config/fish/completions/segue.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			}
			var script strings.Builder
			if err := root.GenBashCompletionV2(&script, true); err != nil {
				return err
			}
			_, err := io.WriteString(a.stdout, withoutBashCompletion(script.String(), root.Name()))
			return err
		},
	}
}

// withoutBashCompletion makes cobra's bash script, for the program name,
// work in a bash without the bash-completion package (bash --norc, a
// system without it): it read the words with that package's
// _get_comp_words_by_ref, and every TAB said "command not found" and
// completed nothing. The package's function is still used when loaded.
func withoutBashCompletion(script, name string) string {
	call := "    _get_comp_words_by_ref \"$@\" cur prev words cword\n"
	fallback := `    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
` + "    " + call + `        return
    fi
    # Without it: COMP_WORDS up to the cursor, a word bash split at = or :
    # (COMP_WORDBREAKS) joined again where no blank stood in the line
    # (--output=wav:FILE is one word), as the package's -n =: does.
    local line=${COMP_LINE:0:COMP_POINT} i w glued
    words=()
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        glued=1
        [[ $line == [[:blank:]]* ]] && glued=
        line=${line#"${line%%[![:blank:]]*}"}
        if ((i == COMP_CWORD)); then
            w=$line
        else
            line=${line#"$w"}
        fi
        if ((${#words[@]} > 1)) && [[ $glued && ($w =~ ^[=:]+$ || ${words[${#words[@]}-1]} == *[=:]) ]]; then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
    done
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
    prev=${words[cword-1]-}
`
	return strings.Replace(script, "__"+name+"_init_completion()\n{\n    COMPREPLY=()\n"+call,
		"__"+name+"_init_completion()\n{\n    COMPREPLY=()\n"+fallback, 1)
}

// idsAnnotation names the kinds of ID a command's arguments take, one word
// per argument; a word lists kinds by comma, and a last word idsRepeat
// makes the one before it repeat: "playlist album,artist ..." is a
// playlist, then albums or artists; "-" is an argument with nothing to
// complete (a name, a position). An argument past the words (without
// idsRepeat) completes to nothing: the command takes no more.
const idsAnnotation = "segue/ids"

// idsRepeat ends an idsAnnotation whose last kind repeats (TARGET...).
const idsRepeat = "..."

// ID kinds a command can complete: from the origin's documents (through the
// cache, so they work offline for what was browsed) or the offline list.
const (
	idPlaylist = "playlist"
	idAlbum    = "album"
	idArtist   = "artist"
	idPinned   = "pinned"
)

// targetKinds are the kinds a target to play names (segue play, ctl open,
// ctl queue add): tracks have no listing to complete from. targetIDs is
// them as one annotation word (one argument: add idsRepeat for several).
var (
	targetKinds = []string{idAlbum, idArtist, idPlaylist}
	targetIDs   = strings.Join(targetKinds, ",")
)

// ids returns the annotations that make a command complete IDs of kinds.
func ids(kinds ...string) map[string]string {
	return map[string]string{idsAnnotation: strings.Join(kinds, " ")}
}

// plainUsages drops from the usage of every flag of c's tree the
// backquotes that name its value in --help ("the cache's cap, a `SIZE`
// such as ..."): a completion shows a flag's usage as its description,
// and cobra takes it as written.
func plainUsages(c *cobra.Command) {
	plain := func(f *pflag.Flag) { _, f.Usage = pflag.UnquoteUsage(f) }
	c.Flags().VisitAll(plain)
	c.PersistentFlags().VisitAll(plain)
	for _, sub := range c.Commands() {
		plainUsages(sub)
	}
}

// completeTimeout bounds how long a completion waits for the origin.
const completeTimeout = 3 * time.Second

// complete wires c's shell completion: flags with a fixed set of values
// offer them, and arguments offer the IDs its idsAnnotation names.
func (a *app) complete(c *cobra.Command) {
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		ch, ok := f.Value.(*choice)
		if !ok {
			a.completeValue(c, f)
			return
		}
		c.RegisterFlagCompletionFunc(f.Name, func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, v := range ch.completions() {
				if file, ok := strings.CutPrefix(toComplete, v); ok && strings.HasSuffix(v, ":") {
					// wav:FILE: the file names, each after wav: (they
					// offered none, and no shell knows to look after the colon)
					return fileCompletions(v, file), cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
				}
			}
			prefixes := true // wav: wants a file name after it, not a space
			for _, v := range ch.completions() {
				if strings.HasPrefix(v, toComplete) {
					out = append(out, v)
					prefixes = prefixes && strings.HasSuffix(v, ":")
				}
			}
			if len(out) > 0 && prefixes {
				return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	})
	kinds := strings.Fields(c.Annotations[idsAnnotation])
	repeat := len(kinds) > 1 && kinds[len(kinds)-1] == idsRepeat
	if repeat {
		kinds = kinds[:len(kinds)-1]
	}
	if len(kinds) == 0 {
		if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 && c.Args != nil && c.Args(c, []string{"x"}) != nil {
			// a command that takes no argument offered file names for one
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		return
	}
	c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		i := len(args)
		if i >= len(kinds) && !repeat { // past the last argument it takes: IDs there were refused, or taken for a name
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		want := strings.Split(kinds[min(i, len(kinds)-1)], ",")
		return a.completeIDs(cmd, want, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// fileCompletions completes typed, the start of a path (~/ for the home
// directory, kept as typed), with the names in its folder that begin with
// what follows its last slash, each after prefix: folders end in "/" to go
// on into them. Hidden names are offered only once typed starts one.
func fileCompletions(prefix, typed string) []string {
	dir, base := "", typed
	if i := strings.LastIndex(typed, "/"); i >= 0 {
		dir, base = typed[:i+1], typed[i+1:]
	}
	entries, err := os.ReadDir(cmp.Or(config.HomePath(dir), "."))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		if e.IsDir() || (e.Type()&os.ModeSymlink != 0 && isDir(filepath.Join(config.HomePath(dir), name))) {
			name += "/"
		}
		out = append(out, prefix+dir+name)
	}
	return out
}

// isDir reports whether path is a folder (a link to one too).
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// completeValue wires the completion of a flag's value that is not one of
// a set (choice): a file name only for a path (pathVar), the IDs --radio
// takes, and nothing for the rest (a URL, an address, a name, a number),
// which offered the folder's file names.
func (a *app) completeValue(c *cobra.Command, f *pflag.Flag) {
	if _, path := f.Value.(*pathValue); path || f.NoOptDefVal != "" { // a file, or a switch that takes no value
		return
	}
	fn := cobra.NoFileCompletions
	if f.Name == "radio" {
		fn = func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return a.completeIDs(cmd, targetKinds, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	c.RegisterFlagCompletionFunc(f.Name, fn)
}

// completeWords completes a command's first argument with the words that
// start what was typed, and nothing after it: never file names (ctl's
// verbs take words, numbers or nothing, and parse their arguments in the
// instance, so cobra cannot tell that they take no file).
func completeWords(words ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, w := range words {
			if len(args) == 0 && strings.HasPrefix(w, toComplete) {
				out = append(out, w)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeIDs lists "ID\tname" for every ID of the kinds that starts with
// toComplete. Whatever cannot be read is left out: a completion never fails.
func (a *app) completeIDs(cmd *cobra.Command, kinds []string, toComplete string) []string {
	if a.load(cmd) != nil {
		return nil
	}
	// a --cache or SEGUE_CACHE naming no cache: complete from the origin
	// alone, making none there
	a.cacheInMemory = a.givenCacheThere("complete from") != nil
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	var out []string
	add := func(id, name string) {
		if strings.HasPrefix(id, toComplete) {
			out = append(out, id+"\t"+cellText(name)) // a stored name may hold a line break or U+202E
		}
	}
	// may says whether IDs starting with prefix can match toComplete.
	may := func(prefix string) bool {
		return strings.HasPrefix(toComplete, prefix) || strings.HasPrefix(prefix, toComplete)
	}
	a.withClient(func(c source) error {
		for _, k := range kinds {
			switch {
			case k == idPlaylist && may(catalog.PrefixPlaylist):
				pls, _ := c.Playlists(ctx)
				for _, p := range pls {
					add(p.ID, p.Name)
				}
			case k == idArtist && may(catalog.PrefixArtist):
				artists, _ := c.Artists(ctx)
				for _, ar := range artists {
					add(ar.ID, ar.Name)
				}
			case k == idAlbum && may(catalog.PrefixAlbum):
				artists, _ := c.Artists(ctx)
				for _, al := range albumsOf(ctx, c, artists) {
					add(al.ID, al.Title+" — "+al.Artist)
				}
			case k == idPinned:
				if l, err := offline.Load(a.cfg.StateDir); err == nil {
					for _, col := range l.Collections {
						add(col.Ref, col.Name)
					}
				}
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// albumsOf reads the albums of artists, a few artists at a time (there is
// no listing of every album; each artist's document is cached).
func albumsOf(ctx context.Context, c source, artists []catalog.Artist) []catalog.Album {
	var (
		mu  sync.Mutex // guards out
		out []catalog.Album
		wg  sync.WaitGroup
		sem = make(chan struct{}, 8)
	)
	for _, ar := range artists {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			full, err := c.Artist(ctx, ar.ID)
			if err != nil {
				return
			}
			mu.Lock()
			out = append(out, full.Albums...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
