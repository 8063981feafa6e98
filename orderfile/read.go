// Package orderfile is banksale's file format for orders, both ways: the API's 27 fields as the
// columns of a CSV file with a header row, the objects of a JSON array, or JSON Lines. Reading
// turns every row into a model.Draft (text, exactly as the file had it) and says which row it
// came from; validation is model's job and journaling is storage's. Writing is what
// `banksale export` produces and `banksale import` reads back.
//
// Amounts stay text all the way: a JSON number is kept as the literal the file holds
// (json.Number), never converted through a float.
package orderfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"banksale/model"
)

// Row is one record of a file.
type Row struct {
	// N is where the record is in the file, the number a person looks for: for CSV the
	// line the record starts on, for JSON Lines the line, for a JSON array the element's
	// position counted from 1.
	N     int
	Draft model.Draft
	// Err is set when this record could not be read into a Draft (an unknown field, a value
	// that is an object, a line that is not JSON). Other rows are still read.
	Err error
}

// RowError is a problem that stops reading a file, at row N (a broken CSV quote, a JSON
// array that is cut off). Nothing after it can be trusted, so the caller should journal
// nothing from that file.
type RowError struct {
	N   int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.N, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// Format is a file's layout.
type Format int

const (
	FormatUnknown Format = iota
	FormatCSV
	FormatJSON      // one JSON array of objects
	FormatJSONLines // one object per line
)

func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatJSON:
		return "json"
	case FormatJSONLines:
		return "jsonl"
	}
	return "unknown"
}

var bom = []byte("\xef\xbb\xbf")

// Detect decides a file's format from its name and its first bytes. A .json file may hold
// an array or one object per line, so the content decides there; an unknown extension is
// sniffed the same way and taken as CSV when it starts with neither '[' nor '{'.
func Detect(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return FormatCSV
	case ".jsonl", ".ndjson":
		return FormatJSONLines
	}
	head = bytes.TrimPrefix(head, bom)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) > 0 {
		switch head[0] {
		case '[':
			return FormatJSON
		case '{':
			return FormatJSONLines
		}
	}
	return FormatCSV
}

// Read reads r in format f and calls fn for every record in order. It stops at the first
// error fn returns (returned as is) or at a *RowError.
func Read(r io.Reader, f Format, fn func(Row) error) error {
	switch f {
	case FormatCSV:
		return ReadCSV(r, fn)
	case FormatJSON:
		return ReadJSON(r, fn)
	case FormatJSONLines:
		return ReadJSONLines(r, fn)
	}
	return fmt.Errorf("orderfile: unknown format %d", f)
}

// ReadCSV reads a CSV file whose first record names the columns with the API's field names
// (order_id, trade_amount, …), in any order and any subset. A UTF-8 byte order mark, as
// spreadsheet programs write it, is ignored.
func ReadCSV(r io.Reader, fn func(Row) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	var cr *csv.Reader
	cr = csv.NewReader(&boundedReader{r: br, slack: 8 << 10, consumed: func() int64 { return cr.InputOffset() }})
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &RowError{N: 1, Err: errors.New("the file is empty: the first line must name the columns (order_id, trade_amount, …)")}
	}
	if isTooLarge(err) {
		return &RowError{N: 1, Err: err}
	}
	if err != nil {
		return &RowError{N: csvLine(err, 1), Err: fmt.Errorf("header: %w", err)}
	}
	if cr.InputOffset() > MaxRecord {
		return &RowError{N: 1, Err: errTooLarge}
	}
	names := make([]string, len(header))
	seen := make(map[string]bool, len(header))
	check := make(map[string]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			return &RowError{N: 1, Err: fmt.Errorf("header: column %d has no name", i+1)}
		}
		if seen[h] {
			return &RowError{N: 1, Err: fmt.Errorf("header: column %q appears twice", h)}
		}
		seen[h] = true
		names[i] = h
		check[h] = ""
	}
	// An unknown column would refuse every row; say it once, about the header.
	if _, err := model.DraftFromFields(check); err != nil {
		return &RowError{N: 1, Err: fmt.Errorf("header: %w", err)}
	}
	fields := make(map[string]string, len(names))
	last := 1
	// next is the line after the last record read, where a record too large to read starts.
	next := 2 + strings.Count(header[len(header)-1], "\n")
	end := cr.InputOffset()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if isTooLarge(err) {
			return &RowError{N: max(next, last+1), Err: err}
		}
		if len(rec) > 0 {
			line, _ := cr.FieldPos(len(rec) - 1)
			next = line + 1 + strings.Count(rec[len(rec)-1], "\n")
			start := end
			if end = cr.InputOffset(); end-start > MaxRecord {
				first, _ := cr.FieldPos(0)
				return &RowError{N: first, Err: errTooLarge}
			}
		}
		if err != nil {
			if errors.Is(err, csv.ErrFieldCount) && len(rec) > 0 {
				line, _ := cr.FieldPos(0)
				// The record itself was read whole: refuse this row only.
				if line <= last {
					line = last + 1
				}
				last = line
				if err := fn(Row{N: line, Err: fmt.Errorf("has %d values, the header names %d columns", len(rec), len(names))}); err != nil {
					return err
				}
				continue
			}
			n := csvLine(err, last+1)
			if n <= last {
				n = last + 1
			}
			return &RowError{N: n, Err: err}
		}
		line, _ := cr.FieldPos(0)
		if line <= last {
			line = last + 1
		}
		last = line
		for i, v := range rec {
			fields[names[i]] = FromSpreadsheetText(v)
		}
		// Text that is not UTF-8 (a spreadsheet in China often saves CSV as GBK) and NUL bytes
		// go through as they are: the order's validation refuses them naming the field.
		row := Row{N: line}
		row.Draft, row.Err = model.DraftFromFields(fields)
		if err := fn(row); err != nil {
			return err
		}
	}
}

// csvLine is the line a csv error points at, or def when it has none.
func csvLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine > 0 {
			return pe.StartLine
		}
		if pe.Line > 0 {
			return pe.Line
		}
	}
	return def
}

// ReadJSON reads one JSON array of objects. A file holding objects one per line instead is
// read as JSON Lines.
func ReadJSON(r io.Reader, fn func(Row) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return &RowError{N: 1, Err: errors.New("the file is empty: expected a JSON array of orders")}
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			_, _ = br.Discard(1)
			continue
		}
		if b[0] == '{' {
			return ReadJSONLines(br, fn)
		}
		break
	}
	var dec *json.Decoder
	dec = json.NewDecoder(&boundedReader{r: br, slack: MaxRecord + 4<<10, consumed: func() int64 { return dec.InputOffset() }})
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return &RowError{N: 1, Err: fmt.Errorf("not JSON: %w", err)}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &RowError{N: 1, Err: errors.New("expected a JSON array of orders ([ {…}, {…} ]) or one object per line")}
	}
	n := 0
	for dec.More() {
		n++
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if isTooLarge(err) || err == nil && len(raw) > MaxRecord {
			return &RowError{N: n, Err: errTooLarge}
		}
		if err != nil {
			return &RowError{N: n, Err: fmt.Errorf("element %d is not valid JSON: %w", n, err)}
		}
		if err := fn(rowOf(n, raw)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return &RowError{N: n + 1, Err: fmt.Errorf("the array is not closed: %w", err)}
	}
	// Anything after the array is a second document nobody meant to leave out.
	if _, err := dec.Token(); err != io.EOF {
		return &RowError{N: n + 1, Err: errors.New("unexpected text after the array")}
	}
	return nil
}

// ReadJSONLines reads one JSON object per line; blank lines are skipped (but counted, so row
// numbers are line numbers). A line that is not an object is refused alone.
func ReadJSONLines(r io.Reader, fn func(Row) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			if len(long) > MaxRecord {
				return &RowError{N: line + 1, Err: errTooLarge}
			}
			continue
		}
		if err != nil && err != io.EOF {
			return &RowError{N: line + 1, Err: err}
		}
		text := chunk
		if long != nil {
			long = append(long, chunk...)
			text = long
		}
		if len(text) > 0 || err == nil {
			line++
			if line == 1 {
				text = bytes.TrimPrefix(text, bom)
			}
			text = bytes.TrimSpace(text)
			if len(text) > MaxRecord {
				return &RowError{N: line, Err: errTooLarge}
			}
			if len(text) > 0 {
				if ferr := fn(rowOf(line, text)); ferr != nil {
					return ferr
				}
			}
		}
		long = long[:0]
		if err == io.EOF {
			return nil
		}
	}
}

// jv is one JSON value read as text (see text); set says the key was present.
type jv string

func (v *jv) UnmarshalJSON(b []byte) error {
	s, err := text(b)
	*v = jv(s)
	return err
}

// jsonRow has a field per API field name. Decoding into a struct is several times faster
// than into a map, which matters at 100,000 rows a file; a test keeps the tags equal to
// model.DTOFields. (encoding/json matches keys without regard to case, as the CSV header does.)
type jsonRow struct {
	OrderID         jv `json:"order_id"`
	OriginalOrderID jv `json:"original_order_id"`
	SequenceNo      jv `json:"sequence_no"`
	PaymentChannel  jv `json:"payment_channel"`
	CardNo          jv `json:"card_no"`
	TradeTime       jv `json:"trade_time"`
	SaleType        jv `json:"sale_type"`
	SubSaleType     jv `json:"sub_sale_type"`
	TradeAmount     jv `json:"trade_amount"`
	BankCode        jv `json:"bank_code"`
	BankName        jv `json:"bank_name"`
	TerminalNo      jv `json:"terminal_no"`
	BankShopNo      jv `json:"bank_shop_no"`
	PosTraceNo      jv `json:"pos_trace_no"`
	BatchNo         jv `json:"batch_no"`
	TradeRefNo      jv `json:"trade_ref_no"`
	PayTypeNo       jv `json:"pay_type_no"`
	StoreNo         jv `json:"store_no"`
	EncrypteSummary jv `json:"encrypte_summary"`
	CommunicateType jv `json:"communicate_type"`
	OperateTime     jv `json:"operate_time"`
	Rback           jv `json:"rback"`
	Remark          jv `json:"remark"`
	ExtendParam     jv `json:"extend_param"`
	Cashier         jv `json:"cashier"`
	IP              jv `json:"ip"`
	MAC             jv `json:"mac"`
}

func (r *jsonRow) draft() model.Draft {
	return model.Draft{
		OrderID: string(r.OrderID), OriginalOrderID: string(r.OriginalOrderID), SequenceNo: string(r.SequenceNo),
		PaymentChannel: string(r.PaymentChannel), CardNo: string(r.CardNo), TradeTime: string(r.TradeTime),
		SaleType: string(r.SaleType), SubSaleType: string(r.SubSaleType), TradeAmount: string(r.TradeAmount),
		BankCode: string(r.BankCode), BankName: string(r.BankName), TerminalNo: string(r.TerminalNo),
		BankShopNo: string(r.BankShopNo), PosTraceNo: string(r.PosTraceNo), BatchNo: string(r.BatchNo),
		TradeRefNo: string(r.TradeRefNo), PayTypeNo: string(r.PayTypeNo), StoreNo: string(r.StoreNo),
		EncrypteSummary: string(r.EncrypteSummary), CommunicateType: string(r.CommunicateType),
		OperateTime: string(r.OperateTime), Rback: string(r.Rback), Remark: string(r.Remark),
		ExtendParam: string(r.ExtendParam), Cashier: string(r.Cashier), IP: string(r.IP), MAC: string(r.MAC),
	}
}

// rowOf turns one JSON object into a Row: the fast struct decoding first; when that fails,
// the slower map decoding finds out which field is wrong and says so.
func rowOf(n int, raw []byte) Row {
	var jr jsonRow
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if raw[0] == '{' && dec.Decode(&jr) == nil && !dec.More() {
		if _, err := dec.Token(); err == io.EOF {
			return Row{N: n, Draft: jr.draft()}
		}
	}
	return rowOfMap(n, raw)
}

func rowOfMap(n int, raw []byte) Row {
	row := Row{N: n}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			row.Err = errors.New("is not an object with the API's field names ({\"order_id\": …})")
		} else {
			row.Err = fmt.Errorf("is not valid JSON: %w", err)
		}
		return row
	}
	if obj == nil {
		row.Err = errors.New("is null, not an order")
		return row
	}
	fields := make(map[string]string, len(obj))
	for k, v := range obj {
		s, err := text(v)
		if err != nil {
			row.Err = fmt.Errorf("%s: %w", k, err)
			return row
		}
		fields[k] = s
	}
	row.Draft, row.Err = model.DraftFromFields(fields)
	return row
}

// text is a JSON value as the text a person would have typed: a string as is, a number as
// the exact literal the file holds (so 1250 fen stays "1250" and 12.5 stays "12.5" for the
// validator to refuse), null as absent.
func text(v json.RawMessage) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	switch c := v[0]; {
	case c == '"':
		if bytes.IndexByte(v, '\\') < 0 || !utf8.Valid(v) {
			// Not UTF-8: kept as it is (encoding/json would put U+FFFD in place of the bytes,
			// which is mojibake journaled) for the order's validation to refuse by field.
			return string(v[1 : len(v)-1]), nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(v), nil
	case c == 'n':
		return "", nil
	case c == 't' || c == 'f':
		return "", errors.New("true/false is not a value for this field")
	default:
		return "", errors.New("must be a string or a number, not an object or a list")
	}
}
