package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"banksale/model"
)

// orderJSON is the --json shape of one order (list, show). Every key is always present, in
// this order, so scripts can rely on it; it is documented in the README. Amounts are integer
// fen as in the API; times are "yyyy-MM-dd HH:mm:ss" in China time, "" when unset.
type orderJSON struct {
	OrderID         string `json:"order_id"`
	Status          string `json:"status"`
	OriginalOrderID string `json:"original_order_id"`
	SequenceNo      string `json:"sequence_no"`
	PaymentChannel  string `json:"payment_channel"`
	CardNo          string `json:"card_no"`
	TradeTime       string `json:"trade_time"`
	SaleType        string `json:"sale_type"`
	SubSaleType     string `json:"sub_sale_type"`
	TradeAmount     int64  `json:"trade_amount"`
	BankCode        string `json:"bank_code"`
	BankName        string `json:"bank_name"`
	TerminalNo      string `json:"terminal_no"`
	BankShopNo      string `json:"bank_shop_no"`
	PosTraceNo      string `json:"pos_trace_no"`
	BatchNo         string `json:"batch_no"`
	TradeRefNo      string `json:"trade_ref_no"`
	PayTypeNo       int64  `json:"pay_type_no"`
	StoreNo         string `json:"store_no"`
	EncrypteSummary string `json:"encrypte_summary"`
	CommunicateType string `json:"communicate_type"`
	OperateTime     string `json:"operate_time"`
	Rback           string `json:"rback"`
	Remark          string `json:"remark"`
	ExtendParam     string `json:"extend_param"`
	Cashier         string `json:"cashier"`
	IP              string `json:"ip"`
	MAC             string `json:"mac"`

	Attempts      int    `json:"attempts"`
	NextAttemptAt string `json:"next_attempt_at"`
	LastCode      int    `json:"last_code"`
	LastSubCode   string `json:"last_sub_code"`
	LastMessage   string `json:"last_message"`
	RequestID     string `json:"request_id"`
	VoidReason    string `json:"void_reason"`
	CreatedAt     string `json:"created_at"`
	CreatedBy     string `json:"created_by"`
	UpdatedAt     string `json:"updated_at"`
	UpdatedBy     string `json:"updated_by"`
	LastClass     string `json:"last_class"`
}

func orderOf(o model.Order) orderJSON {
	s := o.Sale
	return orderJSON{
		OrderID: s.OrderID, Status: string(o.Status), OriginalOrderID: s.OriginalOrderID,
		SequenceNo: s.SequenceNo, PaymentChannel: string(s.PaymentChannel), CardNo: s.CardNo,
		TradeTime: model.FormatTime(s.TradeTime), SaleType: string(s.SaleType), SubSaleType: string(s.SubSaleType),
		TradeAmount: int64(s.TradeAmount), BankCode: s.BankCode, BankName: s.BankName,
		TerminalNo: s.TerminalNo, BankShopNo: s.BankShopNo, PosTraceNo: s.PosTraceNo, BatchNo: s.BatchNo,
		TradeRefNo: s.TradeRefNo, PayTypeNo: s.PayTypeNo, StoreNo: s.StoreNo, EncrypteSummary: s.EncrypteSummary,
		CommunicateType: string(s.CommunicateType), OperateTime: model.FormatTime(s.OperateTime), Rback: s.Rback,
		Remark: s.Remark, ExtendParam: s.ExtendParam, Cashier: s.Cashier, IP: s.IP, MAC: s.MAC,

		Attempts: o.Attempts, NextAttemptAt: model.FormatTime(o.NextAttemptAt), LastCode: o.LastCode,
		LastSubCode: o.LastSubCode, LastMessage: o.LastMessage, RequestID: o.RequestID, VoidReason: o.VoidReason,
		CreatedAt: model.FormatTime(o.CreatedAt), CreatedBy: o.CreatedBy,
		UpdatedAt: model.FormatTime(o.UpdatedAt), UpdatedBy: o.UpdatedBy, LastClass: o.LastClass,
	}
}

type attemptJSON struct {
	N         int    `json:"n"`
	StartedAt string `json:"started_at"`
	LatencyMS int64  `json:"latency_ms"`
	Outcome   string `json:"outcome"`
	Class     string `json:"class"`
	Code      int    `json:"code"`
	SubCode   string `json:"sub_code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Answer    string `json:"answer"`
}

type auditJSON struct {
	At     string `json:"at"`
	By     string `json:"by"`
	Action string `json:"action"`
	Detail string `json:"detail"`
}

type showJSON struct {
	Order    orderJSON     `json:"order"`
	Attempts []attemptJSON `json:"attempts"`
	Audit    []auditJSON   `json:"audit"`
}

func fmtTime(t time.Time) string { return model.FormatTime(t) }

// writeJSON writes v as one line of --json output.
func writeJSON(w *bufio.Writer, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteString("\n")
	return nil
}

// marshal is json.Marshal without HTML escaping (a remark "A&B" stays readable), no newline,
// and inert wherever it is shown: encoding/json escapes C0 controls and replaces invalid UTF-8,
// and inertJSON escapes what it leaves raw.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return inertJSON(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// inertJSON escapes, as \uXXXX, the characters encoding/json writes raw that a terminal or an
// editor acts on: C1 controls (U+0080–U+009F; U+009B starts an escape sequence on many
// terminals) and the bidirectional marks and overrides (U+061C, U+200E/F, U+202A–U+202E,
// U+2066–U+2069), which can show a text in another order than it has. The value is unchanged
// for any JSON reader. Outside strings JSON has no such characters, so b can be scanned whole.
func inertJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if actsOnDisplay(r) {
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func actsOnDisplay(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r == 0x61c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// createNew creates an output file that must not exist yet (an export or workbook never
// overwrites one), readable by its owner alone: it holds sales.
func createNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s already exists: name a new file (nothing is written over)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return f, nil
}
