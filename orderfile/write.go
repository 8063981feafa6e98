package orderfile

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"banksale/model"
)

// Columns are the CSV header: the API's field names in the API's order.
var Columns = model.DTOFields

// Fields is s as text in Columns order, amounts in fen: what a CSV row holds.
func Fields(s model.Sale) []string {
	pay := ""
	if s.PayTypeNo != 0 {
		pay = strconv.FormatInt(s.PayTypeNo, 10)
	}
	return []string{
		s.OrderID, s.OriginalOrderID, s.SequenceNo, string(s.PaymentChannel), s.CardNo,
		model.FormatTime(s.TradeTime), string(s.SaleType), string(s.SubSaleType), strconv.FormatInt(int64(s.TradeAmount), 10), s.BankCode,
		s.BankName, s.TerminalNo, s.BankShopNo, s.PosTraceNo, s.BatchNo,
		s.TradeRefNo, pay, s.StoreNo, s.EncrypteSummary, string(s.CommunicateType),
		model.FormatTime(s.OperateTime), s.Rback, s.Remark, s.ExtendParam, s.Cashier, s.IP, s.MAC,
	}
}

// numericColumn marks the columns written from integers, which a spreadsheet should read as
// numbers: they never start with a sign, and an apostrophe would turn them into text.
var numericColumn = func() []bool {
	m := make([]bool, len(Columns))
	for i, c := range Columns {
		m[i] = c == model.FieldTradeAmount || c == model.FieldPayTypeNo
	}
	return m
}()

// SpreadsheetText is v as a CSV cell that a spreadsheet shows as text and never runs: a value
// starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP's advice
// on CSV injection), so a remark like =cmd|' /C calc'!A0 stays words. A value that itself starts
// with an apostrophe gets one too, so that FromSpreadsheetText gives back exactly v.
func SpreadsheetText(v string) string {
	if v != "" && strings.IndexByte(formulaStart+"'", v[0]) >= 0 {
		return "'" + v
	}
	return v
}

// FromSpreadsheetText undoes SpreadsheetText: it removes exactly the apostrophe it adds, and
// leaves any other value, including one a person began with an apostrophe, as it is.
func FromSpreadsheetText(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.IndexByte(formulaStart+"'", v[1]) >= 0 {
		return v[1:]
	}
	return v
}

const formulaStart = "=+-@\t\r"

// Writer writes sales in one of the formats Read reads back: CSV with a header row, or a JSON
// array in the API's own encoding (the bytes that are uploaded). Close ends the file.
type Writer struct {
	f   Format
	bw  *bufio.Writer
	cw  *csv.Writer
	n   int
	err error
}

// NewWriter starts a file of format f (FormatCSV or FormatJSON) on w.
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	ow := &Writer{f: f, bw: bufio.NewWriterSize(w, 64<<10)}
	switch f {
	case FormatCSV:
		ow.cw = csv.NewWriter(ow.bw)
		ow.err = ow.cw.Write(Columns)
	case FormatJSON:
		_, ow.err = ow.bw.WriteString("[")
	default:
		return nil, fmt.Errorf("orderfile: cannot write %s", f)
	}
	return ow, ow.err
}

// Write adds one sale.
func (w *Writer) Write(s model.Sale) error {
	if w.err != nil {
		return w.err
	}
	switch w.f {
	case FormatCSV:
		vals := Fields(s)
		for i, v := range vals {
			if !numericColumn[i] {
				vals[i] = SpreadsheetText(v)
			}
		}
		w.err = w.cw.Write(vals)
	case FormatJSON:
		b, err := s.MarshalDTO()
		if err != nil {
			w.err = fmt.Errorf("order %s: %w", s.OrderID, err)
			return w.err
		}
		if w.n > 0 {
			w.bw.WriteString(",")
		}
		w.bw.WriteString("\n")
		_, w.err = w.bw.Write(b)
	}
	w.n++
	return w.err
}

// Close ends the file and flushes it; it does not close the io.Writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	switch w.f {
	case FormatCSV:
		w.cw.Flush()
		w.err = w.cw.Error()
	case FormatJSON:
		if w.n > 0 {
			w.bw.WriteString("\n")
		}
		w.bw.WriteString("]\n")
	}
	if err := w.bw.Flush(); w.err == nil {
		w.err = err
	}
	return w.err
}
