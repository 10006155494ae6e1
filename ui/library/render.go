package library

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

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
	lv := v.top()
	var head, sub string
	switch lv.kind {
	case artistsLevel:
		head, sub = "Artists", catalog.Count(len(lv.artists), "artist")
		if v.offline {
			sub = v.offlineHeading()
		}
	case albumsLevel:
		head = lv.artist.Name
		switch own, on := len(lv.artist.Albums), len(lv.artist.AppearsOn); {
		case on == 0:
			sub = catalog.Count(own, "album")
		case own == 0:
			sub = "appears on " + catalog.Count(on, "album")
		default:
			sub = catalog.Count(own, "album") + " · appears on " + strconv.Itoa(on)
		}
	case albumLevel:
		a := lv.album
		head = a.Title + " — " + a.Artist
		// narrow, the pin mark and then the year go before the length
		sub = list.Fields(v.w, []string{yearOf(a.Year), catalog.Count(len(a.Tracks), "track"), nowplaying.Clock(albumTime(a)), v.pins.Mark(a.ID)}, 3, 0)
	}
	style := v.st.Muted
	switch {
	case v.err != nil:
		sub, style = notice.SayLoad(v.err), v.st.Error
	case v.loading != "":
		sub = "loading " + v.loading + "…"
	}
	var rest []string // with no rows, what of the line there is no room for
	if lv.l.Len() == 0 {
		sub, rest = list.Spill(sub, v.w)
	}
	top := v.st.Title.Render(head) + "\n" + style.Render(sub)
	if len(rest) > 0 {
		return list.Block(top+"\n"+style.Render(strings.Join(rest, "\n")), v.w, v.h)
	}
	if lv.kind != albumLevel {
		return list.Block(top+"\n"+v.rows(lv, v.w), v.w, v.h)
	}
	cw := v.coverWidth()
	if cw == 0 || v.covers.None(lv.album.ID) {
		// no cover: the tracks take the width (they sat a third of the
		// window right of an empty column)
		return list.Block(top+"\n"+v.rows(lv, v.w), v.w, v.h)
	}
	pic := ""
	if art := v.covers.Get(lv.album.ID); art != nil {
		pic = art.Render(cw, v.h-3, lipgloss.ColorProfile())
	}
	pic = list.Block(pic, cw, v.h-3)
	tracks := v.rows(lv, v.w-cw-2)
	return list.Block(top+"\n\n"+lipgloss.JoinHorizontal(lipgloss.Top, pic, "  ", tracks), v.w, v.h)
}

// coverWidth is the cover's width beside an album's tracks; 0 when narrow.
func (v *View) coverWidth() int {
	if v.w < 60 || v.h < 8 {
		return 0
	}
	cw, _ := coverCells(min(v.w/3, 2*(v.h-3)), v.h-3)
	return cw
}

func coverCells(w, h int) (int, int) {
	s := min(w, 2*h)
	s -= s % 2
	return s, s / 2
}

func (v *View) rows(lv *level, w int) string {
	return lv.l.Render(w, func(i int, sel bool) string {
		var s string
		switch lv.kind {
		case artistsLevel:
			if i >= len(lv.artists) {
				pl := lv.playlists[i-len(lv.artists)]
				count := catalog.Count(pl.TrackCount, "track")
				s = list.Row(w-2, pl.Name, "playlist · "+count, count, fmt.Sprint(pl.TrackCount))
				break
			}
			s = lv.artists[i].Name
		case albumsLevel:
			s = v.artistRow(lv.rows[i], w)
			if lv.rows[i].album == nil {
				return "  " + v.st.Title.Render(s)
			}
		case albumLevel:
			s = trackRow(&lv.album, lv.album.Tracks[i], "", w)
		}
		if sel {
			return v.st.Selected.Render(list.Fit("› "+s, w))
		}
		return "  " + v.st.Row.Render(s)
	})
}

// artistRow draws one row of an artist's page.
func (v *View) artistRow(r artistRow, w int) string {
	switch {
	case r.album == nil:
		return "Appears on"
	case r.track >= 0:
		return trackRow(r.album, r.album.Tracks[r.track], "    ", w)
	}
	a := r.album
	title := a.Title
	if r.appears {
		title += " — " + a.Artist
	}
	year, count := yearOf(a.Year), catalog.Count(a.TrackCount, "track")
	return list.Row(w-2, title, strings.Join(nonEmpty(v.pins.Mark(a.ID), year, count), " · "),
		strings.Join(nonEmpty(year, count), " · "), count, fmt.Sprint(a.TrackCount))
}

// trackRow draws a track of album a, numbered "1-03." (disc-track) when
// the album spans discs, else " 3."; a track with no number is " · ", in
// line with the numbers (it was " ·.", a number's stop after no number).
func trackRow(a *catalog.Album, t catalog.Track, indent string, w int) string {
	n := a.Number(t) + "."
	if n == "." {
		n = "· "
	}
	return list.Row(w-2, fmt.Sprintf("%s%3s %s", indent, n, t.Title), nowplaying.Clock(ms(t.DurationMS)))
}

func albumTime(a catalog.Album) time.Duration {
	if a.DurationMS > 0 {
		return ms(a.DurationMS)
	}
	var d time.Duration
	for _, t := range a.Tracks {
		d += ms(t.DurationMS)
	}
	return d
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func yearOf(y int) string {
	if y == 0 {
		return ""
	}
	return fmt.Sprint(y)
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
