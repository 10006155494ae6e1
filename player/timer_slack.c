// The timer slack of a process that plays: see TimerSlack in procs.go.
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

// player.TimerSlack and serverTimerSlack.
#define SEGUE_TIMER_SLACK_NS 1000000
#define SEGUE_SERVER_TIMER_SLACK_NS 50000

// segue_timer_slack runs before Go's runtime starts (a constructor: the
// program is linked by the C linker, mattn/go-sqlite3 makes it so), so
// every thread, Go's scheduler monitor first, inherits the slack. A server
// (any argument "origin") sets the kernel's default: a process inherits its
// parent's slack, and the tests and the demo start origins from players.
__attribute__((constructor)) static void segue_timer_slack(void) {
	char args[4096];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	ssize_t n = read(fd, args, sizeof args - 1);
	close(fd);
	if (n <= 0) return;
	args[n] = 0;
	for (char *a = args + strlen(args) + 1; a < args + n; a += strlen(a) + 1) {
		if (strcmp(a, "origin") == 0) {
			prctl(PR_SET_TIMERSLACK, SEGUE_SERVER_TIMER_SLACK_NS, 0, 0, 0);
			return;
		}
	}
	prctl(PR_SET_TIMERSLACK, SEGUE_TIMER_SLACK_NS, 0, 0, 0);
}
