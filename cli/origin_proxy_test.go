//go:build !segue_client

package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/config"
	"segue/internal/testkit"
	"segue/origin"
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
	cert, key, err := origin.SelfSigned(t.TempDir(), []string{"127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := origin.SelfSigned(t.TempDir(), []string{"127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "cert.der")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
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
		// https: nginx refused these only when it started
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--tls-cert", cert, "--tls-key", otherKey}, "the private key it was made with"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--tls-cert", notPEM, "--tls-key", key}, "give the PEM certificate"},
		{[]string{"--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--tls-cert", filepath.Join(t.TempDir(), "none.pem"), "--tls-key", key}, "--tls-cert"},
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
	f.Add("127.0.0.1:8080", "127.0.0.1:7700", "/var/lib/p", "10g", "www-data", "")
	f.Add("[::1]:80", "a.lan:7700", "rel/dir", "500m", "", "/etc/ssl/c.pem")
	f.Add("x:1;", "b:2}", "/a b", "1g;", "u{", "/c;d")
	base := proxyOptions{Listen: "h:1", Upstreams: []string{"h:2"}, RunDir: "/r", CacheSize: 1 << 30, User: "u"}
	plain, err := proxyConfig(base)
	if err != nil {
		f.Fatal(err)
	}
	base.TLSCert, base.TLSKey = "/c", "/k"
	withTLS, err := proxyConfig(base)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, listen, upstream, dir, size, user, cert string) {
		var cacheSize config.Size
		if err := cacheSize.Set(size); err != nil {
			return
		}
		// cert is both files: a key of its own adds nothing to what is checked
		conf, err := proxyConfig(proxyOptions{Listen: listen, Upstreams: []string{upstream}, RunDir: dir, CacheSize: cacheSize, User: user, TLSCert: cert, TLSKey: cert})
		if err != nil {
			return
		}
		want := plain
		if cert != "" {
			want = withTLS
		}
		for _, c := range []string{";", "{", "}", "$", "#", "\n"} {
			if user == "" && (c == ";" || c == "\n") {
				continue // no user line: one directive fewer
			}
			if strings.Count(conf, c) != strings.Count(want, c) {
				t.Fatalf("accepted values changed the count of %q: listen %q upstream %q dir %q size %q user %q cert %q", c, listen, upstream, dir, size, user, cert)
			}
		}
	})
}

// TestProxyConfigServesHTTPS: with --tls-cert and --tls-key, nginx from
// proxy-config serves https in front of a replica speaking plain http: a
// client given the certificate (--ca) plays a track to the sample through
// it, nginx caches its segments, and a share link the replica makes (told
// of the proxy by --trusted-proxy) says https and names the proxy. Before,
// proxy-config had no way to serve https, and docs/scale.md's public proxy
// carried tokens and share links in plain text.
func TestProxyConfigServesHTTPS(t *testing.T) {
	o := newToneHost(t, "Proxied Tone")
	_, _, log := o.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", o.data, "--trusted-proxy", "127.0.0.1")
	testkit.Wait(t, time.Minute, "the replica to listen", func() bool { return servingRE.MatchString(log.String()) })
	replica := servingRE.FindStringSubmatch(log.String())[1]
	cert, key, err := origin.SelfSigned(t.TempDir(), []string{"127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxyWith(t, []string{"--tls-cert", cert, "--tls-key", key}, replica)
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("proxy URL %s", p.url)
	}

	wav := filepath.Join(o.dir, "tone.wav")
	o.run("--origin", p.url, "--ca", cert, "play", o.trackID, "--output", "wav:"+wav, "--fast")
	if got := wavFrames(t, wav); got != o.samples {
		t.Errorf("played %d samples through nginx over https; want the track's %d", got, o.samples)
	}
	chunks := 0
	for _, l := range p.access(t) {
		if strings.HasPrefix(l.URI, "/chunks/") {
			chunks++
			if l.Status != http.StatusOK || l.Cache != "MISS" {
				t.Errorf("segment %s through nginx: status %d, cache %q; want 200, a MISS stored in the cache", l.URI, l.Status, l.Cache)
			}
		}
	}
	if chunks == 0 {
		t.Errorf("no segment went through nginx: %+v", p.access(t))
	}

	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(o.run("--origin", p.url, "--ca", cert, "playlist", "create", "road", "--json")), &pl); err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(o.run("--origin", p.url, "--ca", cert, "playlist", "share", pl.ID, "--json")), &link); err != nil {
		t.Fatal(err)
	}
	if want := p.url + "/p/"; !strings.HasPrefix(link.URL, want) {
		t.Errorf("share URL %q through the https proxy; want %s...", link.URL, want)
	}
}

// TestProxyConfigExamplesRun: each example of proxy-config --help that
// needs no certificate runs as written, its folders moved under a temp
// dir: the first named --run-dir /tmp/proxy, which no machine has until
// it is made, so copied as shown it was exit 2; each example now makes
// its --run-dir first (mkdir -p DIR && ...).
func TestProxyConfigExamplesRun(t *testing.T) {
	cmd, _, err := (&app{}).rootCmd().Find([]string{"origin", "proxy-config"})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	ran := 0
	for _, ex := range strings.Split(strings.ReplaceAll(cmd.Example, "\\\n", ""), "\n") {
		ex = strings.TrimSpace(ex)
		if ex == "" || strings.Contains(ex, "--tls-cert") {
			continue
		}
		words := strings.Fields(ex)
		i := slices.Index(words, "--run-dir")
		if i < 0 {
			t.Fatalf("example %q names no --run-dir", ex)
		}
		runDir := words[i+1]
		if !strings.HasPrefix(ex, "mkdir -p "+runDir+" && segue ") {
			t.Errorf("example %q does not make its --run-dir %s first (mkdir -p %[2]s && ...): copied as shown it is exit 2", ex, runDir)
			continue
		}
		moved := strings.ReplaceAll(ex, runDir, filepath.Join(root, runDir))
		mk, rest, _ := strings.Cut(moved, " && ")
		if err := os.MkdirAll(strings.TrimPrefix(mk, "mkdir -p "), 0o755); err != nil {
			t.Fatal(err)
		}
		args := strings.Fields(strings.TrimPrefix(rest, "segue "))
		if out, errOut, code := segue(t, args...); code != 0 || !strings.Contains(out, filepath.Join(root, runDir)) {
			t.Errorf("example %q: exit %d, stderr %q; want 0 and a configuration", moved, code, errOut)
		}
		ran++
	}
	if ran < 2 {
		t.Errorf("ran %d examples, want the 2 without certificates", ran)
	}
}
