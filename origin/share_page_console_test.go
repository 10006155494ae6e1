package origin

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient opens a share page on an origin that requires tokens and
// plays it: Chromium's console stays free of errors. It showed "Failed to
// load resource: 401 (Unauthorized)" on each page, for the /favicon.ico the
// browser asks for by itself (the page named no icon; the origin refuses
// every path but the share page without a token).
func TestSharePageLeavesTheConsoleClean(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	var mu sync.Mutex // guards errs
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				errs = append(errs, e.Entry.Text+" "+e.Entry.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				errs = append(errs, "console.error")
			}
		case *runtime.EventExceptionThrown:
			errs = append(errs, e.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	page := w.r.base + "/p/" + w.share
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall")), chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s and press play all: %v", page, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio"); return a.error !== null || a.currentTime > 1; })()`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("the first track does not play: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) > 0 {
		t.Errorf("Chromium's console shows errors:\n%s", strings.Join(errs, "\n"))
	}
}
