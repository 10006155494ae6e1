package origin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"segue/catalog"
)

// audioExts are the extensions ingest tries; ffmpeg decides whether a file
// really is audio.
var audioExts = map[string]bool{
	".mp3": true, ".flac": true, ".ogg": true, ".oga": true, ".opus": true,
	".m4a": true, ".m4b": true, ".aac": true, ".mp4": true, ".wav": true,
	".aif": true, ".aiff": true, ".wma": true, ".wv": true, ".ape": true,
	".mka": true, ".mpc": true,
}

// libraryFile is one audio file found in the library.
type libraryFile struct {
	Abs, Rel    string // Rel uses forward slashes: it names the track's ID
	Lib         string // the library folder Rel is relative to
	Size, MTime int64
}

// walkLibrary lists the audio files under lib (skipping dot entries and the
// data dir should it live inside the library) and the ones that cannot even
// be opened. A symlinked folder is walked as a folder of the library under
// the link's name, unless it leads back to a folder above it (a loop) or to
// one already walked: those are listed as skipped with the reason, as is a
// broken symlink. An error means lib itself cannot be read. anyFile says
// whether the walk saw a file of any kind (EmptyLibraryError). seen (nil:
// none) hears how many files of any kind it met so far, every walkReport.
func walkLibrary(lib, data string, seen func(found int)) (*libraryWalk, error) {
	w := &libraryWalk{lib: lib, ids: map[string]string{}, dirs: map[dirKey]string{}, seen: seen}
	if fi, err := os.Stat(data); err == nil {
		w.data = keyOf(fi)
	}
	if err := w.walk(lib, ""); err != nil {
		return nil, err
	}
	w.checkCovers()
	// Longest files are not known yet; sorting by size puts big ones first
	// so the parallel tail is short.
	sort.SliceStable(w.files, func(i, j int) bool { return w.files[i].Size > w.files[j].Size })
	return w, nil
}

// dirKey names a folder whatever path leads to it.
type dirKey struct{ dev, ino uint64 }

func keyOf(fi fs.FileInfo) dirKey {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return dirKey{uint64(st.Dev), uint64(st.Ino)}
	}
	return dirKey{}
}

// libraryWalk is one walk of a library: what it found and where it has been.
type libraryWalk struct {
	lib     string // the library's folder
	files   []libraryFile
	skipped []SkippedFile
	ids     map[string]string // track ID -> path, to catch names equal but for case
	dirs    map[dirKey]string // every folder walked -> its path in the library ("" the root)
	data    dirKey            // the data dir, never walked
	anyFile bool              // a file or link of any kind was seen, audio or not
	// seen (nil: none) hears how many files (of any kind) the walk met
	// so far, every walkReport of them; found counts them.
	seen  func(found int)
	found int
	// covers are the files named as folder covers are (coverNames), by
	// their path: see checkCovers.
	covers []coverFile
	// unread maps the path of a file or folder that is there but could
	// not be read (or a file still empty: a copy under way) to its entry
	// in skipped: the tracks of such paths stay (see keeps).
	unread map[string]int
}

func (w *libraryWalk) skip(rel, reason string) {
	w.skipped = append(w.skipped, SkippedFile{Path: rel, Reason: reason})
}

// skipUnread is skip for a path that is there but cannot be read now.
func (w *libraryWalk) skipUnread(rel, reason string) {
	if w.unread == nil {
		w.unread = map[string]int{}
	}
	w.unread[rel] = len(w.skipped)
	w.skip(rel, reason)
}

// keeps says whether the track of the file at rel stays although the walk
// did not list the file: it, or a folder above it, is there but could not
// be read. i is that path's entry in skipped, dir whether it is a folder.
func (w *libraryWalk) keeps(rel string) (i int, dir, ok bool) {
	if i, ok := w.unread[rel]; ok {
		return i, false, true
	}
	for p := path.Dir(rel); p != "." && p != "/"; p = path.Dir(p) {
		if i, ok := w.unread[p]; ok {
			return i, true, true
		}
	}
	return 0, false, false
}

// walk lists dir, whose path in the library is relDir ("" for the root).
// Only an unreadable root is an error.
func (w *libraryWalk) walk(dir, relDir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		r := relDir
		if sub, rerr := filepath.Rel(dir, p); rerr == nil && p != dir {
			r = path.Join(relDir, filepath.ToSlash(sub))
		}
		if err != nil {
			if p == dir && relDir == "" {
				return err
			}
			w.skipUnread(r, unreadReason(p, d != nil && d.IsDir(), err))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			w.anyFile = true
			// every file counts: a folder of few audio files among
			// many others (photos, a whole disk) walks as long
			if w.found++; w.seen != nil && w.found%walkReport == 0 {
				w.seen(w.found)
			}
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				// Its target may be a drive not mounted now: its
				// tracks stay (see keeps).
				if errors.Is(err, fs.ErrPermission) { // there, but out of the user's reach
					w.skipUnread(r, unreadReason(p, false, err))
				} else {
					w.skipUnread(r, "cannot read: broken symlink ("+errText(err)+")")
				}
				return nil
			}
			if fi.IsDir() {
				w.follow(p, r, fi)
				return nil
			}
		}
		if d.IsDir() {
			fi, err := d.Info()
			if err != nil {
				w.skipUnread(r, unreadReason(p, true, err))
				return filepath.SkipDir
			}
			k := keyOf(fi)
			if k == w.data {
				return filepath.SkipDir
			}
			if other, seen := w.dirs[k]; seen {
				w.skip(r, fmt.Sprintf("same folder as %s, already in the library", libName(other)))
				return filepath.SkipDir
			}
			w.dirs[k] = r
			return nil
		}
		if audioExts[strings.ToLower(filepath.Ext(p))] {
			w.file(p, r)
		} else if isCoverName(d.Name()) {
			w.covers = append(w.covers, coverFile{p, r})
		}
		return nil
	})
}

// coverFile is a file named as a folder cover: its path, and its path in
// the library.
type coverFile struct{ abs, rel string }

// checkCovers lists as skipped, with why, each file named as a folder cover
// (cover.jpg...) beside audio files that no album could take its cover
// from: not a JPEG or PNG image (a text file, a GIF or WebP under a .jpg
// name), empty, or unreadable. Such a file was passed over in silence, and
// the album stayed without a cover with nothing saying why.
func (w *libraryWalk) checkCovers() {
	if len(w.covers) == 0 {
		return
	}
	audio := map[string]bool{} // folders (in the library) holding audio files
	for _, f := range w.files {
		audio[path.Dir(f.Rel)] = true
	}
	for _, s := range w.skipped { // audio files there but unreadable now
		if audioExts[strings.ToLower(path.Ext(s.Path))] {
			audio[path.Dir(s.Path)] = true
		}
	}
	for _, c := range w.covers {
		if !audio[path.Dir(c.rel)] {
			continue
		}
		if why := coverProblem(c.abs); why != "" {
			w.skip(c.rel, why)
		}
	}
}

// follow walks the folder the symlink at p (r in the library) leads to,
// unless that is a folder above it (a loop: following would never end), a
// folder already walked, or the data dir.
func (w *libraryWalk) follow(p, r string, target fs.FileInfo) {
	k := keyOf(target)
	if other, seen := w.dirs[k]; seen {
		if other == "" || strings.HasPrefix(r, other+"/") {
			w.skip(r, fmt.Sprintf("symlink loop: leads back to %s, which holds it", libName(other)))
		} else {
			w.skip(r, fmt.Sprintf("symlink to a folder already in the library as %s", other))
		}
		return
	}
	if k == w.data {
		w.skip(r, "symlink to the origin data dir")
		return
	}
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		err = w.walk(real, r)
	}
	if err != nil {
		w.skip(r, unreadReason(p, true, err))
	}
}

// libName is how a folder of the library is named in a reason.
func libName(rel string) string {
	if rel == "" {
		return "the library's top folder"
	}
	return rel
}

// file adds the audio file at p (r in the library), or lists why not.
func (w *libraryWalk) file(p, r string) {
	fi, err := os.Stat(p) // follows symlinks
	switch {
	case err != nil:
		w.skip(r, unreadReason(p, false, err))
		return
	case !fi.Mode().IsRegular():
		w.skip(r, "not a regular file")
		return
	case fi.Size() == 0:
		w.skipUnread(r, "empty file (0 bytes)")
		return
	}
	f, err := os.Open(p)
	if err == nil {
		var b [1]byte
		_, err = f.Read(b[:])
		f.Close()
	}
	if err != nil {
		w.skipUnread(r, unreadReason(p, false, err))
		return
	}
	id := catalog.NewID(catalog.PrefixTrack, r)
	if other, dup := w.ids[id]; dup {
		w.skip(r, fmt.Sprintf("same path as %s except for letter case", other))
		return
	}
	w.ids[id] = r
	w.files = append(w.files, libraryFile{Abs: p, Rel: r, Lib: w.lib, Size: fi.Size(), MTime: fi.ModTime().UnixNano()})
}

// errText is an error's message without the path, which the summary already shows.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
