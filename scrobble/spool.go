// Package scrobble records what the client plays (catalog.PlayEvent) and
// delivers it to the origin: a recorder follows the player's events, a
// spool in the state dir keeps plays while the origin is unreachable, and
// a sender posts them in batches. It sends nothing but the play events.
package scrobble

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"segue/catalog"
	"segue/internal/atomicfile"
	"segue/internal/filelock"
)

// SpoolFile is the spool's name in the state dir.
const SpoolFile = "events.jsonl"

// Spool is an append-only JSON Lines file of plays not yet delivered.
// Delivery is at least once: the origin drops repeated IDs.
type Spool struct {
	path string
	mu   sync.Mutex // guards the file: appends and the rewrite after a delivery
}

// OpenSpool returns the spool in dir (created on the first Append).
func OpenSpool(dir string) *Spool { return &Spool{path: filepath.Join(dir, SpoolFile)} }

// Append adds ev to the end of the spool. Its wait for another process's
// hold on the spool ends with ctx (ctx's error; ev is not kept).
func (s *Spool) Append(ctx context.Context, ev catalog.PlayEvent) error {
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("spool play event: %w", err)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return fmt.Errorf("spool play event: %w", err)
	}
	defer unlock()
	f, err := os.OpenFile(s.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool play event: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	return errors.Join(err, f.Close())
}

// lock takes the spool's lock file. The mutex orders this process's
// appends and rewrites; this orders those of every segue sharing the
// state dir (the interface and a segue play, two plays): a rewrite after a
// delivery dropped a play another process appended after its read. Each
// holds it only for one read or write of the small spool file; the wait
// ends with ctx all the same (ctx's error), for a holder stopped with the
// lock held (Ctrl-Z).
func (s *Spool) lock(ctx context.Context) (unlock func(), err error) {
	return filelock.Lock(ctx, s.path+".lock", nil)
}

// Pending returns up to max spooled events, oldest first. A line that does
// not parse (a torn write at a crash) is dropped with the next Remove.
func (s *Spool) Pending(max int) ([]catalog.PlayEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, _, err := s.read(max)
	return evs, err
}

// read returns up to max events and how many lines (bad ones included)
// they span.
func (s *Spool) read(max int) ([]catalog.PlayEvent, int, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read play event spool: %w", err)
	}
	var evs []catalog.PlayEvent
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for len(evs) < max && sc.Scan() {
		lines++
		var ev catalog.PlayEvent
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Validate() == nil {
			evs = append(evs, ev)
		}
	}
	return evs, lines, nil
}

// Remove drops the first n events (as Pending returned them, with any bad
// lines among them) by rewriting the rest to a new file renamed into place.
// Its wait for another process's hold on the spool ends with ctx (ctx's
// error; the events stay spooled, to be delivered again).
func (s *Spool) Remove(ctx context.Context, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock(ctx)
	if err != nil {
		return fmt.Errorf("rewrite play event spool: %w", err)
	}
	defer unlock()
	_, lines, err := s.read(n)
	if err != nil || lines == 0 {
		return err
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("read play event spool: %w", err)
	}
	for range lines {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			b = nil
			break
		}
		b = b[i+1:]
	}
	if err := atomicfile.Write(s.path, b); err != nil {
		return fmt.Errorf("rewrite play event spool: %w", err)
	}
	return nil
}
