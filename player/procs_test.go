package player

import (
	"runtime"
	"testing"
)

// TestLimitProcs: one processor, unless the GOMAXPROCS variable chose.
func TestLimitProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "")
	LimitProcs()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS after LimitProcs = %d, want 1", n)
	}
	runtime.GOMAXPROCS(2)
	t.Setenv("GOMAXPROCS", "2")
	LimitProcs()
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Errorf("GOMAXPROCS after LimitProcs with GOMAXPROCS=2 set = %d, want 2 (the user's choice)", n)
	}
}
