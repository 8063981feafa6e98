package statement

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"banksale/model"
	"banksale/storage"
	"banksale/storage/storagetest"
)

// BenchmarkRead100k reads an Allinpay statement of 100,000 lines in GBK (decoding, header
// lookup, validation, masking) and reports lines per second.
func BenchmarkRead100k(b *testing.B) {
	data := bigStatement(b)
	start := time.Now()
	for b.Loop() {
		res, err := Read(bytes.NewReader(data), "big.csv", FormatAuto)
		if err != nil || len(res.Lines) != 100000 {
			b.Fatalf("%d lines, %v", len(res.Lines), err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/time.Since(start).Seconds(), "lines/s")
}

// bigStatement is an Allinpay statement of 100,000 lines in GBK.
func bigStatement(b *testing.B) []byte {
	var buf bytes.Buffer
	buf.WriteString("商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期,交易单号\n")
	for i := range 100000 {
		fmt.Fprintf(&buf, "102330158120045,西湖店,1025%04d,%02d:%02d:%02d,消费,000001,%06d,%012d,622202******%04d,借记卡,01020000,工商银行,%d.%02d,0.10,2026-11-29,T%d\n",
			i%100, i/3600%24, i/60%60, i%60, i%1000000, 300000000000+i, i%10000, 1+i%5000, i%100, i)
	}
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReconcile10k matches a day of 10,000 statement lines with 10,000 orders.
func BenchmarkReconcile10k(b *testing.B) {
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, model.CST)
	orders := make([]model.Order, 10000)
	lines := make([]model.StatementLine, 10000)
	for i := range orders {
		t := day.Add(time.Duration(i) * 8 * time.Second)
		orders[i] = model.Order{Sale: model.Sale{OrderID: fmt.Sprintf("HZ0120261129%05d", i), SubSaleType: model.SubSale,
			TradeAmount: model.Amount(100 + i), TerminalNo: "10250011", BatchNo: "000001", PosTraceNo: fmt.Sprintf("%06d", i),
			TradeRefNo: fmt.Sprintf("%012d", i), TradeTime: t}, Status: model.StatusUploaded}
		lines[i] = model.StatementLine{File: "s.csv", Row: i + 2, Kind: model.StatementSale, Amount: model.Amount(100 + i),
			Terminal: "10250011", Batch: "000001", Trace: fmt.Sprintf("%06d", i), Ref: fmt.Sprintf("%012d", i), TradeTime: t}
	}
	for b.Loop() {
		if r := model.Reconcile(day, orders, lines); len(r.Matched) != 10000 {
			b.Fatalf("matched %d", len(r.Matched))
		}
	}
}

// BenchmarkReconcileDay1M is `banksale reconcile` without its printing: a day's 10,000
// statement lines (the day's 1,000 orders and 9,000 the journal lacks) read from a
// 1,000,000-order journal, the day's orders listed, and the two matched.
func BenchmarkReconcileDay1M(b *testing.B) {
	src := storagetest.Big(b, 1_000_000)
	dst := filepath.Join(b.TempDir(), "journal.db")
	storagetest.Copy(b, src, dst)
	ctx := context.Background()
	j, err := storage.Open(ctx, dst, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	const dayIndex = 500
	day := storagetest.Start.AddDate(0, 0, dayIndex).Truncate(24 * time.Hour)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, model.CST)
	var lines []model.StatementLine
	for k := range 10000 {
		l := model.StatementLine{File: "big.csv", Row: k + 2, Kind: model.StatementSale, Amount: 100, Terminal: "T9",
			Batch: "000009", Trace: fmt.Sprintf("%06d", k), TradeTime: day.Add(10 * time.Hour)}
		if k < storagetest.PerDay {
			s := storagetest.Sale(dayIndex*storagetest.PerDay + k)
			l.Kind, l.Amount, l.Terminal, l.Batch, l.Trace, l.Ref, l.TradeTime =
				model.StatementSale, s.TradeAmount, s.TerminalNo, s.BatchNo, s.PosTraceNo, s.TradeRefNo, s.TradeTime
			if s.SubSaleType == model.SubVoid {
				l.Kind = model.StatementVoid
			} else if s.SubSaleType == model.SubRefund {
				l.Kind = model.StatementRefund
			}
		}
		lines = append(lines, l)
	}
	if _, err := j.ImportStatement(ctx, lines, "bench"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := j.StatementDay(ctx, day)
		if err != nil || len(got) != 10000 {
			b.Fatalf("%d lines, %v", len(got), err)
		}
		orders, err := j.DayOrders(ctx, day)
		if err != nil {
			b.Fatal(err)
		}
		r := model.Reconcile(day, orders, got)
		if len(r.StatementOnly) < 9000 {
			b.Fatalf("statement only %d", len(r.StatementOnly))
		}
	}
}

// BenchmarkImport100k is `banksale statement import` of a 100,000-line GBK statement without
// its printing: reading (decoding, header lookup, validation, masking) and keeping the lines
// in the journal, in one transaction.
func BenchmarkImport100k(b *testing.B) {
	data := bigStatement(b)
	ctx := context.Background()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		j, err := storage.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("j%d.db", i)), nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Read(bytes.NewReader(data), "big.csv", FormatAuto)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := j.ImportStatement(ctx, res.Lines, "bench"); err != nil || n != 100000 {
			b.Fatalf("%d kept, %v", n, err)
		}
		j.Close()
	}
	b.ReportMetric(float64(100000*b.N)/time.Since(start).Seconds(), "lines/s")
}
