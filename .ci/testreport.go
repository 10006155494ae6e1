// testreport runs a `go test -json` command and prints what plain `go test`
// prints (a line per package, the output of failed tests and build errors)
// as it arrives; then it lists every skipped test and fails if there was
// one: CI accepts no skipped test (make deps installs what tests need).
//
// Usage: go run .ci/testreport.go go test -json [flags] [packages]
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	if len(os.Args) < 2 || !slices.Contains(os.Args, "-json") {
		fmt.Fprintln(os.Stderr, "usage: go run .ci/testreport.go go test -json [flags] [packages]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
	skipped := report(out)
	err = cmd.Wait()
	if len(skipped) > 0 {
		fmt.Printf("\n%d skipped tests (CI accepts none: make deps installs what they need):\n", len(skipped))
		for _, s := range skipped {
			fmt.Println(s)
		}
	}
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "testreport: tests failed:", err)
		os.Exit(1)
	case len(skipped) > 0:
		os.Exit(1)
	}
}

// report prints r's events as plain go test would and returns the skipped
// tests, each with the reason it gave.
func report(r io.Reader) []string {
	var (
		skipped []string
		pending = map[string][]string{} // output of running tests, by package and name
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // not an event: pass it on
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Print(e.Output)
		case e.Test == "" && e.Action == "output" && e.Output != "PASS\n":
			fmt.Print(e.Output)
		case e.Test == "":
		case e.Action == "output":
			pending[key] = append(pending[key], e.Output)
		case e.Action == "fail":
			for _, line := range pending[key] {
				if !strings.HasPrefix(line, "=== ") {
					fmt.Print(line)
				}
			}
			delete(pending, key)
		case e.Action == "skip":
			why := ""
			for _, line := range pending[key] {
				if l := strings.TrimSpace(line); !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- SKIP") {
					why += " " + l
				}
			}
			skipped = append(skipped, "  "+key+":"+why)
			delete(pending, key)
		case e.Action == "pass":
			delete(pending, key)
		}
	}
	return skipped
}
