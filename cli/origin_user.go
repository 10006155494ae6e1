//go:build !segue_client

package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"segue/catalog"
	"segue/origin/subsonic"
)

func init() { addOriginSub(originUserCmd) }

func originUserCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Add, list and remove the users of the Subsonic API (/rest/)",
		Long: `Subsonic apps (phones, desktops, terminals) sign in to the origin's
OpenSubsonic API under /rest/ as a user made here: with the user's name and
password (token auth t=md5(password+salt) with s=salt, or p=PASSWORD or
p=enc:HEX), or with the OpenSubsonic API key "user add" prints once.

The password is stored encrypted (AES-256-GCM) with a key kept in the data
dir (subsonic.key, mode 0600), not hashed: Subsonic token auth sends
md5(password + salt), which the origin can only check knowing the password.
A copy of catalog.db alone does not reveal passwords; the data dir does.`,
	}
	catalog, same := catalogFlag(a, cmd)

	var addJSON, noPassword bool
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user; the password is read from standard input (prompted on a terminal)",
		Long: `Add a Subsonic user called NAME. The password is read from standard input:
its first line when it is not a terminal, else prompted twice without echo.
With --no-password the user signs in with its API key only. The API key is
printed on standard output, once: the origin keeps only its sha256.`,
		Example: `  segue origin user add alice
  printf '%s\n' "$PASSWORD" | segue origin user add alice --data /srv/segue
  segue origin user add phone --no-password`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// what can be refused is, before the password is asked for
			if err := subsonic.CheckUserName(args[0]); err != nil {
				return &usageError{err}
			}
			if err := checkGivenName("user", args[0]); err != nil { // U+202E: user list showed it reversed
				return err
			}
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := userFree(cmd.Context(), db, args[0], same(cmd)); err != nil {
				return err
			}
			var password string
			if !noPassword {
				if password, err = readPassword(cmd.InOrStdin(), a.stderr); err != nil {
					return err
				}
			}
			dir := a.cfg.OriginSv.DataDir
			if cmd.Flags().Changed("data") {
				dir, _ = cmd.Flags().GetString("data")
			}
			u, key, err := subsonic.AddUser(cmd.Context(), db, dir, args[0], password, noPassword)
			if errors.Is(err, subsonic.ErrUserExists) { // added meanwhile
				if err := userFree(cmd.Context(), db, args[0], same(cmd)); err != nil {
					return err
				}
				return userTaken(args[0], args[0], same(cmd))
			}
			if err != nil {
				return err
			}
			if addJSON {
				err = a.printJSON(struct {
					subsonic.User
					APIKey string `json:"api_key"`
				}{u, key})
			} else {
				_, err = fmt.Fprintln(a.stdout, key)
			}
			if err != nil { // the key is shown only this once
				return fmt.Errorf("user %s was added, but its API key could not be written: %w; remove it (segue origin user remove %[1]s%[3]s) and add it again",
					u.Name, err, same(cmd))
			}
			if addJSON {
				return nil
			}
			fmt.Fprintf(a.stderr, "user %s added; the line above is its OpenSubsonic API key (apiKey=), not shown again\n", u.Name)
			return nil
		},
	}
	add.Flags().BoolVar(&addJSON, "json", false, "print the user and its API key as JSON")
	add.Flags().BoolVar(&noPassword, "no-password", false, "no password: the user signs in with its API key only")

	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List users (never their passwords or API keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			users, err := subsonic.ListUsers(cmd.Context(), db)
			if err != nil {
				return err
			}
			if listJSON {
				return a.printJSON(users)
			}
			// The ID is what origin events export --listener takes.
			tb := newTable("NAME", "ID", "PASSWORD", "CREATED").whole("ID", "CREATED").
				orSay("no Subsonic users: add one with segue origin user add NAME" + same(cmd))
			for _, u := range users {
				pw := "yes"
				if !u.HasPassword {
					pw = "API key only"
				}
				tb.row(u.Name, u.ID, pw, u.Created.Local().Format("2006-01-02 15:04"))
			}
			return a.printTables(tb)
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print the users as JSON")

	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a user with its playlists, plays, stars and ratings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := subsonic.CheckUserName(args[0]); err != nil {
				return &usageError{err}
			}
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			gone, err := subsonic.RemoveUser(cmd.Context(), db, args[0])
			if errors.Is(err, subsonic.ErrNoUser) {
				return withExit(ExitNotFound, fmt.Errorf("%w (see segue origin user list%s)", err, same(cmd)))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "user %s removed, with %s\n", args[0], removedWords(gone))
			return nil
		},
	}
	cmd.AddCommand(add, list, jsonErrorFlag(remove))
	return cmd
}

// removedWords says what went with a removed user: "2 playlists, 1 play,
// 0 stars and 0 ratings".
func removedWords(r subsonic.Removed) string {
	return catalog.Count(int(r.Playlists), "playlist") + ", " + catalog.Count(int(r.Plays), "play") +
		", " + catalog.Count(int(r.Stars), "star") + " and " + catalog.Count(int(r.Ratings), "rating")
}

// userFree refuses to add name when the origin has a user of that name,
// in any case: sign-in takes a name in any case (its key is the name
// lowercased), so "Alice" beside "alice" is refused as the same name.
func userFree(ctx context.Context, db *sql.DB, name, same string) error {
	users, err := subsonic.ListUsers(ctx, db)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(users, func(u subsonic.User) bool { return sameUserName(u.Name, name) }); i >= 0 {
		return userTaken(name, users[i].Name, same)
	}
	return nil
}

// sameUserName says whether two user names give one sign-in key
// (catalog.NewID trims and lowercases them).
func sameUserName(a, b string) bool {
	return strings.ToLower(strings.TrimSpace(a)) == strings.ToLower(strings.TrimSpace(b))
}

// userTaken is the failure of adding the user name while the user called
// have holds it (in another case, or the same): a bad argument (exit 2; it
// was 1, as if adding had failed). The remove it suggests names have, the
// spelling user remove takes (it suggested "user remove Alice" for an
// alice, which said no such user). same is sameCatalog of the command's
// catalog.
func userTaken(name, have, same string) error {
	if have != name {
		return &usageError{fmt.Errorf("add user %s: %w as %s (names that differ only in case are one user; remove it first with segue origin user remove %[3]s%[4]s, or choose another name)",
			name, subsonic.ErrUserExists, have, same)}
	}
	return &usageError{fmt.Errorf("add user %s: %w (remove it first with segue origin user remove %[1]s%[3]s, or choose another name)", name, subsonic.ErrUserExists, same)}
}

// readPassword reads a new password: prompted twice without echo when in
// is a terminal, else the first line of in.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(p1) != string(p2) {
			return "", &usageError{errors.New("the two passwords differ: run the command again")}
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", &usageError{errors.New("no password on standard input: pipe one in (printf '%s\\n' PASSWORD | ...), or use --no-password")}
	}
	return line, nil
}
