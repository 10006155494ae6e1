package player

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDecode320kVsMpg123 decodes the same 30 s 320k MP3 with the
// player's decoder, the mpg123 binary (`mpg123 -q -t`: decode, no output)
// and ffmpeg (`-f null`), alternating within each iteration, and reports both as CPU
// time per second of audio and their ratio (mpg123's CPU over segue's:
// segue's speed as a share of mpg123's; issue 14 asks for at least 0.7).
// CPU time (rusage), not wall time, so a loaded machine skews it less.
func BenchmarkDecode320kVsMpg123(b *testing.B) {
	const seconds = 30
	needFFmpeg(b)
	if _, err := exec.LookPath("mpg123"); err != nil {
		b.Fatal("mpg123 is required: run make deps")
	}
	dir := b.TempDir()
	wav, mp3 := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.mp3")
	makeWAV(b, wav, longPiece(seconds), seconds*44100)
	ffmpeg(b, "-i", wav, "-c:a", "libmp3lame", "-b:a", "320k",
		"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0", mp3)
	var segue, peer, ff time.Duration
	b.ResetTimer()
	for range b.N {
		segue += selfCPU(func() { decodeDiscard(b, mp3) })
		cmd := exec.Command("mpg123", "-q", "-t", mp3)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("mpg123: %v\n%s", err, out)
		}
		peer += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		cmd = exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", mp3, "-f", "null", "-")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		ff += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	audio := float64(b.N * seconds)
	b.ReportMetric(segue.Seconds()*1e3/audio, "segue-cpu-ms/s")
	b.ReportMetric(peer.Seconds()*1e3/audio, "mpg123-cpu-ms/s")
	b.ReportMetric(ff.Seconds()*1e3/audio, "ffmpeg-cpu-ms/s")
	b.ReportMetric(peer.Seconds()/segue.Seconds(), "speed-vs-mpg123")
}

// selfCPU runs f and returns the CPU time the process spent meanwhile.
func selfCPU(f func()) time.Duration {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	f()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	return time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
}

// decodeDiscard decodes a whole file with the player's decoder into one
// reused buffer, as the render loop does.
func decodeDiscard(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := decodeFile(f); err != nil {
		b.Fatal(err)
	}
}

// decodeFile decodes f to the end and closes it.
func decodeFile(f *os.File) error {
	defer f.Close()
	d, err := newPCM(f)
	if err != nil {
		return err
	}
	defer d.close()
	buf := make([][2]float64, chunk)
	for {
		if _, err := d.read(buf); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// BenchmarkDecodeInstructions counts the instructions (valgrind's
// callgrind) the player's decoder and the mpg123 binary (`-t`) execute on
// the same 320k MP3 of 1 s and of 31 s, and reports the difference per
// second of audio, which leaves out each program's start: a figure the
// load of a shared machine does not move. speed-vs-mpg123 is mpg123's
// count over segue's.
func BenchmarkDecodeInstructions(b *testing.B) {
	needFFmpeg(b)
	for _, bin := range []string{"valgrind", "mpg123"} {
		if _, err := exec.LookPath(bin); err != nil {
			b.Fatal(bin + " is required: run make deps")
		}
	}
	dir := b.TempDir()
	wav := filepath.Join(dir, "in.wav")
	makeWAV(b, wav, longPiece(31), 31*44100)
	files := map[int]string{}
	for _, sec := range []int{1, 31} {
		files[sec] = filepath.Join(dir, fmt.Sprintf("%d.mp3", sec))
		ffmpeg(b, "-i", wav, "-t", fmt.Sprint(sec), "-c:a", "libmp3lame", "-b:a", "320k",
			"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0", files[sec])
	}
	// count runs cmd under callgrind and returns its instruction count.
	count := func(env []string, cmd ...string) float64 {
		out := filepath.Join(dir, "callgrind.out")
		c := exec.Command("valgrind", append([]string{"--tool=callgrind", "--callgrind-out-file=" + out}, cmd...)...)
		c.Env = append(os.Environ(), env...)
		if msg, err := c.CombinedOutput(); err != nil {
			b.Fatalf("valgrind %v: %v\n%s", cmd, err, msg)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^summary: (\d+)`).FindSubmatch(data)
		if m == nil {
			b.Fatalf("no summary in callgrind's output for %v", cmd)
		}
		n, _ := strconv.ParseFloat(string(m[1]), 64)
		return n
	}
	perSecond := func(run func(file string) float64) float64 {
		return (run(files[31]) - run(files[1])) / 30
	}
	for range b.N {
		segue := perSecond(func(file string) float64 {
			// Go's preemption signals trip callgrind, and valgrind 3.19
			// cannot decode RDTSCP (runtime.cputicks uses it where CPUID
			// offers it: "unhandled instruction bytes: 0xF 0x1 0xF9" on an
			// AMD EPYC guest); the child decodes file.
			return count([]string{"GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off", childEnv + "=decode", "SEGUE_DECODE_FILE=" + file}, os.Args[0], "-test.run=^$")
		})
		peer := perSecond(func(file string) float64 { return count(nil, "mpg123", "-q", "-t", file) })
		b.ReportMetric(segue/1e6, "segue-Minstr/s")
		b.ReportMetric(peer/1e6, "mpg123-Minstr/s")
		b.ReportMetric(peer/segue, "speed-vs-mpg123")
	}
}
