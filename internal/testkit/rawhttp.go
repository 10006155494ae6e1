package testkit

import (
	"bufio"
	"net"
	"net/http"
	"testing"
)

// RawHTTP serves answer, bytes as they go on the wire, to every request
// on a loopback listener, then closes the connection (with a reset, an
// RST, when reset): the answers no http.Handler can give, such as a
// chunked body cut off mid-chunk. It returns the server's base URL; the
// listener closes when the test ends.
func RawHTTP(t testing.TB, answer string, reset bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if _, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
				conn.Write([]byte(answer))
			}
			if reset {
				conn.(*net.TCPConn).SetLinger(0)
			}
			conn.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}
