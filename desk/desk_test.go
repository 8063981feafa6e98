package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"
)

// testNow is the clock of every test.
var testNow = time.Date(2026, 11, 26, 15, 0, 0, 0, model.CST)

var testRules = model.Rules{VoidSaleType: model.SaleTypeRefund, RefundWarnDays: 30, CardKey: []byte("test-key"), Operator: "lina"}

func newDesk(t testing.TB, up Uploader) (*Desk, *storage.Journal) {
	t.Helper()
	j, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "j.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	j.SetRules(testRules)
	return New(j, up, Config{Rules: testRules, StoreNo: "HZ01", CommType: model.CommNetwork, DeskCode: "A", Now: func() time.Time { return testNow }}), j
}

// luhnCard makes a 16-digit UnionPay number that passes Luhn.
var luhnCard = storagetest.LuhnCard

// typed is a sale as a person types it in the form: amount in yuan.
func typed(i int) model.Draft {
	return model.Draft{
		OrderID: fmt.Sprintf("HZ0120261126%04d", i), SequenceNo: fmt.Sprintf("%011d", i), PaymentChannel: "002",
		CardNo: luhnCard(i), TradeTime: "2026-11-26 10:00:00", SubSaleType: "001", TradeAmount: "12.50",
		BankCode: "102", TerminalNo: "10290001", BankShopNo: "102330159410001", PosTraceNo: fmt.Sprintf("%06d", i),
		BatchNo: "000001", TradeRefNo: fmt.Sprintf("R%011d", i), PayTypeNo: "1", StoreNo: "HZ01", CommunicateType: "001",
	}
}

type fakeUploader struct {
	notified, retried, retriedAll int
}

func (f *fakeUploader) Notify() { f.notified++ }
func (f *fakeUploader) Retry(_ context.Context, _ string, ids ...string) error {
	f.retried += len(ids)
	return nil
}
func (f *fakeUploader) RetryFailed(context.Context, string) (int, error) {
	f.retriedAll++
	return 0, nil
}

func TestSaveNewAndEdit(t *testing.T) {
	up := &fakeUploader{}
	d, j := newDesk(t, up)
	ctx := context.Background()
	o, err := d.SaveNew(ctx, typed(1))
	if err != nil || o.TradeAmount != 1250 || o.Status != model.StatusPending || o.Cashier != "lina" || o.CreatedBy != "lina" {
		t.Fatalf("save: %+v %v", o, err)
	}
	if strings.Contains(o.CardNo, luhnCard(1)) || o.EncrypteSummary == "" {
		t.Fatalf("card kept as %q, digest %q", o.CardNo, o.EncrypteSummary)
	}
	if up.notified != 1 {
		t.Fatalf("uploader woken %d times", up.notified)
	}
	// The same sale again: it is there already, and the uploader is woken (it may be waiting).
	if _, err := d.SaveNew(ctx, typed(1)); !errors.Is(err, model.ErrExists) || up.notified != 2 {
		t.Fatalf("again: %v, woken %d", err, up.notified)
	}
	// A draft with errors is refused with them, and nothing is written.
	bad := typed(2)
	bad.TradeAmount = "0"
	var ve *model.ValidationError
	if _, err := d.SaveNew(ctx, bad); !errors.As(err, &ve) || !ve.Issues.Has("amount.zero") {
		t.Fatalf("bad draft: %v", err)
	}
	if _, err := j.Get(ctx, bad.OrderID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a refused draft was journaled: %v", err)
	}
	// An edit of the pending order.
	ed := model.DraftOf(o.Sale)
	ed.TradeAmount = "13.00"
	if o, err = d.SaveEdit(ctx, ed); err != nil || o.TradeAmount != 1300 {
		t.Fatalf("edit: %+v %v", o, err)
	}
	// Someone else's order id: a conflict.
	other := typed(3)
	other.OrderID = o.OrderID
	var ce *model.ConflictError
	if _, err := d.SaveNew(ctx, other); !errors.As(err, &ce) {
		t.Fatalf("conflict: %v", err)
	}
}

// TestCancelReason: the rule every front end shares. A reason with a card number, an empty one
// and a too long one are refused with a sentence naming the field; a good one is cleaned.
func TestCancelReason(t *testing.T) {
	d, j := newDesk(t, nil)
	ctx := context.Background()
	o, err := d.SaveNew(ctx, typed(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"card 6222021234567890128", "  ", strings.Repeat("x", model.MaxReason+1)} {
		var ve *model.ValidationError
		_, err := d.Cancel(ctx, o.OrderID, bad)
		if !errors.As(err, &ve) || ve.Issues[0].Field != model.FieldVoidReason {
			t.Fatalf("reason %.30q: %v", bad, err)
		}
	}
	if got, _ := j.Get(ctx, o.OrderID); got.Status != model.StatusPending {
		t.Fatalf("a refused cancel changed the order: %s", got.Status)
	}
	got, err := d.Cancel(ctx, o.OrderID, " customer\tchanged mind ")
	if err != nil || got.Status != model.StatusVoided || got.VoidReason != "customer changed mind" || got.UpdatedBy != "lina" {
		t.Fatalf("cancel: %+v %v", got, err)
	}
}

func TestRetry(t *testing.T) {
	d, j := newDesk(t, nil)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if _, err := d.SaveNew(ctx, typed(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Order 2 is rejected by the gateway.
	claimed, _ := j.Claim(ctx, time.Now().Add(time.Hour), 3, time.Minute)
	for _, o := range claimed {
		st := model.StatusUploaded
		if o.OrderID == typed(2).OrderID {
			st = model.StatusRejected
		}
		if _, err := j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := d.Retry(ctx, typed(1).OrderID, typed(2).OrderID, "NOPE")
	if n != 1 {
		t.Fatalf("retried %d, want the rejected one", n)
	}
	var oe *OrderError
	var se *StatusError
	if !errors.As(err, &oe) || oe.OrderID != typed(1).OrderID || !errors.As(err, &se) || se.Status != model.StatusUploaded ||
		!errors.Is(err, model.ErrNotFound) {
		t.Fatalf("refusals: %v", err)
	}
	if o, _ := j.Get(ctx, typed(2).OrderID); o.Status != model.StatusRetrying {
		t.Fatalf("the rejected order is %s after a retry", o.Status)
	}
	// With an uploader in the process, it is asked (it also clears a pause).
	up := &fakeUploader{}
	d2 := New(j, up, Config{Rules: testRules})
	if _, err := d2.Retry(ctx, typed(2).OrderID); err != nil || up.retried != 1 {
		t.Fatalf("through the uploader: %v %d", err, up.retried)
	}
	if _, err := d2.RetryFailed(ctx); err != nil || up.retriedAll != 1 {
		t.Fatalf("retry all through the uploader: %v", err)
	}
}

func TestNextOrderID(t *testing.T) {
	d, _ := newDesk(t, nil)
	ctx := context.Background()
	id, err := d.NextOrderID(ctx, "")
	if err != nil || id != "HZ0120261126A0001" {
		t.Fatalf("first: %q %v", id, err)
	}
	first := typed(1)
	first.OrderID = id
	if _, err := d.SaveNew(ctx, first); err != nil {
		t.Fatal(err)
	}
	if id, _ = d.NextOrderID(ctx, ""); id != "HZ0120261126A0002" {
		t.Fatalf("second: %q", id)
	}
	if id, _ = d.NextOrderID(ctx, "SH02"); id != "SH0220261126A0001" {
		t.Fatalf("another store: %q", id)
	}
}

// TestTwoPCsNumberApart: two journals made with one config (no desk_code set) each draw a desk
// code, so the first sale of the day on each gets a different order number: head office never
// takes the second PC's sale for a re-send of the first's.
func TestTwoPCsNumberApart(t *testing.T) {
	ctx := context.Background()
	ids := map[string]bool{}
	codes := map[string]bool{}
	for range 2 {
		j, err := storage.Open(ctx, filepath.Join(t.TempDir(), "j.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		d := New(j, nil, Config{Rules: testRules, StoreNo: "HZ01", Now: func() time.Time { return testNow }})
		id, err := d.NextOrderID(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if !model.ValidDeskCode(d.DeskCode()) || !strings.HasPrefix(id, "HZ0120261126"+d.DeskCode()) || !strings.HasSuffix(id, "0001") {
			t.Fatalf("order number %q with desk code %q", id, d.DeskCode())
		}
		ids[id], codes[d.DeskCode()] = true, true
	}
	if len(ids) != 2 || len(codes) != 2 {
		// 3 letters of 32 each: two fresh journals draw the same code once in 32,768.
		t.Fatalf("two journals number their first sale alike: %v", ids)
	}
}
