package cli

import (
	"fmt"
	"net/url"
	"strings"

	"segue/config"
	"segue/offline"
	"segue/share"
)

// A pin by ID (track, album, artist, playlist) means something only on the
// origin it was made against: the same ID on another origin is another
// collection, or none. Each pin keeps that origin (offline.Collection's
// Origin); offline list and the interface follow only the pins of the
// configured origin, and list the others as "elsewhere", as they were,
// saying which origin they belong to. Following them against the
// configured origin gave them its tracks (unpinning their own segments) or
// listed them gone.

// loadPins is offline.Load with every pin's origin known. A pin saved
// before pins kept their origin gets the origin its stored documents were
// fetched from (their keys are that origin's URLs: .../api/v1/...), a
// share link's pin its link's origin, and one with neither (a Subsonic
// server's) the source configured now, the best guess left. With save
// (the caller holds the list's lock, see offline.Lock) a list that was
// filled in so is saved, so the guess is made once; a list that cannot be
// saved is used filled in all the same.
func (a *app) loadPins(save bool) (*offline.List, error) {
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil {
		return nil, err
	}
	filled := false
	for i, col := range l.Collections {
		if col.Origin == "" {
			l.Collections[i].Origin = pinOrigin(col, a.sourceURL())
			filled = true
		}
	}
	if filled && save {
		_ = l.Save() // said by the save that follows, if any; the guess stands either way
	}
	return l, nil
}

// pinOrigin is the origin an older pin was made against (see loadPins);
// guess when nothing in the pin says.
func pinOrigin(col offline.Collection, guess string) string {
	if isShareURL(col.Ref) {
		if l, err := share.ParseURL(col.Ref); err == nil {
			return l.Origin
		}
	}
	for _, doc := range col.Docs {
		if !strings.HasPrefix(doc, "http://") && !strings.HasPrefix(doc, "https://") {
			continue
		}
		if i := strings.Index(doc, "/api/v1/"); i > 0 {
			return doc[:i]
		}
		if i := strings.Index(doc, "/p/"); i > 0 {
			return doc[:i]
		}
	}
	return guess
}

// sourceURL is the configured source's URL as a pin keeps it: the segue
// origin's, or the Subsonic server's subsonic+ form without its password.
func (a *app) sourceURL() string {
	raw, _ := a.subsonicURL()
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// pinnedElsewhere reports whether col is a pin by ID made against another
// origin than base (the configured source's URL): it must not be resolved
// here. A share link's pin carries its origin in its link, and is followed
// there.
func pinnedElsewhere(col offline.Collection, base string) bool {
	return col.Origin != "" && !isShareURL(col.Ref) && !config.SameOrigin(col.Origin, base)
}

// elsewhereNote is what offline list says of a pin made against another
// origin than the configured one, and what to do.
func elsewhereNote(col offline.Collection) string {
	return fmt.Sprintf("pinned from the origin at %s, not the configured one: kept as it was; "+
		"segue --origin %s offline list follows it (with that origin's token, if it needs one), or offline remove it", col.Origin, col.Origin)
}
