package originclient

import (
	"errors"
	"net"
	"net/url"
	"testing"
	"time"
)

// TestChangeToASilentOriginWaitsAnswerWait: a playlist edit sent to an
// origin that takes the connection and the request and never answers ends
// after answerWait (15 s, as README says: longer than a read's 5 s, since
// the origin may still make the change), not later, as a timeout that says
// the change may have been made (ErrChangeUnanswered): it said "the origin
// is unreachable", as if nothing had been sent. An origin that refuses the
// connection was sent nothing: no such word then.
func TestChangeToASilentOriginWaitsAnswerWait(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn // read nothing, answer nothing, close nothing
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	c, err := New("http://"+ln.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, err = c.AddToPlaylist(t.Context(), "pl0000000000000000", []string{"t0000000000000000"}, -1)
	took := time.Since(start)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() || !errors.Is(err, ErrChangeUnanswered) {
		t.Errorf("an edit the origin never answered: %v; want a timeout with ErrChangeUnanswered", err)
	}
	// loose bounds: the documented wait, and at most twice it
	if took < answerWait || took > 2*answerWait {
		t.Errorf("an edit the origin never answered ended after %v; want %v (at most %v)", took, answerWait, 2*answerWait)
	}

	// nothing listens: the change was never sent
	addr := ln.Addr().String()
	ln.Close()
	refused, err := New("http://"+addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	if _, err := refused.AddToPlaylist(t.Context(), "pl0000000000000000", []string{"t0000000000000000"}, -1); err == nil || errors.Is(err, ErrChangeUnanswered) {
		t.Errorf("an edit to an origin that is not there: %v; want an error without ErrChangeUnanswered", err)
	}
}
