package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReconcileFixtureDay imports a day's orders and an Allinpay statement and checks that
// reconcile --json reports exactly the planted matches, differences, journal-only orders and
// statement-only lines; importing the statement again changes nothing.
func TestReconcileFixtureDay(t *testing.T) {
	te := newTestEnv(t, "[store]\nstore_no = \"HZ01\"\n")
	orders := te.write("orders.csv", "order_id,sequence_no,payment_channel,trade_time,sub_sale_type,trade_amount,pos_trace_no,trade_ref_no,pay_type_no,terminal_no,batch_no\n"+
		"R1,30012345601,002,2026-11-26 09:00:00,001,128800,000123,123456789012,1,10250011,000001\n"+ // matched
		"R2,30012345602,002,2026-11-26 09:10:00,001,128800,000124,123456789013,1,10250011,000001\n"+ // the amount typed wrong
		"R3,30012345603,002,2026-11-26 09:20:00,001,5000,000999,123456789999,1,10250011,000001\n"+ // no line: journal only
		"R4,30012345604,002,2026-11-26 09:30:00,001,7000,000126,123456789015,1,10250011,000001\n"+ // matched by reference
		"R5,30012345605,002,2026-11-26 09:40:00,001,9900,000127,123456789016,1,10250011,000001\n") // cancelled here: left out
	if code, out, errs := te.run("import", orders); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if code, _, errs := te.run("void", "R5", "--reason", "typed twice"); code != 0 {
		t.Fatalf("void: %s", errs)
	}
	stmt := te.write("allinpay-20261126.csv", "商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期\n"+
		"102330158120045,西湖店,10250011,09:00:00,消费,000001,000123,123456789012,,,,,1288.00,0,2026-11-26\n"+
		"102330158120045,西湖店,10250011,09:10:00,消费,000001,000124,123456789013,,,,,1280.00,0,2026-11-26\n"+
		"102330158120045,西湖店,10250011,09:30:00,消费,,,123456789015,,,,,70.00,0,2026-11-26\n"+
		"102330158120045,西湖店,10250011,09:50:00,消费,000001,000128,123456789017,,,,,33.00,0,2026-11-26\n"+
		"102330158120045,西湖店,10250011,09:55:00,消费冲正,000001,000129,123456789018,,,,,33.00,0,2026-11-26\n")
	for i := range 2 {
		code, out, errs := te.run("statement", "import", stmt)
		want := "5 statement lines: 4 new, 0 already imported, 0 refused, 1 skipped"
		if i == 1 {
			want = "5 statement lines: 0 new, 4 already imported, 0 refused, 1 skipped"
		}
		if code != 0 || !strings.HasPrefix(out, want) {
			t.Fatalf("statement import #%d: %d %q %q", i+1, code, out, errs)
		}
	}
	code, out, errs := te.run("reconcile", "--day", "2026-11-26", "--json")
	if code != exitRefused {
		t.Fatalf("reconcile: exit %d, want 1 (the day differs): %s", code, errs)
	}
	var got, want map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	json.Unmarshal([]byte(`{"day":"2026-11-26",
		"matched":[{"order_id":"R1","statement_line":"allinpay-20261126.csv:2"},{"order_id":"R4","statement_line":"allinpay-20261126.csv:4"}],
		"differ":[{"order_id":"R2","statement_line":"allinpay-20261126.csv:3","fields":{"trade_amount":{"journal":128800,"statement":128000}}}],
		"journal_only":[{"order_id":"R3"}],
		"statement_only":[{"statement_line":"allinpay-20261126.csv:5","terminal_no":"10250011","batch_no":"000001","pos_trace_no":"000128","trade_ref_no":"123456789017","trade_amount":3300}]}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reconcile --json:\n%s", out)
	}
	// The same lists as a workbook: one sheet each, amounts as numbers shown in yuan, private.
	book := filepath.Join(te.dir, "reconcile.xlsx")
	if code, out, errs := te.run("reconcile", "--day", "2026-11-26", "--format", "xlsx", "--out", book); code != exitRefused {
		t.Fatalf("reconcile --format xlsx: %d %s %s", code, out, errs)
	}
	x, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !reflect.DeepEqual(got, []string{"matched", "differ", "journal_only", "statement_only"}) {
		t.Errorf("sheets %v", got)
	}
	if v, _ := x.GetCellValue("statement_only", "F2"); v != "¥33.00" {
		t.Errorf("statement_only F2 shows %q, want ¥33.00", v)
	}
	if v, _ := x.GetCellValue("differ", "D2", excelize.Options{RawCellValue: true}); v != "1288" {
		t.Errorf("differ D2 holds %q, want the number 1288", v)
	}
	if fi, err := os.Stat(book); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("workbook mode %v %v", fi.Mode(), err)
	}
	if code, _, errs := te.run("reconcile", "--day", "2026-11-26", "--format", "xlsx", "--out", book); code == 0 || !strings.Contains(errs, "already exists") {
		t.Errorf("an existing workbook: %d %s", code, errs)
	}
	// The words for a person say what to do, and do not call a statement-only line missing.
	_, text, _ := te.run("reconcile", "--day", "2026-11-26")
	for _, w := range []string{"matched 2  differ 1  journal only 1  statement only 1", "R2 allinpay-20261126.csv:3: Amount ¥1,288.00 ≠ ¥1,280.00",
		"R3: no statement line matches it", "the POS may have sent it itself"} {
		if !strings.Contains(text, w) {
			t.Errorf("reconcile lacks %q:\n%s", w, text)
		}
	}
}

// TestListAndReportXLSX: list and report write workbooks with amounts as numbers shown in yuan
// and trade times as date-times; --format xlsx without --out is a usage error.
func TestListAndReportXLSX(t *testing.T) {
	te := newTestEnv(t, "[store]\nstore_no = \"HZ01\"\n")
	orders := te.write("orders.csv", "order_id,sequence_no,payment_channel,trade_time,sub_sale_type,trade_amount,pos_trace_no,trade_ref_no,pay_type_no\n"+
		"X1,30012345601,002,2026-11-26 09:00:00,001,128800,000123,123456789012,1\n")
	if code, _, errs := te.run("import", orders); code != 0 {
		t.Fatal(errs)
	}
	list, report := filepath.Join(te.dir, "list.xlsx"), filepath.Join(te.dir, "report.xlsx")
	if code, _, errs := te.run("list", "--format", "xlsx", "--out", list); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := te.run("report", "--day", "2026-11-26", "--format", "xlsx", "--out", report); code != 0 {
		t.Fatal(errs)
	}
	x, err := excelize.OpenFile(list)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if v, _ := x.GetCellValue("orders", "D2"); v != "2026-11-26 09:00:00" {
		t.Errorf("trade time cell %q", v)
	}
	if v, _ := x.GetCellValue("orders", "G2"); v != "¥1,288.00" {
		t.Errorf("amount cell %q", v)
	}
	r, err := excelize.OpenFile(report)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, _ := r.GetCellValue("summary", "D2"); v != "¥1,288.00" {
		t.Errorf("report amount %q", v)
	}
	if code, _, errs := te.run("list", "--format", "xlsx"); code != exitUsage || !strings.Contains(errs, "--out FILE") {
		t.Errorf("xlsx without --out: %d %s", code, errs)
	}
}
