// Package statement reads acquirers' statements (对账单) and reconciles a day's journal with
// them. Statements come from bank portals: GBK is normal, as are UTF-8 with or without a BOM,
// backtick-prefixed cells, title/value record markers and trailing summary rows. Columns are
// found by their header names, never by position alone, and amounts in the unit the format
// or the header says.
package statement

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"banksale/model"
)

// Format is a statement's layout.
type Format string

const (
	FormatAuto     Format = "auto"
	FormatAllinpay Format = "allinpay" // 通联: CSV with one header row, amounts in yuan
	FormatLeshua   Format = "leshua"   // 乐刷: BT title and BV value records, amounts in fen, * for none
	FormatWeChat   Format = "wechat"   // every cell prefixed with a backtick, summary rows at the end
)

// Formats are the formats a person may name (FormatMap with a mapping).
var Formats = []Format{FormatAuto, FormatAllinpay, FormatLeshua, FormatWeChat}

// MaxFile bounds a statement file: a busy store's month of card sales is well under 10 MB.
const MaxFile = 64 << 20

// Refusal is one statement line not kept, and why: "FILE:ROW field: reason".
type Refusal struct {
	File   string
	Row    int
	Field  string
	Reason string
}

func (r Refusal) Error() string {
	if r.Field == "" {
		return fmt.Sprintf("%s:%d: %s", r.File, r.Row, r.Reason)
	}
	return fmt.Sprintf("%s:%d %s: %s", r.File, r.Row, r.Field, r.Reason)
}

// Result is what reading one statement gave.
type Result struct {
	Format  Format
	Lines   []model.StatementLine
	Refused []Refusal
	Skipped int // summary rows and lines that are not a sale, a void or a refund (冲正, 退货中)
}

// Read reads one statement. name is the file's name (lines are keyed by its base name). A full
// card number on a statement is masked before it leaves Read.
func Read(r io.Reader, name string, f Format) (Result, error) { return ReadMapped(r, name, f, nil) }

// ReadMapped is Read with a mapping, which --format map needs.
func ReadMapped(r io.Reader, name string, f Format, m *Mapping) (Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFile+1))
	if err != nil {
		return Result{}, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFile {
		return Result{}, fmt.Errorf("%s is over %d MB: not a day's statement; split it by day", name, MaxFile>>20)
	}
	rd := reader{file: filepath.Base(name)}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		// a workbook (.xlsx), as bank portals also give: its first sheet is read like a CSV
		recs, err := workbookRows(data)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		if f == "" || f == FormatAuto || f == FormatWeChat {
			f = FormatAllinpay
		}
		rd.res.Format = f
		return rd.res, rd.records(recs, f)
	}
	text, err := decode(data)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if f == "" || f == FormatAuto {
		f = detect(text)
	}
	rd.res.Format = f
	switch f {
	case FormatMap:
		if m == nil {
			return Result{}, errors.New("--format map needs --map FILE, the mapping of this acquirer's columns")
		}
		err = rd.mapped(text, m)
	case FormatLeshua:
		err = rd.leshua(text)
	case FormatAllinpay, FormatWeChat:
		err = rd.table(text, f)
	default:
		return Result{}, fmt.Errorf("unknown statement format %q: use %v", f, Formats)
	}
	return rd.res, err
}

// decode makes text of a statement: UTF-8 (a BOM dropped) when it is valid UTF-8, else GBK
// (GB18030, its superset), which bank portals commonly write.
func decode(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", errors.New("neither UTF-8 nor GBK: save it from the bank portal again, or as UTF-8")
	}
	return string(out), nil
}

// detect tells the format from the text: BT/BV records are Leshua's, backtick cells the
// WeChat-style bill's, anything else a headed CSV.
func detect(text string) Format {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "BT") || strings.HasPrefix(l, "BV") {
			return FormatLeshua
		}
		if strings.Count(l, "`") >= 2 {
			return FormatWeChat
		}
	}
	return FormatAllinpay
}

// column is what a header names.
type column int

const (
	colNone column = iota
	colMerchant
	colTerminal
	colBatch
	colTrace
	colRef
	colCard
	colAmount
	colAmountFen
	colType
	colDate
	colTime
	colOrderNo
	colPayMethod
)

// headerNames are the names acquirers give each column (read with spaces and units like
// "(元)" removed); an amount header that says 分 is in fen.
var headerNames = map[string]column{
	"商户号": colMerchant, "商户编号": colMerchant,
	"终端号": colTerminal, "终端编号": colTerminal, "设备号": colTerminal,
	"交易批次号": colBatch, "批次号": colBatch,
	"凭证号": colTrace, "终端流水号": colTrace, "流水号": colTrace, "pos流水号": colTrace,
	"参考号": colRef, "检索参考号": colRef, "系统参考号": colRef,
	"卡号": colCard, "交易卡号": colCard,
	"交易金额": colAmount, "订单金额": colAmount,
	"交易类型": colType,
	"交易日期": colDate,
	"交易时间": colTime,
	"交易单号": colOrderNo,
	"支付方式": colPayMethod,
}

// header reads a header cell: its column, and whether its amount is in fen.
func header(cell string) (column, bool) {
	h := strings.ToLower(strings.TrimSpace(strings.Trim(cell, "`\ufeff")))
	fen := strings.Contains(h, "分)") || strings.Contains(h, "分）")
	for _, u := range []string{"(分)", "（分）", "(元)", "（元）", " "} {
		h = strings.ReplaceAll(h, u, "")
	}
	c := headerNames[h]
	if c == colAmount && fen {
		c = colAmountFen
	}
	return c, fen
}

type reader struct {
	file  string
	res   Result
	types map[string]string // a mapping's further type words
}

func (rd *reader) refuse(row int, field, format string, args ...any) {
	rd.res.Refused = append(rd.res.Refused, Refusal{File: rd.file, Row: row, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// table reads a headed CSV (Allinpay, WeChat-style): the header is the first row that names a
// terminal or reference and an amount; rows before it are titles, rows after it that do not
// have its width, or start with a total, are summaries.
func (rd *reader) table(text string, f Format) error {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var recs [][]string
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rd.refuse(row, "", "not readable as CSV (%v)", err)
			rec = nil // keeps the row count: the next rows keep their numbers
		}
		recs = append(recs, rec)
	}
	return rd.records(recs, f)
}

// records reads the rows of a headed table, numbered from 1.
func (rd *reader) records(recs [][]string, f Format) error {
	var cols []column
	for i, rec := range recs {
		row := i + 1
		if rec == nil {
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rec[i]), "`"))
		}
		if cols == nil {
			if c, ok := headerRow(rec); ok {
				cols = c
			}
			continue
		}
		if isSummary(rec, len(cols)) {
			rd.res.Skipped++
			continue
		}
		rd.line(row, rec, cols, false) // yuan, unless the header says 分
	}
	if cols == nil {
		return fmt.Errorf("%s: no header row naming 终端号/参考号 and 交易金额: not a %s statement; name the format with --format", rd.file, f)
	}
	return nil
}

// headerRow reads a row as a header when it names an amount and a terminal or a reference.
func headerRow(rec []string) ([]column, bool) {
	cols := make([]column, len(rec))
	var amount, key bool
	for i, cell := range rec {
		c, _ := header(cell)
		cols[i] = c
		amount = amount || c == colAmount || c == colAmountFen
		key = key || c == colTerminal || c == colRef || c == colTrace
	}
	return cols, amount && key
}

// isSummary reports whether a row after the header is a total, not a trade.
func isSummary(rec []string, width int) bool {
	if len(rec) == 0 || len(rec) == 1 && rec[0] == "" {
		return true
	}
	first := rec[0]
	for _, p := range []string{"总", "合计", "汇总", "共计", "#"} {
		if strings.HasPrefix(first, p) {
			return true
		}
	}
	return len(rec) < width/2
}

// leshua reads BT (title) and BV (value) records: each BV is read by the last BT's names.
// Fields are separated by "|", a tab or a comma, whichever the title uses; amounts are in fen.
func (rd *reader) leshua(text string) error {
	var cols []column
	sep := ","
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		row := i + 1
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "BT"):
			sep = pickSep(l)
			cells := strings.Split(l, sep)[1:]
			cols = make([]column, len(cells))
			for k, c := range cells {
				cols[k], _ = header(c)
				if cols[k] == colAmount {
					cols[k] = colAmountFen // Leshua's amounts are in fen
				}
			}
		case strings.HasPrefix(l, "BV"):
			if cols == nil {
				rd.refuse(row, "", "a value record (BV) before any title record (BT)")
				continue
			}
			rd.line(row, strings.Split(l, sep)[1:], cols, true)
		case l == "":
		default:
			rd.res.Skipped++ // other records: totals, file headers
		}
	}
	if cols == nil {
		return fmt.Errorf("%s: no title record (BT): not a Leshua statement; name the format with --format", rd.file)
	}
	return nil
}

func pickSep(l string) string {
	best, n := ",", 0
	for _, s := range []string{"|", "\t", ","} {
		if c := strings.Count(l, s); c > n {
			best, n = s, c
		}
	}
	return best
}

// MaxField bounds one cell: no statement field is near it.
const MaxField = 64

// line reads one trade into a statement line, or refuses it naming the field.
func (rd *reader) line(row int, rec []string, cols []column, fen bool) {
	get := map[column]string{}
	for i, c := range cols {
		if c == colNone || i >= len(rec) {
			continue
		}
		v := rec[i]
		if v == "*" || v == "-" {
			v = "" // the field does not apply
		}
		get[c] = v
	}
	for _, c := range cols {
		v := get[c]
		if utf8.RuneCountInString(v) > MaxField || strings.ContainsRune(v, 0) {
			rd.refuse(row, colName(c), "longer than %d characters or holds a NUL: not a statement value", MaxField)
			return
		}
		if c != colCard {
			// a card number in any other column (an acquirer's long order number may look
			// like one) keeps only its first six and last four, as everywhere in banksale
			get[c], _ = model.HideCardNumbers(v)
		}
	}
	l := model.StatementLine{File: rd.file, Row: row, Merchant: model.Clean(get[colMerchant]),
		Terminal: model.Clean(get[colTerminal]), Batch: model.Clean(get[colBatch]), Trace: model.Clean(get[colTrace]),
		Ref: model.Clean(get[colRef]), OrderNo: model.Clean(get[colOrderNo])}
	kind, ok := kindOf(get[colType])
	if k, mapped := rd.types[strings.TrimSpace(get[colType])]; mapped {
		kind, ok = model.StatementKind(k), true
	}
	if !ok {
		rd.refuse(row, "交易类型", "%q is not a type this program knows (消费, 消费撤销, 退货, 冲正)", model.Clean(get[colType]))
		return
	}
	if kind == model.StatementReversal || kind == model.StatementOther {
		rd.res.Skipped++
		return
	}
	l.Kind = kind
	amount, fenCol := get[colAmount], false
	if v, ok := get[colAmountFen]; ok {
		amount, fenCol = v, true
	}
	a, err := parseAmount(amount, fen || fenCol)
	if err != nil {
		rd.refuse(row, "交易金额", "%v", err)
		return
	}
	l.Amount = a
	t, err := parseWhen(get[colDate], get[colTime])
	if err != nil {
		rd.refuse(row, "交易时间", "%v", err)
		return
	}
	l.TradeTime = t
	if card := get[colCard]; card != "" {
		l.Card = maskCard(card)
	}
	switch strings.TrimSpace(get[colPayMethod]) {
	case "3", "刷卡", "银行卡":
		l.Channel = model.ChannelBankCard
	case "11", "云闪付":
		l.Channel = model.ChannelQuickPass
	}
	if l.Terminal == "" && l.Ref == "" && l.Trace == "" {
		rd.refuse(row, "终端号", "no terminal, trace or reference number: nothing to match it by")
		return
	}
	rd.res.Lines = append(rd.res.Lines, l)
}

// kindOf reads a type cell. An empty type is a sale (statements that list sales only).
func kindOf(v string) (model.StatementKind, bool) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" || v == "消费" || v == "消费成功" || strings.EqualFold(v, "sale"):
		return model.StatementSale, true
	case strings.Contains(v, "冲正"):
		return model.StatementReversal, true
	case strings.Contains(v, "撤销"):
		return model.StatementVoid, true
	case v == "退货" || v == "退款" || v == "退货成功" || v == "退款成功" || strings.EqualFold(v, "refund"):
		return model.StatementRefund, true
	case strings.HasPrefix(v, "退货") || strings.HasPrefix(v, "退款"):
		return model.StatementOther, true // 退货中, 退货失败: no money has moved back
	}
	return "", false
}

// parseAmount reads an amount in yuan ("1,288.00") or in fen ("128800"); a refund written
// negative is read as its size.
func parseAmount(v string, fen bool) (model.Amount, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "-")
	v = strings.TrimPrefix(v, "¥")
	if v == "" {
		return 0, errors.New("empty: every trade has an amount")
	}
	if fen {
		if !allDigits(v) || len(v) > 12 {
			return 0, fmt.Errorf("%q is not a whole number of fen", v)
		}
		var n int64
		for _, r := range v {
			n = n*10 + int64(r-'0')
		}
		if n == 0 {
			return 0, errors.New("zero")
		}
		return model.Amount(n), nil
	}
	a, err := model.ParseAmount(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount in yuan", v)
	}
	if a <= 0 {
		return 0, errors.New("zero")
	}
	return a, nil
}

// parseWhen reads the trade's time from a date column and a time column (either may hold
// both), in China time.
func parseWhen(date, clock string) (time.Time, error) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	s := strings.TrimSpace(date + " " + clock)
	if len(clock) > 10 { // the time column holds date and time
		s = clock
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "20060102 150405", "20060102150405", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, model.CST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time like 2026-11-29 14:05:00", s)
}

// maskCard keeps a card number as the journal does: first six and last four. A number already
// masked is kept as it is.
func maskCard(v string) string {
	var d []rune
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, r)
		case r == '*' || r == 'x' || r == 'X':
			d = append(d, '*')
		}
	}
	if len(d) < 10 {
		return ""
	}
	out := make([]rune, len(d))
	for i, r := range d {
		if i >= 6 && i < len(d)-4 {
			r = '*'
		}
		out[i] = r
	}
	return string(out)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// colNames name each column in a refusal, as Allinpay's header does.
var colNames = map[column]string{colMerchant: "商户号", colTerminal: "终端号", colBatch: "交易批次号",
	colTrace: "凭证号", colRef: "参考号", colCard: "卡号", colAmount: "交易金额", colAmountFen: "交易金额",
	colType: "交易类型", colDate: "交易日期", colTime: "交易时间", colOrderNo: "交易单号", colPayMethod: "支付方式"}

func colName(c column) string { return colNames[c] }

// Bounds of a workbook: a statement's sheet is far below them; a zip bomb is not.
const (
	maxUnzipped    = 256 << 20
	maxUnzippedXML = 64 << 20
)

// workbookRows are the rows of a workbook's first sheet, as text.
func workbookRows(data []byte) ([][]string, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedXML})
	if err != nil {
		return nil, fmt.Errorf("not a readable workbook (%v): save it from the bank portal again, or as CSV", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("the workbook has no sheet")
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("reading the workbook's first sheet: %w", err)
	}
	return rows, nil
}
