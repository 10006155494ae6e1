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
// an unknown user exits 3, an empty password 2; remove says what went
// with the user.
func TestOriginUserCommands(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	data := filepath.Join(h.dir, "origin")
	makeCatalog(t, data) // as origin serve does: user add makes none
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
	q := url.Values{"apiKey": {added.APIKey}, "f": {"json"}, "name": {"Empty"}}
	resp, err := http.Get(base + "/rest/createPlaylist.view?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// the user goes with its playlist, and says so
	out, err = h.command("origin", "user", "remove", "alice", "--data", data).CombinedOutput()
	if want := "user alice removed, with 1 playlist, 0 plays, 0 stars and 0 ratings\n"; err != nil || string(out) != want {
		t.Errorf("user remove: %q (%v), want %q", out, err, want)
	}
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

// TestOriginUserRefusesBeforeThePassword: user add refuses a bad name or a
// name taken (both exit 2; a taken one was 1) before it reads (on a
// terminal, prompts twice for) a password, saying what to do; user remove
// of a bad name is a bad argument (2), as add's is. They asked for the password first ("no password on standard
// input" for both with nothing piped), and remove ” said "remove user :
// no such user" (exit 3).
func TestOriginUserRefusesBeforeThePassword(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	data := filepath.Join(h.dir, "origin")
	makeCatalog(t, data) // user add makes none
	add := h.command("origin", "user", "add", "alice", "--data", data)
	add.Stdin = strings.NewReader("pw\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add alice: %v %s", err, out)
	}
	for _, c := range []struct {
		args      []string
		code      int
		says, out string
	}{
		// it named no --data: the remove it said went to the default catalog
		// a name taken is a bad argument (2), as a bad name is; it was 1
		{[]string{"add", "alice"}, ExitUsage, "add user alice: user already exists (remove it first with segue origin user remove alice --data " + data + ", or choose another name)", ""},
		{[]string{"add", "alice", "--json"}, ExitUsage, "add user alice: user already exists", `{"error":"add user alice: user already exists`},
		// another case is the same name (one ID), and the remove it
		// suggests is of the user there is: it said "user remove Alice",
		// which said "no such user"
		{[]string{"add", "Alice"}, ExitUsage, "add user Alice: user already exists as alice (names that differ only in case are one user; remove it first with segue origin user remove alice --data " + data + ", or choose another name)", ""},
		{[]string{"add", "a b"}, ExitUsage, `bad user name "a b": want 1 to 64 characters without spaces`, ""},
		{[]string{"remove", ""}, ExitUsage, `bad user name "": want 1 to 64 characters without spaces`, ""},
		{[]string{"remove", "x y", "--json"}, ExitUsage, `bad user name "x y"`, `{"error":"bad user name \"x y\"`},
	} {
		cmd := h.command(append(append([]string{"origin", "user"}, c.args...), "--data", data)...)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut // nothing on stdin: no password given
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != c.code || !strings.HasPrefix(errOut.String(), "segue: "+c.says) || !strings.HasPrefix(out.String(), c.out) {
			t.Errorf("segue origin user %q: exit %d, stderr %q, stdout %q; want exit %d, %q", c.args, code, errOut.String(), out.String(), c.code, c.says)
		}
	}
}

// origin events export --listener takes "a Subsonic user's ID (segue
// origin user list)", as its refusal says, but user list showed name,
// password and date only: the ID was in --json alone. It is a column now,
// and the ID it shows is one export takes.
func TestOriginUserListShowsID(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	data := filepath.Join(h.dir, "origin")
	makeCatalog(t, data) // user add makes none
	h.run("origin", "user", "add", "carol", "--no-password", "--data", data)
	var users []subsonic.User
	if err := json.Unmarshal([]byte(h.run("origin", "user", "list", "--json", "--data", data)), &users); err != nil || len(users) != 1 {
		t.Fatalf("user list --json: %v, %d users", err, len(users))
	}
	text := h.run("origin", "user", "list", "--data", data)
	if !strings.Contains(text, users[0].ID) {
		t.Fatalf("user list does not show the user's ID %s:\n%s", users[0].ID, text)
	}
	if err := h.command("origin", "events", "export", "--listener", users[0].ID, "--data", data).Run(); err != nil {
		t.Errorf("events export --listener with the ID user list shows: %v; want exit 0", err)
	}
}
