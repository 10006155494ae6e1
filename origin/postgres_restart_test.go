package origin

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin/pgtest"
)

// TestPostgresRestartUnderReplicas is issue 18's "PostgreSQL restarted,
// the replicas reconnect": two replicas serve one PostgreSQL catalog (a
// cluster of the test's own) with bearer tokens required. While
// PostgreSQL is stopped (pg_ctl stop -m fast, as a restart does), every
// request that needs the catalog, on either replica, is a 503 with
// Retry-After: 5 and the JSON error body, never a 500 or a 401 (a valid
// token that cannot be checked is not a refused one): token auth, search,
// an album, a playlist write, a peer announce and lookup. Once PostgreSQL
// is started again on the same port, the same requests succeed on both
// replicas, neither of which was restarted, and the playlist written
// after the restart is read through the other replica. Searches running
// without a pause on both replicas through it all (some on a connection
// when PostgreSQL goes away) are each answered 200 or 503, and succeed
// again by themselves.
func TestPostgresRestartUnderReplicas(t *testing.T) {
	cluster := pgtest.Start(t)
	w := newWorldIn(newFixtureAt(t, cluster.Database(t)))
	_, secret, err := CreateToken(t.Context(), w.db, "listener")
	if err != nil {
		t.Fatal(err)
	}
	var replicas []*running
	for range 2 {
		replicas = append(replicas, startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, RequireToken: true}, "127.0.0.1:0"))
	}
	type call struct{ method, path, body string }
	calls := []call{
		{"GET", "/api/v1/search?q=formation", ""},
		{"GET", "/api/v1/albums/" + w.lemonade, ""},
		{"POST", "/api/v1/playlists", `{"name":"Through the restart"}`},
		{"POST", "/api/v1/peers/announce", `{"id":"pa","addr":"127.0.0.1:7001","tracks":["` + w.formation + `"]}`},
		{"GET", "/api/v1/peers?track=" + w.formation, ""},
	}
	do := func(r *running, c call) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(c.method, r.base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return testkit.Do(t, nil, req)
	}
	succeed := func(when string) {
		t.Helper()
		for i, r := range replicas {
			for _, c := range calls {
				if resp, body := do(r, c); resp.StatusCode/100 != 2 {
					t.Errorf("%s, replica %d: %s %s: %d %s; want success", when, i+1, c.method, c.path, resp.StatusCode, body)
				}
			}
		}
	}
	succeed("before the restart")

	// Searches run on both replicas without a pause through the restart,
	// so some are on a connection when PostgreSQL goes away: each is
	// answered 200 or 503, never anything else.
	var load struct {
		sync.Mutex
		status map[int]int // answers by status; -1: no answer
	}
	load.status = map[int]int{}
	stopLoad, loadDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(loadDone)
		for i := 0; ; i++ {
			select {
			case <-stopLoad:
				return
			default:
			}
			req, _ := http.NewRequest("GET", replicas[i%2].base+calls[0].path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			status := -1
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			load.Lock()
			load.status[status]++
			load.Unlock()
		}
	}()
	loadSaw := func(status int) int {
		load.Lock()
		defer load.Unlock()
		return load.status[status]
	}

	cluster.Stop(t)
	testkit.Wait(t, 60*time.Second, "a search of the load answered 503 in the outage", func() bool { return loadSaw(http.StatusServiceUnavailable) > 0 })
	for i, r := range replicas {
		for _, c := range calls {
			resp, body := do(r, c)
			var e catalog.ErrorResponse
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" ||
				json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, "catalog database is unreachable") {
				t.Errorf("PostgreSQL stopped, replica %d: %s %s: %d, Retry-After %q, %s; want 503, Retry-After 5, a JSON error saying the catalog is unreachable",
					i+1, c.method, c.path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
		}
	}

	cluster.Start(t)
	okBefore := loadSaw(http.StatusOK)
	succeed("after the restart")
	testkit.Wait(t, 60*time.Second, "the load's searches to succeed again", func() bool { return loadSaw(http.StatusOK) >= okBefore+20 })
	close(stopLoad)
	<-loadDone
	t.Logf("searches through the restart, by status: %v", load.status)
	for status, n := range load.status {
		if status != http.StatusOK && status != http.StatusServiceUnavailable {
			t.Errorf("%d searches through the restart were answered %d; want only 200 and 503", n, status)
		}
	}
	var lists [2][]catalog.Playlist
	for i, r := range replicas {
		resp, body := do(r, call{"GET", "/api/v1/playlists", ""})
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &lists[i]) != nil {
			t.Fatalf("replica %d: GET /api/v1/playlists after the restart: %d %s", i+1, resp.StatusCode, body)
		}
	}
	if len(lists[0]) != 4 || len(lists[1]) != 4 {
		t.Errorf("after the restart the replicas list %d and %d playlists; want the same 4 (2 before, 2 after, none in the outage)",
			len(lists[0]), len(lists[1]))
	}
}

// TestPostgresHangUpUnderABusyPool: PostgreSQL ends the sessions of every
// connection in a replica's pool a moment after each was last handed out
// (on a busy origin, every connection always is): first by
// pg_terminate_backend, then by a restart (pg_ctl stop -m fast, start).
// Once the database is back, every request answers what it answered
// before, byte for byte (search, album, artists, artist, track, manifest,
// cover, playlists, similar, through bearer-token auth), and a playlist
// write succeeds. Before pgConn.ResetSession checked for the hang-up, pgx
// handed such a connection to the next query without its ping (which it
// sends only after a second idle), and each of the first PostgresConns()
// requests answered 503 on the session's FATAL 57P01 with the database up
// (a test client that did not look at the status read the 503's body as
// a search that found nothing: TestScaleOutThroughNginx's "found 0
// albums").
func TestPostgresHangUpUnderABusyPool(t *testing.T) {
	cluster := pgtest.Start(t)
	w := newWorldIn(newFixtureAt(t, cluster.Database(t)))
	_, secret, err := CreateToken(t.Context(), w.db, "listener")
	if err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, RequireToken: true}, "127.0.0.1:0")
	do := func(method, path, body string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return testkit.Do(t, nil, req)
	}
	if resp, body := do("POST", "/api/v1/playlists", `{"name":"Before"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create a playlist: %d %s", resp.StatusCode, body)
	}
	paths := []string{
		"/api/v1/search?q=lemonade",
		"/api/v1/albums/" + w.lemonade,
		"/api/v1/artists",
		"/api/v1/artists/" + w.beyonce,
		"/api/v1/tracks/" + w.formation,
		"/api/v1/tracks/" + w.formation + "/manifest",
		"/api/v1/albums/" + w.lemonade + "/cover",
		"/api/v1/playlists",
		"/api/v1/tracks/" + w.formation + "/similar",
	}
	want := map[string]string{}
	for _, p := range paths {
		resp, body := do("GET", p, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s before: %d %s", p, resp.StatusCode, body)
		}
		want[p] = string(body)
	}
	if !strings.Contains(want[paths[0]], `"title":"Lemonade"`) {
		t.Fatalf("search for lemonade before: %s; want the album", want[paths[0]])
	}

	db := r.srv.db
	dbName := w.catalog[strings.LastIndex(w.catalog, "/")+1 : strings.Index(w.catalog, "?")]
	check := func(when string, used time.Time) {
		t.Helper()
		t.Logf("%s: the first request %v after the pool was last handed out (pgx pings only after 1 s idle)", when, time.Since(used))
		for _, p := range paths {
			if resp, body := do("GET", p, ""); resp.StatusCode != http.StatusOK || string(body) != want[p] {
				t.Errorf("%s: GET %s: %d %.300s; want 200 and the answer before, %.300s", when, p, resp.StatusCode, body, want[p])
			}
		}
		resp, body := do("POST", "/api/v1/playlists", `{"name":"After"}`)
		var made catalog.Playlist
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &made) != nil {
			t.Errorf("%s: create a playlist: %d %s; want 201 and the playlist", when, resp.StatusCode, body)
			return
		}
		if resp, body := do("DELETE", "/api/v1/playlists/"+made.ID, ""); resp.StatusCode/100 != 2 {
			t.Errorf("%s: delete the playlist made: %d %s", when, resp.StatusCode, body)
		}
	}

	used := busyPool(t, db)
	admin, err := sql.Open("pgx", cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ended int
	if err := admin.QueryRow(`SELECT count(*) FROM (SELECT pid FROM pg_stat_activity WHERE datname = $1 OFFSET 0) s
		WHERE pg_terminate_backend(s.pid)`, dbName).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended < PostgresConns() {
		t.Fatalf("ended %d sessions; want the pool's %d at least", ended, PostgresConns())
	}
	testkit.Wait(t, 30*time.Second, "the ended sessions to be gone", func() bool {
		var n int
		return admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, dbName).Scan(&n) == nil && n == 0
	})
	check("sessions ended by pg_terminate_backend", used)

	used = busyPool(t, db)
	cluster.Stop(t)
	cluster.Start(t)
	check("PostgreSQL restarted", used)
}

// busyPool leaves every connection of db's pool (PostgresConns) idle just
// after it was handed out, as on an origin serving many requests at once,
// and returns when.
func busyPool(t *testing.T, db *sql.DB) time.Time {
	t.Helper()
	for range 2 { // the first round may open connections; the second hands each out again
		conns := make([]*sql.Conn, PostgresConns())
		for i := range conns {
			c, err := db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			conns[i] = c
		}
		for _, c := range conns {
			c.Close()
		}
	}
	return time.Now()
}
