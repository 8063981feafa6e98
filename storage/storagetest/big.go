// Package storagetest builds large synthetic journals for benchmarks and load tests.
package storagetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Start is the trade time of the first synthetic order; orders follow about 1,000 a day.
var Start = time.Date(2024, 1, 1, 9, 0, 0, 0, model.CST)

// PerDay is how many synthetic orders fall on one day.
const PerDay = 1000

// Big returns the path of a journal holding n synthetic orders (mixed statuses, channels, sub
// types, days, realistic field shapes, masked cards only), built fast and cached in
// os.TempDir() by n and schema version so repeated benchmarks reuse it. Callers copy it if
// they write.
func Big(tb testing.TB, n int) string {
	tb.Helper()
	dir := os.TempDir()
	path := filepath.Join(dir, fmt.Sprintf("banksale-big-v%d-n%d.db", storage.SchemaVersion(), n))
	// Several test binaries may want the same journal at once: one builds, the others wait.
	lk := flock.New(path + ".build-lock")
	if err := lk.Lock(); err != nil {
		tb.Fatalf("storagetest: lock %s: %v", path, err)
	}
	defer lk.Unlock()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	start := time.Now()
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
		os.Remove(tmp + suffix)
	}
	if err := build(tmp, n); err != nil {
		tb.Fatalf("storagetest: build %d orders: %v", n, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatalf("storagetest: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm", ".lock"} {
		os.Remove(tmp + suffix)
	}
	tb.Logf("storagetest: built %d orders in %v: %s", n, time.Since(start).Round(time.Millisecond), path)
	return path
}

// Sale is synthetic order i: deterministic, so benchmarks can name orders they expect.
// In each block of 20: 17 sales, a void of the 17th, and partial refunds of the first two.
func Sale(i int) model.Sale {
	day := i / PerDay
	t := Start.AddDate(0, 0, day).Add(time.Duration(i%PerDay) * 43 * time.Second)
	s := model.Sale{
		OrderID:         OrderID(i),
		SequenceNo:      fmt.Sprintf("%03d%08d", 100+i%7, i),
		PaymentChannel:  model.ChannelBankCard,
		CardNo:          fmt.Sprintf("622%03d******%04d", 200+i%600, i%10000),
		TradeTime:       t,
		SaleType:        model.SaleTypeSale,
		SubSaleType:     model.SubSale,
		TradeAmount:     model.Amount(100 + (i*7919)%500000),
		BankCode:        "102",
		BankName:        "中国工商银行",
		TerminalNo:      fmt.Sprintf("%08d", 10000000+i%8),
		BankShopNo:      "898330160120021",
		PosTraceNo:      fmt.Sprintf("%06d", i%1000000),
		BatchNo:         fmt.Sprintf("%06d", day%1000000),
		TradeRefNo:      fmt.Sprintf("%012d", 300000000000+i),
		PayTypeNo:       int64(1 + i%3),
		StoreNo:         "HZ01",
		EncrypteSummary: fmt.Sprintf("%064x", i),
		CommunicateType: model.CommNetwork,
		OperateTime:     t.Add(2 * time.Hour),
		Cashier:         "supervisor",
		IP:              "10.1.2.3",
		MAC:             "00:1a:2b:3c:4d:5e",
	}
	if i%3 == 0 {
		s.PaymentChannel = model.ChannelQuickPass
		s.PosTraceNo = fmt.Sprintf("%021d", i)
	}
	switch i % 20 {
	case 17: // void of the sale just before, same day, same everything
		o := Sale(i - 1)
		s.OriginalOrderID, s.SubSaleType, s.SaleType = o.OrderID, model.SubVoid, model.SaleTypeRefund
		s.TradeAmount, s.CardNo, s.TerminalNo, s.BatchNo, s.PaymentChannel = o.TradeAmount, o.CardNo, o.TerminalNo, o.BatchNo, o.PaymentChannel
		s.EncrypteSummary = o.EncrypteSummary
	case 18, 19: // partial refunds of the block's first two sales
		o := Sale(i - 18)
		s.OriginalOrderID, s.SubSaleType, s.SaleType = o.OrderID, model.SubRefund, model.SaleTypeRefund
		s.TradeAmount = max(o.TradeAmount/2, 1)
		s.CardNo, s.EncrypteSummary = o.CardNo, o.EncrypteSummary
	}
	return s
}

// LuhnCard is a 16-digit UnionPay card number (622202 and i) that passes Luhn: a full card
// number for tests that must see one masked, refused or kept out of files.
func LuhnCard(i int) string {
	body := fmt.Sprintf("622202%09d", i)
	sum := 0
	for k := 0; k < len(body); k++ {
		d := int(body[len(body)-1-k] - '0')
		if k%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// OrderID is synthetic order i's order_id.
func OrderID(i int) string {
	return fmt.Sprintf("HZ01%s%04d", Start.AddDate(0, 0, i/PerDay).Format("20060102"), i%PerDay+1)
}

// Status is synthetic order i's status: 90% uploaded, the rest spread through the whole
// journal so every status filter finds rows at its start, middle and end.
func Status(i int) model.Status {
	switch r := (i * 37) % 100; {
	case r < 2:
		return model.StatusPending
	case r < 5:
		return model.StatusRetrying
	case r < 8:
		return model.StatusRejected
	case r < 9:
		return model.StatusVoided
	default:
		return model.StatusUploaded
	}
}

var saleColumns = model.DTOFields

// build makes the schema with storage.Open, then loads rows straight into the file: indexes
// dropped during the load and rebuilt after (a sort instead of a million random inserts),
// no rollback journal and synchronous off (a crash only loses this cache file, which is built under
// a temporary name), one transaction, one prepared insert.
func build(path string, n int) error {
	ctx := context.Background()
	j, err := storage.Open(ctx, path, nil)
	if err != nil {
		return err
	}
	if err := j.Close(); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-200000)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var indexSQL []string
	rows, err := db.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'orders'")
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			rows.Close()
			return err
		}
		names, indexSQL = append(names, name), append(indexSQL, q)
	}
	rows.Close()
	for _, name := range names {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+name); err != nil {
			return err
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, "INSERT INTO orders ("+strings.Join(saleColumns, ", ")+
		", tail_order_id, tail_sequence_no, tail_pos_trace_no, tail_trade_ref_no"+
		", status, attempts, next_attempt_at, last_code, last_sub_code, last_message, request_id, void_reason,"+
		" payload, payload_sum, created_at, created_by, updated_at, updated_by) VALUES ("+strings.Repeat("?, ", len(saleColumns)+4+13)+"?)")
	if err != nil {
		return err
	}
	defer st.Close()
	args := make([]any, 0, len(saleColumns)+14)
	counts := map[model.Status]int{}
	for i := 0; i < n; i++ {
		s := Sale(i)
		payload, err := s.MarshalDTO()
		if err != nil {
			return fmt.Errorf("order %d: %w", i, err)
		}
		status := Status(i)
		counts[status]++
		op := s.OperateTime.UnixMilli()
		var (
			attempts        int
			next            any
			code            int
			sub, msg, reqID string
			voidReason      string
		)
		switch status {
		case model.StatusPending:
			next = op
		case model.StatusRetrying:
			attempts, next, code, sub, msg = 2, op+int64(time.Hour/time.Millisecond), 7, "accesscontrol.limited-by-api-access-count", "App Call Limited"
		case model.StatusRejected:
			attempts, code, sub, msg = 1, 15, "isv.invalid-parameter", "Invalid arguments:trade_ref_no"
		case model.StatusUploaded:
			attempts, reqID = 1, fmt.Sprintf("%013x", i)
		case model.StatusVoided:
			voidReason = "typed twice"
		}
		args = args[:0]
		args = append(args,
			s.OrderID, s.OriginalOrderID, s.SequenceNo, string(s.PaymentChannel), s.CardNo, s.TradeTime.UnixMilli(),
			string(s.SaleType), string(s.SubSaleType), int64(s.TradeAmount), s.BankCode, s.BankName, s.TerminalNo,
			s.BankShopNo, s.PosTraceNo, s.BatchNo, s.TradeRefNo, s.PayTypeNo, s.StoreNo,
			s.EncrypteSummary, string(s.CommunicateType), op, s.Rback, s.Remark, s.ExtendParam,
			s.Cashier, s.IP, s.MAC,
			storage.SearchTail(s.OrderID), storage.SearchTail(s.SequenceNo), storage.SearchTail(s.PosTraceNo), storage.SearchTail(s.TradeRefNo),
			string(status), attempts, next, code, sub, msg, reqID, voidReason,
			payload, sum256(payload), op, "supervisor", op, "uploader")
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("order %d: %w", i, err)
		}
	}
	// The journal's insert path counts its own orders; a load behind its back sets the counts.
	for st, c := range counts {
		if _, err := tx.ExecContext(ctx, "UPDATE status_counts SET n = ? WHERE status = ?", c, string(st)); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, q := range indexSQL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	// Back to WAL, as every journal is.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return err
	}
	return nil
}

// Copy copies the journal at from (a cached Big one, say) to to, for a caller that writes to
// it or must not share its lock. The cached file is closed, so a plain copy is consistent.
func Copy(tb testing.TB, from, to string) {
	tb.Helper()
	in, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// sum256 is the checksum the journal keeps beside a frozen payload (migration 0005).
func sum256(p []byte) []byte {
	s := sha256.Sum256(p)
	return s[:]
}
