package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// openInput opens the file a command reads, named on its command line by
// what ("playlist import", or a flag such as "--tls-cert"), and says in one
// sentence what is wrong with it: a file that does not exist is a target
// not found (exit 3), or a bad flag when a flag named it (exit 2); a folder
// is a bad argument (2); one that cannot be read a failure (1).
func openInput(what, path string) (*os.File, error) {
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

// checkInput is openInput for a file another package reads later.
func checkInput(what, path string) error {
	f, err := openInput(what, path)
	if err != nil {
		return err
	}
	return f.Close()
}
