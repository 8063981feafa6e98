package sync

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// fullDiskStore is the journal on a disk that fills up: while full is set every write the
// uploader makes fails as storage reports ENOSPC, and reads go on.
type fullDiskStore struct {
	Store
	full   atomic.Bool
	failed atomic.Int64 // writes refused
}

func (s *fullDiskStore) err(op string) error {
	s.failed.Add(1)
	return fmt.Errorf("storage: %s: %w: %w", op, model.ErrDiskFull, syscall.ENOSPC)
}

func (s *fullDiskStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]model.Order, error) {
	if s.full.Load() {
		return nil, s.err("claim")
	}
	return s.Store.Claim(ctx, now, limit, lease)
}

func (s *fullDiskStore) Record(ctx context.Context, o model.Outcome) (model.Order, error) {
	if s.full.Load() {
		return model.Order{}, s.err("record " + o.OrderID)
	}
	return s.Store.Record(ctx, o)
}

func (s *fullDiskStore) GiveUp(ctx context.Context, cutoff time.Time, reason string) ([]string, error) {
	if s.full.Load() {
		return nil, s.err("give up")
	}
	return s.Store.GiveUp(ctx, cutoff, reason)
}

// TestDiskFullPausesAndResumes: the disk fills while orders are uploading. The uploader pauses
// saying the disk is full and that nothing typed is lost, keeps the outcomes of calls it made,
// and when space returns resumes by itself: every order ends uploaded, as the gateway holds it,
// none sent with two payloads.
func TestDiskFullPausesAndResumes(t *testing.T) {
	const orders = 200
	j := seedJournal(t, t.TempDir(), orders)
	defer j.Close()
	gw := newGateway(t, toptest.Options{})
	fs := &fullDiskStore{Store: j}
	u := New(fs, newClient(t, gw.URL(), testSecret, 5*time.Second), fastConfig(4), testLog(t))
	events, unsub := u.Subscribe()
	defer unsub()
	var sawFull, sawResume atomic.Bool
	go func() {
		for ev := range events {
			if ev.Order != nil {
				continue
			}
			switch {
			case ev.State.Mode == model.ModePaused && ev.State.Cause == model.CauseDiskFull:
				if strings.Contains(ev.State.Reason, "disk holding the journal is full") && strings.Contains(ev.State.Reason, "nothing typed is lost") {
					sawFull.Store(true)
				}
			case sawFull.Load() && ev.State.Mode != model.ModePaused:
				sawResume.Store(true)
			}
		}
	}()
	stop := start(t, u)
	defer stop()
	waitFor(t, 10*time.Second, "some orders at the gateway", func() bool { return len(gw.Orders()) >= 20 })
	fs.full.Store(true)
	waitFor(t, 5*time.Second, "the disk-full pause", func() bool {
		s := u.State()
		return s.Mode == model.ModePaused && s.Cause == model.CauseDiskFull
	})
	// While full, nothing more is sent once the calls in flight are done, and the journal is
	// tried at a growing interval (1 s, 2 s, 4 s…), not in a loop.
	time.Sleep(300 * time.Millisecond)
	held, tried := len(gw.Requests()), fs.failed.Load()
	time.Sleep(4 * time.Second)
	if n := len(gw.Requests()); n != held {
		t.Errorf("%d requests made while the journal could not be written", n-held)
	}
	if n := fs.failed.Load() - tried; n > 4 {
		t.Errorf("%d writes tried in 4 s while the disk was full", n)
	}
	fs.full.Store(false)
	waitFor(t, 20*time.Second, "every order uploaded", func() bool {
		c, err := j.Counts(context.Background())
		return err == nil && c[model.StatusUploaded] == orders
	})
	if !sawFull.Load() || !sawResume.Load() {
		t.Errorf("states published: disk full %v, resumed %v", sawFull.Load(), sawResume.Load())
	}
	if got := len(gw.Orders()); got != orders {
		t.Errorf("the gateway holds %d orders, want %d", got, orders)
	}
	if c := gw.Conflicts(); c != 0 {
		t.Errorf("%d orders sent with two payloads", c)
	}
}
