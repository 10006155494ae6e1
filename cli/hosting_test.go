package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
