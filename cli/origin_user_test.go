package cli

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin/subsonic"
)

// TestOriginUserCommands: segue origin user add reads the password from
// standard input (not a terminal here), prints the API key once; list
// --json shows the user and no secret; a real "segue origin serve" then
// answers Subsonic's ping for the user's token and its API key; remove of
// an unknown user exits 3, an empty password 2.
func TestOriginUserCommands(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	data := filepath.Join(h.dir, "origin")
	add := h.command("origin", "user", "add", "alice", "--data", data, "--json")
	add.Stdin = strings.NewReader("hunter2 hunter2\n")
	out, err := add.Output()
	if err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	var added struct {
		Name   string
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &added); err != nil || added.Name != "alice" || !strings.HasPrefix(added.APIKey, "sgs_") {
		t.Fatalf("user add --json: %s (%v)", out, err)
	}
	var users []subsonic.User
	listed := h.run("origin", "user", "list", "--json", "--data", data)
	if err := json.Unmarshal([]byte(listed), &users); err != nil || len(users) != 1 || !users[0].HasPassword {
		t.Fatalf("user list --json: %s (%v)", listed, err)
	}
	if strings.Contains(listed, added.APIKey) || strings.Contains(listed, "hunter2") {
		t.Fatal("user list shows a secret")
	}
	empty := h.command("origin", "user", "add", "bob", "--data", data)
	empty.Stdin = strings.NewReader("")
	if err := empty.Run(); processExit(err) != ExitUsage {
		t.Fatalf("user add with no password: %v; want exit %d", err, ExitUsage)
	}
	if err := h.command("origin", "user", "remove", "nobody", "--data", data).Run(); processExit(err) != ExitNotFound {
		t.Fatalf("user remove of an unknown user: %v; want exit %d", err, ExitNotFound)
	}

	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	base := "http://" + servingRE.FindStringSubmatch(log.String())[1]
	sum := md5.Sum([]byte("hunter2 hunter2" + "NaCl"))
	for _, q := range []url.Values{
		{"u": {"alice"}, "t": {hex.EncodeToString(sum[:])}, "s": {"NaCl"}},
		{"apiKey": {added.APIKey}},
	} {
		q.Set("f", "json")
		resp, err := http.Get(base + "/rest/ping.view?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `"status":"ok"`) {
			t.Errorf("ping with %v: %s", q, body)
		}
	}
	h.run("origin", "user", "remove", "alice", "--data", data)
}

// processExit is the exit status of a finished command (0 for no error).
func processExit(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
