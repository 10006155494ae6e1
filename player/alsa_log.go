package player

/*
#cgo pkg-config: alsa
void segue_alsa_errors(void);
*/
import "C"

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// alsaLib is where alsa-lib's messages go. Its error handler
// (snd_lib_error_set_handler) is one per process, so this is too: the
// handler, installed by the first OpenALSA, hands every message to
// segueALSAMessage, which logs it as a record of the open output's log
// (alsa-lib printed "ALSA lib confmisc.c:165:(snd_config_get_card) ..."
// lines of its own, into segue's JSON log or onto the terminal) and keeps
// those of an OpenALSA running, whose error says the first.
var alsaLib struct {
	once sync.Once
	mu   sync.Mutex   // guards the fields below
	log  *slog.Logger // the open output's log; nil: messages are dropped
	// said holds the messages since an OpenALSA began, while collecting.
	said       []string
	collecting bool
}

//export segueALSAMessage
func segueALSAMessage(file *C.char, line C.int, function *C.char, errText *C.char, msg *C.char) {
	text := strings.TrimSpace(C.GoString(msg))
	if e := C.GoString(errText); e != "" {
		text += ": " + e
	}
	alsaLib.mu.Lock()
	log := alsaLib.log
	if alsaLib.collecting {
		alsaLib.said = append(alsaLib.said, text)
	}
	alsaLib.mu.Unlock()
	if log != nil {
		log.Warn("alsa-lib", "message", text, "where", fmt.Sprintf("%s:%d (%s)", C.GoString(file), int(line), C.GoString(function)))
	}
}

// alsaMessages routes alsa-lib's messages into log from now on (until
// the next call) and starts collecting them for an opening device; said
// returns what was collected and stops.
func alsaMessages(log *slog.Logger) (said func() []string) {
	alsaLib.once.Do(func() { C.segue_alsa_errors() })
	alsaLib.mu.Lock()
	alsaLib.log, alsaLib.said, alsaLib.collecting = log, nil, true
	alsaLib.mu.Unlock()
	return func() []string {
		alsaLib.mu.Lock()
		defer alsaLib.mu.Unlock()
		s := alsaLib.said
		alsaLib.said, alsaLib.collecting = nil, false
		return s
	}
}

// dropALSAMessages stops logging alsa-lib's messages into log (an output
// closing), unless another output took them since.
func dropALSAMessages(log *slog.Logger) {
	alsaLib.mu.Lock()
	if alsaLib.log == log {
		alsaLib.log = nil
	}
	alsaLib.mu.Unlock()
}

// captureStderr points fd 2 at a pipe whose lines become records of log
// (what a library under alsa-lib, such as libpulse, prints itself) and
// returns how to put it back, which waits for the last line.
func captureStderr(log *slog.Logger) (restore func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("capture stderr: %w", err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("save stderr: %w", err)
	}
	if err := unix.Dup2(int(w.Fd()), 2); err != nil {
		r.Close()
		w.Close()
		unix.Close(saved)
		return nil, fmt.Errorf("redirect stderr: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer r.Close()
		s := bufio.NewScanner(r)
		for s.Scan() {
			if line := strings.TrimSpace(s.Text()); line != "" {
				log.Warn("stderr while opening the sound device", "line", line)
			}
		}
		io.Copy(io.Discard, r) // a line too long for s: the writer must not block
	}()
	return func() {
		unix.Dup2(saved, 2)
		unix.Close(saved)
		w.Close()
		<-done
	}, nil
}
