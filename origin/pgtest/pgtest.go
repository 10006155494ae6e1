// Package pgtest runs a real PostgreSQL server for a test binary: Debian's
// initdb and pg_ctl, a cluster in a temp dir listening on a free loopback
// port, one server per package run (started by the first test that asks,
// stopped by Main) and a fresh database per test; Start gives a test a
// cluster of its own to stop and start again. PostgreSQL refuses to
// run as root, so as root the cluster belongs to the user nobody (setpriv).
// A missing PostgreSQL fails the test with what to run; it never skips.
package pgtest

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"segue/internal/testkit"
)

// superuser is the cluster's superuser; the cluster trusts loopback.
const superuser = "segue"

// Cluster is one running PostgreSQL server: its data in a temp dir, on a
// loopback port that stays its own across Stop and Start.
type Cluster struct {
	dir  string // the cluster's temp dir (data, socket, log)
	bin  string // the PostgreSQL bin dir
	port int
	run  func(name string, args ...string) *exec.Cmd // as the cluster's owner
	n    atomic.Int64
}

// shared is the package run's cluster, started once by Database.
var shared struct {
	once sync.Once
	err  error
	c    *Cluster
}

// Main runs the package's tests and stops the cluster if one started;
// call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.remove(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	return code
}

// BinDir returns Debian's PostgreSQL bin dir (/usr/lib/postgresql/N/bin,
// the newest N), where initdb and pg_ctl live: they are not on PATH.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL in /usr/lib/postgresql/*/bin: run `make deps` (installs Debian's postgresql)")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Database creates a fresh database in the package's cluster (starting it
// on first use) and returns its URL; the database is dropped when t ends.
func Database(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() { shared.c, shared.err = start() })
	if shared.err != nil {
		t.Fatalf("start PostgreSQL: %v", shared.err)
	}
	return shared.c.Database(t)
}

// Start starts a cluster of t's own, for a test that stops and starts
// PostgreSQL under what it tests (the package's cluster serves every
// other test meanwhile); it is removed when t ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := start()
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := c.remove(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// Database creates a fresh database in c and returns its URL; the
// database is dropped when t ends.
func (c *Cluster) Database(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.n.Add(1))
	admin := c.openAdmin(t)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	return c.URL(name)
}

// URL is the URL of database name in c.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, c.port, name)
}

func (c *Cluster) openAdmin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Stop stops c as pg_ctl's fast mode does (the way an administrator
// restarts PostgreSQL): open sessions are ended, clients' connections
// closed. Its port stays reserved for Start.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.pgctl("-m", "fast", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts c again, on the same port, after Stop; it returns once
// PostgreSQL accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
}

func (c *Cluster) pgctl(args ...string) *exec.Cmd {
	return c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", filepath.Join(c.dir, "data")}, args...)...)
}

// start runs the server of c's data dir on c's port.
func (c *Cluster) start() error {
	// Durability is not what these tests measure: fsync off. The search
	// tables of BenchmarkSearch1MPostgres fit in shared_buffers, as
	// docs/scale.md says to size them in production (the memory is taken
	// as it is used).
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB", c.port, c.dir)
	if out, err := c.pgctl("-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "120", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// remove stops c at once and deletes its dir.
func (c *Cluster) remove() error {
	defer os.RemoveAll(c.dir)
	if out, err := c.pgctl("-m", "immediate", "stop").CombinedOutput(); err != nil && !strings.Contains(string(out), "Is server running?") {
		return fmt.Errorf("stop PostgreSQL: %v\n%s", err, out)
	}
	return nil
}

// ownerFile, in a cluster's dir, holds the pid of the test process that
// started it.
const ownerFile = "owner.pid"

// start makes and starts a cluster, after stopping the clusters of test
// processes that died before Main could (a -timeout panic, a kill).
func start() (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	reapOrphans(bin)
	dir, err := os.MkdirTemp("", "segue-pgtest-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	run, err := asOwner(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	initdb := run(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := testkit.FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, port: port, run: run}
	if err := c.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// reapOrphans stops and removes the clusters in the temp dir whose test
// process is gone.
func reapOrphans(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "segue-pgtest-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // being made, or not ours
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid <= 0 || syscall.Kill(pid, 0) == nil || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // its test process still runs
		}
		if run, err := asOwner(dir); err == nil {
			run(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop").Run()
		}
		os.RemoveAll(dir)
	}
}

// asOwner returns how to run the cluster's commands: directly, or as root
// as the user nobody, who is then given dir.
func asOwner(dir string) (func(string, ...string) *exec.Cmd, error) {
	if os.Geteuid() != 0 {
		return exec.Command, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL does not run as root and there is no user nobody: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command("setpriv", append([]string{"--reuid=" + u.Uid, "--regid=" + u.Gid, "--clear-groups", "--", name}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "HOME=") }), "HOME="+dir)
		return cmd
	}, nil
}
