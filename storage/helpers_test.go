package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"banksale/model"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, model.CST)

func openTest(t testing.TB) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// testSale is a valid sale numbered i, trade time t.
func testSale(i int, t time.Time) model.Sale {
	return model.Sale{
		OrderID:         fmt.Sprintf("HZ01%s%04d", t.Format("20060102"), i%10000),
		SequenceNo:      fmt.Sprintf("%011d", 20000000000+i),
		PaymentChannel:  model.ChannelBankCard,
		CardNo:          "622202******1234",
		TradeTime:       t,
		SaleType:        model.SaleTypeSale,
		SubSaleType:     model.SubSale,
		TradeAmount:     model.Amount(10000 + i),
		BankCode:        "102",
		BankName:        "中国工商银行",
		TerminalNo:      "12345678",
		BankShopNo:      "123456789012345",
		PosTraceNo:      fmt.Sprintf("%06d", i%1000000),
		BatchNo:         "000001",
		TradeRefNo:      fmt.Sprintf("R%011d", i),
		PayTypeNo:       1,
		StoreNo:         "HZ01",
		CommunicateType: model.CommNetwork,
		OperateTime:     t.Add(time.Hour),
		Cashier:         "wang",
		IP:              "10.0.0.2",
		MAC:             "00:11:22:33:44:55",
	}
}

func refundOf(orig model.Sale, id string, amount model.Amount, at time.Time) model.Sale {
	s := orig
	s.OrderID = id
	s.OriginalOrderID = orig.OrderID
	s.SubSaleType = model.SubRefund
	s.SaleType = model.SaleTypeRefund
	s.TradeAmount = amount
	s.TradeTime = at
	s.OperateTime = at.Add(time.Minute)
	s.SequenceNo = "9" + orig.SequenceNo[1:]
	s.TradeRefNo = "F" + orig.TradeRefNo[1:]
	s.PosTraceNo = "9" + orig.PosTraceNo[1:]
	return s
}

func voidOf(orig model.Sale, id string) model.Sale {
	s := refundOf(orig, id, orig.TradeAmount, orig.TradeTime.Add(10*time.Minute))
	s.SubSaleType = model.SubVoid
	return s
}

func mustInsert(t testing.TB, j *Journal, s model.Sale) model.Order {
	t.Helper()
	o, err := j.Insert(context.Background(), s, "tester")
	if err != nil {
		t.Fatalf("insert %s: %v", s.OrderID, err)
	}
	return o
}

// upload takes an order through claim and a successful record.
func upload(t testing.TB, j *Journal, orderID string) {
	t.Helper()
	ctx := context.Background()
	if _, err := j.Retry(ctx, time.Now(), "t", orderID); err != nil {
		t.Fatal(err)
	}
	claimed, err := j.Claim(ctx, time.Now().Add(time.Hour), 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range claimed {
		st := model.StatusRetrying
		if o.OrderID == orderID {
			st = model.StatusUploaded
		}
		if _, err := j.Record(ctx, model.Outcome{OrderID: o.OrderID, Status: st, NextAttemptAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
}
