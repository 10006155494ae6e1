package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// notifyStop is signal.NotifyContext for the signals that stop a command,
// less those the process was started ignoring: nohup's SIGHUP, a
// non-interactive shell's SIGINT for a command it runs in the background.
// Go stops ignoring a signal it is asked to tell of, so the hangup nohup
// was to outlive stopped origin serve.
func notifyStop(ctx context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	var told []os.Signal
	for _, s := range sigs {
		if !signal.Ignored(s) {
			told = append(told, s)
		}
	}
	if len(told) == 0 {
		return context.WithCancel(ctx)
	}
	return signal.NotifyContext(ctx, told...)
}

// stopOnSignal is the signal context of a command that runs long and
// stops between its steps on Ctrl-C or SIGTERM (see interrupted, which
// says what the stop kept): its work checks ctx and ends with ctx's error.
func stopOnSignal(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return notifyStop(ctx, os.Interrupt, syscall.SIGTERM)
}
