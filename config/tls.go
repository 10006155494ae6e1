package config

import "segue/net/trust"

// CheckPin reports whether s is "" (no pin) or a fingerprint trust.ParsePin reads.
func CheckPin(s string) error {
	if s == "" {
		return nil
	}
	_, err := trust.ParsePin(s)
	return err
}

// CheckCA reports whether path is "" (the system's authorities only) or a
// file holding at least one PEM certificate. Its sentences do not name the
// setting: the caller says which one (--ca, SEGUE_CA or the file's ca).
func CheckCA(path string) error {
	if path == "" {
		return nil
	}
	_, err := trust.ReadCA(path)
	return err
}
