package storage

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"banksale/model"
)

// saleColumns are the API's fields in the API's table order: the journal's columns carry the
// API's names.
var saleColumns = model.DTOFields

var stateColumns = []string{
	"id", "status", "attempts", "next_attempt_at", "lease_until", "last_code", "last_sub_code",
	"last_message", "request_id", "void_reason", "created_at", "created_by", "updated_at", "updated_by",
	"maybe_at_gateway", "waiting_since", "last_class",
}

// orderCols is the select list scanOrder reads (payload and its sum last, so lists can leave
// them out).
var (
	orderColsNoPayload = strings.Join(append(append([]string{}, saleColumns...), stateColumns...), ", ")
	orderCols          = orderColsNoPayload + ", payload, payload_sum"
)

// payloadSum is what payload_sum holds for a frozen payload.
func payloadSum(p []byte) []byte {
	sum := sha256.Sum256(p)
	return sum[:]
}

// payloadIntact reports whether a frozen payload still has the sum taken when it was frozen. A
// payload not frozen yet, or frozen by an older banksale and not yet summed, has nothing to
// check against.
func payloadIntact(p, sum []byte) bool {
	return len(p) == 0 || sum == nil || bytes.Equal(payloadSum(p), sum)
}

// tailColumns hold the searched numbers upper-cased and reversed (migration 0006), written
// with every sale, in searchColumns' order.
var tailColumns = []string{"tail_order_id", "tail_sequence_no", "tail_pos_trace_no", "tail_trade_ref_no"}

// tailArgs are s's tail columns.
func tailArgs(s model.Sale) []any {
	return []any{SearchTail(s.OrderID), SearchTail(s.SequenceNo), SearchTail(s.PosTraceNo), SearchTail(s.TradeRefNo)}
}

// SearchTail is v as its tail column keeps it, and a typed tail as it is looked up: upper-cased
// and reversed, so a tail is a prefix.
func SearchTail(v string) string {
	r := []rune(strings.ToUpper(v))
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// saleArgs are s's values in saleColumns order.
func saleArgs(s model.Sale) []any {
	return []any{
		s.OrderID, s.OriginalOrderID, s.SequenceNo, string(s.PaymentChannel), s.CardNo, ms(s.TradeTime),
		string(s.SaleType), string(s.SubSaleType), int64(s.TradeAmount), s.BankCode, s.BankName, s.TerminalNo,
		s.BankShopNo, s.PosTraceNo, s.BatchNo, s.TradeRefNo, s.PayTypeNo, s.StoreNo,
		s.EncrypteSummary, string(s.CommunicateType), msZero(s.OperateTime), s.Rback, s.Remark, s.ExtendParam,
		s.Cashier, s.IP, s.MAC,
	}
}

// msZero keeps a zero time as 0 so it reads back as the zero time.
func msZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMSZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

type rowScanner interface{ Scan(dest ...any) error }

func scanOrder(sc rowScanner, withPayload bool) (model.Order, error) {
	var (
		o                                    model.Order
		s                                    = &o.Sale
		channel, saleType, subType, commType string
		tradeTime, operateTime, amount       int64
		status                               string
		next, lease                          sql.NullInt64
		createdAt, updatedAt, waitingSince   int64
	)
	dest := []any{
		&s.OrderID, &s.OriginalOrderID, &s.SequenceNo, &channel, &s.CardNo, &tradeTime,
		&saleType, &subType, &amount, &s.BankCode, &s.BankName, &s.TerminalNo,
		&s.BankShopNo, &s.PosTraceNo, &s.BatchNo, &s.TradeRefNo, &s.PayTypeNo, &s.StoreNo,
		&s.EncrypteSummary, &commType, &operateTime, &s.Rback, &s.Remark, &s.ExtendParam,
		&s.Cashier, &s.IP, &s.MAC,
		&o.ID, &status, &o.Attempts, &next, &lease, &o.LastCode, &o.LastSubCode,
		&o.LastMessage, &o.RequestID, &o.VoidReason, &createdAt, &o.CreatedBy, &updatedAt, &o.UpdatedBy,
		&o.MaybeAtGateway, &waitingSince, &o.LastClass,
	}
	var sum []byte
	if withPayload {
		dest = append(dest, &o.Payload, &sum)
	}
	if err := sc.Scan(dest...); err != nil {
		return model.Order{}, err
	}
	o.PayloadDamaged = !payloadIntact(o.Payload, sum)
	s.PaymentChannel = model.Channel(channel)
	s.SaleType = model.SaleType(saleType)
	s.SubSaleType = model.SubType(subType)
	s.CommunicateType = model.CommType(commType)
	s.TradeTime = fromMS(tradeTime)
	s.OperateTime = fromMSZero(operateTime)
	s.TradeAmount = model.Amount(amount)
	o.Status = model.Status(status)
	o.NextAttemptAt = fromNullMS(next)
	o.LeaseUntil = fromNullMS(lease)
	o.CreatedAt = fromMS(createdAt)
	o.UpdatedAt = fromMS(updatedAt)
	o.WaitingSince = fromMSZero(waitingSince)
	return o, nil
}

func scanOrders(rows *sql.Rows, withPayload bool) ([]model.Order, error) {
	defer rows.Close()
	var out []model.Order
	for rows.Next() {
		o, err := scanOrder(rows, withPayload)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// sameContent reports whether two sales say the same thing. The fields the program fills at
// entry (operate_time, cashier, ip, mac) are left out: re-importing a file a day later must
// find its orders identical, not conflicting.
func sameContent(a, b model.Sale) bool {
	norm := func(s model.Sale) model.Sale {
		s.OperateTime, s.Cashier, s.IP, s.MAC = time.Time{}, "", "", ""
		s.TradeTime = time.UnixMilli(s.TradeTime.UnixMilli()).UTC()
		return s
	}
	return norm(a) == norm(b)
}

// checkSale refuses what must never reach the file, whatever the caller validated, and what
// could never be sent. The payload itself is frozen only at the first claim (see freeze):
// encoding here just refuses, at entry, an order the uploader could not encode.
func checkSale(s model.Sale) error {
	if strings.TrimSpace(s.OrderID) == "" {
		return fmt.Errorf("order_id is empty")
	}
	if s.CardNo != "" && !model.IsMaskedCard(s.CardNo) {
		return fmt.Errorf("order %s: card_no is not masked", s.OrderID)
	}
	if s.TradeTime.IsZero() {
		return fmt.Errorf("order %s: trade_time is empty", s.OrderID)
	}
	if f := s.CardNumberFields(); len(f) > 0 {
		// Not the order_id in this message: it may be the field that holds the number.
		return fmt.Errorf("an order's %s holds a card number", strings.Join(f, ", "))
	}
	if _, err := s.MarshalDTO(); err != nil {
		return fmt.Errorf("order %s: encode: %w", s.OrderID, err)
	}
	return nil
}
