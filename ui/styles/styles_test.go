package styles

import (
	"maps"
	"slices"
	"testing"

	"segue/config"
)

// TestThemeKeysAreConfigs: the colors the styles read are the [theme] keys
// config.toml's check accepts, so none is refused that works nor taken that
// does nothing.
func TestThemeKeysAreConfigs(t *testing.T) {
	if got, want := slices.Sorted(maps.Keys(defaultTheme)), slices.Sorted(slices.Values(config.ThemeKeys)); !slices.Equal(got, want) {
		t.Errorf("styles' theme keys %v; config.ThemeKeys %v", got, want)
	}
}
