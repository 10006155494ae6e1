//go:build !segue_client

package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"segue/origin"
)

func init() { addOriginSub(originTokenCmd) }

func originTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke the bearer tokens clients use",
		Long: `An origin listening on anything but loopback (or started with --require-token)
answers only requests that carry "Authorization: Bearer SECRET". A secret is
shown once, when it is created; the origin keeps only its sha256.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	catalog, same := catalogFlag(a, cmd)

	var createJSON bool
	create := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a token and print its secret (shown only this once)",
		Example: `  segue origin token create laptop`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" { // a bad argument (2), checked before the catalog; it was 1
				return &usageError{origin.ErrNoTokenName}
			}
			db, err := catalog(cmd, true)
			if err != nil {
				return err
			}
			defer db.Close()
			tok, secret, err := origin.CreateToken(cmd.Context(), db, args[0])
			if err != nil {
				return err
			}
			if createJSON {
				return a.printJSON(struct {
					origin.Token
					Secret string `json:"secret"`
				}{tok, secret})
			}
			fmt.Fprintln(a.stdout, secret)
			fmt.Fprintf(a.stderr, "token %s (%s) created; give the secret above to the client (--token, SEGUE_TOKEN or token in config.toml). It is not shown again.\n", tok.ID, tok.Name)
			return nil
		},
	}
	create.Flags().BoolVar(&createJSON, "json", false, "print the token and its secret as JSON")

	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := catalog(cmd, false)
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
		Use:   "revoke ID",
		Short: "Revoke a token: requests carrying it are refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := catalog(cmd, false)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := origin.RevokeToken(cmd.Context(), db, args[0]); errors.Is(err, origin.ErrNotFound) {
				return fmt.Errorf("%w (see segue origin token list%s)", err, same(cmd))
			} else if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "token %s revoked\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, jsonErrorFlag(revoke))
	return cmd
}
