package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBashCompletionWithoutTheBashCompletionPackage: `source <(segue
// completion bash)` in a bash that has no bash-completion package loaded
// (bash --norc; the package is not installed here) completes on TAB,
// words split by bash at = and : too. Every TAB printed
// "_get_comp_words_by_ref: command not found" and completed nothing.
func TestBashCompletionWithoutTheBashCompletionPackage(t *testing.T) {
	needTools(t, "tmux", "bash")
	bin := segueBinary(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "segue.bash")
	if err := os.WriteFile(script, []byte(segueOK(t, "completion", "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	wavs := filepath.Join(dir, "w")
	if err := os.MkdirAll(wavs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wavs, "take.wav"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("segue-bash-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: dir}
	// a bare bash: no rc files, PATH with segue and the system only; no
	// history file, which bash wrote into dir as kill-server ended it,
	// while the test's cleanup removed dir ("directory not empty", a CI run)
	shell := fmt.Sprintf("env -i PATH=%s:/usr/bin:/bin HOME=%s HISTFILE=/dev/null TERM=xterm LANG=C.UTF-8 PS1='$ ' XDG_CONFIG_HOME=%[2]s/config XDG_CACHE_HOME=%[2]s/cache XDG_STATE_HOME=%[2]s/state bash --norc --noprofile",
		filepath.Dir(bin), dir)
	s.tmux("new-session", "-d", "-s", "t", "-x", "200", "-y", "20", shell)
	t.Cleanup(func() { s.tmux("kill-server") })
	s.waitScreen("the prompt", func(scr string) bool { return strings.HasPrefix(scr, "$") })
	s.keys("type _get_comp_words_by_ref _init_completion >/dev/null 2>&1 || echo no-package", "Enter")
	s.waitText("no-package") // the test means a bash without the package
	s.keys("source "+script, "Enter")
	// what TAB made of the word, and "|" typed after it: a space after a
	// whole word, none after a file name (cobra's NoSpace for wav:FILE)
	for _, c := range []struct{ typed, want string }{
		{"segue ctl rep", "$ segue ctl repeat |"},
		{"segue ctl repeat a", "$ segue ctl repeat all |"},
		{"segue --quality=hi", "$ segue --quality=high |"},                                             // split at =
		{"segue play --output wav:" + wavs + "/t", "$ segue play --output wav:" + wavs + "/take.wav|"}, // split at :
		{"segue completion z", "$ segue completion zsh |"},
	} {
		s.keys("C-l")
		s.waitScreen("a clear screen", func(scr string) bool { return strings.TrimSpace(scr) == "$" })
		s.keys("-l", c.typed)
		s.keys("Tab")
		s.keys("-l", "|")
		scr := s.waitScreenFor(10*time.Second, fmt.Sprintf("%q completed to %q", c.typed, c.want), func(scr string) bool {
			return strings.Contains(scr, c.want) || strings.Contains(scr, "not found")
		})
		if strings.Contains(scr, "not found") {
			t.Errorf("TAB after %q: %s", c.typed, strings.TrimSpace(scr))
		}
		s.keys("C-u")
	}
}

// TestCompletionWithBadSettings: a SEGUE_* variable segue refuses leaves
// the completion of words that need no setting working: `segue __complete
// ctl rep` failed with exit 2 and no candidates, and the shell, which
// hides its stderr, completed nothing at all. The command, once run, is
// where the setting is refused.
func TestCompletionWithBadSettings(t *testing.T) {
	for env, value := range map[string]string{"SEGUE_ORIGIN": "ftp://x", "SEGUE_CACHE_SIZE": "lots"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, value)
			out, errOut, code := segue(t, "__complete", "ctl", "rep")
			if code != ExitOK || !strings.HasPrefix(out, "repeat\t") {
				t.Errorf("__complete ctl rep: exit %d, %q, %q; want repeat", code, out, errOut)
			}
			if _, errOut, code := segue(t, "ctl", "status"); code != ExitUsage || !strings.Contains(errOut, env) {
				t.Errorf("ctl status: exit %d, %q; want 2 naming %s", code, errOut, env)
			}
		})
	}
}
