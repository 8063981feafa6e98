package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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

// TestMaybeAtGateway: the journal remembers when an order may be at the gateway already — an
// attempt whose outcome is unknown, or a call cut short by a crash — and forgets it when the
// gateway definitely refused the same bytes. An edit does not forget it: the old content may be
// there.
func TestMaybeAtGateway(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	id := mustInsert(t, j, testSale(1, t0)).OrderID
	claim := func() model.Order {
		t.Helper()
		got, err := j.Claim(ctx, time.Now().Add(time.Hour), 1, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		return got[0]
	}
	record := func(st model.Status, at model.AtGateway) model.Order {
		t.Helper()
		o, err := j.Record(ctx, model.Outcome{OrderID: id, Status: st, NextAttemptAt: time.Now(), AtGateway: at,
			Attempt: model.Attempt{Class: "x", Answer: "<html>"}})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := claim(); o.MaybeAtGateway {
		t.Fatal("a fresh order may be at the gateway")
	}
	if o := record(model.StatusRetrying, model.AtGatewayMaybe); !o.MaybeAtGateway {
		t.Fatal("an unknown outcome was not remembered")
	}
	claim()
	if o := record(model.StatusRetrying, model.AtGatewayUnchanged); !o.MaybeAtGateway {
		t.Fatal("a later transient failure forgot it")
	}
	claim()
	if o := record(model.StatusRejected, model.AtGatewayNot); o.MaybeAtGateway {
		t.Fatal("a definite refusal did not clear it")
	}
	if at, _ := j.Attempts(ctx, id); at[0].Answer != "<html>" {
		t.Fatalf("the answer was not kept: %+v", at[0])
	}
	// A crash mid-call: the released order may be at the gateway.
	id2 := mustInsert(t, j, testSale(2, t0)).OrderID
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := j.ReleaseLeases(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ := j.Get(ctx, id2); !o.MaybeAtGateway || o.Status != model.StatusRetrying {
		t.Fatalf("released: %s maybe %v", o.Status, o.MaybeAtGateway)
	}
}

// TestGiveUpAndOldestWaiting: an order retrying since before the cutoff goes to a person with
// its last reason kept; a retry by hand gives it a fresh start.
func TestGiveUpAndOldestWaiting(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	if _, ok, err := j.OldestWaiting(ctx); ok || err != nil {
		t.Fatalf("empty journal: %v %v", ok, err)
	}
	before := time.Now()
	for i := 1; i <= 3; i++ {
		mustInsert(t, j, testSale(i, t0))
	}
	oldest, ok, err := j.OldestWaiting(ctx)
	if !ok || err != nil || oldest.Before(before.Add(-time.Second)) || oldest.After(time.Now()) {
		t.Fatalf("oldest waiting %v %v %v", oldest, ok, err)
	}
	got, _ := j.Claim(ctx, time.Now().Add(time.Hour), 2, time.Minute)
	for _, o := range got {
		if _, err := j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: model.StatusRetrying, NextAttemptAt: time.Now().Add(time.Hour),
			Attempt: model.Attempt{Message: "no connection"}}); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := j.GiveUp(ctx, before, "gave up"); err != nil || len(ids) != 0 {
		t.Fatalf("nothing is older than the cutoff: %v %v", ids, err)
	}
	ids, err := j.GiveUp(ctx, time.Now().Add(time.Second), "gave up after 24h")
	if err != nil || len(ids) != 2 {
		t.Fatalf("give up: %v %v", ids, err)
	}
	o, _ := j.Get(ctx, ids[0])
	if o.Status != model.StatusRejected || o.LastClass != model.ClassGaveUp || o.LastMessage != "no connection" || !o.NextAttemptAt.IsZero() {
		t.Fatalf("given up: %s %s %q", o.Status, o.LastClass, o.LastMessage)
	}
	if au, _ := j.Audit(ctx, ids[0]); au[len(au)-1].Action != "give-up" || au[len(au)-1].Detail != "gave up after 24h" {
		t.Fatalf("audit: %+v", au)
	}
	// The pending one is not retrying: it stays.
	if c, _ := j.Counts(ctx); c[model.StatusPending] != 1 || c[model.StatusRejected] != 2 {
		t.Fatalf("counts %v", c)
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := j.Retry(ctx, time.Now(), "lina", ids[0]); err != nil {
		t.Fatal(err)
	}
	if o, _ := j.Get(ctx, ids[0]); !o.WaitingSince.After(before) || o.Status != model.StatusRetrying {
		t.Fatalf("a retry by hand: waiting since %v, %s", o.WaitingSince, o.Status)
	}
}

// TestDeskCodeKept: a journal draws its desk code once and keeps it across opens.
func TestDeskCodeKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ctx := context.Background()
	j, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	code := j.DeskCode()
	j.Close()
	if !model.ValidDeskCode(code) || len(code) != 3 || strings.ContainsAny(code, "IO01") {
		t.Fatalf("drawn code %q", code)
	}
	j, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.DeskCode() != code {
		t.Fatalf("the code changed from %q to %q", code, j.DeskCode())
	}
	r, err := OpenReadOnly(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.DeskCode() != code {
		t.Fatalf("read-only: %q", r.DeskCode())
	}
}
