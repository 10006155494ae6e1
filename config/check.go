package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"segue/internal/spelling"
)

// Error is a problem with the config file: which file, which key (dotted,
// as written in the file: "cache.size"), the line when known (1-based, 0
// unknown), and what was wrong. The command line reports it with exit
// status 2.
type Error struct {
	File string
	Key  string
	Line int
	Err  error
}

func (e *Error) Error() string {
	where := "config " + e.File
	if e.Line > 0 {
		where += fmt.Sprintf(":%d", e.Line)
	}
	if e.Key != "" {
		where += fmt.Sprintf(": %s", e.Key)
	}
	return where + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// unwrapPath drops the *fs.PathError's own copy of the path, which Error
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// syntaxHint says what to do about the TOML parser's message msg, which
// says only what it met ("strings cannot contain newlines" for a quote
// left open).
func syntaxHint(msg string) string {
	switch {
	case strings.Contains(msg, "strings cannot contain newlines"):
		return `a quoted value is not closed: end it with " on the same line`
	case strings.Contains(msg, "already been defined"), strings.Contains(msg, "already exists"):
		return "each setting and [table] may be written once: delete one of them"
	case strings.Contains(msg, "control characters"), strings.Contains(msg, "UTF-8"):
		return "this is not a text file: is it the right file? The config is TOML text, as the README's example"
	}
	return "fix that line: the config is TOML, as the README's example (settings as key = \"value\", under [table] lines)"
}

// decode reads text (the file at path) over c, then checks that every key
// is known and every value allowed.
func (c *Config) decode(path, text string) error {
	md, err := toml.Decode(text, c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return &Error{File: path, Key: pe.LastKey, Line: pe.Position.Line, Err: errors.New(pe.Message + "; " + syntaxHint(pe.Message))}
		}
		// Type mismatches come as plain errors: "toml: line 2 (last key "x"): ..."
		if m := typeError.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &Error{File: path, Key: m[2], Line: line, Err: errors.New(typeWanted(m[3]))}
		}
		return &Error{File: path, Err: err}
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		k := keys[0]
		msg := "unknown setting"
		if s := suggest(k); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if where := elsewhere(k); where != "" {
			msg += where
		}
		return &Error{File: path, Key: k.String(), Line: keyLine(text, k), Err: errors.New(msg + "; see the example in the README")}
	}
	c.expandHome()
	if md.IsDefined("origin") {
		c.tokenFor, c.pinFor = c.Origin, c.Origin
	}
	if md.IsDefined("player", "output") {
		c.Player.OutputFrom = "config " + path + ": player.output"
	}
	for _, chk := range []struct {
		key   string
		value string
		allow []string
	}{
		{"player.quality", c.Player.Quality, []string{"auto", "low", "normal", "high"}},
		{"player.max_quality", c.Player.MaxQuality, []string{"", "low", "normal", "high"}},
		{"source.kind", c.Source.Kind, []string{"", "segue", "subsonic"}},
		{"player.loudness", c.Player.LoudnessMode, []string{"off", "track", "album"}},
	} {
		if !slices.Contains(chk.allow, chk.value) {
			k := toml.Key(strings.Split(chk.key, "."))
			want := strings.Join(slices.DeleteFunc(slices.Clone(chk.allow), func(v string) bool { return v == "" }), ", ")
			if slices.Contains(chk.allow, "") {
				want += " (or leave it out)"
			}
			return &Error{File: path, Key: chk.key, Line: keyLine(text, k),
				Err: fmt.Errorf("%q: want one of %s", chk.value, want)}
		}
	}
	for _, chk := range []struct {
		key   string
		check func() error
	}{
		{"origin", func() error { return CheckOrigin(c.Origin) }},
		{"ca", func() error { return CheckCA(c.CA) }},
		{"pin_sha256", func() error { return CheckPin(c.PinSHA256) }},
		{"player.output", func() error { return CheckOutput(c.Player.Output) }},
		{"origin_server.addr", func() error { return CheckAddr(c.OriginSv.Addr) }},
		{"origin_server.pause_timeout", func() error {
			if c.OriginSv.PauseTimeout == "" {
				return nil
			}
			_, err := ParseTimeout(c.OriginSv.PauseTimeout)
			return err
		}},
		{"peer.listen", func() error { return CheckListen(c.Peer.Listen) }},
		{"cache.size", func() error { return CheckCacheSize(c.Cache.Size) }},
	} {
		if err := chk.check(); err != nil {
			return &Error{File: path, Key: chk.key, Line: keyLine(text, toml.Key(strings.Split(chk.key, "."))), Err: err}
		}
	}
	if err := checkTheme(path, text, c.Theme); err != nil {
		return err
	}
	if v := c.Player.Volume; v < 0 || v > 100 {
		return &Error{File: path, Key: "player.volume", Line: keyLine(text, toml.Key{"player", "volume"}),
			Err: fmt.Errorf("%d: want 0 to 100", v)}
	}
	// Both were taken whatever they were: a read-ahead of -5 s or 0 played
	// with the default, a target of +10 LUFS raised every track to its cap.
	if v := c.Player.BufferSeconds; !(v >= MinBufferSeconds && v <= MaxBufferSeconds) {
		return &Error{File: path, Key: "player.buffer_seconds", Line: keyLine(text, toml.Key{"player", "buffer_seconds"}),
			Err: fmt.Errorf("%g: want %g to %g seconds", v, MinBufferSeconds, MaxBufferSeconds)}
	}
	if v := c.Player.LoudnessTarget; !(v >= MinLoudnessTarget && v <= MaxLoudnessTarget) {
		return &Error{File: path, Key: "player.loudness_target", Line: keyLine(text, toml.Key{"player", "loudness_target"}),
			Err: fmt.Errorf("%g: want %g to %g LUFS (-14 streaming, -23 broadcast)", v, MinLoudnessTarget, MaxLoudnessTarget)}
	}
	if v := c.Player.MaxBoostDB; !(v >= 0 && v <= MaxBoostLimitDB) {
		return &Error{File: path, Key: "player.max_boost_db", Line: keyLine(text, toml.Key{"player", "max_boost_db"}),
			Err: fmt.Errorf("%g: want 0 (never raise) to %g dB", v, MaxBoostLimitDB)}
	}
	return nil
}

// ThemeKeys are the colors config.toml's [theme] may set (ui/styles holds
// their defaults).
var ThemeKeys = []string{"accent", "text", "muted", "error", "notice", "playing", "border", "selected"}

// themeColor is what lipgloss takes for a color: #rgb, #rrggbb, or an ANSI
// number 0-255.
var themeColor = regexp.MustCompile(`^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$`)

// checkTheme refuses a [theme] key the interface does not use and a color
// it cannot show: both were ignored without a word (a map takes any key),
// and the interface kept its default colors.
func checkTheme(path, text string, theme map[string]string) error {
	keys := slices.Sorted(maps.Keys(theme))
	for _, k := range keys {
		key := toml.Key{"theme", k}
		if !slices.Contains(ThemeKeys, k) {
			msg := "unknown setting"
			if s := closest(k, ThemeKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return &Error{File: path, Key: key.String(), Line: keyLine(text, key),
				Err: fmt.Errorf("%s; the theme's colors are %s", msg, strings.Join(ThemeKeys, ", "))}
		}
		if v := theme[k]; v != "" && !themeColor.MatchString(v) {
			return &Error{File: path, Key: key.String(), Line: keyLine(text, key),
				Err: fmt.Errorf("%q: want a color as #rrggbb (or #rgb) or an ANSI color number 0-255", v)}
		}
	}
	return nil
}

// CheckCacheSize refuses a cache cap of 0 ("0B", "0GiB"): a cache that
// may hold nothing evicts each segment as it is stored, so every track
// would stream from the network again and nothing could be kept offline.
func CheckCacheSize(z Size) error {
	if z <= 0 {
		return errors.New("want a size above 0, e.g. 2GiB (the default)")
	}
	return nil
}

// CheckOrigin reports whether s is an origin's base URL: http or https (a
// segue origin), or subsonic+http or subsonic+https (a Subsonic server,
// see net/subsonic), with a host and nothing after the path.
func CheckOrigin(s string) error {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	scheme := ""
	if err == nil {
		scheme = strings.TrimPrefix(u.Scheme, "subsonic+")
	}
	if err != nil || (scheme != "http" && scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		// host:port alone, as origin serve's --addr is written: say the
		// URL that was meant, which only showed as an example
		if !strings.Contains(s, "://") && CheckOrigin("http://"+s) == nil {
			return fmt.Errorf("origin URL %q: want http(s)://host[:port]: give http://%s (or https://%[2]s for an origin served over https)", s, strings.TrimRight(s, "/"))
		}
		return fmt.Errorf("origin URL %q: want http(s)://host[:port], e.g. %s (or subsonic+https://USER@HOST for a Subsonic server)", s, DefaultOrigin)
	}
	// url.Parse decodes escapes in the host ("%25" is "%"), which no host
	// name or address has (share.ParseURL refuses them too).
	if strings.Contains(u.Host, "%") {
		return fmt.Errorf("origin URL %q: the host is not a host name or IP address, e.g. %s", s, DefaultOrigin)
	}
	// A port past 65535 (or 0) was taken, then every request said the
	// origin "is unreachable (is it running?)": the URL was at fault.
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return fmt.Errorf("origin URL %q: port %s: want a port from 1 to 65535, e.g. %s", s, p, DefaultOrigin)
		}
	}
	// A password there shows in ps, in the log's request URLs and in the
	// offline documents' keys (offline list --json), as a flag's value would.
	if _, ok := u.User.Password(); ok {
		return fmt.Errorf("origin URL %s holds a password, which would show in ps and in segue's log: leave it out and give the origin's token with --token, SEGUE_TOKEN or token in config.toml (a Subsonic server's password with --password-file)", u.Redacted())
	}
	return nil
}

// CheckOutput reports whether s names an audio output: alsa, null,
// wav:FILE (float32) or wav16:FILE (16-bit PCM).
func CheckOutput(s string) error {
	for _, file := range []string{"wav:", "wav16:"} {
		if rest, ok := strings.CutPrefix(s, file); ok && rest != "" {
			return nil
		}
	}
	if s == "alsa" || s == "null" {
		return nil
	}
	return fmt.Errorf("output %q: want alsa, null, wav:FILE or wav16:FILE", s)
}

// ParseTimeout parses a timeout setting: a Go duration of 1 s or more
// ("10m", "90s", "1h30m"). A bare number, 0, a negative duration or less
// than a second (which would cut off every client) is an error saying how
// to write one.
func ParseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q: want a duration with a unit, such as 10m, 90s or 1h30m", s)
	case d < time.Second:
		return 0, fmt.Errorf("%q: want 1s or more, such as 10m or 90s", s)
	}
	return d, nil
}

// CheckAddr reports whether s is a listen address HOST:PORT with a port
// 0-65535 (0: any free port; an empty host: every interface).
func CheckAddr(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return fmt.Errorf("address %q: want HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:7700", s)
	}
	return nil
}

// CheckListen is CheckAddr where "" (the default: a free port on a private
// address) is allowed too.
func CheckListen(s string) error {
	if s == "" {
		return nil
	}
	return CheckAddr(s)
}

// Bounds of player.buffer_seconds (the read-ahead: a second at least, ten
// minutes at most) and player.loudness_target (LUFS).
const (
	MinBufferSeconds  = 1.0
	MaxBufferSeconds  = 600.0
	MinLoudnessTarget = -40.0
	MaxLoudnessTarget = -5.0
)

// MaxBoostLimitDB bounds player.max_boost_db: past 30 dB a "quiet" track is
// noise floor whatever the setting meant.
const MaxBoostLimitDB = 30.0

// known returns the keys the table (dotted; "" the top) accepts, read from
// Config's toml tags so that it cannot drift from them.
func known(table string) []string {
	t := reflect.TypeOf(Config{})
	for _, part := range strings.Split(table, ".") {
		if part == "" {
			break
		}
		f, ok := fieldByTag(t, part)
		if !ok || f.Type.Kind() != reflect.Struct {
			return nil
		}
		t = f.Type
	}
	var keys []string
	for f := range t.Fields() {
		if tag := tomlName(f); tag != "" && tag != "-" { // "-": not read from the file
			keys = append(keys, tag)
		}
	}
	return keys
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if tomlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// suggest returns the known key of k's table closest to k's last part
// (edit distance at most 2), or "".
func suggest(k toml.Key) string {
	return closest(k[len(k)-1], known(strings.Join(k[:len(k)-1], ".")))
}

// elsewhere says where a key unknown in its own table belongs when another
// table (or the top) has a setting of that name: a key written below the
// wrong [table] line, or a top-level one after the first table, which TOML
// files under that table. "" when no table has it.
func elsewhere(k toml.Key) string {
	name, own := k[len(k)-1], strings.Join(k[:len(k)-1], ".")
	if own != "" && slices.Contains(known(""), name) && !isTable(name) {
		return fmt.Sprintf(": %q is a top-level setting, so it goes above the first [table] line (below one it belongs to that table)", name)
	}
	for _, table := range known("") {
		if table != own && isTable(table) && slices.Contains(known(table), name) {
			return fmt.Sprintf(": %q belongs in [%s]", name, table)
		}
	}
	return ""
}

// isTable reports whether the top-level key name is a table of settings.
func isTable(name string) bool {
	f, ok := fieldByTag(reflect.TypeOf(Config{}), name)
	return ok && f.Type.Kind() == reflect.Struct
}

// closest returns the candidate nearest to name, or "" when none is within
// two edits.
func closest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, cand := range candidates {
		if d := spelling.Distance(name, cand); d < bestD {
			best, bestD = cand, d
		}
	}
	return best
}

var typeError = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

// typeMismatch is the TOML decoder's text for a value of the wrong type.
var typeMismatch = regexp.MustCompile(`^incompatible types: TOML value has type (\w+); destination has type (\w+)$`)

// typeWanted says a type mismatch in a config file's words, what it got
// and what to write instead: the decoder's "TOML value has type int64;
// destination has type string" named Go's types.
func typeWanted(msg string) string {
	m := typeMismatch.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	kind := func(goType string) string {
		switch {
		case goType == "string":
			return "text"
		case goType == "bool", goType == "boolean":
			return "true or false"
		case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
			return "a number"
		case strings.HasPrefix(goType, "map"):
			return "a table"
		case strings.HasPrefix(goType, "[]"), goType == "slice":
			return "a list"
		}
		return ""
	}
	got, want := kind(m[1]), kind(m[2])
	if got == "" || want == "" {
		return msg
	}
	switch want {
	case "text":
		want = `text in quotes ("...")`
	case "true or false", "a number":
		want += " (no quotes)"
	}
	return "got " + got + ", want " + want
}

var tableHeader = regexp.MustCompile(`^\s*\[\s*([^\[\]]+?)\s*\]`)

// keyLine finds the line (1-based) where key k is set in text: under its
// table's [header], or dotted from the top; a byte order mark, quoted
// names and spaces around the dots are allowed as TOML allows them. 0 when
// not found (the TOML library keeps key positions private).
func keyLine(text string, k toml.Key) int {
	table := ""
	for i, line := range strings.Split(strings.TrimPrefix(text, "\ufeff"), "\n") {
		if m := tableHeader.FindStringSubmatch(line); m != nil {
			table = keyText(m[1])
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		full := keyText(name)
		if table != "" {
			full = table + "." + full
		}
		if full == k.String() {
			return i + 1
		}
	}
	return 0
}

// keyText is a dotted key as written (` "player" . volume `) as
// toml.Key.String writes it (player.volume).
func keyText(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}
