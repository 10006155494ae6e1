//go:build !segue_client

package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/origin"
)

func init() { addOriginSub(originTokenCmd) }

func originTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke the bearer tokens clients use",
		Long: `An origin listening on anything but loopback (or started with --require-token)
answers only requests that carry "Authorization: Bearer SECRET". A secret is
shown once, when it is created; the origin keeps only its sha256. Give the
--data (or --catalog) that origin serve has: a data dir with no catalog is
refused, as origin ingest or origin serve makes one.

Playlists and plays made while the origin ran open belong to "local", which
no token speaks for: hand them to a token with adopt-local, or with
create --adopt-local, when the origin starts requiring tokens.`,
	}
	catalog, same := catalogFlag(a, cmd)

	var createJSON, adoptLocal, adoptJSON bool
	var replace string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a token and print its secret (shown only this once)",
		Example: `  segue origin token create laptop
  segue origin token create household --adopt-local
  segue origin token create household --replace tok1a2b3c4d   # a leaked token's successor
  segue origin token create laptop --replace laptop            # the same, by the active token's name`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" { // a bad argument (2), checked before the catalog; it was 1
				return &usageError{origin.ErrNoTokenName}
			}
			if tokenNameLong(args[0]) { // token list showed all of it (it was stored)
				return &usageError{origin.ErrTokenNameLong}
			}
			if err := checkGivenName("token", args[0]); err != nil {
				return err
			}
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			var (
				tok      origin.Token
				secret   string
				replaced *replacedToken
			)
			if replace != "" {
				var took origin.Owned
				if replace, err = tokenRef(cmd.Context(), db, replace); err != nil {
					return err
				}
				tok, secret, took, err = origin.ReplaceToken(cmd.Context(), db, replace, args[0])
				if errors.Is(err, origin.ErrNotFound) {
					return fmt.Errorf("%w; nothing was created (see segue origin token list%s)", err, same(cmd))
				}
				replaced = &replacedToken{ID: replace, Owned: took}
			} else {
				tok, secret, err = origin.CreateToken(cmd.Context(), db, args[0])
			}
			var taken *origin.TokenNameTakenError
			if errors.As(err, &taken) {
				return nameTaken(taken, replace, same(cmd))
			}
			if err != nil {
				return err
			}
			var adopted *origin.Owned
			if adoptLocal {
				owned, _, err := origin.AdoptLocal(cmd.Context(), db, tok.ID)
				if err != nil {
					return fmt.Errorf("token %s was created, but: %w; run segue origin token adopt-local %s%s", tok.ID, err, tok.ID, same(cmd))
				}
				adopted = &owned
			}
			if createJSON {
				err = a.printJSON(struct {
					origin.Token
					Secret   string         `json:"secret"`
					Adopted  *origin.Owned  `json:"adopted,omitempty"`
					Replaced *replacedToken `json:"replaced,omitempty"`
				}{tok, secret, adopted, replaced})
			} else {
				_, err = fmt.Fprintln(a.stdout, secret)
			}
			if err != nil { // the secret is shown only this once: the token is of no use
				return fmt.Errorf("token %s (%s) was created, but its secret could not be written: %w; revoke it (segue origin token revoke %[1]s%[4]s) and create another",
					tok.ID, tok.Name, err, same(cmd))
			}
			if createJSON {
				return nil
			}
			fmt.Fprintf(a.stderr, "token %s (%s) created; give the secret above to the client (--token, SEGUE_TOKEN or token in config.toml). It is not shown again.\n", tok.ID, tok.Name)
			if replaced != nil {
				fmt.Fprintf(a.stderr, "token %s now owns the %s of token %s, which is revoked\n", tok.ID, ownedWords(replaced.Owned), replaced.ID)
			}
			if adopted != nil {
				fmt.Fprintln(a.stderr, adoptedSentence(*adopted, origin.Adopter{ID: tok.ID}))
			}
			return nil
		},
	}
	create.Flags().BoolVar(&createJSON, "json", false, "print the token and its secret as JSON")
	create.Flags().BoolVar(&adoptLocal, "adopt-local", false, `give the token the playlists and plays made while the origin ran open (owner "local")`)
	create.Flags().StringVar(&replace, "replace", "", "take over the token `ID` (or the active token of that name; a leaked one): its playlists and plays move to the new token, and it is revoked")

	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			tokens, err := origin.ListTokens(cmd.Context(), db)
			if err != nil {
				return err
			}
			if listJSON {
				return a.printJSON(tokens)
			}
			tb := newTable("ID", "NAME", "CREATED", "STATE").whole("ID", "CREATED").
				orSay("no tokens: make one with segue origin token create NAME" + same(cmd))
			for _, t := range tokens {
				state := "active"
				if t.RevokedAt != nil {
					state = "revoked " + t.RevokedAt.Local().Format("2006-01-02 15:04")
				}
				tb.row(t.ID, t.Name, t.CreatedAt.Local().Format("2006-01-02 15:04"), state)
			}
			return a.printTables(tb)
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print the tokens as JSON")

	revoke := &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke a token (by ID, or the name of an active one): requests carrying it are refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			tokens, err := origin.ListTokens(cmd.Context(), db)
			if err != nil {
				return err
			}
			id := args[0]
			if t, ok := findToken(tokens, args[0]); ok && t.RevokedAt != nil {
				// it said "revoked" again, as if it had been live until now
				fmt.Fprintf(a.stderr, "token %s was already revoked on %s: nothing to do\n", t.ID, t.RevokedAt.Local().Format("2006-01-02 15:04"))
				return nil
			} else if ok {
				id = t.ID
			}
			if err := origin.RevokeToken(cmd.Context(), db, id); errors.Is(err, origin.ErrNotFound) {
				return fmt.Errorf("%w: no token has that ID or that name (see segue origin token list%s)", err, same(cmd))
			} else if err != nil {
				return err
			}
			what := id
			if id != args[0] {
				what += " (" + args[0] + ")"
			}
			left, err := origin.OwnedBy(cmd.Context(), db, id)
			if err != nil || left == (origin.Owned{}) {
				fmt.Fprintf(a.stderr, "token %s revoked\n", what)
				return nil
			}
			fmt.Fprintf(a.stderr, "token %s revoked; its %s are seen by no token now: hand them to a new one with segue origin token create NAME --replace %s%s\n",
				what, ownedWords(left), id, same(cmd))
			return nil
		},
	}
	adopt := &cobra.Command{
		Use:   "adopt-local ID|NAME|SUBSONIC_USER",
		Short: `Give a token or Subsonic user the playlists and plays made while the origin ran open (owner "local")`,
		Long: `An origin running open on loopback keeps its playlists and plays for "local".
Once it requires tokens (--require-token, or an address off loopback) no
request speaks for "local": its playlists are seen by nobody until a token
adopts them (by ID or name), or a Subsonic user (by name or ID, see segue
origin user list) for a household listening with Subsonic apps. Running it
again hands over what "local" made since.`,
		Example: "  segue origin token adopt-local tok1a2b3c4d\n  segue origin token adopt-local household\n  segue origin token adopt-local alice",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := catalog(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			owned, to, err := origin.AdoptLocal(cmd.Context(), db, args[0])
			if errors.Is(err, origin.ErrNotFound) { // no ID nor user: an active token's name (it was "not found")
				if id, rerr := tokenRef(cmd.Context(), db, args[0]); rerr == nil && id != args[0] {
					owned, to, err = origin.AdoptLocal(cmd.Context(), db, id)
				}
			}
			switch {
			case errors.Is(err, origin.ErrNotFound):
				return fmt.Errorf("%w: no token (by ID or name) or Subsonic user is %s (see segue origin token list%s, or segue origin user list%[3]s)", err, args[0], same(cmd))
			case errors.Is(err, origin.ErrRevokedToken): // a bad argument (2), as an unknown one is 3; it was 1
				return &usageError{fmt.Errorf("%w: give them to an active token (see segue origin token list%s), or make one with segue origin token create NAME --adopt-local%[2]s", err, same(cmd))}
			case err != nil:
				return err
			}
			if adoptJSON {
				return a.printJSON(struct {
					To   string `json:"to"`             // the token's or Subsonic user's ID
					Name string `json:"name,omitempty"` // the Subsonic user's name
					origin.Owned
				}{to.ID, to.Name, owned})
			}
			fmt.Fprintln(a.stderr, adoptedSentence(owned, to))
			return nil
		},
	}
	adopt.Flags().BoolVar(&adoptJSON, "json", false, `print what was handed over as JSON: {"to": ID, "name": SUBSONIC_USER, "playlists": N, "plays": N}`)
	cmd.AddCommand(create, list, jsonErrorFlag(revoke), adopt)
	return cmd
}

// tokenRef is the ID of the token ref names (findToken): ref itself when a
// token has that ID, else the active token called ref (ignoring case, as
// names are kept apart), else the last revoked one so called, else ref as
// it is, for the caller's not found. Token names are what a host chose and
// remembers; the IDs are token list's.
func tokenRef(ctx context.Context, db *sql.DB, ref string) (string, error) {
	tokens, err := origin.ListTokens(ctx, db)
	if err != nil {
		return "", err
	}
	if t, ok := findToken(tokens, ref); ok {
		return t.ID, nil
	}
	return ref, nil
}

// findToken is the token of tokens whose ID is ref, else the active one
// called ref (ignoring case), else the last revoked one so called (what
// revoke, given a name revoked already, says); false when none is.
func findToken(tokens []origin.Token, ref string) (origin.Token, bool) {
	if i := slices.IndexFunc(tokens, func(t origin.Token) bool { return t.ID == ref }); i >= 0 {
		return tokens[i], true
	}
	name := strings.TrimSpace(ref)
	if i := slices.IndexFunc(tokens, func(t origin.Token) bool { return t.RevokedAt == nil && strings.EqualFold(t.Name, name) }); i >= 0 {
		return tokens[i], true
	}
	for i := len(tokens) - 1; i >= 0; i-- { // oldest first: the last revoked
		if strings.EqualFold(tokens[i].Name, name) {
			return tokens[i], true
		}
	}
	return origin.Token{}, false
}

// tokenNameLong says whether name is longer than a token's name may be
// (catalog.MaxTokenName bytes, spaces around it dropped).
func tokenNameLong(name string) bool { return len(strings.TrimSpace(name)) > catalog.MaxTokenName }

// nameTaken is the usage error (exit 2) of token create NAME while the
// active token taken.ID has that name: two tokens of one name could not be
// told apart in token list. What to do: give that token's client a new
// secret with --replace, revoke it first, or choose another name; replace
// is the --replace given ("" for none), same sameCatalog's flag.
func nameTaken(taken *origin.TokenNameTakenError, replace, same string) error {
	if replace != "" { // --replace names another token: the name's holder stays
		return &usageError{fmt.Errorf("%w, and token %s would keep it: choose another name, or revoke %[2]s first (segue origin token revoke %[2]s%s)", taken, taken.ID, same)}
	}
	return &usageError{fmt.Errorf("%w: to give its client a new secret run segue origin token create %s --replace %s%s (which revokes %[3]s and hands its playlists and plays to the new token), or choose another name",
		taken, catalog.ShellWord(taken.Name), taken.ID, same)}
}

// replacedToken is what token create --replace took over: the old
// token's ID and what moved from it.
type replacedToken struct {
	ID string `json:"id"`
	origin.Owned
}

// adoptedSentence says what origin.AdoptLocal handed to to.
func adoptedSentence(o origin.Owned, to origin.Adopter) string {
	if o.Playlists == 0 && o.Plays == 0 {
		return `nothing to hand over: no playlists or plays belong to "local" (the open origin's listener)`
	}
	see := "clients with its secret see them"
	if to.Name != "" {
		see = "Subsonic apps signed in as " + to.Name + " see them"
	}
	return fmt.Sprintf(`%s now owns %s made while the origin ran open (owner "local"): %s`, to, ownedWords(o), see)
}

// ownedWords says o as "2 playlists and 1 play".
func ownedWords(o origin.Owned) string {
	return catalog.Count(int(o.Playlists), "playlist") + " and " + catalog.Count(int(o.Plays), "play")
}
