// Package config owns segue's settings: where data lives (XDG base
// directories via github.com/adrg/xdg), the optional config.toml, and the
// overlay order flags > environment > file > defaults. It must not open any
// store or start anything: it only computes values.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/adrg/xdg"

	"segue/catalog"
	"segue/internal/boundedread"
)

// DefaultOrigin is where the demo origin listens.
const DefaultOrigin = "http://127.0.0.1:7700"

// Config is every setting a segue command may read. Zero values are never
// used: Default fills them all.
type Config struct {
	// Origin is the base URL of the origin server the client talks to.
	Origin string `toml:"origin"`
	// Token is the bearer token sent to the origin (required off loopback).
	Token string `toml:"token"`
	// CA is a PEM file of certificate authorities trusted for an https
	// origin besides the system roots.
	CA string `toml:"ca"`
	// PinSHA256 is the SHA-256 fingerprint of the origin's certificate
	// (a self-signed origin); it replaces the authority check.
	PinSHA256 string `toml:"pin_sha256"`
	// tokenFor and pinFor are the origins Token and PinSHA256 were set
	// beside: the origin config.toml, SEGUE_ORIGIN or --origin named where
	// each was set ("" when none was: it goes with whatever origin is
	// given, as SEGUE_TOKEN set without SEGUE_ORIGIN does). Another origin
	// given over it (Rebind) leaves it out: config.toml's token was sent
	// to the origin --origin named, and its pin refused a plain http one
	// (segue demo's).
	tokenFor, pinFor string
	// LeftOut is the origin whose token or pin Rebind left out ("" when
	// none was), for the sentence of an origin refusing no token.
	LeftOut string `toml:"-"`

	Source   SourceConfig      `toml:"source"`
	Cache    CacheConfig       `toml:"cache"`
	Player   PlayerConfig      `toml:"player"`
	OriginSv OriginConfig      `toml:"origin_server"`
	Peer     PeerConfig        `toml:"peer"`
	Events   EventsConfig      `toml:"events"`
	Theme    map[string]string `toml:"theme"`

	// StateDir holds history, queue and resume position.
	StateDir string `toml:"state_dir"`
	// LogFile receives diagnostics the TUI must not print (ALSA chatter, errors).
	LogFile string `toml:"log_file"`
}

// CacheConfig is the client segment cache.
type CacheConfig struct {
	Path string `toml:"path"`
	// Size is the hard cap in bytes; in the file it may be written "2GiB".
	Size Size `toml:"size"`
}

// PlayerConfig is playback.
type PlayerConfig struct {
	Output  string `toml:"output"`  // alsa | wav:PATH | null
	Quality string `toml:"quality"` // auto | low | normal | high
	// MaxQuality caps the renditions downloaded (data saver): low, normal,
	// high, or "" for none. Cached renditions above it still play.
	MaxQuality     string  `toml:"max_quality"`
	Volume         int     `toml:"volume"`   // 0-100
	LoudnessMode   string  `toml:"loudness"` // off | track | album
	LoudnessTarget float64 `toml:"loudness_target"`
	// MaxBoostDB caps how far normalization raises a quiet track, in dB
	// (0: never raise); see player.DefaultMaxBoostDB.
	MaxBoostDB    float64 `toml:"max_boost_db"`
	BufferSeconds float64 `toml:"buffer_seconds"`
	// Autoplay continues with a radio when the queue ends (default true).
	Autoplay bool `toml:"autoplay"`

	// OutputFrom names where Output was set, for a sentence about its file:
	// "SEGUE_OUTPUT", "config FILE: player.output", or "" for the default.
	// Load sets it; it is no setting of the file.
	OutputFrom string `toml:"-"`
}

// OriginConfig is the origin server side.
type OriginConfig struct {
	DataDir string `toml:"data_dir"`
	Addr    string `toml:"addr"`
	// PauseTimeout is how long origin serve waits for a client to read
	// media again (origin.ServerOptions.PauseTimeout), and proxy-config
	// nginx's send_timeout: a duration such as "10m" or "90s" (ParseTimeout);
	// "" takes the default, DefaultPauseTimeout.
	PauseTimeout string `toml:"pause_timeout"`
}

// DefaultPauseTimeout is origin serve's PauseTimeout when none is set
// (origin.ServerOptions says why: a pause for a call or a coffee).
const DefaultPauseTimeout = 10 * time.Minute

// PauseTimeoutOrDefault is o.PauseTimeout parsed, DefaultPauseTimeout when
// it is "". The error names the key (Load checked it already).
func (o OriginConfig) PauseTimeoutOrDefault() (time.Duration, error) {
	if o.PauseTimeout == "" {
		return DefaultPauseTimeout, nil
	}
	d, err := ParseTimeout(o.PauseTimeout)
	if err != nil {
		return 0, fmt.Errorf("origin_server.pause_timeout %w", err)
	}
	return d, nil
}

// PeerConfig is peer-to-peer sharing of cached segments (net/peer). All of
// it is off unless enabled.
type PeerConfig struct {
	// Enabled serves the cache to peers and asks peers before the origin.
	Enabled bool `toml:"enabled"`
	// Listen is the peer endpoint's host:port; empty takes a free port on
	// the machine's first private IPv4 address (never a public one).
	Listen string `toml:"listen"`
	// LAN finds peers with multicast DNS as well as through the tracker.
	LAN bool `toml:"lan"`
	// UploadRate caps bytes per second sent to peers, e.g. "1MiB"; 0
	// takes net/peer.DefaultUploadRate (2 MiB/s).
	UploadRate Size `toml:"upload_rate"`
}

// SourceConfig says what kind of server Origin is. With kind "subsonic",
// Origin may be written http(s)://HOST[/PATH] and the user given here, or
// as subsonic+https://USER@HOST[/PATH] (see net/subsonic).
type SourceConfig struct {
	// Kind is "segue" (default: segue's own origin) or "subsonic".
	Kind string `toml:"kind"`
	// User is the Subsonic user name when Origin does not carry it.
	User string `toml:"user"`
	// Password, or PasswordFile (its first line), is the Subsonic
	// password (or OpenSubsonic API key). Neither set: --password-file,
	// then the system secret store (secret-tool lookup service segue
	// server HOST).
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
}

// EventsConfig is the play history sent to the origin (package scrobble):
// track, time heard, completed or skipped, time and a session ID per play.
type EventsConfig struct {
	// Send records plays and sends them to the origin (default true).
	Send bool `toml:"send"`
}

// Default returns the built-in settings with XDG paths resolved.
func Default() Config {
	return Config{
		Origin: DefaultOrigin,
		Cache: CacheConfig{
			Path: filepath.Join(xdg.CacheHome, "segue", "cache.db"),
			Size: 2 << 30,
		},
		Player: PlayerConfig{
			Output:         "alsa",
			Quality:        "auto",
			Volume:         100,
			LoudnessMode:   "track",
			LoudnessTarget: -14,
			MaxBoostDB:     10,
			BufferSeconds:  20,
			Autoplay:       true,
		},
		OriginSv: OriginConfig{
			DataDir: filepath.Join(xdg.DataHome, "segue", "origin"),
			Addr:    "127.0.0.1:7700",
		},
		Events:   EventsConfig{Send: true},
		StateDir: filepath.Join(xdg.StateHome, "segue"),
		LogFile:  filepath.Join(xdg.StateHome, "segue", "segue.log"),
	}
}

// DefaultPath is where Load looks for config.toml unless told otherwise.
func DefaultPath() string { return filepath.Join(xdg.ConfigHome, "segue", "config.toml") }

// MaxFileBytes is the most a config.toml may hold (a few KiB is usual);
// a larger file is refused unread past it.
const MaxFileBytes = 4 << 20

// Load returns Default overlaid with the file at path and then with SEGUE_*
// environment variables. Flags are applied by the caller afterwards. A
// missing file is no error unless mustExist is set (the user named it with
// --config). Every error about the file is an *Error naming the file, the
// key and, when known, the line: a syntax error, a value of the wrong type,
// an unknown key (a typo such as "sizee" would otherwise pass silently), a
// size without a unit, or a value outside its allowed set.
func Load(path string, mustExist bool) (Config, error) {
	c := Default()
	text, err := boundedread.ReadFile(path, MaxFileBytes)
	switch {
	case errors.Is(err, boundedread.ErrTooLarge):
		return c, &Error{File: path, Err: reworded{err.Error() + ", more than any config.toml: check the path (--config)", err}}
	case errors.Is(err, fs.ErrNotExist) && !mustExist:
	case err != nil && mustExist:
		return c, &Error{File: path, Err: reworded{namedFileProblem(path, err) + " (check the path given to --config)", err}}
	case err != nil: // no --config: the default path is XDG_CONFIG_HOME's
		return c, &Error{File: path, Err: fmt.Errorf("%w (the default config file, under XDG_CONFIG_HOME: fix that folder, or name a file with --config FILE)", unwrapPath(err))}
	default:
		if err := c.decode(path, string(text)); err != nil {
			return c, err
		}
	}
	if err := c.applyEnv(os.LookupEnv); err != nil {
		return c, err
	}
	return c, nil
}

// Rebind sets the origin to origin, given by a setting over the one
// before (SEGUE_ORIGIN over config.toml, --origin over both): the token
// and pin set beside another origin are left out (LeftOut names it), as
// they are that origin's; with none named beside them they stay. The
// caller applies its own token and pin after.
func (c *Config) Rebind(origin string) {
	if c.Token != "" && c.tokenFor != "" && !SameOrigin(origin, c.tokenFor) {
		c.Token, c.tokenFor, c.LeftOut = "", "", c.tokenFor
	}
	if c.PinSHA256 != "" && c.pinFor != "" && !SameOrigin(origin, c.pinFor) {
		c.PinSHA256, c.pinFor, c.LeftOut = "", "", c.pinFor
	}
	c.Origin = origin
}

// SameOrigin reports whether two origin URLs name one origin: scheme and
// host in any case, the path without a trailing "/".
func SameOrigin(a, b string) bool {
	ua, erra := url.Parse(a)
	ub, errb := url.Parse(b)
	if erra != nil || errb != nil {
		return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimRight(ua.Path, "/") == strings.TrimRight(ub.Path, "/")
}

// namedFileProblem says what is wrong with the config file path the user
// named, whose read failed with err, in the words every other missing file
// is said in: "does not exist", "is a folder: give the config file" (Go's
// "no such file or directory" and "is a directory" for those), else err's
// own reason.
func namedFileProblem(path string, err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "does not exist"
	}
	if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
		return "is a folder: give the config file"
	}
	return unwrapPath(err).Error()
}

// reworded is err said in other words, msg; errors.Is still finds err
// (fs.ErrNotExist for a missing file).
type reworded struct {
	msg string
	err error
}

func (r reworded) Error() string { return r.msg }
func (r reworded) Unwrap() error { return r.err }

// expandHome reads a leading "~" of the paths config.toml and the SEGUE_*
// variables give as the home directory, as a shell would have: no shell
// expands them there, and "~/segue" was taken as a folder named "~" in
// the current one (made there by ingest, or by the cache).
// It runs before the values are checked (ca = "~/ca.pem" must name a file
// that is there).
func (c *Config) expandHome() {
	c.Origin = CleanOrigin(c.Origin)
	for _, p := range []*string{&c.CA, &c.StateDir, &c.LogFile, &c.Cache.Path, &c.OriginSv.DataDir, &c.Source.PasswordFile} {
		*p = HomePath(*p)
	}
	c.Player.Output = HomeOutput(c.Player.Output)
}

// CleanOrigin is an origin URL without the spaces and line breaks around
// it, as a token's are dropped: a URL pasted with them into config.toml, a
// variable set from a file ($(cat) keeps none, but an editor's or an echo's
// does) or a quoted flag. The URL with them was refused ("want
// http(s)://host[:port]") or, with a space after its last "/", asked for
// the path "/%20". A URL pasted from a sentence or chat, with a full stop
// or comma after it or brackets and quotes around it
// (catalog.PastedAround, as a share link is taken), is the URL when it is
// one without them and not with them ("http://host:7700." was refused):
// one that is a URL as given ("http://music.lan.") is left as it is.
func CleanOrigin(s string) string {
	return catalog.Unpasted(strings.TrimSpace(s), func(u string) bool { return CheckOrigin(u) == nil })
}

// HomePath is p with a leading "~" or "~/" read as the home directory;
// any other p, or no home directory, leaves it as it is. A shell expands
// "~" only at the start of a word, so a flag written --data=~/x, a quoted
// argument, config.toml and the SEGUE_* variables all reach segue with it.
func HomePath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	if p == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(home, rest)
	}
	return p
}

// HomeOutput is an output setting with HomePath applied to wav:FILE's file.
func HomeOutput(s string) string {
	if kind, file, ok := strings.Cut(s, ":"); ok {
		return kind + ":" + HomePath(file)
	}
	return s
}

// EnvSettings are the environment variables Load reads, in the order the
// README lists them; each stands for the flag of the same name.
var EnvSettings = []string{"SEGUE_ORIGIN", "SEGUE_TOKEN", "SEGUE_CA", "SEGUE_PIN_SHA256", "SEGUE_CACHE", "SEGUE_CACHE_SIZE", "SEGUE_OUTPUT", "SEGUE_DATA"}

// harnessEnv are the SEGUE_* names (and name prefixes) the project's own
// tests, benchmarks and Makefile set (SEGUE_MAKE_DEMO: make demo runs
// segue demo; SEGUE_EXEPAGES=off turns internal/exepages' start off, for
// measuring): segue passes over them without a word.
var harnessEnv = []string{"SEGUE_MINIO", "SEGUE_GONIC", "SEGUE_BENCH_", "SEGUE_MAKE_DEMO", "SEGUE_EXEPAGES"}

// EnvWarnings returns one sentence for each variable of environ (KEY=VALUE
// entries, as os.Environ gives) that is named SEGUE_* but is none of
// EnvSettings, with the setting it most likely meant: a typo such as
// SEGUE_ORIGN would otherwise be ignored in silence, as an unknown key of
// config.toml is not.
func EnvWarnings(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SEGUE_") || slices.Contains(EnvSettings, name) ||
			slices.ContainsFunc(harnessEnv, func(h string) bool { return strings.HasPrefix(name, h) }) {
			continue
		}
		msg := name + " is ignored: segue reads no such variable"
		if s := closest(name, EnvSettings); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else {
			msg += "; it reads " + strings.Join(EnvSettings, ", ")
		}
		out = append(out, msg)
	}
	return out
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	envOrigin := "" // the origin SEGUE_TOKEN and SEGUE_PIN_SHA256 go with
	if v, ok := lookup("SEGUE_ORIGIN"); ok && v != "" {
		v = CleanOrigin(v)
		if err := CheckOrigin(v); err != nil {
			return fmt.Errorf("SEGUE_ORIGIN: %w", err)
		}
		c.Rebind(v)
		envOrigin = v
	}
	if v, ok := lookup("SEGUE_TOKEN"); ok && v != "" {
		c.Token, c.tokenFor = v, envOrigin
	}
	if v, ok := lookup("SEGUE_CA"); ok && v != "" {
		v = HomePath(v)
		if err := CheckCA(v); err != nil {
			return fmt.Errorf("SEGUE_CA: %w", err)
		}
		c.CA = v
	}
	if v, ok := lookup("SEGUE_PIN_SHA256"); ok && v != "" {
		if err := CheckPin(v); err != nil {
			return fmt.Errorf("SEGUE_PIN_SHA256: %w", err)
		}
		c.PinSHA256, c.pinFor = v, envOrigin
	}
	if v, ok := lookup("SEGUE_CACHE"); ok && v != "" {
		c.Cache.Path = HomePath(v)
	}
	if v, ok := lookup("SEGUE_CACHE_SIZE"); ok && v != "" {
		if err := c.Cache.Size.Set(v); err != nil {
			return fmt.Errorf("SEGUE_CACHE_SIZE: %w", err)
		}
		if err := CheckCacheSize(c.Cache.Size); err != nil {
			return fmt.Errorf("SEGUE_CACHE_SIZE=%s: %w", v, err)
		}
	}
	if v, ok := lookup("SEGUE_OUTPUT"); ok && v != "" {
		v = HomeOutput(v)
		if err := CheckOutput(v); err != nil {
			return fmt.Errorf("SEGUE_OUTPUT: %w", err)
		}
		c.Player.Output, c.Player.OutputFrom = v, "SEGUE_OUTPUT"
	}
	if v, ok := lookup("SEGUE_DATA"); ok && v != "" {
		c.OriginSv.DataDir = HomePath(v)
	}
	return nil
}

// Size is a byte count that parses "500MB", "10GiB" or "2g"; a unit is
// required, so that "5" cannot silently mean five bytes.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseSize parses a human size such as "500MB" (decimal), "10GiB" or "2g"
// (binary) or "4096B". A number without a unit is refused: the error says
// how to write one.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(0)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || n != n { // n != n: NaN
		return 0, fmt.Errorf("size %q: want a number with a unit like 500MB or 10GiB", s)
	}
	switch {
	case mult == 0 && n == 0: // "0MiB" would be refused where a size must be above 0 (the cache)
		return 0, fmt.Errorf("size %q has no unit: write a number with one, e.g. 500MB or 2GiB", s)
	case mult == 0:
		return 0, fmt.Errorf("size %q has no unit: write it like %sMiB, %sGB or %sB (bytes)", s, t, t, t)
	}
	if n*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(n * float64(mult)), nil
}

// Set parses s into z (flag.Value).
func (z *Size) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*z = Size(n)
	return nil
}

// String formats z in binary units (flag.Value).
func (z Size) String() string { return FormatBytes(int64(z)) }

// Type names the flag value kind for help text (pflag.Value).
func (z *Size) Type() string { return "size" }

// UnmarshalTOML accepts a string with a unit ("2GiB"); a bare number is
// refused like in ParseSize.
func (z *Size) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		return z.Set(strconv.FormatInt(x, 10))
	case float64:
		return z.Set(strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		return z.Set(x)
	}
	return fmt.Errorf("size: want a string like \"2GiB\", got %v", v)
}

// FormatBytes renders n for people: "512 B", "3.4 MiB", "2.0 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
