package origin

import "syscall"

// childProcAttr makes the kernel kill an ffmpeg child when ingest dies (even
// by kill -9), so no orphan keeps writing into the data dir.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
