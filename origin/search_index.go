package origin

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"

	"segue/catalog"
)

// The search index. Writers put each track, album and artist's own text in
// the plain table search (kind, ref_id, title, artist, album, rowid =
// row's rowid*4 + kind); triggers keep the FTS5 table search_fts in step,
// holding each column folded by search_fold, which runs catalog.SearchWords.
// The query is folded by the same function, so the index and the query agree
// whatever Unicode form either is in. The FTS5 tokenizer is "ascii": it
// splits the folded text at the spaces search_fold wrote and changes
// nothing else (every non-ASCII character is part of a token; the ASCII
// symbols SearchWords keeps as words are declared token characters).
//
// A folded column is "WORDS ; PARTS ; KEY": the words, the pieces of words
// that held punctuation ("ac dc" of "AC/DC"), and in the title column only,
// one token that is the whole title (keyMark before each word), so that a
// title equal to the query is found with one lookup however many rows share
// its words. search_fts.rowid puts each kind in its own range (artists, then
// albums, then tracks; see kindRanges) so a query reads each kind apart.
const (
	keyMark   = "\ufdd0" // a noncharacter: SearchWords never emits it
	fieldSep  = " ; "    // ASCII punctuation: never a token
	kindShift = 50       // each kind's range is 2^50 rowids wide
)

// searchDriver is go-sqlite3 with search_fold and search_rowid defined on
// every connection (the catalog's triggers call them), reading the catalog
// through a memory map.
const searchDriver = "sqlite3-segue-origin"

// catalogMmapBytes is how much of the catalog file each connection reads
// through a shared memory map instead of a read system call per page. A
// search reads a few hundred scattered pages; on 1M tracks (a 700 MB file)
// the calls were half its CPU time (BenchmarkSearch1M).
const catalogMmapBytes = 1 << 30

func init() {
	sql.Register(searchDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", catalogMmapBytes), nil); err != nil {
			return err
		}
		if err := c.RegisterFunc("search_fold", indexText, true); err != nil {
			return err
		}
		return c.RegisterFunc("search_rowid", ftsRowid, true)
	}})
}

// kindRange is the search_fts rowid range [lo, hi] of one kind.
type kindRange struct {
	kind   string
	lo, hi int64
}

// kindRanges are the ranges of each kind.
var kindRanges = []kindRange{
	{catalog.PrefixArtist, 0 << kindShift, 1<<kindShift - 1},
	{catalog.PrefixAlbum, 1 << kindShift, 2<<kindShift - 1},
	{catalog.PrefixTrack, 2 << kindShift, 3<<kindShift - 1},
}

// ftsRowid is search_rowid(kind, id): the search_fts rowid of search row id.
func ftsRowid(kind string, id int64) int64 {
	for _, k := range kindRanges {
		if k.kind == kind {
			return k.lo + id
		}
	}
	return kindRanges[len(kindRanges)-1].lo + id // unknown kinds rank with tracks
}

// indexText is search_fold(text, with_key): the folded column text for s.
func indexText(s string, withKey bool) string {
	ws := catalog.SearchWords(s)
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	b.WriteString(fieldSep)
	for _, w := range ws {
		for _, p := range w.Parts {
			b.WriteString(p)
			b.WriteByte(' ')
		}
	}
	if withKey && len(ws) > 0 {
		b.WriteString(fieldSep)
		b.WriteString(titleKey(ws))
	}
	return b.String()
}

// titleKey is the one token that stands for the whole of ws.
func titleKey(ws []catalog.SearchWord) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(keyMark)
		b.WriteString(w.Text)
	}
	return b.String()
}

// parseIndexed cuts a folded column into its words and its parts, each
// space-separated (eachWord).
func parseIndexed(col string) (words, parts string) {
	w, rest, _ := strings.Cut(col, fieldSep)
	p, _, _ := strings.Cut(rest, fieldSep)
	return w, p
}
