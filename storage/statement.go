package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"banksale/model"
)

// statementBatch is how many lines one INSERT writes: one statement per line spent most of an
// import's time in the driver.
const statementBatch = 64

// statementInsertSQL inserts n lines, skipping any whose file and row are kept already.
func statementInsertSQL(n int) string {
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	return "INSERT INTO statement_lines (file, row, kind, trade_time, amount, channel, merchant, terminal_no, batch_no," +
		" pos_trace_no, trade_ref_no, card_no, order_no, imported_at, imported_by) VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " ON CONFLICT (file, row) DO NOTHING"
}

const (
	statementAnySQL   = "SELECT 1 FROM statement_lines LIMIT 1"
	statementByKeySQL = `SELECT file, row, kind, trade_time, amount, channel, merchant, terminal_no, batch_no,
		pos_trace_no, trade_ref_no, card_no, order_no FROM statement_lines
		WHERE pos_trace_no IN (%[1]s) OR trade_ref_no IN (%[1]s)`
	statementDaySQL = `SELECT file, row, kind, trade_time, amount, channel, merchant, terminal_no, batch_no,
		pos_trace_no, trade_ref_no, card_no, order_no FROM statement_lines
		WHERE trade_time >= ? AND trade_time < ? ORDER BY trade_time, file, row`
)

// ImportStatement keeps statement lines, in one transaction; a line whose file and row are
// already kept is skipped, so importing a file again changes nothing. It returns how many
// were new.
func (j *Journal) ImportStatement(ctx context.Context, lines []model.StatementLine, by string) (_ int, err error) {
	defer markDiskFull(&err)
	w, err := j.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: statement import: %w", err)
	}
	defer w.rollback()
	now, n := ms(w.now), 0
	var full *sql.Stmt // the statement of a whole batch, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, statementBatch*15)
	for start := 0; start < len(lines); start += statementBatch {
		batch := lines[start:min(len(lines), start+statementBatch)]
		args = args[:0]
		for _, l := range batch {
			args = append(args, l.File, l.Row, string(l.Kind), ms(l.TradeTime), int64(l.Amount), string(l.Channel),
				l.Merchant, l.Terminal, l.Batch, l.Trace, l.Ref, l.Card, l.OrderNo, now, by)
		}
		var res sql.Result
		if len(batch) == statementBatch {
			if full == nil {
				if full, err = w.tx.PrepareContext(ctx, statementInsertSQL(statementBatch)); err != nil {
					return 0, fmt.Errorf("storage: statement import: %w", err)
				}
			}
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = w.tx.ExecContext(ctx, statementInsertSQL(len(batch)), args...)
		}
		if err != nil {
			return 0, fmt.Errorf("storage: statement import %s…: %w", batch[0].Where(), err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if err := w.commit(); err != nil {
		return 0, fmt.Errorf("storage: statement import: %w", err)
	}
	return n, nil
}

// StatementDay is the statement lines whose trade time falls on day (China time).
func (j *Journal) StatementDay(ctx context.Context, day time.Time) ([]model.StatementLine, error) {
	from := dayStart(day)
	rows, err := j.r.QueryContext(ctx, statementDaySQL, ms(from), ms(from.AddDate(0, 0, 1)))
	if err != nil {
		return nil, fmt.Errorf("storage: statement day: %w", err)
	}
	out, err := scanStatementLines(rows)
	if err != nil {
		return nil, fmt.Errorf("storage: statement day: %w", err)
	}
	return out, nil
}

// fillDisagrees compares the orders not yet at head office (pending, retrying, rejected) with
// the statement lines that match them, and says where they differ: one indexed read per page,
// none while no statement was imported.
func (j *Journal) fillDisagrees(ctx context.Context, orders []model.Order) error {
	var keys []any
	var open []int
	for i, o := range orders {
		switch o.Status {
		case model.StatusPending, model.StatusRetrying, model.StatusRejected:
		default:
			continue
		}
		open = append(open, i)
		for _, k := range []string{o.PosTraceNo, o.TradeRefNo} {
			if k != "" {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var one int
	if err := j.r.QueryRowContext(ctx, statementAnySQL).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return fmt.Errorf("reading the statement: %w", err)
	}
	keys = keys[:min(len(keys), 400)]
	rows, err := j.r.QueryContext(ctx, fmt.Sprintf(statementByKeySQL, placeholders(len(keys))), append(keys, keys...)...)
	if err != nil {
		return fmt.Errorf("reading the statement: %w", err)
	}
	lines, err := scanStatementLines(rows)
	if err != nil {
		return fmt.Errorf("reading the statement: %w", err)
	}
	for _, i := range open {
		for _, l := range lines {
			if model.StatementMatches(orders[i], l) {
				orders[i].StatementLine = l.Where()
				orders[i].Disagrees = model.CompareStatement(orders[i], l)
				break
			}
		}
	}
	return nil
}

func scanStatementLines(rows *sql.Rows) ([]model.StatementLine, error) {
	defer rows.Close()
	var out []model.StatementLine
	for rows.Next() {
		var l model.StatementLine
		var kind, channel string
		var at, amount int64
		if err := rows.Scan(&l.File, &l.Row, &kind, &at, &amount, &channel, &l.Merchant, &l.Terminal, &l.Batch,
			&l.Trace, &l.Ref, &l.Card, &l.OrderNo); err != nil {
			return nil, err
		}
		l.Kind, l.Channel, l.Amount = model.StatementKind(kind), model.Channel(channel), model.Amount(amount)
		l.TradeTime = time.UnixMilli(at).In(model.CST)
		out = append(out, l)
	}
	return out, rows.Err()
}

// statementFindSQL are the entry form's look-ups: lines whose reference or trace number
// starts with what was typed, or of the amount typed, newest first.
var statementFindSQL = map[string]string{
	model.FieldTradeRefNo:  "trade_ref_no >= ? AND trade_ref_no < ?",
	model.FieldPosTraceNo:  "pos_trace_no >= ? AND pos_trace_no < ?",
	model.FieldTradeAmount: "amount = ?",
}

// StatementFind is up to limit statement lines the value typed in a field points at: a
// reference or trace number by its start, an amount (fen, in decimal digits) exactly. Each is one index range.
func (j *Journal) StatementFind(ctx context.Context, field, value string, limit int) ([]model.StatementLine, error) {
	cond, ok := statementFindSQL[field]
	if !ok || value == "" || limit <= 0 {
		return nil, nil
	}
	var args []any
	if field == model.FieldTradeAmount {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, nil // not an amount in fen: nothing to offer
		}
		args = []any{n}
	} else {
		lo, hi := prefixRange(value)
		args = []any{lo, hi}
	}
	q := "SELECT file, row, kind, trade_time, amount, channel, merchant, terminal_no, batch_no, pos_trace_no," +
		" trade_ref_no, card_no, order_no FROM statement_lines WHERE " + cond + " LIMIT ?"
	rows, err := j.r.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("storage: statement find: %w", err)
	}
	out, err := scanStatementLines(rows)
	if err != nil {
		return nil, fmt.Errorf("storage: statement find: %w", err)
	}
	return out, nil
}

// DayOrders is every order whose trade time falls on day (China time), newest first, as
// reconcile compares them with the day's statement.
func (j *Journal) DayOrders(ctx context.Context, day time.Time) ([]model.Order, error) {
	from := dayStart(day)
	f := model.Filter{From: from, To: from.AddDate(0, 0, 1)}
	var out []model.Order
	for cur := (model.Cursor{}); ; {
		page, err := j.List(ctx, f, cur, 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		cur = model.CursorOf(page[len(page)-1])
	}
}
