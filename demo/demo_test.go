package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	bsync "banksale/sync"
	"banksale/sync/top"
)

// TestDemo starts the demo, uploads its journal with the real uploader through the proxy and
// the fake gateway, and checks that a newcomer meets every state: uploaded, retrying on the
// way, a ban, two rejections of wrong content that a resend alone does not cure but a
// correction of the named field does, and a cancelled order.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the demo's ban")
	}
	ctx := context.Background()
	d, j := startDemo(t)
	counts, err := j.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 24 || counts[model.StatusVoided] != 1 || counts[model.StatusPending] != 23 {
		t.Fatalf("demo journal: %v", counts)
	}
	c, err := top.New(top.Config{URL: d.GatewayURL, AppKey: d.AppKey, Secret: d.Secret, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u := bsync.New(j, c, bsync.Config{Workers: 4, BackoffBase: 100 * time.Millisecond, BackoffCap: 500 * time.Millisecond}, nil)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = u.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	waitFor := func(what string, cond func(map[model.Status]int) bool) map[model.Status]int {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for {
			c, err := j.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if cond(c) {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: counts %v", what, c)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	settled := func(c map[model.Status]int) bool {
		return c[model.StatusPending]+c[model.StatusUploading]+c[model.StatusRetrying] == 0
	}
	c1 := waitFor("the demo's uploads settled", settled)
	if c1[model.StatusUploaded] != 21 || c1[model.StatusRejected] != 2 {
		t.Fatalf("settled at %v, want 21 uploaded and the 2 wrong ones rejected", c1)
	}
	var sawBan, sawRetry bool
	for _, r := range d.Server().Requests() {
		sawBan = sawBan || strings.HasPrefix(r.Answer, "error:7/")
		sawRetry = sawRetry || r.Answer == "503" || r.Answer == "reset"
	}
	if !sawRetry {
		t.Error("the demo showed no transient failure")
	}
	if !sawBan {
		t.Error("the demo showed no ban")
	}
	// Each rejection names its field in words the screen can point at.
	want := map[string]string{d.Rejected[0]: model.FieldStoreNo, d.Rejected[1]: model.FieldTradeRefNo}
	for id, field := range want {
		o, err := j.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r := model.ExplainRefusal(o.LastCode, o.LastSubCode, o.LastMessage); o.Status != model.StatusRejected || r.Field != field {
			t.Errorf("%s: %s %q → %+v, want rejected naming %s", id, o.Status, o.LastMessage, r, field)
		}
	}
	// Resent unchanged: refused again.
	if _, err := u.RetryFailed(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c := waitFor("the unchanged resends settled", settled); c[model.StatusRejected] != 2 {
		t.Fatalf("resent unchanged, the wrong orders went through: %v", c)
	}
	// Corrected: uploaded.
	for id, field := range want {
		o, err := j.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s := o.Sale
		if field == model.FieldStoreNo {
			s.StoreNo = StoreNo
		} else {
			s.TradeRefNo = "3" + s.TradeRefNo
		}
		if _, err := j.Edit(ctx, s, "test"); err != nil {
			t.Fatalf("correcting %s: %v", id, err)
		}
	}
	waitFor("the corrected ones uploaded", func(c map[model.Status]int) bool { return c[model.StatusUploaded] == 23 })
}

// TestDemoStatement: the demo keeps the bank's statement of its samples, so the reconcile
// screen has something to teach: the sample with a digit left out of its reference differs
// from its line on the reference, one sale is only on the statement (to key in from its line),
// and every other order agrees.
func TestDemoStatement(t *testing.T) {
	ctx := context.Background()
	d, j := startDemo(t)
	// the samples go back seven hours: early in the morning they begin the day before
	now := time.Now().In(model.CST)
	var differ []model.Differ
	var journalOnly []model.JournalOnly
	var statementOnly []model.StatementOnly
	matched := 0
	for _, day := range []time.Time{now.AddDate(0, 0, -1), now} {
		lines, err := j.StatementDay(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		orders, err := j.DayOrders(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		r := model.Reconcile(day, orders, lines)
		matched += len(r.Matched)
		differ = append(differ, r.Differ...)
		journalOnly = append(journalOnly, r.JournalOnly...)
		statementOnly = append(statementOnly, r.StatementOnly...)
	}
	var refRejected string
	for _, id := range d.Rejected {
		o, err := j.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.TradeRefNo) == 11 {
			refRejected = id
		}
	}
	if len(differ) != 1 || differ[0].OrderID != refRejected || len(differ[0].Fields) != 1 || differ[0].Fields[model.FieldTradeRefNo].Statement == nil {
		t.Errorf("differ %+v, want only %s on its reference", differ, refRejected)
	}
	if len(statementOnly) != 1 || statementOnly[0].TradeAmount != 52000 {
		t.Errorf("statement only %+v, want the one unkeyed ¥520.00 sale", statementOnly)
	}
	if len(journalOnly) != 0 {
		t.Errorf("journal only %+v, want none", journalOnly)
	}
	// 24 samples, one cancelled here, one differing
	if matched != 22 {
		t.Errorf("%d matched, want 22", matched)
	}
}

// startDemo starts the demo and opens its journal as main would; both end with the test.
func startDemo(t *testing.T) (*Demo, *storage.Journal) {
	t.Helper()
	d, err := Start(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	j, err := storage.Open(context.Background(), d.JournalPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return d, j
}
