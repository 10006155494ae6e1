//go:build !segue_client

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/config"
)

// TestProxyConfigNginxAccepts: what proxy-config prints passes `nginx -t`
// for one and for several replicas, by address and by name.
func TestProxyConfigNginxAccepts(t *testing.T) {
	nginx := nginxBinary(t)
	for _, ups := range [][]string{
		{"127.0.0.1:7700"},
		{"127.0.0.1:7701", "[::1]:7702", "localhost:7703"},
	} {
		run := t.TempDir()
		args := []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--run-dir", run, "--cache-dir", filepath.Join(run, "c")}
		for _, u := range ups {
			args = append(args, "--upstream", u)
		}
		conf, errOut, code := segue(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", ups, code, errOut)
		}
		for _, want := range []string{"proxy_cache_path " + filepath.Join(run, "c") + " ", "server " + ups[0] + " max_fails", "add_header X-Cache-Status"} {
			if !strings.Contains(conf, want) {
				t.Errorf("%v: configuration lacks %q", ups, want)
			}
		}
		if strings.Contains(conf, "backup") || strings.Count(conf, "\n    upstream ") != 1 {
			t.Errorf("%v: configuration has another upstream or a backup replica; want one round-robin upstream (the tracker is in the shared catalog)", ups)
		}
		path := filepath.Join(run, "nginx.conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(nginx, "-t", "-q", "-p", run, "-e", filepath.Join(run, "error.log"), "-c", path).CombinedOutput(); err != nil {
			t.Errorf("%v: nginx -t: %v\n%s\n%s", ups, err, out, conf)
		}
	}
}

// TestProxyConfigBadFlags: each value that cannot go into a configuration
// is exit status 2 with a message naming the flag, and nothing on stdout.
func TestProxyConfigBadFlags(t *testing.T) {
	base := []string{"origin", "proxy-config", "--run-dir", t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--upstream", "127.0.0.1:7700"}, "no --listen given: name the address nginx listens on"}, // it said --listen "": want HOST:PORT
		{[]string{"--listen", "127.0.0.1:8080"}, "no --upstream"},
		{[]string{"--listen", "8080", "--upstream", "127.0.0.1:7700"}, "--listen"},
		{[]string{"--listen", ":8080", "--upstream", "127.0.0.1:7700"}, "host name"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:0"}, "port"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:http"}, "port"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "a;b:7700"}, "--upstream"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-dir", "/tmp/x;y"}, "--cache-dir"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-size", "10 q"}, "--cache-size"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-size", "5"}, "no unit"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-size", "0GiB"}, "above 0"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--user", "root;"}, "--user"},
		// nginx failed on these only when it started: mkdir() of the cache
		// dir failed, or the replica got twice the share
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--cache-dir", filepath.Join(t.TempDir(), "no", "cache")}, "nginx makes only the cache dir itself"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--upstream", "127.0.0.1:7700"}, "--upstream 127.0.0.1:7700 given twice"},
	} {
		out, errOut, code := segue(t, append(base, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want exit %d, no stdout, a message naming %s",
				tc.args, code, len(out), errOut, ExitUsage, tc.want)
		}
	}
}

// TestProxyConfigCacheSize: --cache-size takes segue's sizes, with a unit
// ("5" was printed as max_size=5, five bytes, while segue's other size
// flags refuse it), and the configuration holds the same size in nginx's
// binary units, or in bytes where no unit divides it.
func TestProxyConfigCacheSize(t *testing.T) {
	base := []string{"origin", "proxy-config", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2", "--run-dir", t.TempDir()}
	for _, tc := range []struct{ flag, want string }{
		{"", "max_size=10g "},
		{"10GiB", "max_size=10g "},
		{"2g", "max_size=2g "},
		{"1.5GiB", "max_size=1536m "},
		{"500MiB", "max_size=500m "},
		{"500MB", "max_size=500000000 "},
		{"4096B", "max_size=4k "},
		{"1000B", "max_size=1000 "},
	} {
		args := base
		if tc.flag != "" {
			args = append(slices.Clone(base), "--cache-size", tc.flag)
		}
		conf, errOut, code := segue(t, args...)
		if code != ExitOK || !strings.Contains(conf, tc.want) {
			t.Errorf("--cache-size %q: exit %d (%s); want a configuration with %q", tc.flag, code, errOut, tc.want)
		}
	}
}

// FuzzProxyConfig: whatever the flags hold, an accepted value never adds
// a directive, a block or a variable to the configuration: the printed
// text has the same count of ; { } $ as with plain values.
func FuzzProxyConfig(f *testing.F) {
	f.Add("127.0.0.1:8080", "127.0.0.1:7700", "/var/lib/p", "10g", "www-data")
	f.Add("[::1]:80", "a.lan:7700", "rel/dir", "500m", "")
	f.Add("x:1;", "b:2}", "/a b", "1g;", "u{")
	plain, err := proxyConfig(proxyOptions{Listen: "h:1", Upstreams: []string{"h:2"}, RunDir: "/r", CacheSize: 1 << 30, User: "u"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, listen, upstream, dir, size, user string) {
		var cacheSize config.Size
		if err := cacheSize.Set(size); err != nil {
			return
		}
		conf, err := proxyConfig(proxyOptions{Listen: listen, Upstreams: []string{upstream}, RunDir: dir, CacheSize: cacheSize, User: user})
		if err != nil {
			return
		}
		for _, c := range []string{";", "{", "}", "$", "#", "\n"} {
			if user == "" && (c == ";" || c == "\n") {
				continue // no user line: one directive fewer
			}
			if strings.Count(conf, c) != strings.Count(plain, c) {
				t.Fatalf("accepted values changed the count of %q: listen %q upstream %q dir %q size %q user %q", c, listen, upstream, dir, size, user)
			}
		}
	})
}
