package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"banksale/model"
)

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	check := func(pool string, q func(string) (string, error), pragma, want string) {
		t.Helper()
		got, err := q("PRAGMA " + pragma)
		if err != nil {
			t.Fatalf("%s %s: %v", pool, pragma, err)
		}
		if got != want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", pool, pragma, got, want)
		}
	}
	// Several connections of the read pool at once, so more than one is opened.
	var conns []func(string) (string, error)
	for i := 0; i < 3; i++ {
		c, err := j.r.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, func(q string) (s string, err error) { err = c.QueryRowContext(ctx, q).Scan(&s); return })
	}
	w := func(q string) (s string, err error) { err = j.w.QueryRowContext(ctx, q).Scan(&s); return }
	for i, r := range append(conns, w) {
		pool := "reader"
		if i == len(conns) {
			pool = "writer"
		}
		check(pool, r, "journal_mode", "wal")
		check(pool, r, "synchronous", "2")
		check(pool, r, "foreign_keys", "1")
		check(pool, r, "busy_timeout", "5000")
	}
	for _, r := range conns {
		check("reader", r, "query_only", "1")
	}
	check("writer", w, "query_only", "0")
	check("writer", w, "user_version", fmt.Sprint(SchemaVersion()))
	check("writer", w, "cache_size", writerCache)
	check("writer", w, "temp_store", "2")
	check("reader", conns[0], "cache_size", "-8000")
	// An import raises the writer's cache for its own transaction only.
	if _, err := j.Import(ctx, nil, "test"); err != nil {
		t.Fatal(err)
	}
	check("writer", w, "cache_size", writerCache)
	if j.w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want 1", j.w.Stats().MaxOpenConnections)
	}
	if _, err := j.r.ExecContext(ctx, "DELETE FROM orders"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if _, err := Open(context.Background(), path, nil); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v", err)
	}
	// The failed open released its lock.
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "x?y.db"), nil); err == nil {
		t.Fatal("a path with '?' was accepted")
	}
}

// A journal made by an older build is brought up to date at open.
func TestOpenMigratesOlderJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if _, err := db.Exec(ms[0].sql + "; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	j, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var v, idx int
	j.r.QueryRow("PRAGMA user_version").Scan(&v)
	j.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'orders_channel_time'").Scan(&idx)
	if v != SchemaVersion() || idx != 1 {
		t.Fatalf("after open: user_version %d, channel index %d", v, idx)
	}
}

func TestInsertGetAuditCounts(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	s := testSale(1, t0)
	o, err := j.Insert(ctx, s, "li")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != model.StatusPending || o.ID == 0 || o.CreatedBy != "li" || o.NextAttemptAt.IsZero() {
		t.Fatalf("inserted order: %+v", o)
	}
	if len(o.Payload) != 0 {
		t.Fatalf("payload %s frozen before the order was ever claimed", o.Payload)
	}
	g, err := j.Get(ctx, s.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(g.Sale, s) || !g.OperateTime.Equal(s.OperateTime) || g.Cashier != s.Cashier {
		t.Fatalf("get: %+v\nwant %+v", g.Sale, s)
	}
	if g.TradeTime.Location() != model.CST {
		t.Errorf("trade time in %v, want CST", g.TradeTime.Location())
	}
	if _, err := j.Get(ctx, "nope"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	au, err := j.Audit(ctx, s.OrderID)
	if err != nil || len(au) != 1 || au[0].Action != "insert" || au[0].By != "li" {
		t.Fatalf("audit: %+v %v", au, err)
	}
	c, err := j.Counts(ctx)
	if err != nil || c[model.StatusPending] != 1 || c[model.StatusUploaded] != 0 || len(c) != 6 {
		t.Fatalf("counts: %v %v", c, err)
	}
}

func TestInsertIdenticalAndConflict(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	s := testSale(1, t0)
	first := mustInsert(t, j, s)
	again := s
	again.OperateTime = s.OperateTime.Add(time.Hour) // filled at entry: not content
	again.Cashier = "someone else"
	o, err := j.Insert(ctx, again, "x")
	if !errors.Is(err, model.ErrExists) || o.ID != first.ID {
		t.Fatalf("identical insert: %v %+v", err, o)
	}
	diff := s
	diff.TradeAmount++
	_, err = j.Insert(ctx, diff, "x")
	var ce *model.ConflictError
	if !errors.As(err, &ce) || ce.OrderID != s.OrderID {
		t.Fatalf("conflicting insert: %v", err)
	}
	if c, _ := j.Counts(ctx); c[model.StatusPending] != 1 {
		t.Fatalf("counts after refused inserts: %v", c)
	}
}

func TestInsertRefusesUnmaskedCard(t *testing.T) {
	j := openTest(t)
	s := testSale(1, t0)
	s.CardNo = "6222021234567890123"
	if _, err := j.Insert(context.Background(), s, "x"); err == nil {
		t.Fatal("a full card number was journaled")
	}
}

func TestRefundAndVoidRules(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	orig := testSale(1, t0)
	mustInsert(t, j, orig)
	mustInsert(t, j, refundOf(orig, "R1", 6000, t0.Add(48*time.Hour)))
	_, err := j.Insert(ctx, refundOf(orig, "R2", 5000, t0.Add(49*time.Hour)), "x")
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !ve.Issues.HasErrors() || ve.Error() == "" {
		t.Fatalf("over-refund: %v", err)
	}
	mustInsert(t, j, refundOf(orig, "R3", 4001, t0.Add(49*time.Hour)))
	rel, err := j.Related(ctx, orig.OrderID, "")
	if err != nil || !rel.OriginalInJournal || len(rel.Refunds) != 2 || rel.Refundable() != 0 {
		t.Fatalf("related: %+v %v", rel, err)
	}
	rel, _ = j.Related(ctx, orig.OrderID, "R1")
	if len(rel.Refunds) != 1 || rel.Refundable() != 6000 {
		t.Fatalf("related excluding R1: %+v", rel)
	}
	// A voided refund no longer counts.
	if _, err := j.Void(ctx, "R1", "typed twice", "x"); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, j, refundOf(orig, "R4", 6000, t0.Add(50*time.Hour)))

	// Void: the original must not be refunded.
	if _, err := j.Insert(ctx, voidOf(orig, "V1"), "x"); !errors.As(err, &ve) {
		t.Fatalf("void of a refunded sale: %v", err)
	}
	other := testSale(2, t0)
	mustInsert(t, j, other)
	mustInsert(t, j, voidOf(other, "V2"))
	if _, err := j.Insert(ctx, voidOf(other, "V3"), "x"); !errors.As(err, &ve) {
		t.Fatalf("second void: %v", err)
	}
	// An original not in the journal: warnings only.
	ghost := testSale(3, t0)
	mustInsert(t, j, refundOf(ghost, "R9", 1, t0.Add(time.Hour)))
}

// Two supervisors refunding the same sale at once: the check and the insert share one
// immediate transaction, so exactly one of two 60% refunds gets in.
func TestRefundRace(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	for round := 0; round < 20; round++ {
		orig := testSale(round, t0)
		mustInsert(t, j, orig)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k := 0; k < 2; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := refundOf(orig, orig.OrderID+"-R"+string(rune('a'+k)), orig.TradeAmount*6/10, t0.Add(time.Hour))
				_, errs[k] = j.Insert(ctx, r, "x")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var ve *model.ValidationError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ve):
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d refunds of 60%% got in (%v)", round, ok, errs)
		}
		rel, _ := j.Related(ctx, orig.OrderID, "")
		if rel.Refunded() > orig.TradeAmount {
			t.Fatalf("over-refunded: %v > %v", rel.Refunded(), orig.TradeAmount)
		}
	}
}

func TestImport(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	mustInsert(t, j, testSale(0, t0))
	var sales []model.Sale
	for i := 0; i < 100; i++ {
		sales = append(sales, testSale(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	sales[0] = testSale(0, t0) // identical: skipped
	sales[5].CardNo = "6222021234567890"
	sales[6].PaymentChannel = "009"
	sales = append(sales, refundOf(sales[10], "R1", sales[10].TradeAmount+1, t0.Add(48*time.Hour)))
	sales = append(sales, refundOf(sales[10], "R2", 5, t0.Add(48*time.Hour)))
	conflict := testSale(20, t0.Add(20*time.Minute))
	conflict.Remark = "different"
	sales = append(sales, conflict)
	res, err := j.Import(ctx, sales, "importer")
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 98 || res.Skipped != 1 || len(res.Refused) != 4 {
		t.Fatalf("import: %+v", res)
	}
	wantIdx := []int{5, 6, 100, 102}
	for k, r := range res.Refused {
		if r.Index != wantIdx[k] || r.Reason == nil {
			t.Errorf("refusal %d: %+v", k, r)
		}
	}
	var ce *model.ConflictError
	if !errors.As(res.Refused[3].Reason, &ce) {
		t.Errorf("conflict reason: %v", res.Refused[3].Reason)
	}
	var ve *model.ValidationError
	if !errors.As(res.Refused[2].Reason, &ve) {
		t.Errorf("over-refund reason: %v", res.Refused[2].Reason)
	}
	c, _ := j.Counts(ctx)
	if c[model.StatusPending] != 99 {
		t.Fatalf("counts: %v", c)
	}
	au, _ := j.Audit(ctx, sales[1].OrderID)
	if len(au) != 1 || au[0].Action != "import" || au[0].By != "importer" ||
		au[0].Detail != fmt.Sprintf("001 002 %s", sales[1].TradeAmount.Yuan()) {
		t.Fatalf("audit: %+v", au)
	}
	// Re-importing adds nothing.
	res, err = j.Import(ctx, sales, "importer")
	if err != nil || res.Inserted != 0 || res.Skipped != 99 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
}

func TestEdit(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	s := testSale(1, t0)
	mustInsert(t, j, s)
	s.TradeAmount = 777
	s.Remark = "fixed"
	o, err := j.Edit(ctx, s, "boss")
	if err != nil {
		t.Fatal(err)
	}
	if o.TradeAmount != 777 || len(o.Payload) != 0 || o.Status != model.StatusPending || o.UpdatedBy != "boss" {
		t.Fatalf("edited: %+v", o)
	}
	au, _ := j.Audit(ctx, s.OrderID)
	if len(au) != 2 || au[1].Action != "edit" || !strings.Contains(au[1].Detail, "trade_amount") || !strings.Contains(au[1].Detail, "remark") {
		t.Fatalf("audit: %+v", au)
	}
	if _, err := j.Edit(ctx, testSale(2, t0), "x"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("edit missing: %v", err)
	}
	// Claimed: busy; uploaded: never.
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Edit(ctx, s, "x"); !errors.Is(err, model.ErrNotEditable) || !errors.Is(err, model.ErrBusy) {
		t.Fatalf("edit uploading: %v", err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: s.OrderID, Status: model.StatusRejected, Attempt: model.Attempt{Code: 15, SubCode: "isv.invalid-parameter"}}); err != nil {
		t.Fatal(err)
	}
	s.Remark = "after rejection"
	o, err = j.Edit(ctx, s, "x")
	if err != nil || o.Status != model.StatusPending || o.LastCode != 0 {
		t.Fatalf("edit rejected: %+v %v", o, err)
	}
	upload(t, j, s.OrderID)
	if _, err := j.Edit(ctx, s, "x"); !errors.Is(err, model.ErrNotEditable) {
		t.Fatalf("edit uploaded: %v", err)
	}
	// An edit must pass the cross-order rules too.
	orig := testSale(3, t0)
	mustInsert(t, j, orig)
	r := refundOf(orig, "R1", 100, t0.Add(time.Hour))
	mustInsert(t, j, r)
	r.TradeAmount = orig.TradeAmount + 1
	var ve *model.ValidationError
	if _, err := j.Edit(ctx, r, "x"); !errors.As(err, &ve) {
		t.Fatalf("edit to over-refund: %v", err)
	}
	// Lowering the sale below what its refunds return is an over-refund too.
	orig.TradeAmount = 99
	if _, err := j.Edit(ctx, orig, "x"); !errors.As(err, &ve) {
		t.Fatalf("edit of a sale below its refunds: %v", err)
	}
	orig.TradeAmount = 100
	if _, err := j.Edit(ctx, orig, "x"); err != nil {
		t.Fatalf("edit of a sale down to its refunds: %v", err)
	}
}

func TestVoid(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		mustInsert(t, j, testSale(i, t0))
	}
	id := func(i int) string { return testSale(i, t0).OrderID }
	o, err := j.Void(ctx, id(1), "typed twice", "boss")
	if err != nil || o.Status != model.StatusVoided || o.VoidReason != "typed twice" || !o.NextAttemptAt.IsZero() {
		t.Fatalf("void: %+v %v", o, err)
	}
	if _, err := j.Void(ctx, id(1), "again", "boss"); !errors.Is(err, model.ErrNotEditable) {
		t.Fatalf("void voided: %v", err)
	}
	if _, err := j.Void(ctx, "nope", "r", "boss"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("void missing: %v", err)
	}
	// The last line: a reason that holds a card number, or was not cleaned, never reaches the
	// file, whoever called.
	for _, bad := range []string{"card 6222021234567890128", " padded", "bell\x07", ""} {
		var ve *model.ValidationError
		if _, err := j.Void(ctx, id(2), bad, "boss"); !errors.As(err, &ve) || ve.Issues[0].Field != model.FieldVoidReason {
			t.Fatalf("void with reason %q: %v", bad, err)
		}
	}
	if o, _ := j.Get(ctx, id(2)); o.Status != model.StatusPending {
		t.Fatalf("a refused reason changed the order: %s", o.Status)
	}
	withCard := testSale(7, t0)
	withCard.Remark = "card 6222021234567890128"
	if _, err := j.Insert(ctx, withCard, "boss"); err == nil || !strings.Contains(err.Error(), "card number") {
		t.Fatalf("a remark with a card number was journaled: %v", err)
	}
	claimed, _ := j.Claim(ctx, time.Now().Add(time.Hour), 1, time.Minute)
	if len(claimed) != 1 {
		t.Fatal("nothing claimed")
	}
	if _, err := j.Void(ctx, claimed[0].OrderID, "r", "boss"); !errors.Is(err, model.ErrBusy) {
		t.Fatalf("void uploading: %v", err)
	}
	// An original with a live refund cannot be voided alone.
	orig := testSale(9, t0)
	mustInsert(t, j, orig)
	mustInsert(t, j, refundOf(orig, "R9", 10, t0.Add(time.Hour)))
	if _, err := j.Void(ctx, orig.OrderID, "r", "boss"); !errors.Is(err, model.ErrNotEditable) || !strings.Contains(err.Error(), "R9") {
		t.Fatalf("void of an original with a refund: %v", err)
	}
	if _, err := j.Void(ctx, "R9", "r", "boss"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Void(ctx, orig.OrderID, "r", "boss"); err != nil {
		t.Fatalf("void of the original after its refund: %v", err)
	}
	au, _ := j.Audit(ctx, id(1))
	if len(au) != 2 || au[1].Action != "void" || au[1].Detail != "typed twice" {
		t.Fatalf("audit: %+v", au)
	}
	c, _ := j.Counts(ctx)
	if c[model.StatusVoided] != 3 || c[model.StatusUploading] != 1 || c[model.StatusPending] != 1 {
		t.Fatalf("counts: %v", c)
	}
}

func TestNextOrderID(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 26, 23, 30, 0, 0, model.CST)
	id, err := j.NextOrderID(ctx, "HZ01", "", day)
	if err != nil || id != "HZ01202611260001" {
		t.Fatalf("first id: %q %v", id, err)
	}
	for _, oid := range []string{"HZ01202611260001", "HZ01202611260007", "HZ0120261126000799", "HZ01202611270009"} {
		s := testSale(1, day)
		s.OrderID = oid
		s.SequenceNo = oid
		mustInsert(t, j, s)
	}
	id, err = j.NextOrderID(ctx, "HZ01", "", day.UTC()) // the CST date counts, not the UTC one
	if err != nil || id != "HZ01202611260008" {
		t.Fatalf("next id: %q %v", id, err)
	}
}

func TestDuplicates(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	a := testSale(1, t0)
	mustInsert(t, j, a)
	b := testSale(2, t0.Add(2*time.Hour))
	b.PosTraceNo = a.PosTraceNo
	b.TradeRefNo = a.TradeRefNo
	b.SequenceNo = a.SequenceNo
	is, err := j.Duplicates(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{model.CodeDuplicateTrace, model.CodeDuplicateRef, model.CodeDuplicateSequence} {
		if !is.Has(code) {
			t.Errorf("missing %s in %+v", code, is)
		}
	}
	for _, i := range is {
		if i.Severity != model.SevWarning || len(i.Args) != 1 || i.Args[0] != a.OrderID {
			t.Errorf("issue %+v", i)
		}
	}
	// Itself, another day's ref number, another batch: no warnings.
	if is, _ := j.Duplicates(ctx, a); len(is) != 0 {
		t.Errorf("an order duplicates itself: %+v", is)
	}
	c := testSale(3, t0.AddDate(0, 0, 1))
	c.TradeRefNo = a.TradeRefNo
	c.PosTraceNo = a.PosTraceNo
	c.BatchNo = "000002"
	if is, _ := j.Duplicates(ctx, c); len(is) != 0 {
		t.Errorf("false duplicates: %+v", is)
	}
	// Voided orders do not count.
	j.Void(ctx, a.OrderID, "wrong", "x")
	if is, _ := j.Duplicates(ctx, b); len(is) != 0 {
		t.Errorf("duplicate of a voided order: %+v", is)
	}
}

func TestDaySummary(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, model.CST)
	a := testSale(1, day.Add(30*time.Minute)) // 10001
	b := testSale(2, day.Add(23*time.Hour))   // 10002
	b.PaymentChannel = model.ChannelQuickPass
	c := testSale(3, day.Add(-time.Minute)) // the day before
	d := testSale(4, day.Add(time.Hour))    // voided
	mustInsert(t, j, a)
	mustInsert(t, j, b)
	mustInsert(t, j, c)
	mustInsert(t, j, d)
	mustInsert(t, j, refundOf(a, "R1", 500, day.Add(2*time.Hour)))
	j.Void(ctx, d.OrderID, "x", "x")
	sum, err := j.DaySummary(ctx, day.Add(5*time.Hour).UTC())
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Day.Equal(day) || sum.Net != 10001+10002-500 || len(sum.Rows) != 3 {
		t.Fatalf("summary: %+v", sum)
	}
	want := []model.SummaryRow{
		{Channel: model.ChannelQuickPass, SubType: model.SubSale, Count: 1, Amount: 10002},
		{Channel: model.ChannelBankCard, SubType: model.SubSale, Count: 1, Amount: 10001},
		{Channel: model.ChannelBankCard, SubType: model.SubRefund, Count: 1, Amount: 500},
	}
	for i, r := range want {
		if sum.Rows[i] != r {
			t.Errorf("row %d: %+v, want %+v", i, sum.Rows[i], r)
		}
	}
	if sum.ByStatus[model.StatusPending] != 3 || sum.ByStatus[model.StatusVoided] != 1 {
		t.Errorf("by status: %v", sum.ByStatus)
	}
}

func TestBackup(t *testing.T) {
	j := openTest(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		mustInsert(t, j, testSale(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := j.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := j.Backup(ctx, dest); err == nil {
		t.Fatal("backup overwrote a file")
	}
	b, err := Open(ctx, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, _ := b.Counts(ctx)
	if c[model.StatusPending] != 10 {
		t.Fatalf("backup counts: %v", c)
	}
}

func TestLockInProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path, nil)
	var le *model.InUseError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Host == "" || le.Since.IsZero() {
		t.Fatalf("second open: %v (%+v)", err, le)
	}
	if !strings.Contains(le.Error(), "process") {
		t.Errorf("message: %s", le.Error())
	}
	j.Close()
	j2, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	j2.Close()
}

// Import writes sales many to a statement: what it decides about each must not depend on
// where the batches fall, and rows keep the order they were given in.
func TestImportBatches(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, importBatch - 1, importBatch, importBatch + 1, 3*importBatch + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			j := openTest(t)
			var sales []model.Sale
			for i := range n {
				sales = append(sales, testSale(i, t0.Add(time.Duration(i)*time.Minute)))
				if i%40 == 39 { // a void of the sale just before cuts a batch short
					sales = append(sales, voidOf(sales[len(sales)-1], fmt.Sprintf("V%04d", i)))
				}
			}
			// The same sale twice in one batch: the second is skipped. A different sale under
			// the last one's order_id, in the same batch as it: refused as a conflict.
			sales = slices.Insert(sales, 1, sales[0])
			other := sales[len(sales)-1]
			other.Remark = "typed twice, differently"
			sales = append(sales, other)
			res, err := j.Import(ctx, sales, "importer")
			if err != nil {
				t.Fatal(err)
			}
			want := len(sales) - 2
			if res.Inserted != want || res.Skipped != 1 || len(res.Refused) != 1 || res.Refused[0].Index != len(sales)-1 {
				t.Fatalf("import of %d: %+v", len(sales), res)
			}
			var ce *model.ConflictError
			if !errors.As(res.Refused[0].Reason, &ce) {
				t.Errorf("refusal: %v", res.Refused[0].Reason)
			}
			sales = slices.Delete(sales, 1, 2)
			c, _ := j.Counts(ctx)
			if c[model.StatusPending] != want {
				t.Errorf("counts: %v", c)
			}
			var prev int64
			for i, s := range sales[:want] {
				o, err := j.Get(ctx, s.OrderID)
				if err != nil {
					t.Fatal(err)
				}
				if o.ID <= prev {
					t.Fatalf("row %d (%s) has id %d after %d: not in the file's order", i, s.OrderID, o.ID, prev)
				}
				prev = o.ID
				if au, _ := j.Audit(ctx, s.OrderID); len(au) != 1 || au[0].Action != "import" {
					t.Fatalf("row %d: audit %+v", i, au)
				}
			}
		})
	}
}

// A caller that finds its input broken halfway cancels: nothing of it may stay journaled.
func TestImportSeqCancelledJournalsNothing(t *testing.T) {
	j := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sales := func(yield func(model.Sale) bool) {
		for i := range 5000 {
			if i == 4000 {
				cancel()
				return
			}
			if !yield(testSale(i, t0.Add(time.Duration(i)*time.Second))) {
				return
			}
		}
	}
	if _, err := j.ImportSeq(ctx, sales, "importer"); !errors.Is(err, context.Canceled) {
		t.Fatalf("import: %v", err)
	}
	c, err := j.Counts(context.Background())
	if err != nil || c[model.StatusPending] != 0 {
		t.Fatalf("counts after a cancelled import: %v %v", c, err)
	}
	// The journal is usable afterwards.
	mustInsert(t, j, testSale(1, t0))
}

// TestOpenReadOnly: a second process may read a journal another one owns and is writing, and
// sees what that one commits; every write of the reader is refused; a backup works.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	if _, err := OpenReadOnly(ctx, path, nil); err == nil {
		t.Fatal("a journal that does not exist opened for reading")
	}
	owner, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	mustInsert(t, owner, testSale(1, t0))
	r, err := OpenReadOnly(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.ReadOnly() || owner.ReadOnly() {
		t.Fatal("ReadOnly")
	}
	mustInsert(t, owner, testSale(2, t0))
	page, err := r.List(ctx, model.Filter{}, model.Cursor{}, 10)
	if err != nil || len(page) != 2 {
		t.Fatalf("the reader sees %d orders (%v), want the owner's 2", len(page), err)
	}
	if _, err := r.Insert(ctx, testSale(3, t0), "x"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("insert through a reader: %v", err)
	}
	if _, err := r.Claim(ctx, time.Now().Add(time.Hour), 1, time.Minute); !errors.Is(err, ErrReadOnly) {
		t.Errorf("claim through a reader: %v", err)
	}
	if _, err := r.ReleaseLeases(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("release through a reader: %v", err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := r.Backup(ctx, dest); err != nil {
		t.Fatalf("backup through a reader: %v", err)
	}
	cp, err := Open(ctx, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if c, _ := cp.Counts(ctx); c[model.StatusPending] != 2 {
		t.Errorf("the backup holds %v", c)
	}
	// The owner still owns it: a second writer is refused, naming it.
	if _, err := Open(ctx, path, nil); !errors.Is(err, model.ErrInUse) {
		t.Errorf("second writer: %v", err)
	}
}
