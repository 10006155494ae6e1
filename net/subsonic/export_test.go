package subsonic

import (
	"testing"
	"time"
)

// SetStreamStall sets how long a stream may be silent before it is asked
// again, for the test's length.
func SetStreamStall(t *testing.T, d time.Duration) {
	old := streamStall
	streamStall = d
	t.Cleanup(func() { streamStall = old })
}
