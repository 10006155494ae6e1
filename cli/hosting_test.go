package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestClientBuildLeavesTheOriginOut: the client build (segue_client) links
// none of the origin's code and none of the libraries only it uses, which
// the whole build does.
func TestClientBuildLeavesTheOriginOut(t *testing.T) {
	hostingOnly := []string{"segue/origin", "segue/demo", "github.com/jackc/pgx", "github.com/aws/", "github.com/valyala/fasthttp", "github.com/molecule-man/go-brrr"}
	deps := func(tags string) string {
		out, err := exec.Command("go", "list", "-deps", "-tags", tags, "segue").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %s: %v\n%s", tags, err, out)
		}
		return string(out)
	}
	client, whole := deps("sqlite_fts5,segue_client"), deps("sqlite_fts5")
	for _, p := range hostingOnly {
		if strings.Contains(client, "\n"+p) {
			t.Errorf("the client build links %s", p)
		}
		if !strings.Contains(whole, "\n"+p) {
			t.Errorf("the whole build does not link %s: this test's list is out of date", p)
		}
	}
}

// TestClientRunsTheOrigin: the client binary (as make build makes it) runs
// segue origin and segue demo as segue-origin, with its statuses and
// words, and says what to install when segue-origin is missing.
func TestClientRunsTheOrigin(t *testing.T) {
	bin := segueBinary(t)
	env := append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	run := func(bin string, env []string, args ...string) (string, string, int) {
		return runBinary(t, bin, env, args...)
	}
	missing := filepath.Join(t.TempDir(), "none")
	for _, c := range []struct {
		args []string
		out  string
		says string
		code int
	}{
		{[]string{"origin", "serve", "--addr", "nonsense"}, "", `segue: --addr: address "nonsense"`, ExitUsage},
		{[]string{"--config", filepath.Join(missing, "c.toml"), "origin", "token", "list"}, "", "check the path given to --config", ExitUsage},
		{[]string{"origin", "token", "list", "--json", "--data", missing}, `{"error":"--data: no origin in`, "no origin in " + missing, ExitNotFound},
		{[]string{"origin", "--help"}, "segue origin ingest ~/Music", "", ExitOK},
		// the client's flags, before or after the command words, reach segue-origin, which refuses them
		{[]string{"--cache", missing, "origin", "token", "list", "--json", "--data", missing}, `{"error":"--cache is a client setting; origin token list does not read it"}`, "segue: --cache is a client setting", ExitUsage},
		{[]string{"origin", "serve", "--origin", "http://127.0.0.1:9"}, "", "segue: --origin is a client setting; origin serve does not read it\n", ExitUsage},
		{[]string{"demo", "--addr", "127.0.0.1:0"}, "", "the interface needs a terminal", ExitUsage},
	} {
		out, errOut, code := run(bin, env, c.args...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.says) {
			t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.out, c.says)
		}
	}
	alone := filepath.Join(t.TempDir(), "segue")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	noPath := append(env, "PATH="+filepath.Dir(alone))
	if out, errOut, code := run(alone, noPath, "origin", "serve"); code != ExitError || out != "" || !strings.Contains(errOut, "segue origin: it runs segue-origin, which is neither beside "+alone+" nor in PATH: make install installs both") {
		t.Errorf("segue origin serve without segue-origin: exit %d, stdout %q, stderr %q; want exit 1 saying what to install", code, out, errOut)
	}
	if _, _, code := run(alone, noPath, "search", "--help"); code != ExitOK {
		t.Errorf("segue search --help without segue-origin: exit %d, want 0 (only hosting needs it)", code)
	}
}

// TestClientHostingHelpAndFailures: the client build answers help on and
// completion of segue origin and segue demo as segue-origin does, and when
// segue-origin cannot run, says so in one sentence naming it, as JSON too
// with --json. `segue help origin serve` said there was no such topic
// (exit 2), `segue help origin` showed a help without the subcommands,
// completion offered nothing after `segue origin`; `origin token list
// --json` without segue-origin printed nothing on stdout; a folder named
// segue-origin beside segue hid the one in PATH ("segue: permission
// denied"), and a segue-origin that is no program said "segue: exec format
// error", naming neither the file nor what to do.
func TestClientHostingHelpAndFailures(t *testing.T) {
	bin := segueBinary(t)
	env := append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	run := func(bin string, env []string, args ...string) (string, string, int) {
		return runBinary(t, bin, env, args...)
	}
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		out  string
	}{
		{[]string{"help", "origin"}, "segue origin ingest ~/Music"},
		{[]string{"help", "origin", "serve"}, "Serve the origin's data dir"},
		{[]string{"--config", cfg, "help", "demo"}, "segue demo [flags]"},
		{[]string{"__complete", "origin", ""}, "ingest\t"},
		{[]string{"__complete", "origin", "serve", "--tls-"}, "--tls-self-signed"},
		{[]string{"__complete", "or"}, "origin\t"},
	} {
		out, errOut, code := run(bin, env, c.args...)
		if code != ExitOK || !strings.Contains(out, c.out) {
			t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want exit 0, stdout with %q", strings.Join(c.args, " "), code, out, errOut, c.out)
		}
	}

	dir := t.TempDir()
	alone := filepath.Join(dir, "segue")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	noPath := append(slices.Clone(env), "PATH="+filepath.Join(dir, "none"))
	missing := "it runs segue-origin, which is neither beside " + alone + " nor in PATH: make install installs both"
	for _, c := range []struct {
		args      []string
		out, says string
	}{
		{[]string{"origin", "token", "list", "--json"}, `{"error":"segue origin: ` + missing + `"}` + "\n", "segue: segue origin: " + missing + "\n"},
		{[]string{"demo", "--no-tui", "--json"}, `{"error":"segue demo: ` + missing + `"}` + "\n", "segue: segue demo: " + missing + "\n"},
		{[]string{"help", "origin", "serve"}, "", "segue: segue help origin: " + missing + "\n"},
		{[]string{"__complete", "origin", ""}, ":0\n", ""},
	} {
		out, errOut, code := run(alone, noPath, c.args...)
		want := ExitError
		if c.args[0] == "__complete" {
			want, errOut, _ = ExitOK, "", 0 // cobra's debug line; no candidates
		}
		if code != want || out != c.out || errOut != c.says {
			t.Errorf("segue %s without segue-origin: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q", strings.Join(c.args, " "), code, out, errOut, want, c.out, c.says)
		}
	}

	// a folder named segue-origin beside segue is passed over for the one in PATH
	if err := os.Mkdir(filepath.Join(dir, HostingBinary), 0o755); err != nil {
		t.Fatal(err)
	}
	withPath := append(slices.Clone(env), "PATH="+filepath.Dir(bin))
	if out, errOut, code := run(alone, withPath, "origin", "--help"); code != ExitOK || !strings.Contains(out, "segue origin ingest ~/Music") {
		t.Errorf("segue origin --help with a folder named segue-origin beside: exit %d, stdout %q, stderr %q; want segue-origin from PATH to answer", code, out, errOut)
	}
	// a segue-origin that is no program is named, with what to do
	if err := os.Remove(filepath.Join(dir, HostingBinary)); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, HostingBinary)
	if err := os.WriteFile(broken, []byte("not a program\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(alone, noPath, "origin", "serve", "--json")
	says := "segue origin: it runs " + broken + ", which failed to start: exec format error (install segue and segue-origin again with make install)"
	if code != ExitError || errOut != "segue: "+says+"\n" || out != `{"error":"`+says+`"}`+"\n" {
		t.Errorf("segue origin serve with a broken segue-origin: exit %d, stdout %q, stderr %q; want exit 1 saying %q", code, out, errOut, says)
	}
	// the client installed as segue-origin too ran itself without end (a hang)
	if err := os.WriteFile(broken, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"origin", "token", "list"}, {"help", "origin"}, {"demo", "--no-tui"}} {
		cmd := exec.Command(alone, args...)
		cmd.Env = noPath
		out, errOut, code, ok := runCapped(t, cmd, time.Minute)
		if !ok {
			t.Errorf("segue %s with the client as segue-origin: still running after a minute", strings.Join(args, " "))
			continue
		}
		says := broken + " is the client build, segue, under that name (a copy or a link), which has no origin in it: make install installs the real segue-origin beside segue\n"
		if code != ExitError || !strings.HasSuffix(errOut, says) || out != "" {
			t.Errorf("segue %s with the client as segue-origin: exit %d, stdout %q, stderr %q; want exit 1 saying %q", strings.Join(args, " "), code, out, errOut, says)
		}
	}
}

// runBinary runs bin with args in env and returns its stdout, stderr and
// exit status.
func runBinary(t *testing.T, bin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Env = &o, &e, env
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestClientSuggestsTheOriginsCommands: the client build, whose origin
// command runs segue-origin and has no commands of its own, names origin's
// command for one given without its group ("segue ingest ~/Music", what a
// new host types), as the whole build does; it said only "unknown command".
func TestClientSuggestsTheOriginsCommands(t *testing.T) {
	bin := segueBinary(t)
	env := append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "/music"}, `segue: unknown command "ingest" for "segue" (did you mean origin ingest? see segue --help)` + "\n"},
		{[]string{"serve"}, `segue: unknown command "serve" for "segue" (did you mean origin serve or peer serve? see segue --help)` + "\n"},
		{[]string{"help", "token"}, `segue: no help topic "token" (did you mean origin token? see segue --help)` + "\n"},
	} {
		out, errOut, code := runBinary(t, bin, env, c.args...)
		if code != ExitUsage || out != "" || errOut != c.want {
			t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
}
