package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"segue/origin"
	"segue/origin/origintest"
)

// TestLinkWithAPortNoOriginHas: a share link or an API URL whose port is
// outside 1-65535 (99999, 0) was taken, and the command then said the
// origin "is unreachable (is it running? check the link)", exit 1, though
// nothing was asked of any origin: the link was at fault. It is now exit
// 2 naming the port and what a port is, with the configured origin up.
func TestLinkWithAPortNoOriginHas(t *testing.T) {
	srv, err := origin.New(origin.ServerOptions{DataDir: newEmptyOrigin(t)})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := origintest.Serve(t, srv)
	env := clientEnv(t, base)
	const token = "AAAAAAAAAAAAAAAAAAAAAA"
	for _, c := range []struct {
		args []string
		port string
		json bool
	}{
		{[]string{"playlist", "show", "http://127.0.0.1:99999/p/" + token}, "99999", true},
		{[]string{"playlist", "import", "http://127.0.0.1:0/p/" + token}, "0", true},
		{[]string{"play", "--output", "null", "http://127.0.0.1:99999/p/" + token}, "99999", false},
		{[]string{"play", "--output", "null", "http://127.0.0.1:70000/api/v1/tracks/t0000000000000000"}, "70000", false},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append(slices.Clone(env), c.args...)
			out, errOut, code := segue(t, args...)
			msg, ok := strings.CutPrefix(strings.TrimSuffix(errOut, "\n"), "segue: ")
			if code != ExitUsage || !ok || strings.Contains(msg, "\n") {
				t.Errorf("exit %d, stderr %q; want 2 and one line \"segue: ...\"", code, errOut)
			}
			if want := "port " + c.port + ": want a port from 1 to 65535"; !strings.Contains(msg, want) || strings.Contains(msg, "unreachable") {
				t.Errorf("says %q; want %q", msg, want)
			}
			if strings.TrimSpace(out) != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !c.json {
				return
			}
			out, _, code = segue(t, append(args, "--json")...)
			var got struct{ Error string }
			if json.Unmarshal([]byte(out), &got); code != ExitUsage || got.Error != msg {
				t.Errorf("--json: exit %d, %q; want 2 and {\"error\": %q}", code, out, msg)
			}
		})
	}
}
