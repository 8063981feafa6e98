package orderfile

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"banksale/model"
)

func readAll(t testing.TB, f Format, in string) ([]Row, error) {
	t.Helper()
	var rows []Row
	err := Read(strings.NewReader(in), f, func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

func TestCSV(t *testing.T) {
	in := "\xef\xbb\xbfOrder_ID, trade_amount ,card_no,remark\r\n" +
		"A1,1250,6222021234567890123,\"two\nlines\"\r\n" +
		"\r\n" +
		"A2,99,622202******0123,\r\n"
	rows, err := readAll(t, FormatCSV, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows = %d, want 2", len(rows))
	}
	if rows[0].N != 2 || rows[1].N != 5 {
		t.Errorf("row numbers = %d, %d; want the records' lines 2, 5", rows[0].N, rows[1].N)
	}
	d := rows[0].Draft
	if d.OrderID != "A1" || d.TradeAmount != "1250" || d.CardNo != "6222021234567890123" || d.Remark != "two\nlines" {
		t.Errorf("draft = %+v", d)
	}
	if rows[1].Draft.CardNo != "622202******0123" {
		t.Errorf("masked card = %q", rows[1].Draft.CardNo)
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	for name, in := range map[string]string{
		"unknown":   "order_id,amount\nA,1\n",
		"duplicate": "order_id,order_id\nA,B\n",
		"empty":     "",
		"blank":     "order_id,\nA,1\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readAll(t, FormatCSV, in)
			var re *RowError
			if !errors.As(err, &re) || re.N != 1 {
				t.Fatalf("err = %v, want a RowError at row 1", err)
			}
		})
	}
}

func TestCSVRowProblems(t *testing.T) {
	in := "order_id,trade_amount\nA,1\nB\nC,3\nD,\xff\n"
	rows, err := readAll(t, FormatCSV, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[1].Err == nil || rows[1].N != 3 || rows[3].Err == nil || rows[0].Err != nil || rows[2].Err != nil {
		t.Fatalf("rows = %+v", rows)
	}
	// A broken quote stops the file, naming the line.
	_, err = readAll(t, FormatCSV, "order_id,remark\nA,ok\nB,\"open\nC,x\n")
	var re *RowError
	if !errors.As(err, &re) || re.N != 3 {
		t.Fatalf("err = %v, want a RowError at row 3", err)
	}
}

func TestJSONArray(t *testing.T) {
	in := ` [
	  {"order_id": "A1", "trade_amount": 1250, "pay_type_no": "1", "remark": null},
	  {"order_id": 12345678901234567890, "trade_amount": 12.50},
	  [1,2],
	  {"order_id": "A4", "colour": "red"},
	  {"order_id": "A5", "trade_amount": true},
	  {"order_id": "A\u00e96", "trade_amount": "99"}
	]`
	rows, err := readAll(t, FormatJSON, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("rows = %d", len(rows))
	}
	for i, r := range rows {
		if r.N != i+1 {
			t.Errorf("row %d has N %d", i, r.N)
		}
	}
	if d := rows[0].Draft; rows[0].Err != nil || d.TradeAmount != "1250" || d.PayTypeNo != "1" || d.Remark != "" {
		t.Errorf("row 1 = %+v", rows[0])
	}
	// Numbers keep their literal: no float ever sees an amount or a long id.
	if d := rows[1].Draft; d.OrderID != "12345678901234567890" || d.TradeAmount != "12.50" {
		t.Errorf("row 2 = %+v", d)
	}
	for _, i := range []int{2, 3, 4} {
		if rows[i].Err == nil {
			t.Errorf("row %d: no error", i+1)
		}
	}
	if rows[5].Draft.OrderID != "Aé6" {
		t.Errorf("escaped string = %q", rows[5].Draft.OrderID)
	}
}

func TestJSONArrayBroken(t *testing.T) {
	for in, want := range map[string]int{
		`[{"order_id":"A"}, {"order_id":`: 2,
		`[{"order_id":"A"}`:               2,
		`{"order_id":"A"} x`:              1, // read as JSON Lines: a bad line is a row error, not fatal
		`"just a string"`:                 1,
		`[{"order_id":"A"}] [`:            2,
	} {
		rows, err := readAll(t, FormatJSON, in)
		var re *RowError
		if errors.As(err, &re) {
			if re.N != want {
				t.Errorf("%q: error at row %d, want %d", in, re.N, want)
			}
			continue
		}
		if len(rows) == 0 || rows[len(rows)-1].Err == nil || rows[len(rows)-1].N != want {
			t.Errorf("%q: rows %+v err %v", in, rows, err)
		}
	}
}

func TestJSONLines(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	in := "\xef\xbb\xbf{\"order_id\":\"A1\",\"trade_amount\":100}\r\n\n" +
		"not json\n" +
		"{\"order_id\":\"A4\",\"remark\":\"" + long + "\"}\n" +
		"{\"order_id\":\"A5\"}"
	rows, err := readAll(t, FormatJSONLines, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 3, 4, 5}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v", rows)
	}
	for i, r := range rows {
		if r.N != want[i] {
			t.Errorf("row %d: N = %d, want %d", i, r.N, want[i])
		}
	}
	if rows[0].Draft.TradeAmount != "100" || rows[1].Err == nil || len(rows[2].Draft.Remark) != len(long) || rows[3].Draft.OrderID != "A5" {
		t.Errorf("rows = %+v", rows)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       Format
	}{
		{"a.csv", "[", FormatCSV},
		{"a.jsonl", "[", FormatJSONLines},
		{"a.json", " \n[{", FormatJSON},
		{"a.json", "{\"a\":1}\n", FormatJSONLines},
		{"-", "\xef\xbb\xbf[", FormatJSON},
		{"x", "order_id,trade_amount", FormatCSV},
	} {
		if got := Detect(c.name, []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.name, c.head, got, c.want)
		}
	}
}

// checkRows is what every reader promises whatever the input: no panic, rows in increasing
// order, every problem naming a row.
func checkRows(t *testing.T, f Format, data []byte) {
	last := 0
	err := Read(bytes.NewReader(data), f, func(r Row) error {
		if r.N <= last {
			t.Fatalf("row %d after row %d", r.N, last)
		}
		last = r.N
		if r.Err != nil && r.Err.Error() == "" {
			t.Fatalf("row %d: empty error", r.N)
		}
		return nil
	})
	if err != nil {
		var re *RowError
		if !errors.As(err, &re) || re.N < 1 {
			t.Fatalf("error names no row: %v", err)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("order_id,trade_amount,card_no\nA,1250,6222021234567890123\n"))
	f.Add([]byte("\xef\xbb\xbforder_id,remark\r\n\"A\",\"x\"\"y\"\r\nB\n"))
	f.Add([]byte("order_id,remark\nA,\"open\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) { checkRows(t, FormatCSV, data) })
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`[{"order_id":"A","trade_amount":1250},{"order_id":1}]`))
	f.Add([]byte("{\"order_id\":\"A\"}\n{\"trade_amount\":\"12\"}\nbad\n"))
	f.Add([]byte(`[{"order_id":"A"},`))
	f.Add([]byte(`[1, null, {"remark":"\u0000"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRows(t, FormatJSON, data)
		checkRows(t, FormatJSONLines, data)
	})
}

func TestJSONRowFieldsAreTheAPIFields(t *testing.T) {
	rt := reflect.TypeOf(jsonRow{})
	var tags []string
	for i := range rt.NumField() {
		tags = append(tags, rt.Field(i).Tag.Get("json"))
	}
	if !slices.Equal(tags, model.DTOFields) {
		t.Errorf("jsonRow tags %v\n!= model.DTOFields %v", tags, model.DTOFields)
	}
	// Every field reaches the Draft.
	var jr jsonRow
	rv := reflect.ValueOf(&jr).Elem()
	for i := range rv.NumField() {
		rv.Field(i).SetString(tags[i])
	}
	d := jr.draft()
	fields := map[string]string{}
	for _, f := range tags {
		fields[f] = f
	}
	want, err := model.DraftFromFields(fields)
	if err != nil || d != want {
		t.Errorf("draft %+v\nwant %+v (%v)", d, want, err)
	}
}

// FuzzJSONRow checks the fast struct decoding against the map decoding it stands in for:
// whatever the fast path accepts, the map path reads to the same Draft (unless a key differs
// only in case, which the fast path forgives).
func FuzzJSONRow(f *testing.F) {
	f.Add([]byte(`{"order_id":"A","trade_amount":1250,"remark":null}`))
	f.Add([]byte(`{"order_id":"A","order_id":"B"}`))
	f.Add([]byte(`{"Order_ID":"A"}`))
	f.Add([]byte(`{"\u006frder_id":"\ud83d\ude00"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) == 0 {
			return
		}
		fast := rowOf(1, raw)
		slow := rowOfMap(1, raw)
		if slow.Err == nil && (fast.Err != nil || fast.Draft != slow.Draft) {
			t.Fatalf("map path %+v, fast path %+v", slow, fast)
		}
		if fast.Err == nil && slow.Err != nil && !strings.Contains(slow.Err.Error(), "unknown") {
			t.Fatalf("fast path accepted what the map path refuses: %v", slow.Err)
		}
	})
}
