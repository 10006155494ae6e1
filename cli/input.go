package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"segue/config"
	"segue/internal/boundedread"
)

// openInput opens the file a command reads, named on its command line by
// what ("playlist import", or a flag such as "--tls-cert"), and says in one
// sentence what is wrong with it: a file that does not exist is a target
// not found (exit 3), or a bad flag when a flag named it (exit 2); a folder
// is a bad argument (2); one that cannot be read a failure (1).
func openInput(what, path string) (*os.File, error) {
	if path == "" {
		return nil, emptyPath(what, "file")
	}
	f, err := os.Open(path)
	if err == nil {
		var st fs.FileInfo
		if st, err = f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, &usageError{fmt.Errorf("%s: %s is a folder: give a file", what, path)}
		}
	}
	flag := len(what) > 2 && what[:2] == "--"
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, fs.ErrNotExist) && flag:
		return nil, &usageError{fmt.Errorf("%s: %s does not exist (check the path)", what, path)}
	case errors.Is(err, fs.ErrNotExist):
		return nil, withExit(ExitNotFound, fmt.Errorf("%s: %s does not exist (check the path)", what, path))
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s: %s cannot be read: permission denied", what, path)
	}
	return nil, fmt.Errorf("%s: %s cannot be read: %w", what, path, err)
}

// inputName names the file a command reads for its sentences: "-" is
// standard input.
func inputName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// standardInput is what an input named "-" reads.
func (a *app) standardInput() io.Reader {
	if a.stdin != nil {
		return a.stdin
	}
	return os.Stdin
}

// fixAndAgain says what to do about a bad line in the input at path: a
// file is fixed and imported again; standard input has no file to fix, so
// what (e.g. "the events") is fixed where it comes from and piped in again.
func fixAndAgain(path, what string) string {
	if path == "-" {
		return "fix that line where " + what + " come from and pipe them in again"
	}
	return "fix that line and import the file again"
}

// checkInput is openInput for a file another package reads later.
func checkInput(what, path string) error {
	f, err := openInput(what, path)
	if err != nil {
		return err
	}
	return f.Close()
}

// maxPEMFile is the most a --tls-cert or --tls-key file may hold: a
// certificate with its chain is a few KiB.
const maxPEMFile = 16 << 20

// checkPEMFiles refuses, before crypto/tls reads them whole, a --tls-cert
// or --tls-key (flags and paths in turn) larger than any PEM file: a
// mistyped path naming a film, or /dev/zero, was read until segue died of
// it. Each must also be there (checkInput).
func checkPEMFiles(flagsAndPaths ...string) error {
	for i := 0; i+1 < len(flagsAndPaths); i += 2 {
		flag, path := flagsAndPaths[i], flagsAndPaths[i+1]
		if path == "" {
			continue
		}
		f, err := openInput(flag, path)
		if err != nil {
			return err
		}
		_, err = boundedread.Read(f, maxPEMFile)
		f.Close()
		if errors.Is(err, boundedread.ErrTooLarge) {
			return &usageError{fmt.Errorf("%s: %s is %w, more than any PEM certificate or key: check the path", flag, path, err)}
		}
	}
	return nil
}

// checkFolder says what is wrong with the folder a command uses, named by
// what ("origin ingest", or a flag such as "--data"): a file given for it
// is a bad argument (2). A folder that is not there is the caller's to
// judge (ingest's music folder is a target not found; a data dir is made).
func checkFolder(what, path string) error {
	if path == "" {
		return emptyPath(what, "folder")
	}
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		if what == "origin ingest" || what == "--folder" {
			// a music file given: its folder is what these take
			// (ingest reads every file under it, remove takes out
			// the tracks under it)
			return &usageError{fmt.Errorf("%s: %s is a file: give a folder, such as the one it is in (%s)", what, path, filepath.Dir(path))}
		}
		return &usageError{fmt.Errorf("%s: %s is a file: give a folder", what, path)}
	}
	return nil
}

// checkDataDir is checkFolder of the origin data dir a command makes,
// refusing as well one given (--data, SEGUE_DATA, [origin_server]
// data_dir) whose folder does not exist: segue makes the data dir, and
// above it only its own default folders, as for the cache's path.
func (a *app) checkDataDir(cmd *cobra.Command, dir string) error {
	if err := checkFolder("--data", dir); err != nil || dir == config.Default().OriginSv.DataDir {
		return err
	}
	return missingFolder(a.settingFrom(cmd, "data", "SEGUE_DATA", "origin_server.data_dir"), dir)
}

// settingFrom names where a setting came from, as flags override the
// environment and it the config file: --flag, the variable env, or the
// config file's key.
func (a *app) settingFrom(cmd *cobra.Command, flag, env, key string) string {
	switch {
	case cmd.Flags().Changed(flag):
		return "--" + flag
	case os.Getenv(env) != "":
		return env
	}
	return "config " + a.configPath + ": " + key
}

// checkOutputFile says what is wrong with the file a command is to write,
// named by what (a flag such as "--output"), before anything starts: a
// folder given for it, or a folder for it that does not exist, is a bad
// argument (2). A file that cannot be written for another reason fails
// when it is created (1).
func checkOutputFile(what, path string) error {
	if path == "" {
		return emptyPath(what, "file")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &usageError{fmt.Errorf("%s: %s is a folder: give a file", what, path)}
	}
	if err := missingFolder(what, path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return &usageError{fmt.Errorf("%s: %s is a file, not a folder (check the path)", what, dir)}
	}
	return nil
}

// checkOverwrite refuses (2) to write over the file at path (what names
// the flag) when it holds something other than what the command writes:
// kind names that ("a WAV file"), and ours tells one, given the file and
// its size. An empty file, one that is not there, and what is not a
// regular file (/dev/null, a pipe) are written as before; so is a file of
// that kind (a render or an export run again). play --output wav:FILE and
// playlist export -o FILE replaced a music file or a text typed there
// without a word.
func checkOverwrite(what, path, kind string, ours func(r io.ReaderAt, size int64) bool) error {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return nil // creating it says what is wrong, if anything
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if ours(f, st.Size()) {
		return nil
	}
	return &usageError{fmt.Errorf("%s: %s holds something other than %s: segue would write over it; name another file, or remove it first", what, path, kind)}
}

// playlistFile is checkOverwrite's test of playlist export's files
// (isPlaylistFile of the first 512 bytes).
func playlistFile(r io.ReaderAt, _ int64) bool {
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	return isPlaylistFile(head[:n])
}

// isPlaylistFile reports whether head (a file's first 512 bytes) begins a
// playlist as playlist export writes one (share.WritePlaylist), in any of
// its formats, as other players' playlists of those formats begin too:
// M3U8's #EXTM3U line (attributes may follow it), PLS's [playlist]
// section, or an XSPF playlist element (its xmlns http://xspf.org/ns/0/
// within head, after an XML declaration), in any case, after a UTF-8 byte
// order mark and blank space. It took any text for one whose first line
// held a / or \ or a music file's name (a shell script, notes with a URL,
// an MP3 whose ID3 tag held a path), or that began with # (#!/bin/sh, a
// Markdown heading) or <?xml (any XML), and any UTF-16 text, so export -o
// wrote over them.
func isPlaylistFile(head []byte) bool {
	text := strings.TrimLeft(strings.TrimPrefix(string(head), "\ufeff"), " \t\r\n")
	lower := strings.ToLower(text)
	first, _, _ := strings.Cut(lower, "\n")
	first = strings.TrimRight(first, " \t\r")
	switch {
	case first == "#extm3u" || strings.HasPrefix(first, "#extm3u ") || strings.HasPrefix(first, "#extm3u\t"), first == "[playlist]":
		return true
	case strings.HasPrefix(lower, "<?xml") || strings.HasPrefix(lower, "<playlist"):
		_, after, ok := strings.Cut(lower, "<playlist")
		return ok && strings.Contains(after, "xspf.org/ns/0")
	}
	return false
}

// missingFolder refuses (2) a path a setting gave (what names it) whose
// folder does not exist: segue makes the file or folder a setting names,
// and above it only its own default folders; a mistyped path made folders
// wherever it pointed.
func missingFolder(what, path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return &usageError{fmt.Errorf("%s: the folder %s does not exist (make it, or check the path)", what, dir)}
	}
	return nil
}

// emptyPath is the bad argument (2) of an empty path where a file or
// folder (kind) is wanted: "" was taken as the current folder (ingest read
// it) or as a file that does not exist (3).
func emptyPath(what, kind string) error {
	return &usageError{fmt.Errorf("%s: the path is empty: give a %s", what, kind)}
}
