package blobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/origin/blobs"
)

// testStore runs the contract every Store must keep against a new, empty
// store from open.
func testStore(t *testing.T, open func(t *testing.T) blobs.Store) {
	ctx := context.Background()
	data := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("blob %d;", i)), 1000+i) }

	t.Run("PutOpen", func(t *testing.T) {
		s := open(t)
		d := data(1)
		h, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if want := blobs.Hash(d); h != want || len(h) != 64 {
			t.Fatalf("Put returned %q, want the sha256 %q", h, want)
		}
		b, err := s.Open(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if b.Size != int64(len(d)) {
			t.Fatalf("Size = %d, want %d", b.Size, len(d))
		}
		got, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(got, d) {
			t.Fatalf("read %d bytes (err %v), want the %d stored", len(got), err, len(d))
		}
	})
	t.Run("PutIsIdempotent", func(t *testing.T) {
		s := open(t)
		d := data(2)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.Put(ctx, d) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, d); err != nil {
			t.Fatal(err)
		}
		if got := walk(t, s); !slices.Equal(got, []string{blobs.Hash(d)}) {
			t.Fatalf("after five Puts of one blob Walk = %v, want only %s", got, blobs.Hash(d))
		}
	})
	t.Run("OpenMissing", func(t *testing.T) {
		s := open(t)
		if _, err := s.Open(ctx, blobs.Hash([]byte("never stored"))); !errors.Is(err, blobs.ErrNotFound) {
			t.Fatalf("Open of a missing blob: %v, want ErrNotFound", err)
		}
	})
	t.Run("Stat", func(t *testing.T) {
		s := open(t)
		d := data(5)
		h, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if size, ok, err := s.Stat(ctx, h); err != nil || !ok || size != int64(len(d)) {
			t.Fatalf("Stat of a stored blob = %d, %v, %v; want %d, true, nil", size, ok, err, len(d))
		}
		if size, ok, err := s.Stat(ctx, blobs.Hash([]byte("never stored"))); err != nil || ok || size != 0 {
			t.Fatalf("Stat of a missing blob = %d, %v, %v; want 0, false, nil", size, ok, err)
		}
		if err := s.Remove(ctx, h); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Stat(ctx, h); err != nil || ok {
			t.Fatalf("Stat after Remove = %v, %v; want false, nil", ok, err)
		}
	})
	t.Run("BadHash", func(t *testing.T) {
		s := open(t)
		for _, h := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 63) + "/"} {
			if _, err := s.Open(ctx, h); !errors.Is(err, blobs.ErrBadHash) {
				t.Errorf("Open(%q): %v, want ErrBadHash", h, err)
			}
			if _, ok, err := s.Stat(ctx, h); !errors.Is(err, blobs.ErrBadHash) || ok {
				t.Errorf("Stat(%q): %v, %v; want false, ErrBadHash", h, ok, err)
			}
			if err := s.Remove(ctx, h); !errors.Is(err, blobs.ErrBadHash) {
				t.Errorf("Remove(%q): %v, want ErrBadHash", h, err)
			}
		}
	})
	t.Run("SeekRead", func(t *testing.T) {
		s := open(t)
		d := data(3)
		h, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Open(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		for _, off := range []int64{100, 7, int64(len(d)) - 5, 0} {
			if _, err := b.Seek(off, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 5)
			if _, err := io.ReadFull(b, got); err != nil || !bytes.Equal(got, d[off:off+5]) {
				t.Fatalf("5 bytes at %d = %q (err %v), want %q", off, got, err, d[off:off+5])
			}
		}
		if end, err := b.Seek(0, io.SeekEnd); err != nil || end != int64(len(d)) {
			t.Fatalf("Seek to end = %d, %v; want %d", end, err, len(d))
		}
	})
	t.Run("ServeContentRange", func(t *testing.T) {
		// The origin hands blobs to http.ServeContent: Range and HEAD must
		// come out right through it.
		s := open(t)
		d := data(4)
		h, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := s.Open(r.Context(), h)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			defer b.Close()
			http.ServeContent(w, r, "", time.Time{}, b.ReadSeekCloser)
		}))
		defer srv.Close()
		for _, c := range []struct {
			rng  string
			code int
			want []byte
		}{
			{"", 200, d},
			{"bytes=10-19", 206, d[10:20]},
			{"bytes=-7", 206, d[len(d)-7:]},
			{fmt.Sprintf("bytes=%d-", len(d)-3), 206, d[len(d)-3:]},
		} {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if c.rng != "" {
				req.Header.Set("Range", c.rng)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.code || !bytes.Equal(got, c.want) {
				t.Errorf("Range %q: %d with %d bytes, want %d with %d bytes", c.rng, resp.StatusCode, len(got), c.code, len(c.want))
			}
		}
	})
	t.Run("WalkRemove", func(t *testing.T) {
		s := open(t)
		if got := walk(t, s); len(got) != 0 {
			t.Fatalf("a new store walks %v, want nothing", got)
		}
		var want []string
		for i := range 5 {
			h, err := s.Put(ctx, data(10+i))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, h)
		}
		slices.Sort(want)
		if got := walk(t, s); !slices.Equal(got, want) {
			t.Fatalf("Walk = %v, want %v", got, want)
		}
		if err := s.Remove(ctx, want[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(ctx, want[0]); err != nil {
			t.Fatalf("Remove of a removed blob: %v, want nil", err)
		}
		if _, err := s.Open(ctx, want[0]); !errors.Is(err, blobs.ErrNotFound) {
			t.Fatalf("Open after Remove: %v, want ErrNotFound", err)
		}
		if got := walk(t, s); !slices.Equal(got, want[1:]) {
			t.Fatalf("Walk after Remove = %v, want %v", got, want[1:])
		}
		stop := errors.New("stop")
		n := 0
		if err := s.Walk(ctx, func(string) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Walk with fn failing: %v after %d calls, want stop after 1", err, n)
		}
	})
}

// walk returns every hash s holds, sorted.
func walk(t *testing.T, s blobs.Store) []string {
	t.Helper()
	var got []string
	if err := s.Walk(context.Background(), func(h string) error { got = append(got, h); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}
