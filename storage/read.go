package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"banksale/model"
)

// The read queries, named so the plan test can check each one.
var (
	getSQL = "SELECT " + orderCols + " FROM orders WHERE order_id = ?"
	// original_order_id <> '' lets SQLite use the partial index orders_original.
	dependentSQL = "SELECT " + orderCols + " FROM orders WHERE original_order_id = ? AND original_order_id <> ''" +
		" AND status <> 'voided' AND order_id <> ? ORDER BY id"
	// The cross-order checks read sales, not payloads.
	relGetSQL = "SELECT " + orderColsNoPayload + " FROM orders WHERE order_id = ?"
	relDepSQL = "SELECT " + orderColsNoPayload + " FROM orders WHERE original_order_id = ? AND original_order_id <> ''" +
		" AND status <> 'voided' AND order_id <> ? ORDER BY id"
)

const (
	dupTraceSQL = `SELECT order_id FROM orders WHERE pos_trace_no = ? AND bank_shop_no = ? AND terminal_no = ?
		AND batch_no = ? AND order_id <> ? AND status <> 'voided' LIMIT 5`
	dupRefSQL = `SELECT order_id FROM orders WHERE trade_ref_no = ? AND trade_time >= ? AND trade_time < ?
		AND order_id <> ? AND status <> 'voided' LIMIT 5`
	dupSequenceSQL = `SELECT order_id FROM orders WHERE sequence_no = ? AND store_no = ? AND pay_type_no = ?
		AND sub_sale_type = ? AND order_id <> ? AND status <> 'voided' LIMIT 5`
	daySummarySQL = `SELECT payment_channel, sub_sale_type, status, trade_amount FROM orders
		WHERE trade_time >= ? AND trade_time < ?`
	attemptsSQL = `SELECT a.n, a.started_at, a.latency_us, a.outcome, a.class, a.code, a.sub_code, a.message,
		a.request_id, a.answer FROM orders o JOIN attempts a ON a.order_ref = o.id WHERE o.order_id = ? ORDER BY a.id`
	auditListSQL = `SELECT a.at, a.by, a.action, a.detail FROM orders o JOIN audit a ON a.order_ref = o.id
		WHERE o.order_id = ? ORDER BY a.id`
	nextOrderIDSQL = `SELECT order_id FROM orders WHERE order_id >= ? AND order_id <= ? ORDER BY order_id DESC`
	countsSQL      = "SELECT status, n FROM status_counts"
)

// Get returns one order, payload included, and for a sale what its voids and refunds did.
func (j *Journal) Get(ctx context.Context, orderID string) (model.Order, error) {
	o, err := scanOrder(j.r.QueryRowContext(ctx, getSQL, orderID), true)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Order{}, fmt.Errorf("storage: get %s: %w", orderID, model.ErrNotFound)
	}
	if err != nil {
		return model.Order{}, fmt.Errorf("storage: get %s: %w", orderID, err)
	}
	one := []model.Order{o}
	if err := j.fillRead(ctx, one); err != nil {
		return model.Order{}, fmt.Errorf("storage: get %s: %w", orderID, err)
	}
	return one[0], nil
}

// undoneSQL reads the live voids and refunds of up to maxUndoneBatch sales at once; the
// partial index orders_original serves it (hence original_order_id <> ”), and gives each
// sale's rows in rowid order, oldest first, with no sort.
const (
	undoneSQL = "SELECT original_order_id, order_id, sub_sale_type, trade_amount, status FROM orders" +
		" WHERE original_order_id <> '' AND status <> 'voided' AND original_order_id IN (%s)"
	maxUndoneBatch = 500
)

// fillUndone sets Undone on the sales among orders: one indexed read per page of orders, so a
// listing says on each sale whether it was voided or refunded.
func (j *Journal) fillUndone(ctx context.Context, orders []model.Order) error {
	at := map[string][]int{}
	var ids []any
	for i := range orders {
		if orders[i].SubSaleType != model.SubSale {
			continue
		}
		orders[i].Undone = model.Undone{}
		if _, seen := at[orders[i].OrderID]; !seen {
			ids = append(ids, orders[i].OrderID)
		}
		at[orders[i].OrderID] = append(at[orders[i].OrderID], i)
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), maxUndoneBatch)]
		ids = ids[len(batch):]
		q := fmt.Sprintf(undoneSQL, strings.TrimSuffix(strings.Repeat("?,", len(batch)), ","))
		rows, err := j.r.QueryContext(ctx, q, batch...)
		if err != nil {
			return fmt.Errorf("reading voids and refunds: %w", err)
		}
		for rows.Next() {
			var orig, sub, status string
			var c model.Correction
			var amount int64
			if err := rows.Scan(&orig, &c.OrderID, &sub, &amount, &status); err != nil {
				rows.Close()
				return fmt.Errorf("reading voids and refunds: %w", err)
			}
			c.Amount, c.Status = model.Amount(amount), model.Status(status)
			for _, i := range at[orig] {
				switch model.SubType(sub) {
				case model.SubVoid:
					cc := c
					orders[i].Undone.Void = &cc
				case model.SubRefund:
					orders[i].Undone.Refunds = append(orders[i].Undone.Refunds, c)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading voids and refunds: %w", err)
		}
	}
	return nil
}

// Related gathers an original sale and its live voids and refunds, for the form's checks. The
// binding check runs again inside Insert's transaction.
func (j *Journal) Related(ctx context.Context, originalID, excludeOrderID string) (model.Related, error) {
	conn, err := j.r.Conn(ctx)
	if err != nil {
		return model.Related{}, fmt.Errorf("storage: related %s: %w", originalID, err)
	}
	defer conn.Close()
	// One read transaction: the original and its dependents from the same snapshot.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return model.Related{}, fmt.Errorf("storage: related %s: %w", originalID, err)
	}
	defer tx.Rollback()
	get, err := tx.PrepareContext(ctx, relGetSQL)
	if err != nil {
		return model.Related{}, fmt.Errorf("storage: related %s: %w", originalID, err)
	}
	defer get.Close()
	dep, err := tx.PrepareContext(ctx, relDepSQL)
	if err != nil {
		return model.Related{}, fmt.Errorf("storage: related %s: %w", originalID, err)
	}
	defer dep.Close()
	rel, err := relatedWith(ctx, get, dep, originalID, excludeOrderID)
	if err != nil {
		return model.Related{}, fmt.Errorf("storage: related: %w", err)
	}
	return rel, nil
}

// Duplicates returns domain.md's duplicate warnings for s against the journal (s.OrderID
// itself and voided orders left out). Each query is an index seek on one selective column.
func (j *Journal) Duplicates(ctx context.Context, s model.Sale) (model.Issues, error) {
	var out model.Issues
	add := func(field, code, q string, args ...any) error {
		rows, err := j.r.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, model.Issue{Field: field, Severity: model.SevWarning, Code: code, Args: []string{id}})
		}
		return rows.Err()
	}
	if s.PosTraceNo != "" {
		if err := add("pos_trace_no", model.CodeDuplicateTrace, dupTraceSQL, s.PosTraceNo, s.BankShopNo, s.TerminalNo, s.BatchNo, s.OrderID); err != nil {
			return nil, fmt.Errorf("storage: duplicates: %w", err)
		}
	}
	if s.TradeRefNo != "" && !s.TradeTime.IsZero() {
		day := dayStart(s.TradeTime)
		if err := add("trade_ref_no", model.CodeDuplicateRef, dupRefSQL, s.TradeRefNo, ms(day), ms(day.AddDate(0, 0, 1)), s.OrderID); err != nil {
			return nil, fmt.Errorf("storage: duplicates: %w", err)
		}
	}
	if s.SequenceNo != "" {
		if err := add("sequence_no", model.CodeDuplicateSequence, dupSequenceSQL, s.SequenceNo, s.StoreNo, s.PayTypeNo, string(s.SubSaleType), s.OrderID); err != nil {
			return nil, fmt.Errorf("storage: duplicates: %w", err)
		}
	}
	return out, nil
}

// dayStart is midnight CST of t's CST date.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(model.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, model.CST)
}

// DaySummary sums the orders whose trade_time falls on day's CST date. Rows leave voided
// (locally cancelled) orders out; ByStatus counts every order.
func (j *Journal) DaySummary(ctx context.Context, day time.Time) (model.Summary, error) {
	start := dayStart(day)
	sum := model.Summary{Day: start, ByStatus: map[model.Status]int{}}
	for _, s := range allStatuses {
		sum.ByStatus[s] = 0
	}
	rows, err := j.r.QueryContext(ctx, daySummarySQL, ms(start), ms(start.AddDate(0, 0, 1)))
	if err != nil {
		return model.Summary{}, fmt.Errorf("storage: day summary: %w", err)
	}
	defer rows.Close()
	type key struct {
		c model.Channel
		t model.SubType
	}
	agg := map[key]*model.SummaryRow{}
	for rows.Next() {
		var ch, sub, st string
		var amt int64
		if err := rows.Scan(&ch, &sub, &st, &amt); err != nil {
			return model.Summary{}, fmt.Errorf("storage: day summary: %w", err)
		}
		sum.ByStatus[model.Status(st)]++
		if model.Status(st) == model.StatusVoided {
			continue
		}
		k := key{model.Channel(ch), model.SubType(sub)}
		r := agg[k]
		if r == nil {
			r = &model.SummaryRow{Channel: k.c, SubType: k.t}
			agg[k] = r
		}
		r.Count++
		r.Amount += model.Amount(amt)
		if k.t == model.SubSale {
			sum.Net += model.Amount(amt)
		} else {
			sum.Net -= model.Amount(amt)
		}
	}
	if err := rows.Err(); err != nil {
		return model.Summary{}, fmt.Errorf("storage: day summary: %w", err)
	}
	for _, r := range agg {
		sum.Rows = append(sum.Rows, *r)
	}
	sort.Slice(sum.Rows, func(a, b int) bool {
		x, y := sum.Rows[a], sum.Rows[b]
		return x.Channel < y.Channel || x.Channel == y.Channel && x.SubType < y.SubType
	})
	return sum, nil
}

// Attempts lists an order's attempts, first first.
func (j *Journal) Attempts(ctx context.Context, orderID string) ([]model.Attempt, error) {
	rows, err := j.r.QueryContext(ctx, attemptsSQL, orderID)
	if err != nil {
		return nil, fmt.Errorf("storage: attempts %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []model.Attempt
	for rows.Next() {
		a := model.Attempt{OrderID: orderID}
		var started, lat int64
		if err := rows.Scan(&a.N, &started, &lat, &a.Outcome, &a.Class, &a.Code, &a.SubCode, &a.Message, &a.RequestID, &a.Answer); err != nil {
			return nil, fmt.Errorf("storage: attempts %s: %w", orderID, err)
		}
		a.StartedAt = fromMS(started)
		a.Latency = time.Duration(lat) * time.Microsecond
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: attempts %s: %w", orderID, err)
	}
	return out, nil
}

// Audit lists an order's audit trail, oldest first.
func (j *Journal) Audit(ctx context.Context, orderID string) ([]model.AuditEntry, error) {
	rows, err := j.r.QueryContext(ctx, auditListSQL, orderID)
	if err != nil {
		return nil, fmt.Errorf("storage: audit %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []model.AuditEntry
	for rows.Next() {
		var e model.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.By, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("storage: audit %s: %w", orderID, err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: audit %s: %w", orderID, err)
	}
	return out, nil
}

// NextOrderID offers the next free generated order_id of a store, desk and day: store +
// yyyymmdd + desk code + a 4-digit sequence. It reserves nothing: Insert still refuses a taken one.
func (j *Journal) NextOrderID(ctx context.Context, storeNo, deskCode string, day time.Time) (string, error) {
	prefix := storeNo + day.In(model.CST).Format("20060102") + deskCode
	rows, err := j.r.QueryContext(ctx, nextOrderIDSQL, prefix+"0000", prefix+"9999")
	if err != nil {
		return "", fmt.Errorf("storage: next order id: %w", err)
	}
	defer rows.Close()
	next := 1
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", fmt.Errorf("storage: next order id: %w", err)
		}
		if len(id) != len(prefix)+4 {
			continue // a hand-typed id that only shares the prefix
		}
		if n, err := strconv.Atoi(id[len(prefix):]); err == nil {
			next = n + 1
			break
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("storage: next order id: %w", err)
	}
	if next > 9999 {
		return "", fmt.Errorf("storage: next order id: store %s has used all 9999 numbers of %s", storeNo, day.In(model.CST).Format("2006-01-02"))
	}
	return fmt.Sprintf("%s%04d", prefix, next), nil
}

// Backup writes a consistent copy of the journal to dest (which must not exist) with VACUUM
// INTO: never copy the live file, whose WAL may hold the newest sales. The copy is created
// readable by its owner alone, and checked like the journal itself (model.Health) before Backup
// says it is done: a copy that cannot be restored from is not a backup. A copy that fails is
// removed.
func (j *Journal) Backup(ctx context.Context, dest string) (err error) {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("storage: backup to %s: the file exists", dest)
	}
	if err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(dest)
		}
	}()
	// A connection of its own: the read pool's query_only refuses VACUUM INTO (it counts the
	// copy as a write), and the writer is the uploader's.
	src, err := sql.Open("sqlite", j.dsn(dsnParams))
	if err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	h, err := CheckFile(ctx, dest)
	if err != nil {
		return fmt.Errorf("storage: backup to %s: checking the copy: %w", dest, err)
	}
	if !h.OK() {
		return fmt.Errorf("storage: backup to %s: the copy is damaged (%s): the journal itself may be; run banksale check", dest, HealthSummary(h))
	}
	return nil
}
