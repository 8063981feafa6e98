package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
)

// BenchmarkImport journals 100,000 orders from a JSON Lines file: the reader, Draft.Build
// (with full card numbers, so masking and the HMAC digest are in it) and storage.Import in
// one transaction. Target: ≥ 50,000 orders/s.
//
//	go test -run '^$' -bench BenchmarkImport -benchtime 3x .
func BenchmarkImport(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	file := filepath.Join(dir, "orders.jsonl")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		row := map[string]any{}
		for k, v := range goodRow(i) {
			row[k] = v
		}
		row["trade_time"] = model.FormatTime(testNow.Add(-30*time.Hour + time.Duration(i)*time.Second))
		row["trade_amount"] = 100 + i // a JSON number, as the API has it
		row["pay_type_no"] = 1
		j, _ := json.Marshal(row)
		w.Write(j)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	rules := model.Rules{VoidSaleType: model.SaleTypeRefund, RefundWarnDays: 30, CardKey: []byte("bench-key"), Operator: "bench"}
	ctx := context.Background()

	b.ResetTimer()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		j, err := storage.Open(ctx, filepath.Join(dir, fmt.Sprintf("j%d.db", i)), nil)
		if err != nil {
			b.Fatal(err)
		}
		j.SetRules(rules)
		b.StartTimer()
		start := time.Now()
		res, err := importFiles(ctx, j, []string{file}, importOptions{
			Rules: rules, Now: testNow, Lang: model.EN, By: "bench", StoreNo: "HZ01", CommType: "001",
			Refused: func(file string, row int, field, reason string) { b.Fatalf("%s:%d %s: %s", file, row, field, reason) },
		})
		total += time.Since(start)
		if err != nil || res.Inserted != n {
			b.Fatalf("import: %+v %v", res, err)
		}
		b.StopTimer()
		j.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "orders/s")
}
