//go:build !segue_client

package cli

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"segue/config"
)

func init() { addOriginSub(originProxyConfigCmd) }

func originProxyConfigCmd(a *app) *cobra.Command {
	var o proxyOptions
	cmd := &cobra.Command{
		Use:   "proxy-config",
		Short: "Print an nginx configuration that caches and load-balances origin replicas",
		Long: `Print a complete nginx configuration for a caching reverse proxy in front of
one or more "segue origin serve" replicas (the CDN stand-in of docs/scale.md).

  /chunks/{sha256}          cached for a year (content-addressed, immutable); one
                            request per segment reaches a replica however many
                            clients ask at once (cache lock); a cached segment is
                            served while every replica or the blob store is down
  /api/v1/albums/ID/cover   cached as the origin's Cache-Control says (1 h), stale
                            copies served while the origin fails
  everything else           (API, playlists, share pages, the peer tracker) passed
                            through, never cached

Requests go round-robin over the replicas; a replica that refuses, times out or
answers 502 or 504 is skipped for 10 s and the request is retried on the next one
(a 503 says the catalog database is down behind every replica: it is passed on).
Every answer carries X-Cache-Status (HIT, MISS, ...) for what the cache did, and
the access log (RUN/access.log, JSON lines) records it with the replica that
answered. Byte ranges of cached objects are served from the cache.

Everything nginx writes (pid, logs, temp files) goes under --run-dir and the
cache under --cache-dir, so nginx can run as any user that owns them:

  segue origin proxy-config --listen 0.0.0.0:80 --upstream 10.0.0.5:7700 \
      --upstream 10.0.0.6:7700 --run-dir /var/lib/segue-proxy > /etc/nginx/segue.conf
  nginx -c /etc/nginx/segue.conf -g 'daemon off;'

With --tls-cert and --tls-key nginx serves https (HTTP/2, TLS 1.2 and 1.3) on
--listen, so listeners' tokens and share links never cross the internet in
plain text; the replicas behind it still speak plain http to nginx. Give the
replicas --trusted-proxy with nginx's address, so share URLs say https and
name the public host (docs/tls.md). Serving plain http on a public address
is what nginx does without them.

--run-dir and the folder above --cache-dir must exist (exit 2 otherwise); nginx
creates the cache dir and its temp dirs. Each --upstream is named once. A
--tls-cert and --tls-key that are not a PEM certificate and its key are
refused (exit 2), as nginx would refuse them only when it starts.`,
		Example: `  mkdir -p /tmp/proxy && segue origin proxy-config --listen 127.0.0.1:8080 --upstream 127.0.0.1:7700 --run-dir /tmp/proxy
  mkdir -p /var/lib/segue-proxy && segue origin proxy-config --listen 0.0.0.0:80 --upstream a.lan:7700 --upstream b.lan:7700 --run-dir /var/lib/segue-proxy --user www-data
  mkdir -p /var/lib/segue-proxy && segue origin proxy-config --listen 0.0.0.0:443 --upstream 127.0.0.1:7700 --run-dir /var/lib/segue-proxy \
      --tls-cert /etc/letsencrypt/live/music.example/fullchain.pem --tls-key /etc/letsencrypt/live/music.example/privkey.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.pauseTimeout(cmd, &o.PauseTimeout); err != nil {
				return err
			}
			conf, err := proxyConfig(o)
			if err != nil {
				return &usageError{err}
			}
			if err := checkProxyDirs(o); err != nil {
				return err
			}
			_, err = fmt.Fprint(a.stdout, conf)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "", "address nginx listens on, `HOST:PORT` (required)")
	f.StringArrayVar(&o.Upstreams, "upstream", nil, "an origin replica, `HOST:PORT` (repeatable; at least one)")
	f.Var(pathVar(&o.RunDir, "/var/lib/segue-proxy"), "run-dir", "`DIR` for nginx's pid, logs and temp files (must exist)")
	f.Var(pathVar(&o.CacheDir, ""), "cache-dir", "`DIR` of the segment and cover cache (default RUN-DIR/cache)")
	o.CacheSize = 10 << 30
	f.Var(&o.CacheSize, "cache-size", "most the cache holds on disk before the least recently used goes, a `SIZE` such as 500MB or 10GiB")
	f.StringVar(&o.User, "user", "", "the `USER` nginx's workers run as when it is started as root (default: nginx's, nobody)")
	f.Var(pathVar(&o.TLSCert, ""), "tls-cert", "PEM certificate `FILE` (with its chain) for nginx to serve https with")
	f.Var(pathVar(&o.TLSKey, ""), "tls-key", "PEM private key `FILE` of --tls-cert")
	timeoutFlag(f, &o.PauseTimeout, "pause-timeout", config.DefaultPauseTimeout,
		"the replicas' --pause-timeout, a `DURATION` such as 10m: nginx waits as long for a paused player (send_timeout) (default from config origin_server.pause_timeout, else 10m)")
	return cmd
}

// checkProxyDirs refuses, before the configuration is printed, the
// folders nginx would fail on only when it starts: a --run-dir that is not
// there (nginx makes none of it), a --cache-dir whose parent is not there
// (nginx makes the cache dir itself, but nothing above it), a file given
// for either folder and a replica named twice; each is a bad flag (2).
func checkProxyDirs(o proxyOptions) error {
	for _, d := range []struct{ flag, path string }{{"--run-dir", o.RunDir}, {"--cache-dir", o.CacheDir}} {
		if d.path == "" {
			continue
		}
		if err := checkFolder(d.flag, d.path); err != nil {
			return err
		}
	}
	if _, err := os.Stat(o.RunDir); errors.Is(err, fs.ErrNotExist) {
		return &usageError{fmt.Errorf("--run-dir: the folder %[1]s does not exist: make it first (mkdir -p %[1]s), nginx writes its pid and logs there, or check the path", o.RunDir)}
	}
	// nginx makes the cache dir, but no folder above it: one missing
	// failed only when nginx started (mkdir() ... failed).
	if o.CacheDir != "" {
		if abs, err := filepath.Abs(o.CacheDir); err == nil {
			if parent := filepath.Dir(abs); !isDir(parent) {
				return &usageError{fmt.Errorf("--cache-dir: the folder %[1]s above %[2]s does not exist, and nginx makes only the cache dir itself: make it first (mkdir -p %[1]s), or check the path", parent, o.CacheDir)}
			}
		}
	}
	if o.TLSCert != "" {
		if err := checkPEMFiles("--tls-cert", o.TLSCert, "--tls-key", o.TLSKey); err != nil {
			return err
		}
		if _, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey); err != nil {
			return &usageError{fmt.Errorf("--tls-cert %s and --tls-key %s: %w: give the PEM certificate (with its chain) and the private key it was made with, which nginx would refuse when it starts", o.TLSCert, o.TLSKey, err)}
		}
	}
	seen := map[string]bool{}
	for _, u := range o.Upstreams {
		if seen[u] {
			return &usageError{fmt.Errorf("--upstream %s given twice: name each replica once (nginx would send it twice the share of requests)", u)}
		}
		seen[u] = true
	}
	return nil
}

// proxyOptions are the inputs of proxyConfig, as the flags give them.
type proxyOptions struct {
	Listen    string      // HOST:PORT
	Upstreams []string    // HOST:PORT each, at least one
	RunDir    string      // pid, logs, temp files
	CacheDir  string      // "": RunDir/cache
	CacheSize config.Size // bytes, above 0
	User      string      // "": no user directive
	TLSCert   string      // PEM files nginx serves https with; both or neither
	TLSKey    string
	// PauseTimeout is the replicas' (origin serve --pause-timeout), and
	// nginx's send_timeout; 0 takes config.DefaultPauseTimeout.
	PauseTimeout time.Duration
}

var (
	// hostRE is a host name, an IPv4 address or a bracketless IPv6 address
	// (net.SplitHostPort removed the brackets).
	hostRE = regexp.MustCompile(`^[A-Za-z0-9.:-]+$`)
	// userRE is a Unix user name (useradd's NAME_REGEX, with capitals).
	userRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,31}$`)
)

// proxyConfig returns the nginx configuration for o, or an error naming
// the flag whose value cannot go into one. Paths are made absolute; a value
// that would change the configuration's syntax (spaces, quotes, ;, {, }, $,
// #) is refused rather than quoted.
func proxyConfig(o proxyOptions) (string, error) {
	if o.Listen == "" {
		return "", fmt.Errorf("no --listen given: name the address nginx listens on, e.g. --listen 127.0.0.1:8080")
	}
	listen, err := hostPort("--listen", o.Listen)
	if err != nil {
		return "", err
	}
	if len(o.Upstreams) == 0 {
		return "", fmt.Errorf("no --upstream given: name at least one origin replica, e.g. --upstream 127.0.0.1:7700")
	}
	var ups []string
	for _, u := range o.Upstreams {
		hp, err := hostPort("--upstream", u)
		if err != nil {
			return "", err
		}
		ups = append(ups, hp)
	}
	run, err := confPath("--run-dir", o.RunDir)
	if err != nil {
		return "", err
	}
	cache := filepath.Join(run, "cache")
	if o.CacheDir != "" {
		if cache, err = confPath("--cache-dir", o.CacheDir); err != nil {
			return "", err
		}
	}
	if o.CacheSize <= 0 {
		return "", fmt.Errorf("--cache-size %s: want a size above 0, e.g. 10GiB", o.CacheSize)
	}
	if o.User != "" && !userRE.MatchString(o.User) {
		return "", fmt.Errorf("--user %q: want a user name (letters, digits, _ and -)", o.User)
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return "", fmt.Errorf("--tls-cert and --tls-key go together: give both to serve https, or neither")
	}
	var cert, key string
	if o.TLSCert != "" {
		if cert, err = confPath("--tls-cert", o.TLSCert); err != nil {
			return "", err
		}
		if key, err = confPath("--tls-key", o.TLSKey); err != nil {
			return "", err
		}
	}
	pause := o.PauseTimeout
	if pause <= 0 {
		pause = config.DefaultPauseTimeout
	}
	var b strings.Builder
	err = nginxTemplate.Execute(&b, map[string]any{
		"Listen": listen, "Upstreams": ups, "Run": run, "Cache": cache, "CacheSize": nginxSize(int64(o.CacheSize)), "User": o.User,
		"TLSCert": cert, "TLSKey": key, "SendTimeout": nginxSeconds(pause),
	})
	return b.String(), err
}

// nginxSeconds writes d as an nginx time in whole seconds, rounded up
// (nginx's times have no fractions): 10m is "600s".
func nginxSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10) + "s"
}

// nginxSize writes n bytes as an nginx size: in g, m or k (nginx's units,
// binary) where n is a whole number of them, else in bytes, which nginx
// reads without a unit (ngx_parse_offset).
func nginxSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// hostPort checks a HOST:PORT flag value and returns it as nginx writes it
// (an IPv6 host in brackets).
func hostPort(flag, v string) (string, error) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", fmt.Errorf("%s %q: want HOST:PORT, e.g. 127.0.0.1:7700", flag, v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%s %q: the port must be a number from 1 to 65535", flag, v)
	}
	if host == "" || !hostRE.MatchString(host) {
		return "", fmt.Errorf("%s %q: want a host name or IP address before the port, e.g. 127.0.0.1:7700", flag, v)
	}
	return net.JoinHostPort(host, port), nil
}

// confPath returns p absolute, refusing what nginx would read as syntax.
func confPath(flag, p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%s is empty: name a directory", flag)
	}
	if strings.ContainsAny(p, " \t\r\n\"';{}$#\\") {
		return "", fmt.Errorf("%s %q: a path with spaces, quotes or any of ; { } $ # \\ cannot go into an nginx configuration; choose another path", flag, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", flag, p, err)
	}
	return abs, nil
}

// nginxTemplate is the configuration. Why each setting is what it is:
//   - Segments are immutable and named by their sha256, so the cache key is
//     the path alone and a cached copy stays valid for a year; Authorization
//     and query strings do not split the cache (docs/scale.md says what that
//     means for a private origin).
//   - proxy_cache_lock: of many clients missing the same segment at once,
//     one request reaches a replica and the others wait for the cache.
//   - proxy_cache_use_stale: when a cached copy is old (covers) and the
//     origin fails, the old copy is served; a segment never grows old.
//   - Range: with proxy_cache on, nginx asks the replica for the whole object
//     (it drops Range and If-Range), stores it, and answers byte ranges from
//     the cached copy. Segments are 40-110 KB, so the slice module (which
//     Debian's nginx has) would only split one small object into more
//     requests; it is not used.
//   - proxy_next_upstream leaves out http_500 and http_503: a replica
//     answers 500 when the blob store behind every replica fails, and 503
//     (with Retry-After) when the catalog database does, so another replica
//     would fail the same way, and counting it would mark healthy replicas
//     down for fail_timeout and take the uncached API with them (and, after
//     a database restart, keep them down 10 s longer than the outage). A
//     replica that is stopping closes its listener: that is an error, and
//     retried.
//   - No tcp_nopush: with it, a cache hit (headers from memory, the body
//     by sendfile from the cache file) waited on the corked socket, and
//     hits ran at 2000 req/s against 9400-12800 without it (64 clients,
//     75 KB segments, loopback; measured 2026-11-30).
//   - The upstreams' state lives in shared memory (zone), so every worker
//     process skips a replica that failed in any of them and the
//     round-robin is one rotation, not one per worker.
var nginxTemplate = template.Must(template.New("nginx").Parse(`# nginx configuration for segue origin replicas; printed by segue origin proxy-config.
# Run: nginx -c THIS_FILE -g 'daemon off;'   (see docs/scale.md)
{{if .User}}user {{.User}};
{{end}}worker_processes auto;
# A proxied request holds two descriptors (client, replica), a cache hit a file too.
worker_rlimit_nofile 16384;
pid {{.Run}}/nginx.pid;
error_log {{.Run}}/error.log warn;

events {
    worker_connections 4096;
}

http {
    log_format segue escape=json '{"time":"$time_iso8601","remote":"$remote_addr","method":"$request_method",'
        '"uri":"$request_uri","status":$status,"bytes":$body_bytes_sent,"cache":"$upstream_cache_status",'
        '"upstream":"$upstream_addr","upstream_status":"$upstream_status","seconds":$request_time}';
    access_log {{.Run}}/access.log segue;

    client_body_temp_path {{.Run}}/client_body;
    proxy_temp_path {{.Run}}/proxy_temp;
    fastcgi_temp_path {{.Run}}/fastcgi_temp;
    uwsgi_temp_path {{.Run}}/uwsgi_temp;
    scgi_temp_path {{.Run}}/scgi_temp;

    sendfile on;
    server_tokens off;
    client_max_body_size 4m;

    proxy_cache_path {{.Cache}} levels=1:2 keys_zone=segue:32m max_size={{.CacheSize}} inactive=30d use_temp_path=off;

    upstream segue_origin {
        zone segue_origin 64k;
{{- range .Upstreams}}
        server {{.}} max_fails=1 fail_timeout=10s;
{{- end}}
        keepalive 32;
    }

    server {
        listen {{.Listen}}{{if .TLSCert}} ssl http2{{end}};
{{- if .TLSCert}}
        ssl_certificate {{.TLSCert}};
        ssl_certificate_key {{.TLSKey}};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:segue_tls:10m;
        ssl_session_timeout 1d;
{{- end}}

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_connect_timeout 2s;
        proxy_next_upstream error timeout http_502 http_504;
        proxy_next_upstream_timeout 15s;
        # a paused player reads nothing of its stream: wait for it as the
        # origin waits for media (origin serve --pause-timeout), not nginx's 60 s
        send_timeout {{.SendTimeout}};

        add_header X-Cache-Status $upstream_cache_status always;

        location /chunks/ {
            proxy_pass http://segue_origin;
            proxy_cache segue;
            proxy_cache_key $uri;
            proxy_cache_valid 200 365d;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 10s;
            proxy_cache_lock_age 10s;
            proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
            proxy_read_timeout 15s;
        }

        location ~ ^/api/v1/albums/[^/]+/cover$ {
            proxy_pass http://segue_origin;
            proxy_cache segue;
            proxy_cache_key $uri;
            proxy_cache_valid 200 1h;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
            proxy_cache_background_update on;
        }

        location / {
            proxy_pass http://segue_origin;
        }
    }
}
`))
