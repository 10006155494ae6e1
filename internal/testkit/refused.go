package testkit

import (
	"fmt"
	"syscall"
	"testing"
)

// RefusedAddr returns a loopback HOST:PORT whose connections are refused
// for the rest of the test: a TCP socket bound to it that never listens
// holds the port, so no other test's server can take it meanwhile (a
// listener closed at once freed its port, and a test running beside it
// took it: the "unreachable" origin answered). Connecting gets a reset,
// "connection refused".
func RefusedAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	// No SO_REUSEADDR: a listener's bind, which sets it, then fails.
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
