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

// TestExportIsInertInASpreadsheet: text cells a spreadsheet would run as formulas are written
// with a leading apostrophe, numbers are not, and import gives back exactly what was exported.
func TestExportIsInertInASpreadsheet(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, model.CST)
	rules := model.Rules{Now: now, VoidSaleType: model.SaleTypeRefund, AmountInFen: true}
	d := model.Draft{OrderID: "-HZ01202611260001", SequenceNo: "+30012345678", PaymentChannel: "002",
		TradeTime: "2026-11-26 09:05:11", SubSaleType: "001", TradeAmount: "128800", BankName: "@SUM(A1:A9)",
		PosTraceNo: "000123", TradeRefNo: "331000000001", PayTypeNo: "2", StoreNo: "HZ01",
		Remark: "=cmd|' /C calc'!A0", ExtendParam: "'=already quoted", Cashier: "'plain apostrophe", MAC: "=1+1"}
	s, is := d.Build(rules)
	if is.HasErrors() {
		t.Fatal(is.Errors())
	}
	var b bytes.Buffer
	w, _ := NewWriter(&b, FormatCSV)
	if err := w.Write(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, row, _ := strings.Cut(b.String(), "\n")
	for _, cell := range strings.Split(strings.TrimSpace(row), ",") {
		cell = strings.Trim(cell, `"`)
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("cell %q would run as a formula", cell)
		}
	}
	for _, want := range []string{`'=cmd|' /C calc'!A0`, `'-HZ01202611260001`, `'+30012345678`, `'@SUM(A1:A9)`, `''=already quoted`, `''plain apostrophe`, `,128800,`, `,2,`} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %s:\n%s", want, row)
		}
	}
	rows, err := readAll(t, FormatCSV, b.String())
	if err != nil || len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("%v %v", err, rows)
	}
	back, is := rows[0].Draft.Build(rules)
	if is.HasErrors() || back != s {
		t.Errorf("reads back as\n%+v\nwant\n%+v\n%v", back, s, is)
	}
	for _, v := range []string{"", "'", "''", "=", "'=", "\t=1+1", "\r", "x'", "'x", "-1"} {
		if got := FromSpreadsheetText(SpreadsheetText(v)); got != v {
			t.Errorf("%q round-trips as %q", v, got)
		}
	}
	// A person's own apostrophe, not before a formula character, is kept.
	if got := FromSpreadsheetText("'x"); got != "'x" {
		t.Errorf("'x read as %q", got)
	}
}
