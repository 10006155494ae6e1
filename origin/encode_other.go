//go:build !linux

package origin

import "syscall"

// childProcAttr has nothing to add where the kernel offers no parent-death
// signal.
func childProcAttr() *syscall.SysProcAttr { return nil }
