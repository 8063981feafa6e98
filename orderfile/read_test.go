package orderfile

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

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
	if len(rows) != 4 || rows[1].Err == nil || rows[1].N != 3 || rows[0].Err != nil || rows[2].Err != nil {
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
	long := strings.Repeat("x", 60_000)
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
		if r.Err == nil {
			// What validation accepts from a row is clean text within its bounds.
			s, is := r.Draft.Build(model.Rules{AmountInFen: true})
			if !is.HasErrors() {
				for k, v := range model.DraftOf(s).Fields() {
					if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || model.MaxLen(k) > 0 && utf8.RuneCountInString(v) > model.MaxLen(k) {
						t.Fatalf("row %d: %s = %q accepted", r.N, k, v)
					}
				}
			}
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

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return int(k), nil
}

// TestRecordTooLarge: a record over MaxRecord is refused with its row in every format, whether
// just over the limit or 200 MB long, and reading the long one takes little memory (it took
// over a gigabyte).
func TestRecordTooLarge(t *testing.T) {
	type file struct {
		f                    Format
		before, open, finish string
		row                  int
	}
	for _, c := range []file{
		{FormatCSV, "order_id,remark\nA1,ok\n\"A2\",\"two\nlines\"\n", "A3,\"", "\"\nA4,ok\n", 5},
		{FormatCSV, "order_id,remark\nA1,ok\n", "A2,", "\nA3,ok\n", 3},
		{FormatJSON, "[{\"order_id\":\"A1\"},\n", "{\"order_id\":\"A2\",\"remark\":\"", "\"},{\"order_id\":\"A3\"}]", 2},
		{FormatJSONLines, "{\"order_id\":\"A1\"}\n\n", "{\"order_id\":\"A3\",\"remark\":\"", "\"}\n{\"order_id\":\"A4\"}\n", 3},
	} {
		for _, size := range []int64{MaxRecord, 200 << 20} {
			in := io.MultiReader(strings.NewReader(c.before+c.open), &repeatReader{c: 'x', n: size}, strings.NewReader(c.finish))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var rows []Row
			err := Read(in, c.f, func(r Row) error { rows = append(rows, r); return nil })
			runtime.ReadMemStats(&after)
			var re *RowError
			if !errors.As(err, &re) || re.N != c.row || !strings.Contains(err.Error(), "larger than 64 KiB") {
				t.Errorf("%s, %d bytes: err = %v, want the size refused at row %d", c.f, size, err, c.row)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("%s, %d bytes: reading allocated %d KiB", c.f, size, alloc>>10)
			}
		}
	}
	// Just under the limit is read.
	rows, err := readAll(t, FormatCSV, "order_id,remark\nA1,"+strings.Repeat("x", MaxRecord-10)+"\n")
	if err != nil || len(rows) != 1 || len(rows[0].Draft.Remark) != MaxRecord-10 {
		t.Errorf("a record just under the limit: %v, %d rows", err, len(rows))
	}
}

// TestBrokenTextRefusedByField: a value that is not UTF-8 (a GBK file) or holds a NUL byte is
// refused naming its row and field in every format, never journaled as mojibake or shortened.
func TestBrokenTextRefusedByField(t *testing.T) {
	gbk := "\xb9\xcb\xbf\xcd\xcd\xcb\xbb\xf5" // 顾客退货 in GBK
	for _, c := range []struct {
		f  Format
		in string
	}{
		{FormatCSV, "order_id,remark\nA1,ok\nA2," + gbk + "\nA\x003,ok\n"},
		{FormatJSON, "[{\"order_id\":\"A1\",\"remark\":\"ok\"},\n{\"order_id\":\"A2\",\"remark\":\"" + gbk + "\"},\n{\"order_id\":\"A\\u00003\",\"remark\":\"ok\"}]"},
		{FormatJSONLines, "{\"order_id\":\"A1\",\"remark\":\"ok\"}\n{\"order_id\":\"A2\",\"remark\":\"" + gbk + "\"}\n{\"order_id\":\"A\\u00003\",\"remark\":\"ok\"}\n"},
	} {
		rows, err := readAll(t, c.f, c.in)
		if err != nil || len(rows) != 3 {
			t.Fatalf("%s: %v %+v", c.f, err, rows)
		}
		want := []struct{ field, code string }{{"", ""}, {model.FieldRemark, "text.not_utf8"}, {model.FieldOrderID, "text.nul"}}
		for i, r := range rows {
			if r.Err != nil {
				t.Fatalf("%s row %d: %v", c.f, r.N, r.Err)
			}
			_, is := r.Draft.Build(model.Rules{})
			found := want[i].code == ""
			for _, e := range is.Errors() {
				if e.Code == "text.not_utf8" || e.Code == "text.nul" {
					found = found || e.Field == want[i].field && e.Code == want[i].code
					if want[i].code == "" {
						t.Errorf("%s row %d: %v", c.f, r.N, e)
					}
				}
			}
			if !found {
				t.Errorf("%s row %d: want %s on %s, got %v", c.f, r.N, want[i].code, want[i].field, is)
			}
		}
	}
}
