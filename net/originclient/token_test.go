package originclient

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckTokenSaysWhatATokenHolds: a token with a character no bearer
// token has is refused, and the sentence names what a token may hold: it
// listed "a letter outside A-Z" among the faults, which read as if the
// lower-case letters every segue token has were wrong, and named neither
// punctuation ("sgo_!x") nor a letter such as é.
func TestCheckTokenSaysWhatATokenHolds(t *testing.T) {
	for _, ok := range []string{"sgo_b36bb007fede3fed2ebd1b5c9aec90ad2bf0ef81889e0956f90ba5bf80b3d7b2", " abc-._~+/XYZ== \n"} {
		if _, err := CheckToken(ok); err != nil {
			t.Errorf("CheckToken(%q): %v, want it taken", ok, err)
		}
	}
	for _, bad := range []string{"sgo_!x", "sgo_é", "a b", "a\x00b", "=="} {
		_, err := CheckToken(bad)
		if !errors.Is(err, ErrTokenChars) {
			t.Fatalf("CheckToken(%q): %v, want ErrTokenChars", bad, err)
		}
	}
	msg := ErrTokenChars.Error()
	for _, want := range []string{"a-z", "A-Z", "0-9", "- . _ ~ + /"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ErrTokenChars %q does not say a token may hold %s", msg, want)
		}
	}
	if strings.Contains(msg, "letter outside A-Z") {
		t.Errorf("ErrTokenChars %q still calls the lower-case letters of a token wrong", msg)
	}
}

// TestCheckTokenAsPasted: a segue origin's secret pasted with a full stop,
// comma, quotes or brackets around it is the secret; any other token keeps
// what it ends with (a bearer token may end in '.' or '~').
func TestCheckTokenAsPasted(t *testing.T) {
	secret := "sgo_b36bb007fede3fed2ebd1b5c9aec90ad2bf0ef81889e0956f90ba5bf80b3d7b2"
	for _, pasted := range []string{secret + ".", secret + ",", "“" + secret + "”", "<" + secret + ">.", " '" + secret + "'\n", "(" + secret + ")"} {
		if got, err := CheckToken(pasted); err != nil || got != secret {
			t.Errorf("CheckToken(%q) = %q, %v; want the secret", pasted, got, err)
		}
	}
	for _, other := range []string{"abc.", "~x~", secret[:20] + "."} {
		if got, err := CheckToken(other); err != nil || got != other {
			t.Errorf("CheckToken(%q) = %q, %v; want it unchanged", other, got, err)
		}
	}
}
