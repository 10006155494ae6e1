package abrtest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustParse(t testing.TB, s string) Trace {
	t.Helper()
	tr, err := ParseTrace("test", strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestParseTrace(t *testing.T) {
	tr := mustParse(t, "# comment\n0\t2.0\n\n60 0.15 250\n120\t2\n")
	if len(tr.Steps) != 3 || tr.Duration != 180*time.Second || tr.Steps[1].Kbps != 150 || tr.Steps[1].Latency != 250*time.Millisecond {
		t.Fatalf("parsed %+v, duration %v", tr.Steps, tr.Duration)
	}
	for _, bad := range []string{
		"",                 // no steps
		"1\t2\n",           // does not start at 0
		"0\t2\n0\t3\n",     // time does not increase
		"0\t-1\n",          // negative rate
		"0\tx\n",           // not a number
		"0\t1\t2\t3\n",     // four columns
		"0\t0\n5\t0\n",     // never carries a byte
		"0\tNaN\n",         // not a number
		"0\t2\n1\t1e300\n", // absurd
	} {
		if _, err := ParseTrace("bad", strings.NewReader(bad)); !errors.Is(err, ErrBadTrace) {
			t.Errorf("%q: %v, want ErrBadTrace", bad, err)
		}
	}
}

func TestFinish(t *testing.T) {
	// 1 Mbit/s = 125,000 bytes/s for 10 s, then nothing for 5 s; loops.
	tr := mustParse(t, "0\t1\n10\t0\n15\t1\n")
	if tr.Duration != 20*time.Second {
		t.Fatalf("duration %v, want 20 s", tr.Duration)
	}
	for _, c := range []struct {
		start time.Duration
		bytes float64
		want  time.Duration
	}{
		{0, 125_000, time.Second},
		{9 * time.Second, 250_000, 16 * time.Second},  // 1 s, the outage, 1 s
		{19 * time.Second, 250_000, 21 * time.Second}, // across the loop
		{12 * time.Second, 0, 12 * time.Second},
	} {
		if got := tr.Finish(c.start, c.bytes); (got - c.want).Abs() > time.Millisecond {
			t.Errorf("%v bytes from %v: done at %v, want %v", c.bytes, c.start, got, c.want)
		}
	}
	if got := tr.MinSustained(10 * time.Second); got < 499 || got > 501 {
		t.Errorf("lowest 10 s mean %.1f kbit/s, want 500 (5 s of 1 Mbit/s, 5 s of nothing)", got)
	}
}

func TestOracle(t *testing.T) {
	seg := 2500 * time.Millisecond
	plan := func(n int) Plan {
		p := Plan{Kbps: []int{96, 160, 320}, Segment: seg, Buffer: 20 * time.Second}
		for _, k := range p.Kbps {
			row := make([]int64, n)
			for i := range row {
				row[i] = int64(k) * 125 * 5 / 2
			}
			p.Sizes = append(p.Sizes, row)
		}
		return p
	}
	for _, c := range []struct {
		name   string
		trace  string
		lo, hi float64
	}{
		{"fast: everything at 320 but the first", "0\t2\n", (96 + 39*320) / 40.0, (96 + 39*320) / 40.0},
		{"100 kbit/s: 96, with a little 160 the link can carry", "0\t0.1\n", 96, 100},
		{"90 kbit/s: not even 96 is sustainable", "0\t0.09\n", 0, 0},
		{"30 s of nothing with a 20 s buffer: no plan avoids a stall", "0\t2\n20\t0\n50\t2\n100\t2\n", 0, 0},
	} {
		got, ok := Oracle(mustParse(t, c.trace), plan(40))
		if ok != (c.hi > 0) || got < c.lo-0.01 || got > c.hi+0.01 {
			t.Errorf("%s: %.1f kbit/s ok=%v, want %.1f-%.1f", c.name, got, ok, c.lo, c.hi)
		}
	}
	// 200 kbit/s: 160 is sustainable, and the buffer lets some 320 in.
	got, ok := Oracle(mustParse(t, "0\t0.2\n"), plan(40))
	if !ok || got <= 160 || got > 200 {
		t.Errorf("200 kbit/s: %.1f kbit/s ok=%v, want between 160 and the link's 200", got, ok)
	}
}

// The proxy never delivers faster than the trace: 64 KiB at 512 kbit/s
// take at least 1 s (plus the 200 ms latency of the step). Only the lower
// bound is checked: a loaded machine can only be slower.
func TestProxyPacesTheTrace(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 64<<10)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer origin.Close()
	u, _ := url.Parse(origin.URL)
	p := NewProxy(u, NewLink(mustParse(t, "0\t0.512\t200\n")))
	srv := httptest.NewServer(p)
	defer srv.Close()
	t0 := time.Now()
	resp, err := http.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body %d bytes, err %v", len(got), err)
	}
	if took := time.Since(t0); took < 1200*time.Millisecond {
		t.Errorf("64 KiB at 512 kbit/s with 200 ms latency took %v, want at least 1.2 s", took)
	}
}

// TestLinkReserve: when a chunk's bytes cross the link, on a 1 Mbit/s
// trace where 1 KiB takes 8.192 ms.
func TestLinkReserve(t *testing.T) {
	const kib = 8192 * time.Microsecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, c := range []struct {
		name            string
		next, now, prev time.Duration
		want            time.Duration
	}{
		{"an idle link starts now", 0, ms(100), -1, ms(100) + kib},
		{"within busyGap of the last chunk: follows on", ms(100), ms(110), ms(100), ms(100) + kib},
		{"a new response after busyGap: the link was idle", ms(100), ms(130), -1, ms(130) + kib},
		{"the same response's reader 300 ms late: the sender kept the link busy", ms(100), ms(400), ms(100), ms(100) + kib},
		{"the same response's reader more than readerLate behind: idle meanwhile", ms(100), ms(700), ms(100), ms(700) + kib},
		{"another response's chunk crossed in between: no catching up", ms(100), ms(400), ms(90), ms(400) + kib},
	} {
		l := &Link{trace: mustParse(t, "0\t1.0\n"), next: c.next}
		if got := l.reserve(c.now, c.prev, 1024); got != c.want {
			t.Errorf("%s: crosses at %v, want %v", c.name, got, c.want)
		}
	}
}

// Every trace shipped parses, and the ones called sustainable are.
func TestShippedTraces(t *testing.T) {
	paths, _ := filepath.Glob("../../../testdata/traces/*.txt")
	if len(paths) < 8 {
		t.Fatalf("%d traces in testdata/traces, want 8", len(paths))
	}
	for _, p := range paths {
		tr, err := LoadTrace(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.MinSustained(10 * time.Second); got < 96 && tr.Name != "outage-30s" {
			t.Errorf("%s: lowest 10 s mean %.0f kbit/s is below the lowest rendition", tr.Name, got)
		}
	}
}

func FuzzParseTrace(f *testing.F) {
	for _, p := range []string{"steps.txt", "latency-spike.txt", "norway-train-1.txt"} {
		if b, err := os.ReadFile(filepath.Join("../../../testdata/traces", p)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("0 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseTrace("fuzz", bytes.NewReader(b))
		if err != nil {
			return
		}
		if tr.Duration <= 0 {
			t.Fatalf("duration %v", tr.Duration)
		}
		if end := tr.Finish(0, 1000); end < 0 {
			t.Fatalf("1000 bytes finish at %v", end)
		}
	})
}
