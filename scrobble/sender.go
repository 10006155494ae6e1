package scrobble

import (
	"context"
	"log/slog"
	"time"

	"segue/catalog"
)

// Poster delivers a batch of events (originclient.Client.PostEvents).
type Poster interface {
	PostEvents(ctx context.Context, evs []catalog.PlayEvent) error
}

// Options configure a Sender. Zero values take the defaults named.
type Options struct {
	Spool  *Spool
	Poster Poster
	// Interval between delivery attempts while events wait (default 30 s).
	Interval time.Duration
	// Batch is the most events one request carries (default 100; the
	// origin takes up to origin.MaxEventBatch).
	Batch  int
	Logger *slog.Logger
}

// Sender delivers the spool to the origin in the background: at once when
// kicked (after each play), and every Interval while the origin is away.
type Sender struct {
	o      Options
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// NewSender starts a sender; Close stops it.
func NewSender(o Options) *Sender {
	if o.Interval <= 0 {
		o.Interval = 30 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sender{o: o, kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

// Record spools ev and asks for a delivery; its wait for the spool ends
// with ctx (the play is then lost, and logged).
func (s *Sender) Record(ctx context.Context, ev catalog.PlayEvent) {
	if err := s.o.Spool.Append(ctx, ev); err != nil {
		s.o.Logger.Warn("scrobble: keep play event", "err", err)
		return
	}
	s.Kick()
}

// Kick asks for a delivery attempt now.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Sender) run(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		if err := s.flush(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Info("scrobble: events kept for later", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// Flush delivers the whole spool, batch by batch; a failed batch stays in
// the spool for the next attempt. Only run and Close (after run ended) call
// it, so two flushes never overlap.
func (s *Sender) flush(ctx context.Context) error {
	for {
		evs, err := s.o.Spool.Pending(s.o.Batch)
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := s.o.Poster.PostEvents(ctx, evs); err != nil {
			return err
		}
		if err := s.o.Spool.Remove(ctx, len(evs)); err != nil {
			return err
		}
	}
}

// Close stops the background deliveries, waits for them, and makes one
// last attempt bounded by ctx; what it cannot deliver stays spooled.
func (s *Sender) Close(ctx context.Context) error {
	s.cancel()
	<-s.done
	return s.flush(ctx)
}
