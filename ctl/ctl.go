// Package ctl is the control socket of a running segue: the server the
// interface and `segue play` run, and the client `segue ctl` uses. It drives
// the player only through the player's own control methods (player/control.go),
// the ones the interface uses, so a script and the interface never disagree.
// It resolves no targets itself (its Options.Resolve does) and draws nothing.
//
// The wire is one JSON object per line over a unix socket: a Request, then a
// Response; `watch` answers with one Event per line until the client hangs up,
// or until the server closes, which it ends with an Event named Quit.
package ctl

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"segue/catalog"
	"segue/player"
)

// Errors a command can end with; cli/exit.go turns them into exit statuses.
var (
	// ErrNoInstance: no segue is running on the socket (exit status 1).
	ErrNoInstance = errors.New("no segue is running")
	// ErrBadRequest: a malformed command or argument (exit status 2).
	ErrBadRequest = errors.New("bad control command")
	// ErrNotFound: a target or queue position that does not exist (exit status 3).
	ErrNotFound = errors.New("not found")
	// ErrRunning: another instance already serves the socket.
	ErrRunning = errors.New("segue is already running")
)

// NotFound marks err as a missing target: errors.Is(NotFound(err),
// ErrNotFound) holds and its text stays err's.
func NotFound(err error) error { return kindError{err, ErrNotFound} }

// BadRequest marks err as a malformed argument, as NotFound does.
func BadRequest(err error) error { return kindError{err, ErrBadRequest} }

type kindError struct {
	error
	kind error
}

func (e kindError) Unwrap() []error { return []error{e.error, e.kind} }

// SocketPath is where an instance listens: DIR/segue/ctl.sock for the
// default instance, DIR/segue/ctl-NAME.sock for a named one, where DIR is
// $XDG_RUNTIME_DIR. NAME may hold letters, digits, '-', '_' and '.'.
func SocketPath(runtimeDir, instance string) (string, error) {
	name := "ctl.sock"
	if instance != "" {
		if err := CheckInstance(instance); err != nil {
			return "", fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
		name = "ctl-" + instance + ".sock"
	}
	return filepath.Join(runtimeDir, "segue", name), nil
}

// CheckInstance says what is wrong with an instance name ("" is the
// default instance): up to 64 letters, digits, '-', '_' and '.', not "."
// or "..". segue play and the interface check it before they start, as
// segue ctl does: a name no socket can have made them play on unreachable.
func CheckInstance(instance string) error {
	if instance != "" && !validInstance(instance) {
		return fmt.Errorf("instance name %q: use up to 64 letters, digits, '-', '_' or '.'", instance)
	}
	return nil
}

func validInstance(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)
		if !ok {
			return false
		}
	}
	return true
}

// RuntimeDir is $XDG_RUNTIME_DIR, else a private directory under the system's
// temporary directory (as the XDG base directory spec allows a fallback).
// A relative $XDG_RUNTIME_DIR is ignored, as the spec says: it would name
// another socket in each folder segue is started from.
func RuntimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return d
	}
	return fallbackRuntimeDir()
}

// fallbackRuntimeDir is RuntimeDir without $XDG_RUNTIME_DIR.
func fallbackRuntimeDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("segue-runtime-%d", os.Getuid()))
}

// Request is one command: Cmd is a verb of the `segue ctl` command line
// ("status", "seek", "queue", ...) and Args its arguments as typed.
type Request struct {
	Cmd  string   `json:"cmd"`
	Args []string `json:"args,omitempty"`
}

// Response answers a Request. Error is one sentence; Kind names its class
// ("bad_request", "not_found", or "" for any other failure).
type Response struct {
	Error  string       `json:"error,omitempty"`
	Kind   string       `json:"kind,omitempty"`
	Status *Status      `json:"status,omitempty"`
	Queue  []QueueEntry `json:"queue,omitempty"`
}

// Track is the part of a track a script needs; DurationMS in milliseconds.
type Track struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Artist     string `json:"artist"`
	Album      string `json:"album"`
	DurationMS int64  `json:"duration_ms"`
}

// Status is `segue ctl status --json`: State is stopped, playing, paused or
// buffering; Track is nil when nothing is current; PositionMS in
// milliseconds; Volume 0-100; Quality the preference (auto, low, normal,
// high); Rendition and Source (cache, peer, origin) those of the last
// segment fetched; QueueIndex counts from 0, -1 when nothing is current;
// QueuePosition is the same entry counted from 1, as queue list and queue
// remove N count, 0 when nothing is current; Shuffle and Repeat (off, all,
// one) the queue's modes; QueueGone counts the queue's tracks found
// removed from the origin's catalog (skipped; queue list marks them).
type Status struct {
	State         string `json:"state"`
	Track         *Track `json:"track"`
	PositionMS    int64  `json:"position_ms"`
	Volume        int    `json:"volume"`
	Shuffle       bool   `json:"shuffle"`
	Repeat        string `json:"repeat"`
	Quality       string `json:"quality"`
	Rendition     string `json:"rendition"`
	Source        string `json:"source"`
	QueueLength   int    `json:"queue_length"`
	QueueIndex    int    `json:"queue_index"`
	QueuePosition int    `json:"queue_position"`
	QueueGone     int    `json:"queue_gone,omitempty"`
}

// QueueEntry is one line of `segue ctl queue list --json`; Index counts from 1
// as `queue remove N` does.
type QueueEntry struct {
	Index   int   `json:"index"`
	Current bool  `json:"current"`
	Track   Track `json:"track"`
	// Radio: a radio queued it (the interface marks it "~")
	Radio bool `json:"radio,omitempty"`
	// Gone: the track was removed from the origin's catalog since it was
	// queued; the player skips it (the interface marks it "✗" and
	// "(gone)", queue list's text "x" and "(gone)")
	Gone bool `json:"gone,omitempty"`
}

// Event is one line of `segue ctl watch --json`. Event is "track" (Track),
// "state" (State), "position" (PositionMS, once a second while playing),
// "volume" (Volume, 0-100, when it changes), "rendition" (Rendition) or
// "error" (Message, Fatal; Gone when the track was removed from the
// origin's catalog and skipped).
//
// Quit is the wire's last line when the instance ends as it should; Watch
// does not pass it on.
type Event struct {
	Event      string `json:"event"`
	Track      *Track `json:"track,omitempty"`
	State      string `json:"state,omitempty"`
	PositionMS *int64 `json:"position_ms,omitempty"`
	Volume     *int   `json:"volume,omitempty"`
	Rendition  string `json:"rendition,omitempty"`
	Message    string `json:"message,omitempty"`
	Fatal      bool   `json:"fatal,omitempty"`
	Gone       bool   `json:"gone,omitempty"`
}

// Quit is the Event the server sends a watcher last when it closes (the
// instance quits as it should: q in the interface, segue play done); a watch
// that ends without it lost its instance (killed, crashed).
const Quit = "quit"

func trackOf(t catalog.Track) *Track {
	return &Track{ID: t.ID, Title: t.Title, Artist: t.Artist, Album: t.Album, DurationMS: t.DurationMS}
}

// Seek is a parsed seek argument: To when absolute, By when relative.
type Seek struct {
	Relative bool
	D        time.Duration
	// Beyond is the argument (without its sign) when it was over
	// MaxSeek, which D then is: a position no track has (seek
	// 99999999999999999999 was refused as malformed, exit 2, where seek
	// 999999 is past the end, exit 3), or a move that stops at an end.
	Beyond string
}

// MaxSeek is the longest seek ParseSeek gives (11.6 days, past any track's
// end), so that a longer one does not overflow a time.Duration.
const MaxSeek = 1e6 * time.Second

// ParseSeek reads [+-]SECONDS (fractions allowed) or [+-]MM:SS (or
// H:MM:SS); a sign makes it relative to the play head.
func ParseSeek(s string) (Seek, error) {
	bad := fmt.Errorf("%w: seek %q: want [+-]SECONDS or [+-]MM:SS, e.g. 90, +10, -5, 1:30", ErrBadRequest, s)
	var sk Seek
	neg := false
	switch {
	case strings.HasPrefix(s, "+"):
		sk.Relative, s = true, s[1:]
	case strings.HasPrefix(s, "-"):
		sk.Relative, neg, s = true, true, s[1:]
	}
	if s == "" {
		return Seek{}, bad
	}
	var secs float64
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return Seek{}, bad
	}
	for i, part := range parts {
		whole, _, _ := strings.Cut(part, ".")
		if !digits(part, i == len(parts)-1) || (i > 0 && len(whole) != 2) {
			return Seek{}, bad
		}
		v, err := strconv.ParseFloat(part, 64)
		if err != nil || (i > 0 && v >= 60) {
			return Seek{}, bad
		}
		secs = secs*60 + v
	}
	if secs > MaxSeek.Seconds() {
		sk.D, sk.Beyond = MaxSeek, s
	} else {
		sk.D = time.Duration(secs * float64(time.Second))
	}
	if neg {
		sk.D = -sk.D
	}
	return sk, nil
}

// digits reports whether s is decimal digits, with one '.' when frac.
func digits(s string, frac bool) bool {
	if s == "" {
		return false
	}
	dot := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && frac && !dot:
			dot = true
		default:
			return false
		}
	}
	return s != "."
}

// Volume is a parsed volume argument: an absolute level, or a change when Relative.
type Volume struct {
	Relative bool
	N        int
}

// ParseVolume reads N (0-100) or +N/-N (a change, clamped to 0-100 when
// applied, so any N does: -200 was refused, saying "or +N/-N to change it").
func ParseVolume(s string) (Volume, error) {
	var v Volume
	body := s
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		v.Relative, body = true, s[1:]
	}
	n, err := strconv.Atoi(body)
	if v.Relative && digits(body, false) && (err != nil || n > 100) {
		n, err = 100, nil // beyond any change the clamp lets through
	}
	if err != nil || !digits(body, false) || n > 100 {
		return Volume{}, fmt.Errorf("%w: volume %q: want 0-100, or +N/-N to change it", ErrBadRequest, s)
	}
	if strings.HasPrefix(s, "-") {
		n = -n
	}
	v.N = n
	return v, nil
}

// command is a parsed Request; exactly the fields its verb needs are set.
type command struct {
	verb    string
	sub     string // queue's subcommand
	seek    Seek
	volume  Volume
	quality player.Quality
	shuffle bool
	repeat  player.Repeat
	targets []string
	// n is queue remove's, play's and move's position and to move's new
	// one, from 1 (math.MaxInt for one past any int); at, as given, for
	// the sentence
	n, to int
	at    []string
}

// arity is how many arguments each verb takes: min, max (-1 = any).
var arity = map[string][2]int{
	"status": {0, 0}, "play": {0, 0}, "pause": {0, 0}, "toggle": {0, 0}, "next": {0, 0},
	"prev": {0, 0}, "stop": {0, 0}, "seek": {1, 1}, "volume": {1, 1}, "quality": {1, 1},
	"open": {1, 1}, "radio": {1, 1}, "watch": {0, 0}, "queue": {1, -1}, "shuffle": {1, 1}, "repeat": {1, 1},
}

// argForms says what a verb with arguments takes, for the error when
// they are missing or too many ("volume takes one argument" did not say
// what it was).
var argForms = map[string]string{
	"seek":    "one position: SECONDS or MM:SS, or +/- either to move by it (seek 1:30, seek -10)",
	"volume":  "one level: N from 0 to 100, or +N/-N to change it (volume 80, volume -5)",
	"quality": "one of auto, low, normal or high",
	"open":    "one URL or ID (a share link, a track, album, artist or playlist ID)",
	"radio":   "one track, album, artist or playlist ID to start from",
	"queue":   "list, add TARGET..., next TARGET..., play N, move N TO, remove N or clear",
	"shuffle": "on or off",
	"repeat":  "off, all or one",
}

// parse checks a Request the same way on both ends: the client, to say
// "bad argument" without an instance, and the server, for any other client.
func parse(r Request) (command, error) {
	c := command{verb: r.Cmd}
	ar, ok := arity[r.Cmd]
	if !ok {
		return c, fmt.Errorf("%w: unknown command %q (see segue ctl --help)", ErrBadRequest, r.Cmd)
	}
	if len(r.Args) < ar[0] || (ar[1] >= 0 && len(r.Args) > ar[1]) {
		if ar[1] == 0 {
			return c, fmt.Errorf("%w: %s takes no arguments", ErrBadRequest, r.Cmd)
		}
		return c, fmt.Errorf("%w: %s takes %s", ErrBadRequest, r.Cmd, argForms[r.Cmd])
	}
	var err error
	switch r.Cmd {
	case "seek":
		c.seek, err = ParseSeek(r.Args[0])
	case "volume":
		c.volume, err = ParseVolume(r.Args[0])
	case "quality":
		c.quality, err = player.ParseQuality(r.Args[0])
		if err == nil && r.Args[0] == "" {
			err = errors.New("quality: want auto, low, normal or high")
		}
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	case "shuffle":
		on, off := r.Args[0] == "on", r.Args[0] == "off"
		if c.shuffle = on; !on && !off {
			err = fmt.Errorf("%w: shuffle %q: want on or off", ErrBadRequest, r.Args[0])
		}
	case "repeat":
		var ok bool
		if c.repeat, ok = player.ParseRepeat(r.Args[0]); !ok || r.Args[0] == "" {
			err = fmt.Errorf("%w: repeat %q: want off, all or one", ErrBadRequest, r.Args[0])
		}
	case "open":
		c.targets = r.Args
	case "radio":
		if c.targets = r.Args; !catalog.IsID(r.Args[0]) {
			err = fmt.Errorf("%w: radio: %w", ErrBadRequest, catalog.NotATarget(r.Args[0], false))
		}
	case "queue":
		c.sub = r.Args[0]
		err = parseQueue(&c, r.Args[1:])
	}
	if err == nil {
		err = checkTargets(c.targets)
	}
	return c, err
}

// checkTargets refuses a target that is neither an ID nor a URL, as segue
// play does, before any instance is asked: ctl open zz said "no segue is
// running" (1) with none running and "not ... an ID" (2) with one.
func checkTargets(ts []string) error {
	for _, t := range ts {
		if !catalog.IsID(t) && !strings.Contains(t, "://") {
			return fmt.Errorf("%w: %w", ErrBadRequest, catalog.NotATarget(t, true))
		}
	}
	return nil
}

func parseQueue(c *command, args []string) error {
	switch c.sub {
	case "list", "clear":
		if len(args) > 0 {
			return fmt.Errorf("%w: queue %s takes no arguments", ErrBadRequest, c.sub)
		}
	case "add", "next":
		if len(args) == 0 {
			return fmt.Errorf("%w: queue %s: give at least one TARGET", ErrBadRequest, c.sub)
		}
		c.targets = args
	case "remove", "play":
		if len(args) != 1 {
			return fmt.Errorf("%w: queue %s takes one position N (from 1, as queue list shows)", ErrBadRequest, c.sub)
		}
		return queuePositions(c, args, &c.n)
	case "move":
		if len(args) != 2 {
			return fmt.Errorf("%w: queue move takes two positions, the track's and where it goes: move N TO (from 1, as queue list shows)", ErrBadRequest)
		}
		return queuePositions(c, args, &c.n, &c.to)
	default:
		return fmt.Errorf("%w: unknown queue command %q: want list, add, next, play, move, remove or clear", ErrBadRequest, c.sub)
	}
	return nil
}

// queuePositions reads args into ns, each a queue position from 1, and
// keeps them as given in c.at.
func queuePositions(c *command, args []string, ns ...*int) error {
	for i, a := range args {
		n, err := strconv.Atoi(a)
		if errors.Is(err, strconv.ErrRange) && digits(a, false) {
			// a position no queue has, not a malformed one: said as 9 is
			// (exit 3); it was "want a position from 1" (2)
			n, err = math.MaxInt, nil
		}
		if err != nil || n < 1 || !digits(a, false) {
			return fmt.Errorf("%w: queue %s %q: want a position from 1, as queue list shows", ErrBadRequest, c.sub, a)
		}
		*ns[i] = n
	}
	c.at = args
	return nil
}

// tooLong is the error of a request longer than maxRequest.
var tooLong = fmt.Errorf("%w: the command is longer than the %d KiB one command may be: send its targets in several commands (queue add takes about 50,000 IDs at a time)", ErrBadRequest, maxRequest>>10)

// Check reports whether r is well formed, as the server will read it, and
// no longer than the server reads.
func Check(r Request) error {
	if _, err := parse(r); err != nil {
		return err
	}
	if line, err := json.Marshal(r); err != nil || len(line)+1 > maxRequest {
		return tooLong
	}
	return nil
}
