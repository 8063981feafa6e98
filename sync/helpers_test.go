package sync

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

const (
	testAppKey = "12345678"
	testSecret = "s3cr3t-for-tests"
)

func TestMain(m *testing.M) {
	// The crash test re-executes this binary as the process it kills.
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// testLog is quiet unless BANKSALE_TEST_LOG is set: 1,000-order tests would drown the output.
func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("BANKSALE_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// baseDay is two days ago in CST, so every trade_time is in the past whatever the clock says.
var baseDay = time.Now().In(model.CST).Truncate(24*time.Hour).AddDate(0, 0, -2).Add(2 * time.Hour)

// sale is a valid bank-card sale; i makes its order_id and receipt numbers unique.
func sale(i int) model.Sale {
	tt := baseDay.Add(time.Duration(i) * time.Second)
	return model.Sale{
		OrderID:         fmt.Sprintf("HZ01T%07d", i),
		SequenceNo:      fmt.Sprintf("%011d", 10000000+i),
		PaymentChannel:  model.ChannelBankCard,
		CardNo:          "622202******1234",
		TradeTime:       tt,
		SaleType:        model.SaleTypeSale,
		SubSaleType:     model.SubSale,
		TradeAmount:     model.Amount(1000 + i),
		TerminalNo:      "12345678",
		BankShopNo:      "123456789012345",
		PosTraceNo:      fmt.Sprintf("%06d", i%1000000),
		BatchNo:         "000001",
		TradeRefNo:      fmt.Sprintf("%012d", 500000000+i),
		PayTypeNo:       1,
		StoreNo:         "HZ01",
		CommunicateType: model.CommNetwork,
		OperateTime:     tt.Add(time.Hour),
		Cashier:         "tester",
		IP:              "10.0.0.8",
		MAC:             "00:11:22:33:44:55",
	}
}

// voidOf is a void of s, keyed a minute later on the same terminal and batch.
func voidOf(s model.Sale, i int) model.Sale {
	v := sale(i)
	v.TradeTime = s.TradeTime.Add(time.Minute)
	v.OperateTime = v.TradeTime.Add(time.Hour)
	v.SubSaleType = model.SubVoid
	v.SaleType = model.SaleTypeFor(model.SubVoid, model.SaleTypeRefund)
	v.OriginalOrderID = s.OrderID
	v.TradeAmount = s.TradeAmount
	v.CardNo = s.CardNo
	return v
}

// refundOf refunds part of s a day later.
func refundOf(s model.Sale, i int, amount model.Amount) model.Sale {
	r := sale(i)
	r.TradeTime = s.TradeTime.Add(24 * time.Hour)
	r.OperateTime = r.TradeTime.Add(time.Hour)
	r.SubSaleType = model.SubRefund
	r.SaleType = model.SaleTypeRefund
	r.OriginalOrderID = s.OrderID
	r.TradeAmount = amount
	r.CardNo = s.CardNo
	return r
}

func openJournal(t testing.TB, path string) *storage.Journal {
	t.Helper()
	j, err := storage.Open(context.Background(), path, testLog(t))
	if err != nil {
		t.Fatalf("open journal: %v", err)
	}
	return j
}

// seedJournal creates a journal at dir/journal.db holding sales 1..n and returns it open.
func seedJournal(t testing.TB, dir string, n int) *storage.Journal {
	t.Helper()
	j := openJournal(t, filepath.Join(dir, "journal.db"))
	sales := make([]model.Sale, n)
	for i := range sales {
		sales[i] = sale(i + 1)
	}
	res, err := j.Import(context.Background(), sales, "tester")
	if err != nil {
		t.Fatalf("import %d sales: %v", n, err)
	}
	if res.Inserted != n || len(res.Refused) != 0 {
		t.Fatalf("import: inserted %d of %d, refused %+v", res.Inserted, n, res.Refused)
	}
	return j
}

func newGateway(t testing.TB, opts toptest.Options) *toptest.Server {
	t.Helper()
	opts.AppKey, opts.Secret = testAppKey, testSecret
	if opts.Logger == nil {
		opts.Logger = testLog(t)
	}
	gw := toptest.NewServer(opts)
	t.Cleanup(gw.Close)
	return gw
}

func newClient(t testing.TB, url, secret string, timeout time.Duration) *top.Client {
	t.Helper()
	c, err := clientFor(url, secret, timeout)
	if err != nil {
		t.Fatalf("top client: %v", err)
	}
	return c
}

func clientFor(url, secret string, timeout time.Duration) (*top.Client, error) {
	return top.New(top.Config{URL: url, AppKey: testAppKey, Secret: secret, Timeout: timeout, Logger: testLog(nil)})
}

func openJournalPath(ctx context.Context, path string) (*storage.Journal, error) {
	return storage.Open(ctx, path, testLog(nil))
}

// fastConfig retries quickly so fault tests finish in seconds.
func fastConfig(workers int) Config {
	return Config{Workers: workers, BackoffBase: 5 * time.Millisecond, BackoffCap: 200 * time.Millisecond, Lease: 30 * time.Second, Seed: 42}
}

// start runs u until the test ends and returns a stop function that waits for Run to return.
func start(t testing.TB, u *Uploader) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func counts(t testing.TB, j *storage.Journal) map[model.Status]int {
	t.Helper()
	c, err := j.Counts(context.Background())
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	return c
}

func get(t testing.TB, j *storage.Journal, id string) model.Order {
	t.Helper()
	o, err := j.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return o
}
