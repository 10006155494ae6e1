package testkit

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// SessionBus starts a private D-Bus session daemon (dbus-daemon with the
// system's session.conf) listening on dir/bus, stopped with t, and
// returns its address for DBUS_SESSION_BUS_ADDRESS. It fails the test
// when dbus-daemon is not installed (make deps installs it).
func SessionBus(t testing.TB, dir string) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Fatal("dbus-daemon is required: run make deps")
	}
	cmd := exec.Command("dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf", "--nofork", "--print-address=1",
		"--address=unix:path="+filepath.Join(dir, "bus"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	return strings.TrimSpace(addr)
}
