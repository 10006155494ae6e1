package cache

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/sqlite"
)

// The test binary doubles as a second process: with SEGUE_CACHE_HELPER set
// it runs one of the helpers below on SEGUE_CACHE_PATH instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("SEGUE_CACHE_HELPER") {
	case "":
		os.Exit(m.Run())
	case "put-forever":
		os.Exit(helperPutForever(os.Getenv("SEGUE_CACHE_PATH")))
	case "mixed":
		os.Exit(helperMixed(os.Getenv("SEGUE_CACHE_PATH"), 1))
	}
	fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv("SEGUE_CACHE_HELPER"))
	os.Exit(2)
}

// helperPutForever stores segments until it is killed, printing a line
// after each Put so the parent knows it is mid-stream.
func helperPutForever(path string) int {
	c, err := Open(path, Options{MaxBytes: 2 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := uint64(0); ; i++ {
		h, b := segment(1_000_000+i, 32<<10+int(i%7)*1000)
		if err := c.Put(h, b); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i%3 == 0 {
			c.Pin(h) // pins make the totals' pinned column move too
		}
		fmt.Println(i)
	}
}

// mixedOps is how many random operations each process of the two-process
// test runs.
const mixedOps = 5000

// helperMixed runs random Puts, Gets, Pins, Unpins and flushes against a
// small shared cache; any error other than a miss fails it.
func helperMixed(path string, seed uint64) int {
	c, err := Open(path, Options{MaxBytes: 256 << 10, FlushInterval: 20 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for op := range mixedOps {
		h, b := segment(uint64(r.IntN(80)), 4<<10+r.IntN(8<<10))
		switch k := r.IntN(10); {
		case k < 4:
			err = c.Put(h, b)
		case k < 8:
			var got []byte
			got, err = c.Get(h)
			if err == nil && string(got) != string(b) {
				err = fmt.Errorf("Get returned other bytes")
			}
			if errors.Is(err, ErrMiss) {
				err = nil
			}
		case k < 9:
			_, err = c.Stats()
		default:
			err = c.flush()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "op %d: %v\n", op, err)
			return 1
		}
	}
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
		return 1
	}
	return 0
}

func helper(t *testing.T, mode, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SEGUE_CACHE_HELPER="+mode, "SEGUE_CACHE_PATH="+path)
	return cmd
}

// Acceptance 3: kill -9 in the middle of Puts, reopen: no entry whose bytes
// mismatch its hash, totals consistent with the rows.
func TestKillDuringPuts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	for round := range 3 {
		cmd := helper(t, "put-forever", path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr testkit.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it after a varying number of Puts (it is mid-Put most of the time).
		target := 40 + round*37
		sc := bufio.NewScanner(out)
		n := -1
		for n < target && sc.Scan() {
			n, _ = strconv.Atoi(sc.Text())
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		cmd.Wait()
		if n < target {
			t.Fatalf("round %d: helper stopped after %d Puts: %s", round, n, stderr.String())
		}

		// Look at the file before Open can repair anything.
		db, err := sql.Open("sqlite3", sqlite.DSN(path, sqlite.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		checkDB(t, db)
		var bytes int64
		db.QueryRow(`SELECT bytes FROM totals`).Scan(&bytes)
		db.Close()
		if bytes > 2<<20 {
			t.Fatalf("round %d: %d bytes stored over a 2 MiB cap", round, bytes)
		}

		c := openAt(t, path, 2<<20, nil)
		r, err := c.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if r.Bad != 0 || r.Orphans != 0 || r.TotalsFixed {
			t.Fatalf("round %d: verify after kill -9 found %+v", round, r)
		}
		if s, _ := c.Stats(); s.Segments == 0 {
			t.Fatalf("round %d: no segments survived %d committed Puts", round, n)
		}
		c.Close()
	}
}

// Acceptance 4: two processes reading and writing one cache at once.
func TestTwoProcesses(t *testing.T) {
	// Both processes start on a missing file: both race to create it.
	path := filepath.Join(t.TempDir(), "cache.db")
	cmd := helper(t, "mixed", path)
	var stderr testkit.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// This process runs the same workload with another seed meanwhile.
	if code := helperMixed(path, 2); code != 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("parent process failed (see stderr above)")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child process: %v: %s", err, stderr.String())
	}
	c := openAt(t, path, 256<<10, nil)
	defer c.Close()
	checkConsistent(t, c)
	s, _ := c.Stats()
	if s.Bytes > 256<<10 {
		t.Fatalf("%d bytes stored over the 256 KiB cap", s.Bytes)
	}
}
