package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/spf13/pflag"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/player"
	"segue/ui"
	"segue/ui/playlists"
)

// source is the configured origin as the commands and the interface use
// it: segue's own origin (*originclient.Client) or a Subsonic server
// (*subsonic.Client), each speaking catalog's vocabulary.
type source interface {
	ui.Catalog      // search, artists, albums, covers
	playlists.Store // playlists
	ui.Radio
	Track(ctx context.Context, id string) (catalog.Track, error)
	Manifest(ctx context.Context, trackID string) (catalog.Manifest, error)
	UnsharePlaylist(ctx context.Context, id string) error
	BaseURL() string
	Source() string // "the origin at HOST", "the Subsonic server at HOST"
	Unanswered() error
}

var (
	_ source = (*originclient.Client)(nil)
	_ source = (*subsonic.Client)(nil)
)

// subsonicURL returns the configured origin as a Subsonic URL
// (subsonic+https://USER@HOST[/PATH]) when it names a Subsonic server,
// either by its scheme or by [source] kind = "subsonic"; ok is false for a
// segue origin.
func (a *app) subsonicURL() (string, bool) {
	o := a.cfg.Origin
	if subsonic.IsURL(o) {
		return o, true
	}
	if a.cfg.Source.Kind != "subsonic" {
		return o, false
	}
	rest, tls := strings.CutPrefix(o, "https://")
	if !tls {
		rest = strings.TrimPrefix(o, "http://")
	}
	scheme := "subsonic+http://"
	if tls {
		scheme = "subsonic+https://"
	}
	if a.cfg.Source.User != "" && !strings.Contains(rest, "@") {
		rest = a.cfg.Source.User + "@" + rest
	}
	return scheme + rest, true
}

// openSubsonic returns the client of the configured Subsonic server whose
// whole tracks are kept in c, streaming at the quality's bitrate.
func (a *app) openSubsonic(raw string, c *cache.Cache, quality string) (*subsonic.Client, error) {
	base, _, err := subsonic.ParseURL(raw)
	if err != nil {
		return nil, withExit(ExitUsage, err)
	}
	pw, err := a.subsonicPassword(base.Host)
	if err != nil {
		return nil, err
	}
	// The server's certificate is checked as a segue origin's is: against
	// --ca and --pin-sha256 (the client trusted the system's roots alone,
	// and told the user to give the options it ignored).
	tc, err := a.tlsFor(a.cfg.Origin, "").Config()
	if err != nil {
		return nil, withExit(ExitUsage, err)
	}
	o := subsonic.Options{Password: pw, Kbps: subsonic.Kbps(quality), HTTP: originclient.NewSubsonicHTTPClient(tc)}
	if c != nil {
		o.Store = c
	}
	sub, err := subsonic.New(raw, o)
	if err != nil {
		return nil, withExit(ExitUsage, err)
	}
	return sub, nil
}

// maxPasswordLine is the most the first line of a password file may hold.
const maxPasswordLine = 64 << 10

// subsonicPassword finds the password, never in a flag's value (it would
// show in ps): --password-file, then [source] password_file or password in
// the config, then the system secret store through secret-tool (service
// segue, server HOST).
func (a *app) subsonicPassword(host string) (string, error) {
	file, what := a.passwordFile, "--password-file"
	if file == "" {
		file, what = a.cfg.Source.PasswordFile, "password_file in [source] of the config"
	}
	if file != "" {
		// said as every flag's file is (it was Go's "open FILE: no such
		// file or directory"); a setting that does not work is a bad one (2)
		f, err := openInput(what, file)
		if err != nil && a.passwordFile == "" {
			return "", withExit(ExitUsage, err)
		}
		if err != nil {
			return "", err
		}
		defer f.Close()
		// a first line, not a whole file of no line break (/dev/zero, a
		// film named by mistake), which was read until segue died of it
		line, err := bufio.NewReader(io.LimitReader(f, maxPasswordLine+1)).ReadString('\n')
		if len(line) > maxPasswordLine {
			return "", withExit(ExitUsage, fmt.Errorf("%s: the first line of %s is longer than %d KiB, more than any password: it is not a password file; check the path", what, file, maxPasswordLine>>10))
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", withExit(ExitUsage, fmt.Errorf("%s: the first line of %s is empty (%v): write the password there", what, file, err))
		}
		return line, nil
	}
	if a.cfg.Source.Password != "" {
		return a.cfg.Source.Password, nil
	}
	if _, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command("secret-tool", "lookup", "service", "segue", "server", host).Output()
		if pw := strings.TrimRight(string(out), "\n"); err == nil && pw != "" {
			return pw, nil
		}
	}
	return "", withExit(ExitUsage, fmt.Errorf("no password for the Subsonic server %s: give --password-file FILE, set password_file in [source] of the config, or store it with: secret-tool store --label=segue service segue server %s", host, host))
}

// addSourceFlags adds the flags of a Subsonic origin.
func addSourceFlags(pf *pflag.FlagSet, file *string) {
	pf.Var(pathVar(file, ""), "password-file", "`FILE` whose first line is the Subsonic server's password (never the password itself: it would show in ps)")
}

// subsonicPlayer wires a Subsonic server into the player: its segments
// come from the download in flight, or from the cache once it is whole.
// Set the returned source's quality to the player's, so that a quality
// changed while playing (the interface's b) takes the next track's stream
// at its bitrate.
func subsonicPlayer(sub *subsonic.Client, cached subsonic.SegmentSource, o *player.Options) *subsonicManifests {
	m := &subsonicManifests{c: sub}
	o.Segments, o.Manifests, o.SourceName = sub.Segments(cached), m, subsonicName
	return m
}

// subsonicName is how a message names a Subsonic server as the source of
// tracks (player.Options.SourceName, sourceName).
const subsonicName = "the Subsonic server"

// subsonicManifests is the player's ManifestSource over a Subsonic client.
type subsonicManifests struct {
	c *subsonic.Client
	// quality, when set, is the player's preference: low, normal or high
	// ask that bitrate, auto the client's own.
	quality func() player.Quality
}

func (m *subsonicManifests) Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error) {
	var man catalog.Manifest
	var err error
	if q := m.preference(); q != player.QualityAuto {
		man, err = m.c.ManifestAt(ctx, trackID, subsonic.Kbps(string(q)))
	} else {
		man, err = m.c.Manifest(ctx, trackID)
	}
	if err != nil {
		return nil, err
	}
	return &man, nil
}

func (m *subsonicManifests) preference() player.Quality {
	if m.quality == nil {
		return player.QualityAuto
	}
	return m.quality()
}

// nowPlaying tells the Subsonic server each track as it starts (scrobble
// with submission=false) from one goroutine it owns; plays heard to the
// end are sent by the scrobbler. stop ends the goroutine and waits for it.
func nowPlaying(sub *subsonic.Client, log func(error)) (watch func(player.Event), stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ids := make(chan string, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case id := <-ids:
				if err := sub.NowPlaying(ctx, id); err != nil && ctx.Err() == nil {
					log(err)
				}
			}
		}
	}()
	watch = func(ev player.Event) {
		te, ok := ev.(player.TrackEvent)
		if !ok || te.Seek {
			return
		}
		select {
		case ids <- te.Track.ID:
		default: // tracks skipped faster than the server answers: not "now" any more
		}
	}
	return watch, func() { cancel(); <-done }
}
