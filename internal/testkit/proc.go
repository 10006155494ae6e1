package testkit

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ProcTicks is a process's CPU time in clock ticks of 10 ms (utime+stime,
// all threads) from /proc/PID/stat.
func ProcTicks(t testing.TB, pid int) int {
	t.Helper()
	f := procStat(t, pid, 14, 15) // utime, stime
	return f[0] + f[1]
}

// procStat returns the numeric fields of /proc/PID/stat numbered (from 1,
// as proc(5) numbers them; 3, the state, and on: the command's name before
// it may hold spaces).
func procStat(t testing.TB, pid int, fields ...int) []int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(t, err)
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:])) // fields from 3 (state) on
	out := make([]int, len(fields))
	for i, n := range fields {
		if out[i], err = strconv.Atoi(f[n-3]); err != nil {
			t.Fatalf("parse field %d of /proc/%d/stat: %q", n, pid, b)
		}
	}
	return out
}

// ProcStatus reads a number (kB for sizes) from /proc/PID/status; field
// ends in its colon ("VmRSS:").
func ProcStatus(t testing.TB, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// Settle waits (10 s at most) until a process used no CPU tick for a
// second: what going idle set off (a last GC, the sound server's reply to
// the stream running dry) is over.
func Settle(t testing.TB, pid int) {
	t.Helper()
	last := ProcTicks(t, pid)
	for deadline := time.Now().Add(10 * time.Second); ; {
		time.Sleep(time.Second) // the quiet second is the condition itself
		now := ProcTicks(t, pid)
		if now == last {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d kept using CPU after going idle (%d ticks in the last second)", pid, now-last)
		}
		last = now
	}
}

// IdleTicks counts pid's ticks over window once it has settled; sleeping
// is the measurement, not a wait for a condition.
func IdleTicks(t testing.TB, pid int, window time.Duration) int {
	t.Helper()
	Settle(t, pid)
	t0 := ProcTicks(t, pid)
	time.Sleep(window)
	return ProcTicks(t, pid) - t0
}

// Switches is the context switches one thread made: Voluntary when it
// slept (a wake-up each), Involuntary when the kernel took the core.
type Switches struct{ Voluntary, Involuntary int }

// ThreadSwitches is each thread's switches so far, from
// /proc/PID/task/*/status, keyed by "name tid" (name: the thread's comm,
// as Go's runtime leaves it, or threaded-ml for PulseAudio's client).
func ThreadSwitches(t testing.TB, pid int) map[string]Switches {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	check(t, err)
	n := map[string]Switches{}
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		var name string
		var s Switches
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Name:"); ok {
				name = strings.TrimSpace(v) + " " + filepath.Base(filepath.Dir(f))
			} else if v, ok := strings.CutPrefix(l, "voluntary_ctxt_switches:"); ok {
				s.Voluntary, _ = strconv.Atoi(strings.TrimSpace(v))
			} else if v, ok := strings.CutPrefix(l, "nonvoluntary_ctxt_switches:"); ok {
				s.Involuntary, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		n[name] = s
	}
	return n
}

// ThreadRate is what one thread switched per second of a Window.
type ThreadRate struct {
	Thread                 string // "name tid"
	Voluntary, Involuntary float64
}

// Usage is what a process used over a window (Window.End): CPU ticks,
// switches per second summed over its threads (Wakeups: voluntary), and
// its memory at the end in KiB (VmRSS, RssAnon, RssFile of
// /proc/PID/status).
type Usage struct {
	Window                   time.Duration
	Ticks                    int
	Wakeups, Involuntary     float64
	RSSKiB, AnonKiB, FileKiB int
	Threads                  []ThreadRate // busiest (voluntary) first
}

// CPUPercent is the CPU use in percent of one core (a tick is 10 ms).
func (u Usage) CPUPercent() float64 {
	return float64(u.Ticks) * 10e-3 / u.Window.Seconds() * 100
}

// ByThread lists the threads that switched, busiest first, as
// "name tid: 1.2/s (+0.3 involuntary)".
func (u Usage) ByThread() string {
	var out []string
	for _, r := range u.Threads {
		out = append(out, fmt.Sprintf("%s: %.1f/s (+%.1f involuntary)", r.Thread, r.Voluntary, r.Involuntary))
	}
	return strings.Join(out, ", ")
}

// Window measures one process from Watch until End; several can run at
// once, so that two processes are measured over the same seconds of a
// loaded machine.
type Window struct {
	t        testing.TB
	pid      int
	start    time.Time
	ticks    int
	switches map[string]Switches
}

// Watch starts a window on pid.
func Watch(t testing.TB, pid int) *Window {
	t.Helper()
	return &Window{t: t, pid: pid, start: time.Now(), ticks: ProcTicks(t, pid), switches: ThreadSwitches(t, pid)}
}

// End closes the window and returns what the process used in it (a
// thread that started meanwhile counts from 0).
func (w *Window) End() Usage {
	w.t.Helper()
	u := Usage{Ticks: ProcTicks(w.t, w.pid)}
	after := ThreadSwitches(w.t, w.pid)
	u.Window = time.Since(w.start)
	sec := u.Window.Seconds()
	for k, v := range after {
		r := ThreadRate{Thread: k, Voluntary: float64(v.Voluntary-w.switches[k].Voluntary) / sec,
			Involuntary: float64(v.Involuntary-w.switches[k].Involuntary) / sec}
		u.Wakeups += r.Voluntary
		u.Involuntary += r.Involuntary
		if r.Voluntary > 0 || r.Involuntary > 0 {
			u.Threads = append(u.Threads, r)
		}
	}
	slices.SortFunc(u.Threads, func(a, b ThreadRate) int {
		return cmp.Or(cmp.Compare(b.Voluntary, a.Voluntary), cmp.Compare(a.Thread, b.Thread))
	})
	u.Ticks -= w.ticks
	u.RSSKiB = ProcStatus(w.t, w.pid, "VmRSS:")
	u.AnonKiB = ProcStatus(w.t, w.pid, "RssAnon:")
	u.FileKiB = ProcStatus(w.t, w.pid, "RssFile:")
	return u
}

// Measure is one Window of d on pid, logged with its threads; sleeping is
// the measurement.
func Measure(t testing.TB, pid int, d time.Duration) Usage {
	t.Helper()
	w := Watch(t, pid)
	time.Sleep(d)
	u := w.End()
	t.Logf("process %d over %v: %.1f%% CPU, %.1f wake-ups/s; by thread: %s", pid, d, u.CPUPercent(), u.Wakeups, u.ByThread())
	return u
}

// Median is the middle of l (the mean of the two middle values for an
// even count); l is sorted in place. It is 0 for no values.
func Median(l []float64) float64 {
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	if n := len(l); n%2 == 0 {
		return (l[n/2-1] + l[n/2]) / 2
	}
	return l[len(l)/2]
}

// LoadAvg is /proc/loadavg without its newline: the machine's load
// averages over 1, 5 and 15 minutes, then runnable/total tasks and the
// last pid. Benchmarks log it beside figures a loaded machine moves.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(b))
}

// check fails t on err.
func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ProcMajorFaults is a process's major page faults so far (majflt, a read
// from disk each, all threads) from /proc/PID/stat.
func ProcMajorFaults(t testing.TB, pid int) int {
	t.Helper()
	return procStat(t, pid, 12)[0]
}

// ResidentByMapping sums the resident KiB (Rss) of a process's mappings in
// /proc/PID/smaps by the file they map, the rest under "anon" (heap,
// stacks, anonymous mappings), and lists them largest first in MiB as
// "segue 5.2 (text 3.1, ...), anon 14.1, libc.so.6 1.3, ...": a file's
// name is its base name, its figure split by permissions where it has
// more than one mapping resident.
func ResidentByMapping(t testing.TB, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	check(t, err)
	type sum struct {
		kib    int
		byPerm map[string]int
	}
	sums := map[string]*sum{}
	var cur *sum
	var perms string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			name := "anon"
			if len(f) >= 6 && strings.HasPrefix(f[5], "/") {
				name = filepath.Base(f[5])
			}
			if sums[name] == nil {
				sums[name] = &sum{byPerm: map[string]int{}}
			}
			cur, perms = sums[name], f[1]
			continue
		}
		if len(f) >= 2 && f[0] == "Rss:" && cur != nil {
			n, _ := strconv.Atoi(f[1])
			cur.kib += n
			cur.byPerm[perms] += n
		}
	}
	names := make([]string, 0, len(sums))
	for n, s := range sums {
		if s.kib > 0 {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(sums[b].kib, sums[a].kib), cmp.Compare(a, b)) })
	out := make([]string, 0, len(names))
	for _, n := range names {
		s := fmt.Sprintf("%s %.2f", n, float64(sums[n].kib)/1024)
		if parts := len(sums[n].byPerm); parts > 1 && n != "anon" {
			var ps []string
			for p, kib := range sums[n].byPerm {
				if kib > 0 {
					ps = append(ps, fmt.Sprintf("%s %.2f", p, float64(kib)/1024))
				}
			}
			slices.Sort(ps)
			s += " (" + strings.Join(ps, ", ") + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
