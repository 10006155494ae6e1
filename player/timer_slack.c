// The timer slack of a process that plays: see TimerSlack in procs.go.
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

// player.TimerSlack and serverTimerSlack.
#define SEGUE_TIMER_SLACK_NS 1000000
#define SEGUE_SERVER_TIMER_SLACK_NS 50000

// is_server reports whether the n bytes of args (the command line, NUL
// separated, the program's name first) run a server: the subcommand
// "origin", or "demo" with --no-tui. A word right after a flag that has no
// "=" is that flag's value (every flag segue takes before its subcommand
// takes one), so `segue play --search origin` plays; "--" ends the flags.
static int is_server(const char *args, ssize_t n) {
	int demo = 0, notui = 0, value = 0;
	for (const char *a = args + strlen(args) + 1; a < args + n; a += strlen(a) + 1) {
		int flag = a[0] == '-' && strcmp(a, "--") != 0;
		if (!flag && !value) {
			if (strcmp(a, "origin") == 0) return 1;
			demo = demo || strcmp(a, "demo") == 0;
		}
		notui = notui || strcmp(a, "--no-tui") == 0;
		value = flag && strchr(a, '=') == NULL;
	}
	return demo && notui;
}

// segue_timer_slack runs before Go's runtime starts (a constructor: the
// program is linked by the C linker, mattn/go-sqlite3 makes it so), so
// every thread, Go's scheduler monitor first, inherits the slack. A server
// (is_server) sets the kernel's default: a process inherits its parent's
// slack, and the tests and the demo start origins from players.
__attribute__((constructor)) static void segue_timer_slack(void) {
	char args[4096];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	ssize_t n = read(fd, args, sizeof args - 1);
	close(fd);
	if (n <= 0) return;
	args[n] = 0;
	prctl(PR_SET_TIMERSLACK, is_server(args, n) ? SEGUE_SERVER_TIMER_SLACK_NS : SEGUE_TIMER_SLACK_NS, 0, 0, 0);
}
