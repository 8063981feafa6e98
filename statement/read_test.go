package statement

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"banksale/model"
)

// allinpayCSV is an Allinpay statement as its documentation lays it out: one header row in
// column order, amounts in yuan, the optional columns after 商户备注 left out; with a sale, a
// void, a refund, a reversal and a total row.
const allinpayCSV = `商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,发卡行机构代码,发卡行名称,交易金额,手续费,交易日期,交易单号,订单号,商户备注
102330158120045,西湖店,10250011,14:05:00,消费,000001,000123,123456789012,6222021234000000004,借记卡,01020000,工商银行,"1,288.00",7.73,2026-11-29,T001,,
102330158120045,西湖店,10250011,14:20:10,消费撤销,000001,000124,123456789013,622202******0004,借记卡,01020000,工商银行,1288.00,0,2026-11-29,T002,,
102330158120045,西湖店,10250011,15:00:00,退货,000001,000125,123456789014,622848******1234,借记卡,01030000,农业银行,50.5,0,2026-11-29,T003,,
102330158120045,西湖店,10250011,15:10:00,消费冲正,000001,000126,123456789015,622848******1234,借记卡,01030000,农业银行,99.00,0,2026-11-29,T004,,
合计,,,,,,,,,,,,1388.50,,,,,
`

func TestReadAllinpayGBKAndBOM(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(allinpayCSV)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"gbk.csv": []byte(gbk), "bom.csv": append([]byte("\ufeff"), allinpayCSV...), "utf8.csv": []byte(allinpayCSV),
	} {
		res, err := Read(bytes.NewReader(data), "/tmp/"+name, FormatAuto)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Format != FormatAllinpay || len(res.Lines) != 3 || res.Skipped != 2 || len(res.Refused) != 0 {
			t.Fatalf("%s: %+v", name, res)
		}
		sale, void, refund := res.Lines[0], res.Lines[1], res.Lines[2]
		want := model.StatementLine{File: name, Row: 2, Kind: model.StatementSale,
			TradeTime: time.Date(2026, 11, 29, 14, 5, 0, 0, model.CST), Amount: 128800, Merchant: "102330158120045",
			Terminal: "10250011", Batch: "000001", Trace: "000123", Ref: "123456789012", Card: "622202*********0004", OrderNo: "T001"}
		if !sale.TradeTime.Equal(want.TradeTime) {
			t.Errorf("%s: time %v", name, sale.TradeTime)
		}
		sale.TradeTime = want.TradeTime
		if sale != want {
			t.Errorf("%s: sale\n got %+v\nwant %+v", name, sale, want)
		}
		if void.Kind != model.StatementVoid || refund.Kind != model.StatementRefund || refund.Amount != 5050 || refund.Row != 4 {
			t.Errorf("%s: void %+v refund %+v", name, void, refund)
		}
	}
}

// TestReadByHeaderName: columns are read by name, whatever their order; a WeChat-style bill's
// backticks and summary rows, and Leshua's records, fen and placeholders, are understood.
func TestReadByHeaderName(t *testing.T) {
	reordered := "交易金额,交易日期,交易时间,参考号,终端号,交易批次号,凭证号,交易类型\n12.50,2026-11-29,09:00:01,331000000001,10250011,000001,000001,消费\n"
	wechat := "交易时间,终端号,交易批次号,凭证号,参考号,交易类型,交易金额\n" +
		"`2026-11-29 10:00:00,`10250011,`000001,`000002,`331000000002,`消费,`20.00\n" +
		"总交易单数,应结订单总金额\n`1,`20.00\n"
	leshua := "BT|交易时间|订单号|商户号|交易金额(分)|手续费(分)|交易类型|支付方式|参考号|凭证号|终端号\n" +
		"BV|2026-11-29 11:00:00|L1|102330158120045|3000|18|消费|刷卡|331000000003|000003|10250011\n" +
		"BV|2026-11-29 11:05:00|L2|102330158120045|3000|0|消费冲正|刷卡|*|*|10250011\n" +
		"BV|2026-11-29 11:06:00|L3|102330158120045|1000|0|退货中|刷卡|331000000004|000004|10250011\n"
	for _, c := range []struct {
		name, text string
		format     Format
		amount     model.Amount
		ref        string
	}{
		{"reordered.csv", reordered, FormatAllinpay, 1250, "331000000001"},
		{"bill.csv", wechat, FormatWeChat, 2000, "331000000002"},
		{"leshua.txt", leshua, FormatLeshua, 3000, "331000000003"},
	} {
		res, err := Read(strings.NewReader(c.text), c.name, FormatAuto)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Format != c.format || len(res.Lines) != 1 || len(res.Refused) != 0 {
			t.Fatalf("%s: %+v", c.name, res)
		}
		if l := res.Lines[0]; l.Amount != c.amount || l.Ref != c.ref || l.Terminal != "10250011" || l.Kind != model.StatementSale {
			t.Errorf("%s: %+v", c.name, l)
		}
	}
}

// TestReadRefusesByRow: a line that cannot be read is refused naming its file, row and field;
// the others are kept.
func TestReadRefusesByRow(t *testing.T) {
	text := "终端号,凭证号,交易金额,交易日期,交易时间,交易类型\n" +
		"10250011,000001,12.345,2026-11-29,09:00:00,消费\n" +
		"10250011,000002,12.00,2026-11-32,09:00:00,消费\n" +
		"10250011,000003,12.00,2026-11-29,09:00:00,预授权\n" +
		"10250011,000004,12.00,2026-11-29,09:00:00,消费\n"
	res, err := Read(strings.NewReader(text), "day.csv", FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Refused {
		got = append(got, r.Error())
	}
	want := []string{`day.csv:2 交易金额: "12.345" is not an amount in yuan`,
		`day.csv:3 交易时间: "2026-11-32 09:00:00" is not a date and time like 2026-11-29 14:05:00`,
		`day.csv:4 交易类型: "预授权" is not a type this program knows (消费, 消费撤销, 退货, 冲正)`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(res.Lines) != 1 {
		t.Errorf("refused:\n%s\nlines %d", strings.Join(got, "\n"), len(res.Lines))
	}
	if _, err := Read(strings.NewReader("a,b\n1,2\n"), "x.csv", FormatAuto); err == nil || !strings.Contains(err.Error(), "no header row") {
		t.Errorf("a file with no statement header: %v", err)
	}
}

// fuzzRead feeds any bytes to one reader: it never panics, and what it keeps is a sale, void
// or refund with an amount, without control characters or a full card number in any field.
func fuzzRead(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("PK\x03\x04broken"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(bytes.NewReader(data), "f.csv", format)
		if err != nil {
			return
		}
		for _, l := range res.Lines {
			if l.Amount <= 0 || l.Kind.SubType() == "" || l.Row < 1 {
				t.Fatalf("%s: kept %+v", format, l)
			}
			for _, v := range []string{l.Card, l.Ref, l.Trace, l.Terminal, l.Batch, l.Merchant, l.OrderNo} {
				if strings.ContainsAny(v, "\x00\x1b") || model.ContainsCardNumber(v) {
					t.Fatalf("%s: kept a control character or a card number in %+v", format, l)
				}
			}
		}
	})
}

func FuzzReadAllinpay(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(allinpayCSV)
	fuzzRead(f, FormatAllinpay, allinpayCSV, gbk, "终端号,交易金额\n1,2\n")
}

func FuzzReadLeshua(f *testing.F) {
	fuzzRead(f, FormatLeshua, "BT|交易时间|交易金额(分)|交易类型|参考号|凭证号|终端号\nBV|2026-11-29 11:00:00|3000|消费|331000000003|000003|10250011\n",
		"BT,交易金额(分),参考号\nBV,*,1\n")
}

func FuzzReadWeChat(f *testing.F) {
	fuzzRead(f, FormatWeChat, "交易时间,终端号,参考号,交易金额\n`2026-11-29 10:00:00,`10250011,`331000000002,`20.00\n总交易单数\n`1\n")
}

func FuzzReadAuto(f *testing.F) {
	fuzzRead(f, FormatAuto, allinpayCSV, "BT|交易金额(分)|参考号\nBV|100|1\n", "`a,`b\n", "")
}

// TestReadWorkbook: an .xlsx statement is read like its CSV, by header names, with numbers as
// numbers; a broken workbook is refused whole, saying what to do.
func TestReadWorkbook(t *testing.T) {
	x := excelize.NewFile()
	rows := [][]any{
		{"交易日期", "交易时间", "终端号", "交易批次号", "凭证号", "参考号", "交易类型", "交易金额"},
		{"2026-11-29", "14:05:00", "10250011", "000001", "000123", "123456789012", "消费", 1288},
		{"合计", "", "", "", "", "", "", 1288},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := Read(bytes.NewReader(buf.Bytes()), "day.xlsx", FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 1 || res.Lines[0].Amount != 128800 || res.Lines[0].Ref != "123456789012" || res.Skipped != 1 {
		t.Fatalf("%+v", res)
	}
	if _, err := Read(bytes.NewReader([]byte("PK\x03\x04broken")), "bad.xlsx", FormatAuto); err == nil || !strings.Contains(err.Error(), "not a readable workbook") {
		t.Errorf("a broken workbook: %v", err)
	}
}

// TestReadMapped: another acquirer's statement through a mapping file, by header names or,
// for a file without a header (扫呗 lcsw's), by column numbers with amounts in fen.
func TestReadMapped(t *testing.T) {
	byName, err := ReadMapping(strings.NewReader(`
amount = "yuan"
[columns]
terminal_no = "终端编号"
pos_trace_no = "流水"
trade_amount = "金额"
date = "日期"
time = "时间"
type = "类型"
[types]
"POS消费" = "sale"
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ReadMapped(strings.NewReader("终端编号,流水,金额,日期,时间,类型\n10250011,000123,12.50,2026-11-29,09:00:00,POS消费\n"), "x.csv", FormatMap, byName)
	if err != nil || len(res.Lines) != 1 || res.Lines[0].Amount != 1250 || res.Lines[0].Trace != "000123" {
		t.Fatalf("by name: %+v %v", res, err)
	}
	lcsw, err := ReadMapping(strings.NewReader("amount = \"fen\"\n[columns]\nbank_shop_no = 1\nterminal_no = 2\ntime = 3\ntrade_amount = 5\ntrade_ref_no = 8\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err = ReadMapped(strings.NewReader("858000000000001,10250011,2026-11-29 09:00:00,,3300,0,0,331000000009\n"), "lcsw.txt", FormatMap, lcsw)
	if err != nil || len(res.Lines) != 1 || res.Lines[0].Amount != 3300 || res.Lines[0].Ref != "331000000009" || res.Lines[0].Row != 1 {
		t.Fatalf("by number: %+v %v", res, err)
	}
	for text, want := range map[string]string{
		"[columns]\ntrade_amount = 1\n":                                     "at least one of",
		"[columns]\ntrade_amount = 1\nterminal_no = \"终端\"\n":               "not both",
		"[columns]\ntrade_amont = 1\nterminal_no = 2\n":                     "columns.trade_amont",
		"amount = \"jiao\"\n[columns]\ntrade_amount = 1\nterminal_no = 2\n": "use \"yuan\" or \"fen\"",
		"colums = 1\n": "unknown key",
	} {
		if _, err := ReadMapping(strings.NewReader(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mapping %q: %v, want %q", text, err, want)
		}
	}
}

func FuzzReadMapped(f *testing.F) {
	byName, err := ReadMapping(strings.NewReader("[columns]\nterminal_no = \"终端编号\"\ntrade_amount = \"金额\"\ntime = \"时间\"\n"))
	if err != nil {
		f.Fatal(err)
	}
	byNumber, err := ReadMapping(strings.NewReader("amount = \"fen\"\nseparator = \"|\"\n[columns]\nterminal_no = 2\ntime = 3\ntrade_amount = 5\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("终端编号,金额,时间\n10250011,12.50,2026-11-29 09:00:00\n"))
	f.Add([]byte("1|10250011|2026-11-29 09:00:00||3300\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []*Mapping{byName, byNumber} {
			res, err := ReadMapped(bytes.NewReader(data), "m.csv", FormatMap, m)
			if err != nil {
				continue
			}
			for _, l := range res.Lines {
				if l.Amount <= 0 || l.Kind.SubType() == "" || model.ContainsCardNumber(l.Terminal+" "+l.Ref+" "+l.Trace) {
					t.Fatalf("kept %+v", l)
				}
			}
		}
	})
}

func FuzzReadMapping(f *testing.F) {
	f.Add("amount = \"fen\"\n[columns]\nterminal_no = 2\ntrade_amount = 5\n")
	f.Add("[columns]\ntrade_amount = \"金额\"\nterminal_no = \"终端\"\n[types]\nX = \"sale\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ReadMapping(strings.NewReader(text))
		if err != nil {
			return
		}
		// an accepted mapping reads any text without panicking
		_, _ = ReadMapped(strings.NewReader("a,b,c\n1,2,3\n"), "x", FormatMap, m)
	})
}
