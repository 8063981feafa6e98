package orderfile

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

// TestWriteReadsBack: what export writes, import reads back field for field, in both formats,
// and the CSV header is the API's 27 fields in the API's order.
func TestWriteReadsBack(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, model.CST)
	rules := model.Rules{Now: now, VoidSaleType: model.SaleTypeRefund, CardKey: []byte("k"), AmountInFen: true}
	sales := []model.Sale{}
	for _, d := range []model.Draft{
		{OrderID: "HZ01202611260001", SequenceNo: "30012345678", PaymentChannel: "002", CardNo: "6222021234567890128",
			TradeTime: "2026-11-26 09:05:11", SubSaleType: "001", TradeAmount: "128800", BankCode: "102",
			TerminalNo: "10290001", BankShopNo: "102330159410001", PosTraceNo: "000123", BatchNo: "000127",
			TradeRefNo: "331000000001", PayTypeNo: "2", StoreNo: "HZ01", CommunicateType: "001",
			Remark: "a \"quoted\", comma'd remark", Cashier: "张三", IP: "10.0.0.8", MAC: "52:54:00:12:34:56"},
		{OrderID: "HZ01202611260002", OriginalOrderID: "HZ01202611260001", SequenceNo: "30012345679",
			PaymentChannel: "001", TradeTime: "2026-11-26 10:00:00", SubSaleType: "006", TradeAmount: "5",
			PosTraceNo: "000124", TradeRefNo: "331000000002", PayTypeNo: "1", StoreNo: "HZ01"},
	} {
		s, is := d.Build(rules)
		if is.HasErrors() {
			t.Fatalf("%s: %v", d.OrderID, is.Errors())
		}
		sales = append(sales, s)
	}
	for _, f := range []Format{FormatCSV, FormatJSON} {
		var b bytes.Buffer
		w, err := NewWriter(&b, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sales {
			if err := w.Write(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if f == FormatCSV {
			head, _, _ := strings.Cut(b.String(), "\n")
			if !slices.Equal(strings.Split(head, ","), model.DTOFields) {
				t.Errorf("CSV header %q is not the API's fields", head)
			}
		}
		rows, err := readAll(t, f, b.String())
		if err != nil || len(rows) != len(sales) {
			t.Fatalf("%s: %d rows, %v", f, len(rows), err)
		}
		for i, r := range rows {
			back, is := r.Draft.Build(rules)
			if r.Err != nil || is.HasErrors() {
				t.Fatalf("%s row %d: %v %v", f, i, r.Err, is.Errors())
			}
			if back != sales[i] {
				t.Errorf("%s row %d reads back as\n%+v\nwant\n%+v", f, i, back, sales[i])
			}
		}
	}
	if _, err := NewWriter(&bytes.Buffer{}, FormatJSONLines); err == nil {
		t.Error("JSON Lines is read, not written: NewWriter should refuse it")
	}
}
