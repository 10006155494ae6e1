// alsa-lib's error handler: its messages go to Go (alsa_log.go) instead of
// its own lines on fd 2.
#include <stdarg.h>
#include <stdio.h>
#include <alsa/asoundlib.h>

#include "_cgo_export.h"

static void segue_alsa_error(const char *file, int line, const char *function, int err, const char *fmt, ...) {
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	segueALSAMessage((char *)file, line, (char *)function, (char *)(err ? snd_strerror(err) : ""), msg);
}

void segue_alsa_errors(void) { snd_lib_error_set_handler(segue_alsa_error); }
