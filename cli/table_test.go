package cli

import (
	"bytes"
	"strings"
	"testing"

	"segue/catalog"

	"github.com/charmbracelet/x/ansi"
)

func TestTable(t *testing.T) {
	long := strings.Repeat("Long title ", 455)[:5000]
	for _, c := range []struct {
		name  string
		width int
		rows  [][]string
		want  []string // whole output, one line each
	}{
		{
			name: "ascii", rows: [][]string{{"One", "A", "tr1"}, {"Three", "Band", "tr2"}},
			want: []string{
				"TRACK  ARTIST  ID",
				"One    A       tr1",
				"Three  Band    tr2",
			},
		},
		{
			// 日本語 and 👍 are 2 cells each; the combining acute of the NFD
			// "Ro\u0301s" is 0 cells, so all three titles take 6 or 4 cells.
			name: "display width", rows: [][]string{{"日本語", "ヨアソビ", "tr1"}, {"Ro\u0301s👍", "Sigur Ro\u0301s", "tr2"}, {"abcdef", "x", "tr3"}},
			want: []string{
				"TRACK   ARTIST     ID",
				"日本語  ヨアソビ   tr1",
				"Ro\u0301s👍   Sigur Ro\u0301s  tr2",
				"abcdef  x          tr3",
			},
		},
		{
			// 5000 characters in a 40-column terminal: the title is cut, the
			// ID (never cut) stays whole and every line fits.
			name: "cut to terminal", width: 40, rows: [][]string{{long, "Band", "tr1"}, {"Short", "Band", "tr2"}},
			want: []string{
				"TRACK                        ARTIST  ID",
				"Long title Long title Long…  Band    tr1",
				"Short                        Band    tr2",
			},
		},
		{
			// Cut columns share the room: both get one common width.
			name: "cut columns share", width: 30, rows: [][]string{{"ABCDEFGHIJKLMNOP", "abcdefghijklmnop", "tr1"}},
			want: []string{
				"TRACK        ARTIST       ID",
				"ABCDEFGHIJ…  abcdefghij…  tr1",
			},
		},
		{
			// A column narrower than the common width keeps its width.
			name: "narrow column kept", width: 30, rows: [][]string{{"ABCDEFGHIJKLMNOPQRST", "ab", "tr1"}},
			want: []string{
				"TRACK              ARTIST  ID",
				"ABCDEFGHIJKLMNOP…  ab      tr1",
			},
		},
		{
			name: "wide characters cut on a cell boundary", width: 20, rows: [][]string{{"日本語日本語日本語", "x", "tr1"}},
			want: []string{
				"TRACK    ARTIST  ID",
				"日本語…  x       tr1",
			},
		},
		{
			name: "control characters and escapes", rows: [][]string{{"a\tb\nc", "\x1b[31mred\x1b[0m", "tr1"}},
			want: []string{
				"TRACK  ARTIST  ID",
				"a b c  red     tr1",
			},
		},
		{name: "no rows", rows: nil, want: nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := newTable("TRACK", "ARTIST", "ID").whole("ID")
			for _, r := range c.rows {
				tb.row(r...)
			}
			var b bytes.Buffer
			if err := tb.write(&b, c.width); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if got == "" {
				lines = nil
			}
			if len(c.want) > 0 && got != strings.Join(c.want, "\n")+"\n" {
				t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(c.want, "\n"))
			}
			if len(lines) != len(c.rows)+1 && len(c.rows) > 0 {
				t.Fatalf("%d lines for %d rows:\n%s", len(lines), len(c.rows), got)
			}
			idCol := -1
			for i, l := range lines {
				if c.width > 0 && ansi.StringWidth(l) > c.width {
					t.Errorf("line %d is %d cells, terminal %d:\n%s", i, ansi.StringWidth(l), c.width, l)
				}
				// The ID column starts at the same cell on every line, and
				// IDs are whole.
				at := strings.LastIndex(l, "  ")
				col := ansi.StringWidth(l[:at+2])
				if idCol >= 0 && col != idCol {
					t.Errorf("line %d: ID column at cell %d, line 0 at %d:\n%s", i, col, idCol, got)
				}
				idCol = col
				if i > 0 && l[at+2:] != c.rows[i-1][2] {
					t.Errorf("line %d: ID %q, want %q", i, l[at+2:], c.rows[i-1][2])
				}
			}
		})
	}
}

// Output that is not a terminal is fitted to $COLUMNS when it is set, and
// left whole when it is not (a pipe keeps every field).
func TestTableWidthFromColumns(t *testing.T) {
	long := strings.Repeat("ヨアソビ", 100)
	for _, c := range []struct {
		columns string
		max     int
	}{{"30", 30}, {"", 0}} {
		t.Setenv("COLUMNS", c.columns)
		var b bytes.Buffer
		a := &app{stdout: &b}
		tb := newTable("TRACK", "ID").whole("ID")
		tb.row(long, "tr1")
		if err := a.printTables(tb); err != nil {
			t.Fatal(err)
		}
		widest := 0
		for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			widest = max(widest, ansi.StringWidth(l))
		}
		if c.columns != "" && widest > c.max || c.columns == "" && !strings.Contains(b.String(), long) {
			t.Errorf("COLUMNS=%q: widest line %d cells:\n%s", c.columns, widest, b.String())
		}
	}
}

// TestListingLeavesUnknownYearBlank: an album with no year tag lists no
// year, as the interface shows it and --json leaves it out; library and
// search printed "0" in the YEAR column.
func TestListingLeavesUnknownYearBlank(t *testing.T) {
	albums := []catalog.Album{{ID: "al1", Title: "Untagged", Artist: "Band", TrackCount: 2}, {ID: "al2", Title: "Dated", Artist: "Band", Year: 1999, TrackCount: 1}}
	for name, tb := range map[string]*table{"albums": albumTable(albums), "appears on": appearsOnTable(albums)} {
		var b bytes.Buffer
		if err := tb.write(&b, 0); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(b.String(), "\n")
		if untagged := lines[1]; strings.Contains(untagged, " 0 ") || !strings.HasPrefix(untagged, "Untagged") {
			t.Errorf("%s: the album with no year lists as %q; want its YEAR blank", name, untagged)
		}
		if !strings.Contains(b.String(), "1999") {
			t.Errorf("%s: %q; want the year 1999 of the other album", name, b.String())
		}
	}
}

// TestTableWiderThanItsWholeColumns: when the columns never cut (a share
// URL) pass the terminal's width alone, every line wraps whatever is cut;
// the others were cut to 3 cells all the same, so offline list on 80
// columns said "go…" for "gone from the origin: offline remove it". They
// now share one line's width of their own: whole when they fit in it.
func TestTableWiderThanItsWholeColumns(t *testing.T) {
	ref := "http://127.0.0.1:7700/p/" + strings.Repeat("A", 43)
	state := "gone from the origin: offline remove it"
	tb := newTable("KIND", "NAME", "STATE", "REF").whole("KIND", "REF")
	tb.row("playlist", "Mix", state, ref)
	var b bytes.Buffer
	if err := tb.write(&b, 60); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Mix  ") || !strings.Contains(b.String(), state) || !strings.Contains(b.String(), ref) {
		t.Errorf("a row that cannot fit 60 cells lost text:\n%s", b.String())
	}
	// what passes a line of its own is still cut to one
	long := strings.Repeat("Long title ", 20)
	tb = newTable("KIND", "NAME", "REF").whole("KIND", "REF")
	tb.row("playlist", long, ref)
	b.Reset()
	if err := tb.write(&b, 60); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); strings.Contains(b.String(), long) || ansi.StringWidth(lines[1]) > 60+ansi.StringWidth("playlist  ")+len(ref)+2 {
		t.Errorf("a name longer than a line was not cut:\n%s", b.String())
	}
}
