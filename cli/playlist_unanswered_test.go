package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A playlist change an origin took and never answered says, once segue
// stops waiting (15 s), that it may have been made and where to look: the
// commands that show it, as README says. It said "look before making it
// again" and named none.
func TestUnansweredChangeSaysWhereToLook(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost { // took the change, answers never
			<-release
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	defer close(release)
	const want = "it may have been made: look (segue playlist show ID, or segue playlist list for one being made) before making it again"
	env := clientEnv(t, srv.URL)
	for _, extra := range [][]string{nil, {"--json"}} {
		stdout, stderr, code := segue(t, append(append(env, "playlist", "create", "Mix"), extra...)...)
		said := stderr
		if extra != nil {
			said = stdout
		}
		if code != ExitError || !strings.Contains(said, want) {
			t.Errorf("playlist create %v against an origin that took it and never answered: exit %d, stdout %q, stderr %q; want exit %d saying %q",
				extra, code, stdout, stderr, ExitError, want)
		}
	}
}
