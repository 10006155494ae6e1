package subsonic

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
)

// authenticate finds the user a request speaks for, from one of the
// spec's credentials (subsonic.org/pages/api.jsp, "Authentication";
// OpenSubsonic's apiKeyAuthentication extension):
//
//   - apiKey=KEY alone (code 44 when unknown, 43 when u, p or t come too);
//   - u=NAME with t=md5(password+s) and s=SALT (API 1.13.0 on);
//   - u=NAME with p=PASSWORD, or p=enc:HEX (the password hex-encoded).
//
// NAME may be in another case than the user's: users' names differ in
// more than case.
//
// A missing parameter is code 10, a wrong name or password 40, a user
// made with --no-password signing in with a password 42, and token auth
// 41 when the origin cannot read the user's stored password (its key file
// is missing or another: Subsonic's code for users whose password the
// server cannot see).
func (a *API) authenticate(ctx context.Context, p params) (account, *Response) {
	key, name, pass, token, salt := p.get("apiKey"), p.get("u"), p.get("p"), p.get("t"), p.get("s")
	if key != "" {
		if name != "" || pass != "" || token != "" {
			return account{}, failed(CodeAuthConflict, "give either apiKey or u with p or t, not both")
		}
		acc, err := a.store.userBy(ctx, "api_key_sha", keySHA(key))
		if errors.Is(err, ErrNoUser) {
			return account{}, failed(CodeBadAPIKey, "invalid API key: ask the origin's owner for one (segue origin user add)")
		}
		if err != nil {
			a.log.Error("look up API key", "err", err)
			return account{}, failed(CodeGeneric, "cannot check credentials right now")
		}
		return acc, nil
	}
	switch {
	case name == "":
		return account{}, failed(CodeMissingParam, "required parameter u is missing (or sign in with apiKey)")
	case pass != "" && token != "":
		return account{}, failed(CodeAuthConflict, "give either p or t and s, not both")
	case pass == "" && token == "":
		return account{}, failed(CodeMissingParam, "required parameter t (with s) or p is missing")
	case token != "" && salt == "":
		return account{}, failed(CodeMissingParam, "required parameter s (the salt of t) is missing")
	}
	wrong := failed(CodeWrongCredential, "wrong username or password")
	acc, err := a.store.userBy(ctx, "name", name)
	if errors.Is(err, ErrNoUser) && strings.TrimSpace(name) == name {
		// the name in another case ("Alice", as a phone's keyboard
		// writes it), as Navidrome takes it: at most one user has its
		// folded name (nameKey)
		acc, err = a.store.userBy(ctx, "name_key", nameKey(name))
	}
	if errors.Is(err, ErrNoUser) {
		return account{}, wrong
	}
	if err != nil {
		a.log.Error("look up user", "user", name, "err", err)
		return account{}, failed(CodeGeneric, "cannot check credentials right now")
	}
	if acc.sealed == nil {
		return account{}, failed(CodeAuthUnsupported, "user "+name+" signs in with an API key only (apiKey=)")
	}
	sealKey, err := a.passwordKey()
	if err != nil {
		return account{}, a.unreadable(name, token != "", err)
	}
	plain, err := open(sealKey, acc.name, acc.sealed)
	if err != nil {
		return account{}, a.unreadable(name, token != "", err)
	}
	if token != "" {
		sum := md5.Sum([]byte(plain + salt))
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(token))) != 1 {
			return account{}, wrong
		}
		return acc, nil
	}
	pass, valid := plainPassword(pass)
	if !valid {
		return account{}, failed(CodeWrongCredential, "wrong username or password (p=enc: wants hex digits)")
	}
	if subtle.ConstantTimeCompare([]byte(pass), []byte(plain)) != 1 {
		return account{}, wrong
	}
	return acc, nil
}

// plainPassword is a password as the spec lets a client send it: plain,
// or "enc:" and its bytes in hex; false when the hex is not.
func plainPassword(p string) (string, bool) {
	hexed, ok := strings.CutPrefix(p, "enc:")
	if !ok {
		return p, true
	}
	raw, err := hex.DecodeString(hexed)
	return string(raw), err == nil
}

// unreadable answers for a user whose stored password the origin cannot
// open: code 41 for token auth, 0 for a password.
func (a *API) unreadable(name string, token bool, err error) *Response {
	a.log.Error("cannot read a Subsonic password", "user", name, "err", err)
	msg := "the origin cannot read the stored password of " + name + " (its " + KeyFile + " is missing or another): sign in with apiKey until the origin's host copies " + KeyFile + " from the data dir where the user was added"
	if token {
		return failed(CodeTokenNotAllowed, "token authentication is not possible: "+msg)
	}
	return failed(CodeGeneric, msg)
}
