package origin

import (
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"

	"segue/catalog"
)

// unreadText is the skip reason of the file or folder at abs that could
// not be read with err, before what it costs (", so no album cover is
// taken from it", say) and what fixes it: "cannot read: " and err's text
// without the path (errText). For a permission error the text goes on with
// which user ingest runs as and what it lacks: a file's read permission, a
// folder's read and search (x) permission, or search permission on a
// folder above; fix is then the chmod that gives it (its class: u when the
// user owns the path, g when it is in the path's group, else o, "or add
// the user to the ...'s group"). A reason of "cannot read: permission
// denied" alone left the host guessing which user was refused where.
func unreadText(abs string, isDir bool, err error) (why, fix string) {
	why = "cannot read: " + errText(err)
	if !errors.Is(err, fs.ErrPermission) {
		return why, ""
	}
	who := "user " + runningUser()
	// A folder above that the user may not search: nothing under it can
	// be opened, whatever its own mode says.
	dirs := []string{}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	slices.Reverse(dirs)
	for _, d := range dirs {
		if syscall.Access(d, 1) == syscall.EACCES { // X_OK
			return why + ": " + who + " cannot reach it: it may not search (x) the folder " + d + " above it",
				"give that folder search access (" + chmod(d, "x", "folder") + ")"
		}
	}
	if isDir {
		return why + ": " + who + " cannot list this folder", "give it read and search (x) access (" + chmod(abs, "rx", "folder") + ")"
	}
	return why + ": " + who + " cannot read it", "give it read access (" + chmod(abs, "r", "file") + ")"
}

// unreadReason is unreadText as one reason: "why; fix", or why alone.
func unreadReason(abs string, isDir bool, err error) string {
	why, fix := unreadText(abs, isDir, err)
	if fix == "" {
		return why
	}
	return why + "; " + fix
}

// chmod is the command that gives the running user perm on p, with the
// class of p's mode bits that applies to it; kind names p ("file",
// "folder") where it says to add the user to p's group instead.
func chmod(p, perm, kind string) string {
	cls := "o"
	fi, err := os.Stat(p)
	st, ok := (*syscall.Stat_t)(nil), false
	if err == nil {
		st, ok = fi.Sys().(*syscall.Stat_t)
	}
	switch {
	case ok && int(st.Uid) == os.Geteuid():
		cls = "u"
	case ok && inGroup(int(st.Gid)):
		cls = "g"
	}
	cmd := "chmod " + cls + "+" + perm + " " + catalog.ShellWord(p)
	if cls == "o" {
		group := "the " + kind + "'s group"
		if ok {
			if g, err := user.LookupGroupId(strconv.Itoa(int(st.Gid))); err == nil {
				group += ", " + g.Name
			}
		}
		cmd += ", or add the user to " + group
	}
	return cmd
}

// inGroup says whether the process is in the group gid.
func inGroup(gid int) bool {
	if gid == os.Getegid() {
		return true
	}
	gs, _ := os.Getgroups()
	return slices.Contains(gs, gid)
}

// runningUser names the user ingest runs as (its effective uid), or "uid
// N" when the system has no name for it.
func runningUser() string {
	uid := strconv.Itoa(os.Geteuid())
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return "uid " + uid
}
