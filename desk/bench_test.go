package desk

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
// (with full card numbers, so masking and the HMAC digest are in it) and the journal's import
// in one transaction. Target: ≥ 50,000 orders/s.
//
//	go test ./desk -run '^$' -bench BenchmarkImport -benchtime 3x
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
		row := map[string]any{
			"order_id": fmt.Sprintf("T%08d", i), "sequence_no": fmt.Sprintf("%011d", i), "payment_channel": "002",
			"card_no": luhnCard(i), "sub_sale_type": "001", "bank_code": "102", "terminal_no": "T0000001",
			"bank_shop_no": "123456789012345", "pos_trace_no": fmt.Sprintf("%06d", i%1000000), "batch_no": "000001",
			"trade_ref_no": fmt.Sprintf("R%011d", i), "store_no": "HZ01", "communicate_type": "001",
			"trade_time":   model.FormatTime(testNow.Add(-30*time.Hour + time.Duration(i)*time.Second)),
			"trade_amount": 100 + i, // a JSON number, as the API has it
			"pay_type_no":  1,
		}
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
		d := New(j, nil, Config{Rules: rules, StoreNo: "HZ01", CommType: model.CommNetwork, Now: func() time.Time { return testNow }})
		b.StartTimer()
		start := time.Now()
		res, err := d.Import(ctx, []string{file}, ImportOptions{Lang: model.EN,
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
