package player

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLimitProcs: one processor, unless the GOMAXPROCS variable chose.
func TestLimitProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "")
	LimitProcs()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS after LimitProcs = %d, want 1", n)
	}
	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "2")
	LimitProcs()
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Errorf("GOMAXPROCS after LimitProcs with GOMAXPROCS=2 set = %d, want 2 (the user's choice)", n)
	}
}

// TestTimerSlack: a process that may play has TimerSlack on every thread
// from its start; a server (the subcommand "origin", or "demo --no-tui")
// has the kernel's default, even when its parent had the longer slack; a
// flag's value "origin" or "demo" is no subcommand.
func TestTimerSlack(t *testing.T) {
	if os.Getenv("SEGUE_TEST_SLACK_CHILD") != "" {
		fmt.Println(threadSlacks(t))
		return
	}
	if got := threadSlacks(t); got != fmt.Sprint(TimerSlack.Nanoseconds()) {
		t.Errorf("timer slack of this test process's threads = %s ns, want %d", got, TimerSlack.Nanoseconds())
	}
	for _, c := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"play", "--search", "x"}, TimerSlack},
		{[]string{"play", "--search", "origin"}, TimerSlack}, // a flag's value
		{[]string{"--search=x", "origin"}, serverTimerSlack},
		{[]string{"origin", "serve"}, serverTimerSlack},
		{[]string{"--data", "/x", "origin", "ingest"}, serverTimerSlack},
		{[]string{"demo"}, TimerSlack}, // the demo's interface plays
		{[]string{"demo", "--no-tui"}, serverTimerSlack},
		{[]string{"--origin", "demo", "play"}, TimerSlack},
	} {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestTimerSlack$", "--"}, c.args...)...)
		cmd.Env = append(os.Environ(), "SEGUE_TEST_SLACK_CHILD=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child %v: %v", c.args, err)
		}
		if got, _, _ := strings.Cut(string(out), "\n"); got != fmt.Sprint(c.want.Nanoseconds()) {
			t.Errorf("timer slack of a process given %q = %s ns, want %d", c.args, got, c.want.Nanoseconds())
		}
	}
}

// threadSlacks returns the timer slack (ns) that every thread of this
// process has, or a list of the values found if they differ.
func threadSlacks(t *testing.T) string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// PR_GET_TIMERSLACK answers for the calling thread only; the thread this
	// goroutine runs on is one of Go's, created after the constructor ran.
	slack, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, 30 /* PR_GET_TIMERSLACK */, 0, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
	main, err := os.ReadFile("/proc/self/timerslack_ns") // the main thread's
	if err != nil {
		t.Fatal(err)
	}
	if m := strings.TrimSpace(string(main)); m != fmt.Sprint(slack) {
		return fmt.Sprintf("main thread %s, this thread %d", m, slack)
	}
	return fmt.Sprint(slack)
}
