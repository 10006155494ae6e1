package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"

	"segue/catalog"
)

// colGap is the run of spaces between two columns.
const colGap = "  "

// minCut is the narrowest a cut column gets (two cells of text and "…"),
// however small the terminal: below that a column tells nothing.
const minCut = 3

// table is the one writer of every CLI listing: columns line up by display
// width (East Asian wide characters and emoji take 2 cells, combining marks
// 0, as a terminal draws them; widths from charmbracelet/x/ansi, which the
// TUI uses too), and when a row would not fit the terminal the widest
// cuttable columns are cut with "…". Columns named in whole (IDs, URLs,
// numbers: things a user copies) are never cut.
type table struct {
	header []string
	rows   [][]string
	keep   []bool // by column: never cut
	empty  string // said on stderr when the listing has no rows (see orSay)
}

// newTable starts a table with these column headings.
func newTable(header ...string) *table {
	return &table{header: header, keep: make([]bool, len(header))}
}

// whole marks the named columns as never cut.
func (t *table) whole(names ...string) *table {
	for i, h := range t.header {
		if slices.Contains(names, h) {
			t.keep[i] = true
		}
	}
	return t
}

// orSay sets what printTables says on stderr when the listing is empty
// (what there is none of, and how to make one), so that a listing is never
// silent for a person while stdout stays empty for a script.
func (t *table) orSay(hint string) *table {
	t.empty = hint
	return t
}

// row adds one row; it must have one cell per column.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = cellText(c)
	}
	t.rows = append(t.rows, cells)
}

// cellText makes text safe for one cell: terminal escape sequences and
// bidirectional formatting characters (catalog.IsBidiControl, which a name
// stored before the origin refused them may hold) are dropped and control
// characters (tab, newline...) become spaces, so a tag or a name can
// neither break the row, show reversed or as another row, nor drive the
// terminal.
func cellText(s string) string {
	s = catalog.StripBidi(ansi.Strip(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// write prints the table (header first) fitted to width cells; width 0
// means no limit. A table without rows prints nothing.
func (t *table) write(w io.Writer, width int) error {
	if len(t.rows) == 0 {
		return nil
	}
	cols := t.fit(width)
	var b strings.Builder
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			if i > 0 {
				b.WriteString(colGap)
			}
			if ansi.StringWidth(c) > cols[i] {
				c = ansi.Truncate(c, cols[i], "…")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", cols[i]-ansi.StringWidth(c)))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fit returns each column's width in cells: its widest cell, and when the
// rows would pass width, the cuttable columns share what is left by one
// common cap (a narrow column keeps its width; only the widest are cut).
func (t *table) fit(width int) []int {
	cols := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			cols[i] = max(cols[i], ansi.StringWidth(c))
		}
	}
	total := func(cap int) int {
		n := len(colGap) * (len(cols) - 1)
		for i, c := range cols {
			if !t.keep[i] {
				c = min(c, cap)
			}
			n += c
		}
		return n
	}
	if width <= 0 {
		return cols
	}
	cut := 0 // how many columns may be cut
	for _, k := range t.keep {
		if !k {
			cut++
		}
	}
	if whole := total(0); whole+minCut*cut > width {
		// The whole columns (a share URL) alone pass width: each line
		// wraps whatever is cut, and cutting to the scraps left only lost
		// text ("gone from the origin: offline remove it" as "go…"). The
		// cut columns share one line's width of their own instead.
		width += whole
	}
	if total(slices.Max(cols)) <= width {
		return cols
	}
	cap := minCut
	for total(cap+1) <= width {
		cap++
	}
	for i := range cols {
		if !t.keep[i] {
			cols[i] = min(cols[i], cap)
		}
	}
	return cols
}

// termWidth is the width tables are fitted to: the terminal's when stdout is
// one, else $COLUMNS when set, else 0 (no limit: a pipe gets whole fields).
func (a *app) termWidth() int {
	if f, ok := a.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

// printTables writes several tables to stdout, a blank line between two,
// leaving out the empty ones; when all are empty, their orSay hints go to
// stderr.
func (a *app) printTables(ts ...*table) error {
	width := a.termWidth()
	first := true
	defer func() {
		if first {
			for _, t := range ts {
				if t.empty != "" {
					fmt.Fprintln(a.stderr, t.empty)
				}
			}
		}
	}()
	for _, t := range ts {
		if len(t.rows) == 0 {
			continue
		}
		if !first {
			if _, err := io.WriteString(a.stdout, "\n"); err != nil {
				return err
			}
		}
		first = false
		if err := t.write(a.stdout, width); err != nil {
			return err
		}
	}
	return nil
}
