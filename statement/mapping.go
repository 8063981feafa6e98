package statement

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/BurntSushi/toml"

	"banksale/model"
)

// FormatMap is a statement of any other acquirer, read through a mapping file.
const FormatMap Format = "map"

// Mapping says where an acquirer's statement keeps each field, for --format map --map FILE:
// by header name, or for a file without a header by column number (from 1).
type Mapping struct {
	// Columns maps banksale's names (terminal_no, batch_no, pos_trace_no, trade_ref_no,
	// card_no, trade_amount, type, date, time, bank_shop_no, order_no, channel) to a header
	// name ("终端编号") or a column number (3).
	Columns map[string]any `toml:"columns"`
	// Amount is "yuan" (the default) or "fen".
	Amount string `toml:"amount"`
	// Separator is the field separator of a text file: "," (the default), "|" or "\t".
	Separator string `toml:"separator"`
	// Types maps further words of the statement's type column to sale, void, refund,
	// reversal or other.
	Types map[string]string `toml:"types"`
}

// mapNames are the names a mapping's columns use.
var mapNames = map[string]column{
	"bank_shop_no": colMerchant, "terminal_no": colTerminal, "batch_no": colBatch, "pos_trace_no": colTrace,
	"trade_ref_no": colRef, "card_no": colCard, "trade_amount": colAmount, "type": colType, "date": colDate,
	"time": colTime, "order_no": colOrderNo, "channel": colPayMethod,
}

// maxMapping bounds a mapping file: a few dozen lines.
const maxMapping = 64 << 10

// ReadMapping reads a mapping file and checks it names what reconcile needs: an amount, and a
// terminal, trace or reference number to match by.
func ReadMapping(r io.Reader) (*Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMapping+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMapping {
		return nil, errors.New("over 64 KiB: not a mapping file")
	}
	var m Mapping
	md, err := toml.Decode(string(data), &m)
	if err != nil {
		return nil, err
	}
	if un := md.Undecoded(); len(un) > 0 {
		return nil, fmt.Errorf("%s: unknown key (a typo?): the keys are columns, amount, separator and types", un[0])
	}
	var amount, key bool
	var names, numbers int
	for name, v := range m.Columns {
		c, ok := mapNames[name]
		if !ok {
			return nil, fmt.Errorf("columns.%s: not a field banksale reads; use one of terminal_no, batch_no, pos_trace_no, trade_ref_no, card_no, trade_amount, type, date, time, bank_shop_no, order_no, channel", name)
		}
		switch v := v.(type) {
		case string:
			names++
			if strings.TrimSpace(v) == "" {
				return nil, fmt.Errorf("columns.%s: empty header name", name)
			}
		case int64:
			numbers++
			if v < 1 || v > 200 {
				return nil, fmt.Errorf("columns.%s: column %d: number the columns from 1", name, v)
			}
		default:
			return nil, fmt.Errorf("columns.%s: write a header name in quotes or a column number", name)
		}
		amount = amount || c == colAmount
		key = key || c == colTerminal || c == colTrace || c == colRef
	}
	if names > 0 && numbers > 0 {
		return nil, errors.New("columns: give header names or column numbers, not both")
	}
	if !amount || !key {
		return nil, errors.New("columns: name trade_amount and at least one of terminal_no, pos_trace_no, trade_ref_no")
	}
	switch m.Amount {
	case "", "yuan", "fen":
	default:
		return nil, fmt.Errorf("amount = %q: use \"yuan\" or \"fen\"", m.Amount)
	}
	switch m.Separator {
	case "", ",", "|", "\t", ";":
	default:
		return nil, fmt.Errorf("separator = %q: use \",\", \"|\", \";\" or \"\\t\"", m.Separator)
	}
	for word, k := range m.Types {
		switch model.StatementKind(k) {
		case model.StatementSale, model.StatementVoid, model.StatementRefund, model.StatementReversal, model.StatementOther:
		default:
			return nil, fmt.Errorf("types.%s = %q: use sale, void, refund, reversal or other", word, k)
		}
	}
	return &m, nil
}

// byNumber reports whether the mapping places columns by number (a file without a header).
func (m *Mapping) byNumber() bool {
	for _, v := range m.Columns {
		if _, ok := v.(int64); ok {
			return true
		}
	}
	return false
}

// mapped reads a statement through its mapping: the header row is the first that holds every
// mapped name, or, with column numbers, every row is a trade.
func (rd *reader) mapped(text string, m *Mapping) error {
	sep := m.Separator
	if sep == "" {
		sep = ","
	}
	fen := m.Amount == "fen"
	amountCol := colAmount
	if fen {
		amountCol = colAmountFen
	}
	var cols []column
	if m.byNumber() {
		for name, v := range m.Columns {
			n := int(v.(int64))
			for len(cols) < n {
				cols = append(cols, colNone)
			}
			c := mapNames[name]
			if c == colAmount {
				c = amountCol
			}
			cols[n-1] = c
		}
	}
	rd.types = m.Types
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		row := i + 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		rec := strings.Split(l, sep)
		for k := range rec {
			rec[k] = strings.TrimSpace(strings.Trim(strings.TrimSpace(rec[k]), "`\""))
		}
		if cols == nil {
			cols = headerByMapping(rec, m, amountCol)
			continue
		}
		if isSummary(rec, len(cols)) {
			rd.res.Skipped++
			continue
		}
		rd.line(row, rec, cols, fen)
	}
	if cols == nil {
		return fmt.Errorf("%s: no row holds every header name the mapping gives: check its [columns]", rd.file)
	}
	return nil
}

// headerByMapping reads rec as the header when it holds every name the mapping gives.
func headerByMapping(rec []string, m *Mapping, amountCol column) []column {
	cols := make([]column, len(rec))
	found := 0
	for name, v := range m.Columns {
		for k, cell := range rec {
			if cell == v.(string) {
				c := mapNames[name]
				if c == colAmount {
					c = amountCol
				}
				cols[k] = c
				found++
				break
			}
		}
	}
	if found < len(m.Columns) {
		return nil
	}
	return cols
}
