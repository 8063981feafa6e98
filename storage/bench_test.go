package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"

	_ "modernc.org/sqlite" // the driver, to put a journal back as an older version left it
)

const bigN = 1_000_000

// BenchmarkInsert journals one durable order per op (WAL, synchronous=FULL: one fsync each).
func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(b.TempDir(), "journal.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	i := 0
	for b.Loop() {
		s := storagetest.Sale(i % 17) // a sale, never a void or refund
		s.OrderID = fmt.Sprintf("B%08d", i)
		if _, err := j.Insert(ctx, s, "bench"); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkImport journals 100,000 orders per op in one transaction (voids and refunds
// included, each checked against its original inside the transaction).
func BenchmarkImport(b *testing.B) {
	const n = 100_000
	sales := make([]model.Sale, n)
	for i := range sales {
		sales[i] = storagetest.Sale(i)
	}
	ctx := context.Background()
	var cpu time.Duration
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		b.StopTimer()
		j, err := storage.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("journal%d.db", k)), nil)
		if err != nil {
			b.Fatal(err)
		}
		j.SetRules(model.Rules{VoidSaleType: model.SaleTypeRefund, RefundWarnDays: -1})
		b.StartTimer()
		c0 := cpuTime()
		res, err := j.Import(ctx, sales, "bench")
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		b.StopTimer()
		if res.Inserted != n {
			b.Fatalf("import: %d inserted, %d refused (first: %+v)", res.Inserted, len(res.Refused), res.Refused[0])
		}
		j.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
	// The machine may be shared: orders per second of this process's own CPU time too.
	b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "orders/cpu-s")
}

// openBig opens the cached million-order journal (read-only use: no copy needed).
func openBig(b *testing.B) *storage.Journal {
	b.Helper()
	path := storagetest.Big(b, bigN)
	j, err := storage.Open(context.Background(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	return j
}

// copyBig copies the cached journal for a benchmark that writes.
func copyBig(b *testing.B) *storage.Journal {
	b.Helper()
	src := storagetest.Big(b, bigN)
	dst := filepath.Join(b.TempDir(), "journal.db")
	storagetest.Copy(b, src, dst)
	j, err := storage.Open(context.Background(), dst, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	return j
}

// BenchmarkListPage reads one 50-row page at the start, middle and end of a 1,000,000-order
// journal, for each filter.
func BenchmarkListPage(b *testing.B) {
	j := openBig(b)
	ctx := context.Background()
	day := func(d int) time.Time { return storagetest.Start.AddDate(0, 0, d).Truncate(24 * time.Hour) }
	filters := []struct {
		name string
		f    model.Filter
	}{
		{"all", model.Filter{}},
		{"status", model.Filter{Statuses: []model.Status{model.StatusRejected}}},
		{"statuses", model.Filter{Statuses: []model.Status{model.StatusPending, model.StatusRetrying, model.StatusRejected}}},
		{"channel", model.Filter{Channel: model.ChannelQuickPass}},
		{"subtype", model.Filter{SubType: model.SubRefund}},
		{"combined", model.Filter{Statuses: []model.Status{model.StatusUploaded}, Channel: model.ChannelBankCard, SubType: model.SubSale}},
		{"range", model.Filter{From: day(100), To: day(900)}},
		{"search", model.Filter{Search: "103"}},               // sequence_no prefix: 1 in 7 orders, dense
		{"searchday", model.Filter{Search: "HZ0120250601"}},   // order_id prefix: one day, 1,000 orders
		{"searchsparse", model.Filter{Search: "3000004321"}},  // trade_ref_no prefix: 100 orders
		{"searchold", model.Filter{Search: "HZ01202401"}},     // order_id prefix: the oldest month, 31,000 orders clustered in time
		{"searchlower", model.Filter{Search: "hz0120250601"}}, // the one day typed in lower case
		{"searchtail", model.Filter{Search: "4321"}},          // the end of a number: about 300 orders (reference, trace, receipt)
		{"searchtaildense", model.Filter{Search: "21"}},       // the end of a number: 4 in 100 orders
	}
	oldest := model.Cursor{TradeTime: storagetest.Start.AddDate(-1, 0, 0), ID: 0}
	for _, fc := range filters {
		// start: the newest end; end: the last full page; middle: halfway in time.
		newest, err := j.List(ctx, fc.f, model.Cursor{}, 1)
		if err != nil || len(newest) == 0 {
			b.Fatalf("%s: newest: %v", fc.name, err)
		}
		tail, err := j.ListBefore(ctx, fc.f, oldest, 51)
		if err != nil || len(tail) < 51 {
			b.Fatalf("%s: oldest: %d %v", fc.name, len(tail), err)
		}
		first, last := tail[len(tail)-1].TradeTime, newest[0].TradeTime
		mid := model.Cursor{TradeTime: first.Add(last.Sub(first) / 2), ID: 1 << 62}
		for _, pos := range []struct {
			name string
			cur  model.Cursor
		}{{"start", model.Cursor{}}, {"middle", mid}, {"end", model.CursorOf(tail[0])}} {
			b.Run(fc.name+"/"+pos.name, func(b *testing.B) {
				for b.Loop() {
					page, err := j.List(ctx, fc.f, pos.cur, 50)
					if err != nil {
						b.Fatal(err)
					}
					if len(page) != 50 {
						b.Fatalf("page of %d", len(page))
					}
				}
			})
		}
	}
}

// BenchmarkCounts reads the status counts of the million-order journal.
func BenchmarkCounts(b *testing.B) {
	j := openBig(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := j.Counts(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClaim is the uploader's loop on a copy of the million-order journal (about 50,000
// orders pending or retrying): claim one due order, record it uploaded.
func BenchmarkClaim(b *testing.B) {
	j := copyBig(b)
	ctx := context.Background()
	now := time.Now()
	b.Run("claim+record", func(b *testing.B) {
		for b.Loop() {
			got, err := j.Claim(ctx, now, 1, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != 1 {
				b.Fatalf("claimed %d", len(got))
			}
			if _, err := j.Record(ctx, model.Outcome{OrderID: got[0].OrderID, Status: model.StatusUploaded}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("claim8", func(b *testing.B) {
		for b.Loop() {
			got, err := j.Claim(ctx, now, 8, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != 8 {
				b.Fatalf("claimed %d", len(got))
			}
			b.StopTimer()
			for _, o := range got {
				if _, err := j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: model.StatusUploaded}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
	})
	b.Run("nextdue", func(b *testing.B) {
		for b.Loop() {
			if _, ok, err := j.NextDue(ctx); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkCheck1M looks a million-order journal over: the quick check the screen runs in the
// background at start, and the full one of banksale check. Both read every page and every
// frozen payload.
func BenchmarkCheck1M(b *testing.B) {
	j := openBig(b)
	for _, quick := range []bool{true, false} {
		name := "integrity"
		if quick {
			name = "quick"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				h, err := j.Check(context.Background(), quick)
				if err != nil || h.Orders != bigN || len(h.Problems) > 0 || h.DamagedCount > 0 {
					b.Fatalf("%+v %v", h, err)
				}
			}
		})
	}
}

// BenchmarkStatementFind100k is the entry form's look-up per keystroke: with 100,000 statement
// lines kept, the lines whose reference starts with the 4 characters typed, or of an amount.
func BenchmarkStatementFind100k(b *testing.B) {
	j, err := storage.Open(context.Background(), filepath.Join(b.TempDir(), "j.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, model.CST)
	lines := make([]model.StatementLine, 100000)
	for i := range lines {
		lines[i] = model.StatementLine{File: "s.csv", Row: i + 2, Kind: model.StatementSale, TradeTime: day.Add(time.Duration(i) * time.Second),
			Amount: model.Amount(100 + i%50000), Terminal: "10250011", Batch: "000001", Trace: fmt.Sprintf("%06d", i), Ref: fmt.Sprintf("%012d", 331000000000+i*7919%1000000000)}
	}
	if _, err := j.ImportStatement(ctx, lines, "bench"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, field, value string }{
		{"ref4", model.FieldTradeRefNo, "3310"}, {"ref8", model.FieldTradeRefNo, "33100079"}, {"trace", model.FieldPosTraceNo, "0123"},
		{"amount", model.FieldTradeAmount, "12345"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := j.StatementFind(ctx, c.field, c.value, 6); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFirstOpenAfterTails1M is the first open of a 1,000,000-order journal made before
// migration 6's tail columns were filled: the journal is put back as that version left it (tail
// columns empty, their indexes and mark absent), then opened, which fills and indexes them once.
func BenchmarkFirstOpenAfterTails1M(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		src := storagetest.Big(b, bigN)
		dst := filepath.Join(b.TempDir(), "journal.db")
		storagetest.Copy(b, src, dst)
		db, err := sql.Open("sqlite", dst)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range []string{"DROP INDEX orders_tail_order_id", "DROP INDEX orders_tail_sequence", "DROP INDEX orders_tail_trace",
			"DROP INDEX orders_tail_ref", "UPDATE orders SET tail_order_id = '', tail_sequence_no = '', tail_pos_trace_no = '', tail_trade_ref_no = ''",
			"DELETE FROM meta WHERE key = 'search_tails'", "PRAGMA wal_checkpoint(TRUNCATE)"} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		b.StartTimer()
		j, err := storage.Open(ctx, dst, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		page, err := j.List(ctx, model.Filter{Search: "4321"}, model.Cursor{}, 10)
		if err != nil || len(page) == 0 {
			b.Fatalf("a tail search after the fill: %d, %v", len(page), err)
		}
		j.Close()
		b.StartTimer()
	}
}
