package playlists

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"segue/catalog"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/nowplaying"
)

// View draws the screen in exactly its size.
func (v *View) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	var head, sub, body string
	if pl := v.open; pl != nil {
		head = pl.Name
		sub = list.Fields(v.w, []string{catalog.Count(len(pl.Tracks), "track"), nowplaying.Clock(ms(pl.DurationMS)), v.flags(*pl)}, 2)
		body = v.tl.Render(v.w, func(i int, sel bool) string {
			t := pl.Tracks[i]
			var s string
			if v.w >= 60 {
				s = list.Columns(v.w-2, []int{5, 3, 3}, fmt.Sprintf("%2d. %s", i+1, t.Title), t.Artist, t.Album, nowplaying.Clock(ms(t.DurationMS)))
			} else {
				s = list.Columns(v.w-2, []int{1}, fmt.Sprintf("%2d. %s · %s", i+1, t.Title, t.Artist), nowplaying.Clock(ms(t.DurationMS)))
			}
			return v.row(s, sel)
		})
		if len(pl.Tracks) == 0 {
			sub = "empty — press s on a track in search, the library or the queue to add it here"
		}
	} else {
		head = "Playlists"
		sub = catalog.Count(len(v.pls), "playlist")
		switch {
		case v.offline && len(v.pls) == 0:
			sub = "offline: no playlist is pinned here (O pins one while online)"
		case v.offline:
			sub = "offline: " + catalog.Count(len(v.pls), "pinned playlist")
		case len(v.pls) == 0 && v.local != "":
			sub = "none of yours yet — N makes one, o opens a shared playlist URL"
		case len(v.pls) == 0:
			sub = "none yet — N makes one, o opens a shared playlist URL"
		}
		body = v.l.Render(v.w, func(i int, sel bool) string {
			p := v.pls[i]
			return v.row(v.playlistRow(p, v.w-2), sel)
		})
		if len(v.pls) == 0 && !v.offline && v.local != "" {
			body = v.localNote()
		}
	}
	switch {
	case v.err != nil:
		sub = v.st.Error.Render(notice.SayLoad(v.err))
	case v.loading != "":
		sub = v.st.Muted.Render("loading " + v.loading + "…")
	case v.open != nil && len(v.open.Tracks) == 0 || v.open == nil && len(v.pls) == 0:
		// no rows: the note says what to do, whole, where they would be
		first, rest := list.Spill(sub, v.w)
		sub = v.st.Muted.Render(first)
		if len(rest) > 0 {
			body = v.st.Muted.Render(strings.Join(rest, "\n")) + "\n" + body
		}
	default:
		sub = v.st.Muted.Render(sub)
	}
	return list.Block(v.st.Title.Render(head)+"\n"+sub+"\n"+body, v.w, v.h)
}

// localNote is v.local as a sentence wrapped to the screen's width under
// the list's margin: the whole note says what to run, which one cut line
// would not.
func (v *View) localNote() string {
	note := strings.ToUpper(v.local[:1]) + v.local[1:] + "."
	lines := strings.Split(ansi.Wordwrap(note, max(v.w-4, 10), ""), "\n")
	for i, l := range lines {
		lines[i] = "  " + v.st.Notice.Render(l)
	}
	return "\n" + strings.Join(lines, "\n")
}

// playlistRow lays out name, track count, length and flags: from 58 cells
// in fixed columns (the flags change while a download runs; the others
// must not move), narrower with the name cut before the count and length,
// which go last (they tell a listener how long the playlist is) and keep
// their columns while they fit whole.
func (v *View) playlistRow(p catalog.Playlist, w int) string {
	count, clock, flags := catalog.Count(p.TrackCount, "track"), nowplaying.Clock(ms(p.DurationMS)), v.flags(p)
	if w < 58 {
		figures := figures(p)
		return list.Row(w, p.Name, append([]string{fmt.Sprintf("%s %-9s", figures[0], flags)}, figures...)...)
	}
	const countW, clockW, flagsW = 10, 8, 20
	nameW := w - countW - clockW - flagsW - 3
	return list.Fit(p.Name, nameW) + " " + fmt.Sprintf("%*s", countW, count) + " " +
		fmt.Sprintf("%*s", clockW, clock) + "   " + list.Fit(flags, flagsW-2)
}

// figures are the forms of a playlist row's figures for list.Row, longest
// first: track count and length in columns ("  3 tracks  23:03"), then
// "3 · 23:03", then the length alone.
func figures(p catalog.Playlist) []string {
	clock := nowplaying.Clock(ms(p.DurationMS))
	return []string{fmt.Sprintf("%9s %6s", catalog.Count(p.TrackCount, "track"), clock),
		fmt.Sprintf("%d · %s", p.TrackCount, clock), clock}
}

func (v *View) row(s string, sel bool) string {
	if sel {
		return v.st.Selected.Render(list.Fit("› "+s, v.w))
	}
	return "  " + v.st.Row.Render(s)
}

// flags says whether pl is shared and pinned (or downloading).
func (v *View) flags(pl catalog.Playlist) string {
	shared := ""
	if pl.ShareURL != "" {
		shared = "shared"
	}
	return strings.Join(nonEmpty(shared, v.pins.Mark(pl.ID)), " · ")
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
