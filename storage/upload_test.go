package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"banksale/model"
)

func TestClaimRecordFlow(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	now := time.Now()
	j.now = func() time.Time { return now }
	if _, ok, err := j.NextDue(ctx); ok || err != nil {
		t.Fatalf("next due on an empty journal: %v %v", ok, err)
	}
	a, b := testSale(1, t0), testSale(2, t0.Add(time.Minute))
	mustInsert(t, j, a)
	mustInsert(t, j, b)
	refund := refundOf(a, "R1", 100, t0.Add(time.Hour))
	mustInsert(t, j, refund)

	due, ok, err := j.NextDue(ctx)
	if err != nil || !ok || due.UnixMilli() != now.UnixMilli() {
		t.Fatalf("next due: %v %v %v", due, ok, err)
	}
	// Nothing is due before now.
	if got, _ := j.Claim(ctx, now.Add(-time.Second), 10, time.Minute); len(got) != 0 {
		t.Fatalf("claimed %d orders before they were due", len(got))
	}
	// The refund waits for its original.
	got, err := j.Claim(ctx, now, 10, time.Minute)
	if err != nil || len(got) != 2 || got[0].OrderID != a.OrderID || got[1].OrderID != b.OrderID {
		t.Fatalf("claim: %v %+v", err, got)
	}
	for _, o := range got {
		if o.Status != model.StatusUploading || !o.LeaseUntil.Equal(time.UnixMilli(now.Add(time.Minute).UnixMilli())) || len(o.Payload) == 0 {
			t.Fatalf("claimed order: %+v", o)
		}
	}
	if _, ok, _ := j.NextDue(ctx); ok {
		t.Fatal("the refund is due while its original is uploading")
	}
	if again, _ := j.Claim(ctx, now, 10, time.Minute); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	// a uploaded; b fails and retries later.
	o, err := j.Record(ctx, model.Outcome{OrderID: a.OrderID, Status: model.StatusUploaded,
		Attempt: model.Attempt{StartedAt: now, Latency: 120 * time.Millisecond, Class: "", RequestID: "req-1"}})
	if err != nil || o.Status != model.StatusUploaded || o.Attempts != 1 || o.RequestID != "req-1" || !o.NextAttemptAt.IsZero() {
		t.Fatalf("record uploaded: %+v %v", o, err)
	}
	later := now.Add(time.Hour)
	o, err = j.Record(ctx, model.Outcome{OrderID: b.OrderID, Status: model.StatusRetrying, NextAttemptAt: later,
		Attempt: model.Attempt{StartedAt: now, Class: "transient", Code: 7, SubCode: "isp.x", Message: "busy", RequestID: "req-2"}})
	if err != nil || o.Status != model.StatusRetrying || o.LastCode != 7 || o.LastSubCode != "isp.x" || o.LastMessage != "busy" || !o.NextAttemptAt.Equal(time.UnixMilli(later.UnixMilli())) {
		t.Fatalf("record retrying: %+v %v", o, err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: b.OrderID, Status: model.StatusUploaded}); !errors.Is(err, model.ErrNotEditable) {
		t.Fatalf("record of an order not uploading: %v", err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: "nope", Status: model.StatusUploaded}); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("record of a missing order: %v", err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: b.OrderID, Status: model.StatusPending}); err == nil {
		t.Fatal("record with status pending accepted")
	}
	// Now the refund is claimable; b is not due yet.
	due, ok, _ = j.NextDue(ctx)
	if !ok || due.UnixMilli() != now.UnixMilli() {
		t.Fatalf("next due after the original's upload: %v %v", due, ok)
	}
	got, _ = j.Claim(ctx, now, 10, time.Minute)
	if len(got) != 1 || got[0].OrderID != "R1" {
		t.Fatalf("claim after upload: %+v", got)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: "R1", Status: model.StatusRejected,
		Attempt: model.Attempt{Class: "rejected", Code: 15, SubCode: "isv.invalid-parameter", Message: "bad"}}); err != nil {
		t.Fatal(err)
	}
	due, ok, _ = j.NextDue(ctx)
	if !ok || !due.Equal(time.UnixMilli(later.UnixMilli())) {
		t.Fatalf("next due: %v %v", due, ok)
	}
	at, err := j.Attempts(ctx, b.OrderID)
	if err != nil || len(at) != 1 || at[0].N != 1 || at[0].Outcome != "retrying" || at[0].Class != "transient" || at[0].RequestID != "req-2" {
		t.Fatalf("attempts: %+v %v", at, err)
	}
	at, _ = j.Attempts(ctx, a.OrderID)
	if len(at) != 1 || at[0].Latency != 120*time.Millisecond || !at[0].StartedAt.Equal(time.UnixMilli(now.UnixMilli())) {
		t.Fatalf("attempts of a: %+v", at)
	}
	au, _ := j.Audit(ctx, "R1")
	if len(au) != 2 || au[1].Action != "reject" {
		t.Fatalf("audit of R1: %+v", au)
	}

	// Retry brings b and R1 due now; RetryFailed too; uploaded orders are untouched.
	n, err := j.Retry(ctx, now, "boss", b.OrderID, a.OrderID)
	if err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	n, err = j.RetryFailed(ctx, now, "boss")
	if err != nil || n != 2 {
		t.Fatalf("retry failed: %d %v", n, err)
	}
	au, _ = j.Audit(ctx, "R1")
	if len(au) != 3 || au[2].Action != "retry" || au[2].By != "boss" {
		t.Fatalf("audit after retry: %+v", au)
	}
	got, _ = j.Claim(ctx, now, 1, time.Minute)
	if len(got) != 1 {
		t.Fatal("nothing claimable after retry")
	}
	// A crash leaves it uploading; ReleaseLeases makes it retrying, due now.
	n, err = j.ReleaseLeases(ctx)
	if err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	o, _ = j.Get(ctx, got[0].OrderID)
	if o.Status != model.StatusRetrying || !o.LeaseUntil.IsZero() || o.NextAttemptAt.UnixMilli() != now.UnixMilli() {
		t.Fatalf("released order: %+v", o)
	}
	c, _ := j.Counts(ctx)
	if c[model.StatusRetrying] != 2 || c[model.StatusUploaded] != 1 || c[model.StatusUploading] != 0 {
		t.Fatalf("counts: %v", c)
	}
}

// The first claim freezes the payload, byte for byte what the sale encodes to; every later
// claim sends those same bytes even if the row would now encode differently (a newer banksale).
// An edit thaws it: the new content is frozen at its next claim.
func TestClaimFreezesPayload(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	s := testSale(1, t0)
	s.Remark = `备注 <&> "quoted"`
	mustInsert(t, j, s)
	want, _ := s.MarshalDTO()
	claim := func() model.Order {
		t.Helper()
		got, err := j.Claim(ctx, time.Now().Add(time.Hour), 1, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		return got[0]
	}
	if o := claim(); string(o.Payload) != string(want) {
		t.Fatalf("claimed payload %s, want %s", o.Payload, want)
	}
	if _, err := j.w.Exec("UPDATE orders SET remark = 'changed behind its back' WHERE order_id = ?", s.OrderID); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: s.OrderID, Status: model.StatusRejected, Attempt: model.Attempt{Code: 15}}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Retry(ctx, time.Now(), "boss", s.OrderID); err != nil {
		t.Fatal(err)
	}
	if o := claim(); string(o.Payload) != string(want) {
		t.Fatalf("second claim sent %s, want the frozen %s", o.Payload, want)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: s.OrderID, Status: model.StatusRejected, Attempt: model.Attempt{Code: 15}}); err != nil {
		t.Fatal(err)
	}
	s.Remark = "corrected"
	if _, err := j.Edit(ctx, s, "boss"); err != nil {
		t.Fatal(err)
	}
	want, _ = s.MarshalDTO()
	if o := claim(); string(o.Payload) != string(want) {
		t.Fatalf("claim after edit sent %s, want %s", o.Payload, want)
	}
}

// Many due orders: the claim hands each out once, oldest due first, across calls.
func TestClaimOrderAndLimit(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	base := time.Now()
	for i := 0; i < 30; i++ {
		j.now = func() time.Time { return base.Add(time.Duration(30-i) * time.Second) } // later inserts due earlier
		mustInsert(t, j, testSale(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	seen := map[string]bool{}
	var last time.Time
	for {
		got, err := j.Claim(ctx, base.Add(time.Hour), 7, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		for _, o := range got {
			if seen[o.OrderID] || o.NextAttemptAt.Before(last) {
				t.Fatalf("order %s claimed twice or out of order", o.OrderID)
			}
			seen[o.OrderID], last = true, o.NextAttemptAt
		}
	}
	if len(seen) != 30 {
		t.Fatalf("claimed %d of 30", len(seen))
	}
}

// Screens, the uploader and a supervisor all at once: no "database is locked", every insert
// lands, counts stay exact.
func TestConcurrentUse(t *testing.T) {
	j := openTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	errs := make(chan error, 8)
	done := make(chan int, 1)
	go func() { // supervisor
		n := 0
		for ctx.Err() == nil {
			s := testSale(n, t0.Add(time.Duration(n)*time.Second))
			s.OrderID = fmt.Sprintf("C%06d", n)
			if _, err := j.Insert(context.Background(), s, "boss"); err != nil {
				errs <- err
				break
			}
			n++
		}
		done <- n
	}()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // uploader
		defer wg.Done()
		for ctx.Err() == nil {
			got, err := j.Claim(context.Background(), time.Now().Add(time.Hour), 4, time.Minute)
			if err != nil {
				errs <- err
				return
			}
			for k, o := range got {
				st := model.StatusUploaded
				if k == 1 {
					st = model.StatusRejected
				}
				if _, err := j.Record(context.Background(), model.Outcome{OrderID: o.OrderID, Status: st}); err != nil {
					errs <- err
					return
				}
			}
			if _, err := j.RetryFailed(context.Background(), time.Now(), "u"); err != nil {
				errs <- err
				return
			}
		}
	}()
	for r := 0; r < 2; r++ {
		go func() { // screens
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := j.List(context.Background(), model.Filter{Statuses: []model.Status{model.StatusPending}}, model.Cursor{}, 50); err != nil {
					errs <- err
					return
				}
				if _, err := j.Counts(context.Background()); err != nil {
					errs <- err
					return
				}
				if _, _, err := j.NextDue(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	n := <-done
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c, _ := j.Counts(context.Background())
	total := 0
	for _, v := range c {
		total += v
	}
	if total != n || n == 0 {
		t.Fatalf("%d inserted, counts say %d (%v)", n, total, c)
	}
}

// An order that can no longer be encoded is rejected at its claim with the reason, and the
// orders behind it still go.
func TestClaimRejectsWhatCannotBeEncoded(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	bad, good := testSale(1, t0), testSale(2, t0.Add(time.Minute))
	mustInsert(t, j, bad)
	mustInsert(t, j, good)
	if _, err := j.w.Exec("UPDATE orders SET pay_type_no = -1 WHERE order_id = ?", bad.OrderID); err != nil {
		t.Fatal(err)
	}
	got, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].OrderID != good.OrderID || len(got[0].Payload) == 0 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	o, _ := j.Get(ctx, bad.OrderID)
	if o.Status != model.StatusRejected || !strings.Contains(o.LastMessage, "cannot encode") || !o.NextAttemptAt.IsZero() {
		t.Fatalf("unencodable order: %s %q", o.Status, o.LastMessage)
	}
	if c, _ := j.Counts(ctx); c[model.StatusRejected] != 1 || c[model.StatusUploading] != 1 {
		t.Fatalf("counts: %v", c)
	}
}
