package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "500MB", want: 500e6},
		{in: "10GiB", want: 10 << 30},
		{in: "2g", want: 2 << 30},
		{in: " 1.5 MiB ", want: 1536 << 10},
		{in: "4096B", want: 4096},
		{in: "0MB", want: 0},
		{in: "4096", bad: true},
		{in: "0", bad: true},
		{in: "", bad: true},
		{in: "GiB", bad: true},
		{in: "-1MB", bad: true},
		{in: "12 parsecs", bad: true},
		{in: "1e30TB", bad: true},
		{in: "NaN", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "size") {
				t.Errorf("ParseSize(%q) = %d, %v; want an error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 2 << 30: "2.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// The overlay: file over defaults, environment over file.
func TestLoadOverlay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte("origin = \"http://file:1\"\n[cache]\nsize = \"5GiB\"\n[player]\nvolume = 40\n"), 0o644)
	t.Setenv("SEGUE_ORIGIN", "http://env:2")
	c, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != "http://env:2" || c.Cache.Size != 5<<30 || c.Player.Volume != 40 || c.Player.Quality != "auto" {
		t.Fatalf("overlay: origin %q size %d volume %d quality %q", c.Origin, c.Cache.Size, c.Player.Volume, c.Player.Quality)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml"), false); err != nil {
		t.Fatalf("a missing file is not an error: %v", err)
	}
	os.WriteFile(path, []byte("origin = [broken"), 0o644)
	if _, err := Load(path, true); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken file must name itself: %v", err)
	}
	t.Setenv("SEGUE_CACHE_SIZE", "lots")
	os.WriteFile(path, nil, 0o644)
	if _, err := Load(path, true); err == nil || !strings.Contains(err.Error(), "SEGUE_CACHE_SIZE") {
		t.Fatalf("a bad env size must name the variable: %v", err)
	}
	t.Setenv("SEGUE_CACHE_SIZE", "0MiB")
	if _, err := Load(path, true); err == nil || err.Error() != "SEGUE_CACHE_SIZE=0MiB: want a size above 0, e.g. 2GiB (the default)" {
		t.Fatalf("a cache cap of 0 from the environment: %v", err)
	}
}

// Issue 11's config faults: each names the file, the key and (where it
// can) the line, and wraps into an *Error the command line turns into exit
// status 2.
func TestLoadReportsFileKeyAndLine(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		key        string
		line       int
		says       string
	}{
		{"typo in a table", "origin = \"http://x:1\"\n[cache]\nsizee = \"5GiB\"\n", "cache.sizee", 3, `did you mean "size"`},
		{"unknown top-level key", "orign = \"http://x:1\"\n", "orign", 1, `did you mean "origin"`},
		{"dotted unknown key", "player.volumee = 3\n", "player.volumee", 1, `did you mean "volume"`},
		// A key below the wrong table line was only "unknown setting", though
		// segue reads it: TOML files every key after [cache] under cache.
		{"top-level key below a table", "[cache]\nsize = \"5GiB\"\norigin = \"http://x:1\"\n", "cache.origin", 3,
			`"origin" is a top-level setting, so it goes above the first [table] line`},
		{"key of another table", "[player]\nsize = \"5GiB\"\n", "player.size", 2, `"size" belongs in [cache]`},
		{"table key at the top", "quality = \"high\"\n", "quality", 1, `"quality" belongs in [player]`},
		// [theme] took any key and any value, and kept its default colors
		{"unknown theme color", "[theme]\nacent = \"#ffffff\"\n", "theme.acent", 2, `did you mean "accent"?); the theme's colors are accent, text`},
		{"theme color of no form", "[theme]\n\naccent = \"blue\"\n", "theme.accent", 3, `"blue": want a color as #rrggbb (or #rgb) or an ANSI color number 0-255`},
		{"theme color past 255", "[theme]\nmuted = \"256\"\n", "theme.muted", 2, "ANSI color number 0-255"},
		{"read-ahead of none", "[player]\nbuffer_seconds = 0\n", "player.buffer_seconds", 2, "0: want 1 to 600 seconds"},
		{"negative read-ahead", "[player]\nbuffer_seconds = -5\n", "player.buffer_seconds", 2, "want 1 to 600 seconds"},
		{"loudness target above 0", "[player]\nloudness_target = 10\n", "player.loudness_target", 2, "10: want -40 to -5 LUFS"},
		{"typo in the peer table", "[peer]\nupload_rat = \"2MiB\"\n", "peer.upload_rat", 2, `did you mean "upload_rate"`},
		{"size without a unit", "[cache]\nsize = 5\n", "cache.size", 2, "no unit"},
		{"size string without a unit", "[cache]\n\nsize = \"5\"\n", "cache.size", 3, "no unit"},
		// A cap of 0 was taken: every segment was evicted as it was stored.
		{"cache size of 0", "[cache]\nsize = \"0GiB\"\n", "cache.size", 2, "want a size above 0"},
		{"cache size under a byte", "[cache]\nsize = \"0.4B\"\n", "cache.size", 2, "want a size above 0"},
		// the decoder's words named Go's types: "incompatible types: TOML
		// value has type string; destination has type integer"
		{"wrong type", "[player]\nvolume = \"loud\"\n", "player.volume", 2, "player.volume: got text, want a number (no quotes)"},
		{"number for text", "origin = 5\n", "origin", 1, `origin: got a number, want text in quotes ("...")`},
		{"text for true or false", "[events]\nsend = \"yes\"\n", "events.send", 2, "events.send: got text, want true or false (no quotes)"},
		{"number for true or false", "[player]\nautoplay = 1\n", "player.autoplay", 2, "player.autoplay: got a number, want true or false (no quotes)"},
		{"bad quality", "[player]\nquality = \"hgh\"\n", "player.quality", 2, "auto, low, normal, high"},
		{"bad max quality", "[player]\nmax_quality = \"auto\"\n", "player.max_quality", 2, "low, normal, high"},
		{"bad loudness", "[player]\nloudness = \"max\"\n", "player.loudness", 2, "off, track, album"},
		{"volume out of range", "[player]\nvolume = 300\n", "player.volume", 2, "0 to 100"},
		{"boost out of range", "[player]\nmax_boost_db = 40\n", "player.max_boost_db", 2, "0 (never raise) to 30 dB"},
		{"origin without a scheme", "origin = \"127.0.0.1:7700\"\n", "origin", 1, "want http(s)://host[:port]"},
		{"origin of another scheme", "origin = \"ftp://h\"\n", "origin", 1, "want http(s)://host[:port]"},
		// It was taken, and the password went into segue.log with each request's URL.
		{"origin with a password", "origin = \"https://ann:hunter2@h\"\n", "origin", 1, "origin URL https://ann:xxxxx@h holds a password"},
		{"unknown output", "[player]\noutput = \"speaker\"\n", "player.output", 2, "want alsa, null, wav:FILE or wav16:FILE"},
		{"wav output without a file", "[player]\noutput = \"wav:\"\n", "player.output", 2, "want alsa, null, wav:FILE or wav16:FILE"},
		{"origin address without a port", "[origin_server]\naddr = \"nonsense\"\n", "origin_server.addr", 2, "want HOST:PORT"},
		{"peer address past the last port", "[peer]\nlisten = \"127.0.0.1:99999\"\n", "peer.listen", 2, "port from 0 to 65535"},
		{"negative boost", "[player]\nloudness = \"track\"\nmax_boost_db = -3\n", "player.max_boost_db", 3, "never raise"},
		// Saved by an editor that writes a byte order mark (Windows Notepad):
		// the line was 0, so the message named none.
		{"byte order mark", "\ufefforign = \"http://x:1\"\n", "orign", 1, `did you mean "origin"`},
		{"byte order mark in a table", "\ufeff# segue\n[player]\nvolume = 300\n", "player.volume", 3, "0 to 100"},
		// A quoted table name is the same table: its keys had no line.
		{"quoted table name", "[\"player\"]\nquality = \"hgh\"\n", "player.quality", 2, "auto, low, normal, high"},
		{"quoted dotted table name", "[ 'peer' ]\nlistn = \"\"\n", "peer.listn", 2, `did you mean "listen"`},
		{"Windows line ends", "[player]\r\nquality = \"hgh\"\r\n", "player.quality", 2, "auto, low, normal, high"},
		// A setting that may be left out listed "" as a choice: "want one of , segue, subsonic".
		{"bad source kind", "[source]\nkind = \"navidrome\"\n", "source.kind", 2, `"navidrome": want one of segue, subsonic (or leave it out)`},
		// TOML's own words said what was met, not what to do
		{"quote left open", "[player]\nquality = \"high\n", "player.quality", 2, `strings cannot contain newlines; a quoted value is not closed: end it with " on the same line`},
		{"setting written twice", "origin = \"http://a:1\"\norigin = \"http://b:1\"\n", "origin", 2, "each setting and [table] may be written once: delete one of them"},
		{"not a text file", "origin = \"http://a:1\"\n\x7fELF\x02\x01", "", 2, "this is not a text file: is it the right file?"},
		{"no equals sign", "[player]\nquality high\n", "player", 2, "fix that line: the config is TOML"},
		{"bad max quality says it may be left out", "[player]\nmax_quality = \"best\"\n", "player.max_quality", 2, `want one of low, normal, high (or leave it out)`},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".toml")
		if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, true)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: Load = %v, want a *config.Error", tt.name, err)
			continue
		}
		if ce.File != path || ce.Key != tt.key || ce.Line != tt.line || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: file %q key %q line %d, message %q; want %q %q line %d saying %q",
				tt.name, ce.File, ce.Key, ce.Line, err, path, tt.key, tt.line, tt.says)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s: message %q must name the file and the key", tt.name, err)
		}
	}
}

// A --config FILE that does not exist is an error; the default path may be
// missing.
func TestLoadMissingNamedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path, true)
	var ce *Error
	if !errors.As(err, &ce) || ce.File != path || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing, mustExist) = %v; want a *config.Error naming %s wrapping fs.ErrNotExist", err, path)
	}
	if _, err := Load(path, false); err != nil {
		t.Fatalf("Load(missing default) = %v; want no error", err)
	}
}

// TestLoadDefaultPathUnusable: a default config path that cannot be read
// (XDG_CONFIG_HOME set to a file, a folder named config.toml) is an error
// saying it is the default one and what to fix; it said "(check the path
// given to --config)" to a user who gave no --config.
func TestLoadDefaultPathUnusable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "segue", "config.toml")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, says string }{
		{filepath.Join(file, "segue", "config.toml"), "config " + filepath.Join(file, "segue", "config.toml") + ": not a directory (the default config file, under XDG_CONFIG_HOME: fix that folder, or name a file with --config FILE)"},
		{folder, "config " + folder + ": is a directory (the default config file, under XDG_CONFIG_HOME: fix that folder, or name a file with --config FILE)"},
	} {
		_, err := Load(c.path, false)
		var ce *Error
		if !errors.As(err, &ce) || err.Error() != c.says {
			t.Errorf("Load(%s, default) = %v; want a *config.Error saying %q", c.path, err, c.says)
		}
		if _, err := Load(c.path, true); err == nil || !strings.Contains(err.Error(), "(check the path given to --config)") {
			t.Errorf("Load(%s, named) = %v; want it to point at --config", c.path, err)
		}
	}
}

// TestSizeZeroWithoutUnit: a unitless 0 is told to take a unit without
// being shown "0MiB", which a cache size then refuses: --cache-size 0 said
// "write it like 0MiB, 0GB or 0B", and each of those "want a size above 0".
func TestSizeZeroWithoutUnit(t *testing.T) {
	for _, in := range []string{"0", " 0 ", "0.0", "00"} {
		_, err := ParseSize(in)
		want := fmt.Sprintf("size %q has no unit: write a number with one, e.g. 500MB or 2GiB", in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseSize(%q): %v; want %q", in, err, want)
		}
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[cache]\nsize = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, true); err == nil || strings.Contains(err.Error(), "0MiB") || !strings.Contains(err.Error(), "cache.size: size \"0\" has no unit: write a number with one") {
		t.Errorf("cache.size = 0: %v", err)
	}
}

// FuzzLoad: any file content either loads or fails with an *Error naming
// the file; never a panic.
func FuzzLoad(f *testing.F) {
	f.Add("origin = \"http://x:1\"\n[cache]\nsize = \"5GiB\"\n")
	f.Add("[cache]\nsizee = 5\n")
	f.Add("[player]\nvolume = \"x\"\n[theme]\naccent = \"#fff\"\n")
	f.Add("a.b.c = [1, {x = 2}]\n")
	f.Add("\ufeff[ \"player\" ]\r\nquality = \"x\"\r\n")
	path := filepath.Join(f.TempDir(), "config.toml")
	f.Fuzz(func(t *testing.T, body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, true)
		var ce *Error
		if err != nil && (!errors.As(err, &ce) || ce.File != path) {
			t.Fatalf("Load = %v; want nil or a *config.Error naming the file", err)
		}
	})
}

// FuzzParseSize: a size parses to a non-negative count or fails saying
// "size".
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"500MB", "10GiB", "2g", "5", "1e30TB", "NaN", " 1.5 MiB "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		if err != nil && !strings.Contains(err.Error(), "size") {
			t.Fatalf("ParseSize(%q): %v does not say size", s, err)
		}
	})
}

// TestLoadChecksEnvironment: SEGUE_ORIGIN and SEGUE_OUTPUT are checked like
// the file's values, and the error names the variable.
func TestLoadChecksEnvironment(t *testing.T) {
	for _, c := range []struct{ name, value, says string }{
		// host:port, as --addr is written: the URL meant is named
		{"SEGUE_ORIGIN", "127.0.0.1:7700", `SEGUE_ORIGIN: origin URL "127.0.0.1:7700": want http(s)://host[:port]: give http://127.0.0.1:7700 (or https://127.0.0.1:7700 for an origin served over https)`},
		{"SEGUE_ORIGIN", "localhost:7700/", `origin URL "localhost:7700/": want http(s)://host[:port]: give http://localhost:7700 (or https://localhost:7700`},
		{"SEGUE_ORIGIN", "ftp://127.0.0.1:7700", `origin URL "ftp://127.0.0.1:7700": want http(s)://host[:port], e.g. http://127.0.0.1:7700 (or subsonic+https`},
		{"SEGUE_OUTPUT", "speaker", `SEGUE_OUTPUT: output "speaker": want alsa, null, wav:FILE or wav16:FILE`},
		{"SEGUE_OUTPUT", "wav16:", `SEGUE_OUTPUT: output "wav16:"`},
		{"SEGUE_ORIGIN", "http://127.0.0.1:99999", `SEGUE_ORIGIN: origin URL "http://127.0.0.1:99999": port 99999: want a port from 1 to 65535`},
		{"SEGUE_ORIGIN", "https://music.example:0/", `port 0: want a port from 1 to 65535`},
		{"SEGUE_ORIGIN", "http://%25:7700", `origin URL "http://%25:7700": the host is not a host name or IP address`},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			if _, err := Load(filepath.Join(t.TempDir(), "none.toml"), false); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Load with %s=%q: %v; want an error saying %q", c.name, c.value, err, c.says)
			}
		})
	}
	for _, ok := range []string{"http://127.0.0.1:7700", "https://music.example/", "subsonic+https://me@music.example/sub", "subsonic+http://me@127.0.0.1:4747"} {
		if err := CheckOrigin(ok); err != nil {
			t.Errorf("CheckOrigin(%q) = %v, want nil", ok, err)
		}
	}
	for _, ok := range []string{"alsa", "null", "wav:/tmp/x.wav", "wav16:out.wav"} {
		if err := CheckOutput(ok); err != nil {
			t.Errorf("CheckOutput(%q) = %v, want nil", ok, err)
		}
	}
	for _, ok := range []string{"127.0.0.1:7700", ":7700", "[::1]:0", "0.0.0.0:65535"} {
		if err := CheckAddr(ok); err != nil {
			t.Errorf("CheckAddr(%q) = %v, want nil", ok, err)
		}
	}
}

// TestREADMEConfigLoads: every config.toml example in the README loads
// (every key it shows exists, every value is allowed), so a newcomer who
// copies one gets a working file.
func TestREADMEConfigLoads(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("the README shows no config.toml")
	}
	for i, b := range blocks {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, b[1], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path, true); err != nil {
			t.Errorf("the README's config.toml example %d does not load: %v\n%s", i+1, err, b[1])
		}
	}
}

// TestEnvWarnings: a SEGUE_* variable segue does not read gets a sentence
// naming it (and the setting it most likely meant); the settings and the
// project's harness variables get none, nor does anything else.
func TestEnvWarnings(t *testing.T) {
	for _, c := range []struct{ kv, says string }{
		{"SEGUE_ORIGN=http://x:1", "SEGUE_ORIGN is ignored: segue reads no such variable (did you mean SEGUE_ORIGIN?)"},
		{"SEGUE_CACHESIZE=5GiB", "(did you mean SEGUE_CACHE_SIZE?)"},
		{"SEGUE_TOKN=abc", "(did you mean SEGUE_TOKEN?)"},
		{"SEGUE_VOLUME=50", "SEGUE_VOLUME is ignored: segue reads no such variable; it reads SEGUE_ORIGIN, SEGUE_TOKEN,"},
	} {
		got := EnvWarnings([]string{c.kv})
		if len(got) != 1 || !strings.Contains(got[0], c.says) {
			t.Errorf("EnvWarnings(%q) = %q; want one saying %q", c.kv, got, c.says)
		}
	}
	quiet := append([]string{"PATH=/bin", "SEGUE=1", "SEGUE_MINIO=/x", "SEGUE_GONIC=/y", "SEGUE_BENCH_PG=1", "SEGUE_EXEPAGES=off", "MY_SEGUE_ORIGN=1"}, EnvSettings...)
	if got := EnvWarnings(quiet); len(got) != 0 {
		t.Errorf("EnvWarnings(%q) = %q; want none", quiet, got)
	}
}

// TestEnvSettingsAreRead: each name EnvSettings (and so the README and the
// warnings) lists changes what Load returns.
func TestEnvSettingsAreRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.toml")
	base, err := Load(path, false)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"SEGUE_ORIGIN": "http://127.0.0.1:1", "SEGUE_CACHE_SIZE": "5MiB", "SEGUE_OUTPUT": "wav:/tmp/x.wav",
		"SEGUE_CA": writeCA(t, t.TempDir()), "SEGUE_PIN_SHA256": strings.Repeat("ab", 32)}
	for _, name := range EnvSettings {
		t.Run(name, func(t *testing.T) {
			v, ok := values[name]
			if !ok {
				v = "/some/value"
			}
			t.Setenv(name, v)
			got, err := Load(path, false)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(got, base) {
				t.Errorf("Load with %s=%s returned the defaults", name, v)
			}
		})
	}
}

// TestLoadExpandsHome: a path in config.toml or a SEGUE_* variable that
// starts with "~" is under the home directory, as the shell would have
// made it on a command line. "data_dir = \"~/segue-data\"" was a folder
// named "~" in the current one: origin token list said "no origin in
// ~/segue-data", and ingest and the cache made ./~ there (and every
// command the state_dir's, "state_dir = \"~/state\"").
func TestLoadExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeCA(t, home) // ca is checked: it must be there once ~ is read
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte(`ca = "~/ca.pem"
log_file = "~/segue.log"
state_dir = "~/state"
[cache]
path = "~/cache.db"
[player]
output = "wav:~/out.wav"
[origin_server]
data_dir = "~"
[source]
password_file = "~/pw"
`), 0o644)
	c, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.CA, c.LogFile, c.StateDir, c.Cache.Path, c.Player.Output, c.OriginSv.DataDir, c.Source.PasswordFile}
	want := []string{filepath.Join(home, "ca.pem"), filepath.Join(home, "segue.log"), filepath.Join(home, "state"), filepath.Join(home, "cache.db"), "wav:" + filepath.Join(home, "out.wav"), home, filepath.Join(home, "pw")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths from the file: %q, want %q", got, want)
	}
	t.Setenv("SEGUE_DATA", "~/srv/segue")
	t.Setenv("SEGUE_CACHE", "~/c2.db")
	t.Setenv("SEGUE_OUTPUT", "null")
	t.Setenv("SEGUE_CA", "~/ca.pem")
	if c, err = Load(path, true); err != nil {
		t.Fatal(err)
	}
	if c.CA != filepath.Join(home, "ca.pem") {
		t.Errorf("SEGUE_CA=~/ca.pem: %q", c.CA)
	}
	if c.OriginSv.DataDir != filepath.Join(home, "srv", "segue") || c.Cache.Path != filepath.Join(home, "c2.db") || c.Player.Output != "null" {
		t.Errorf("paths from the environment: data %q, cache %q, output %q", c.OriginSv.DataDir, c.Cache.Path, c.Player.Output)
	}
	os.WriteFile(path, []byte("[cache]\npath = \"a~/b\"\n"), 0o644)
	os.Unsetenv("SEGUE_CACHE")
	if c, err = Load(path, true); err != nil || c.Cache.Path != "a~/b" {
		t.Errorf("a ~ not at the start stays: %q (%v)", c.Cache.Path, err)
	}
}

// TestREADMEShowsEveryConfigKey: the README's config.toml example names
// every key segue reads (set, or in a comment), each table under its
// header: token, state_dir, log_file, [cache] path, [player] volume,
// loudness_target and buffer_seconds, [origin_server] and [theme] were
// read but shown nowhere, so a newcomer put the token on the command line.
func TestREADMEShowsEveryConfigKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var example string
	for _, b := range regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(readme, -1) {
		example += string(b[1])
	}
	shows := func(key string) bool {
		return regexp.MustCompile(`(?m)(^|[#\s])` + regexp.QuoteMeta(key) + `\s*=`).MatchString(example)
	}
	for _, key := range known("") {
		f, _ := fieldByTag(reflect.TypeOf(Config{}), key)
		switch f.Type.Kind() {
		case reflect.Struct, reflect.Map:
			if !strings.Contains(example, "["+key+"]") {
				t.Errorf("the README's config.toml has no [%s]", key)
			}
			for _, sub := range known(key) {
				if !shows(sub) {
					t.Errorf("the README's config.toml does not show %s.%s", key, sub)
				}
			}
		default:
			if !shows(key) {
				t.Errorf("the README's config.toml does not show %s", key)
			}
		}
	}
}

// TestThemeColorsLoad: the colors lipgloss takes load: #rrggbb, #rgb and
// ANSI numbers.
func TestThemeColorsLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	body := "[theme]\naccent = \"#7aa2f7\"\nmuted = \"#abc\"\ntext = \"212\"\nborder = \"0\"\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path, true); err != nil || c.Theme["text"] != "212" {
		t.Errorf("a theme of good colors: %v, %v", c.Theme, err)
	}
}

// TestOriginSpacesDropped: an origin URL with spaces or a line break
// around it (pasted into config.toml, a variable set with its newline) is
// the URL, as a token is; it was refused ("want http(s)://host[:port]"),
// and with a space after its last "/" every request asked for "/%20".
func TestOriginSpacesDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte("origin = \" http://file:1/ \"\n"), 0o644)
	c, err := Load(path, true)
	if err != nil || c.Origin != "http://file:1/" {
		t.Errorf("config origin with spaces: %q, %v; want http://file:1/", c.Origin, err)
	}
	t.Setenv("SEGUE_ORIGIN", "http://env:2\n")
	if c, err = Load(path, true); err != nil || c.Origin != "http://env:2" {
		t.Errorf("SEGUE_ORIGIN with a line break: %q, %v; want http://env:2", c.Origin, err)
	}
}

// TestLoadNamedFileMissing: a --config naming no file says it does not
// exist, in the words every other missing file is said in ("X does not
// exist (check the path)"), never Go's "no such file or directory", and a
// folder named there is said to be one.
func TestLoadNamedFileMissing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "conifg.toml")
	for _, c := range []struct{ path, says string }{
		{missing, "config " + missing + ": does not exist (check the path given to --config)"},
		{dir, "config " + dir + ": is a folder: give the config file (check the path given to --config)"},
	} {
		_, err := Load(c.path, true)
		var ce *Error
		if !errors.As(err, &ce) || err.Error() != c.says {
			t.Errorf("Load(%s, named) = %v; want a *config.Error saying %q", c.path, err, c.says)
		}
	}
}
