package ctl

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestHungInstanceIsToldInSeconds: a segue whose process runs but whose
// socket never answers (hung) held segue ctl status, a status bar's,
// run every few seconds, for 2 minutes (AnswerWait was 2 minutes for every
// command, watch had no bound at all). Now every command gives up after
// AnswerWait, saying the process and socket that do not answer and what to
// do; a command that resolves targets (open, queue add, radio), which may
// take the instance a minute, first asks for the status, so a hung
// instance is told in seconds there too, and nothing is sent it.
func TestHungInstanceIsToldInSeconds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	got := testkit.HungSocket(t, path)
	pid := strconv.Itoa(os.Getpid()) // the listener's process: this one
	for _, r := range []Request{
		{Cmd: "status"},
		{Cmd: "pause"},
		{Cmd: "queue", Args: []string{"add", "t0123456789abcdef"}},
		{Cmd: "open", Args: []string{"al0123456789abcdef"}},
		{Cmd: "radio", Args: []string{"t0123456789abcdef"}},
		{Cmd: "watch"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		start := time.Now()
		var err error
		if r.Cmd == "watch" {
			err = Watch(ctx, path, discard{})
		} else {
			_, err = Do(ctx, path, r)
		}
		took := time.Since(start)
		cancel()
		if took > AnswerWait+5*time.Second || !errors.Is(err, ErrNotAnswering) ||
			!strings.Contains(err.Error(), "process "+pid) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "kill "+pid) {
			t.Errorf("%s %v to a hung segue: %v after %v; want ErrNotAnswering within %v naming process %s, %s and kill %s",
				r.Cmd, r.Args, err, took.Round(time.Millisecond), AnswerWait, pid, path, pid)
		}
	}
	// the commands that resolve sent only the status they asked first
	for _, line := range got() {
		var r Request
		if json.Unmarshal([]byte(line), &r) == nil && (r.Cmd == "queue" || r.Cmd == "open" || r.Cmd == "radio") {
			t.Errorf("%s was sent to a segue that did not answer status", line)
		}
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// TestSlowCommandHasItsAllowance: a healthy segue resolving a big
// enqueue from a slow origin answers status at once and queue add later
// than AnswerWait; the add is waited for (up to ResolveWait).
func TestSlowCommandHasItsAllowance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	slow := AnswerWait + 2*time.Second
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, err := bufio.NewReader(c).ReadBytes('\n')
				var r Request
				if err != nil || json.Unmarshal(line, &r) != nil {
					return
				}
				if r.Cmd != "status" {
					time.Sleep(slow)
				}
				json.NewEncoder(c).Encode(Response{Status: &Status{State: "playing", QueueLength: 500}})
			}()
		}
	}()
	start := time.Now()
	resp, err := Do(context.Background(), path, Request{Cmd: "queue", Args: []string{"add", "al0123456789abcdef"}})
	if err != nil || resp.Status == nil || resp.Status.QueueLength != 500 {
		t.Fatalf("queue add answered after %v: %+v, %v; want its answer", time.Since(start).Round(time.Millisecond), resp, err)
	}
}

// TestStartingInstanceIsWaitedFor: an instance holds its socket from
// before it has its queue (segue play --radio asks the origin for the
// first batch; until Serve connections wait in the backlog), so a script's
// `segue play --radio SEED &` then `segue ctl queue list` comes before it
// answers. Such a one is waited for (StartWait), not told hung after
// AnswerWait.
func TestStartingInstanceIsWaitedFor(t *testing.T) {
	s, path, p := listenedPlayer(t)
	type result struct {
		err  error
		took time.Duration
	}
	done := make(chan result, 2)
	for _, r := range []Request{{Cmd: "status"}, {Cmd: "watch"}} {
		go func() {
			start := time.Now()
			var err error
			if r.Cmd == "watch" {
				ctx, cancel := context.WithCancel(context.Background())
				w := lineThenCancel{cancel}
				err = Watch(ctx, path, &w)
			} else {
				_, err = Do(context.Background(), path, r)
			}
			done <- result{err, time.Since(start)}
		}()
	}
	time.Sleep(AnswerWait + 2*time.Second) // starting: the radio's first batch, a slow origin
	s.Serve(Options{Player: p})
	for range 2 {
		if r := <-done; r.err != nil {
			t.Errorf("a command to a segue that started answering after %v: %v after %v; want it waited for", AnswerWait+2*time.Second, r.err, r.took.Round(time.Millisecond))
		}
	}
	// once serving, it is no longer starting
	if isStarting(path) {
		t.Error("the socket's lock file still says starting once Serve answers")
	}
}

// lineThenCancel cancels a Watch at its first event.
type lineThenCancel struct{ cancel context.CancelFunc }

func (l *lineThenCancel) Write(b []byte) (int, error) { l.cancel(); return len(b), nil }
