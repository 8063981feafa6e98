package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"banksale/model"
)

// importBatch is how many sales one INSERT statement journals at most. Row by row, every sale
// paid for a statement of its own (opening a cursor on the table and each index, resetting):
// inserting 100,000 prepared rows and nothing else, 8 rows a statement ran at 94,000 orders/s
// against 66,000 for one, and 32 or 100 rows hardly faster than 8.
const importBatch = 32

// importSQL inserts n pending sales, skipping any whose order_id is taken (insertSQL is the
// one-row form). (Binding now and the operator once for the statement, as ?1 and
// ?2, made it slower: SQLite finds a numbered parameter's name by a linear search, and the
// driver asks for every parameter's name.)
func importSQL(n int) string {
	row := "(" + strings.Repeat("?, ", len(saleColumns)+len(tailColumns)) + "'pending', ?, ?, ?, ?, ?, ?, ?)"
	rows := make([]string, n)
	for i := range rows {
		rows[i] = row
	}
	return "INSERT INTO orders (" + strings.Join(saleColumns, ", ") + ", " + strings.Join(tailColumns, ", ") +
		", status, next_attempt_at, payload, created_at, created_by, updated_at, updated_by, waiting_since) VALUES " +
		strings.Join(rows, ", ") + " ON CONFLICT (order_id) DO NOTHING"
}

// Import journals many sales in one transaction: all of the good ones or, on a failure of the
// journal itself, none. Identical sales already journaled are skipped; conflicts and failed
// cross-order rules are refused one by one while the others are still journaled.
func (j *Journal) Import(ctx context.Context, sales []model.Sale, by string) (_ model.ImportResult, err error) {
	defer markDiskFull(&err)
	return j.ImportSeq(ctx, slices.Values(sales), by)
}

// ImportSeq is Import for sales that arrive one at a time. It pulls them on a goroutine of its
// own, so whatever sales does to produce them (reading a file, validating) runs on another core
// while the journal writes; it returns only once it has stopped pulling. Cancelling ctx before
// sales ends journals nothing: that is how a caller that finds its input broken halfway takes
// it back.
func (j *Journal) ImportSeq(ctx context.Context, sales iter.Seq[model.Sale], by string) (_ model.ImportResult, err error) {
	defer markDiskFull(&err)
	w, err := j.begin(ctx)
	if err != nil {
		return model.ImportResult{}, fmt.Errorf("storage: import: %w", err)
	}
	// Back to the everyday cache size once the transaction has ended: run raises it, and the
	// writer is one connection, so this waits for the commit or rollback below.
	defer j.w.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size="+writerCache)
	im := &importer{w: w, by: by}
	res, err := im.run(ctx, sales)
	if err != nil {
		w.rollback()
		return model.ImportResult{}, fmt.Errorf("storage: import: %w", err)
	}
	if err := w.commit(); err != nil {
		return model.ImportResult{}, fmt.Errorf("storage: import: %w", err)
	}
	return res, nil
}

type importer struct {
	w     *txWriter
	by    string
	stmts map[int]*sql.Stmt // by number of rows, prepared when first needed
	res   model.ImportResult
	maxID int64 // the largest id in the journal: rows a statement inserts get larger ones
}

type pendingSale struct {
	index int
	sale  model.Sale
}

// importStep is one piece of work for the writing goroutine, in the order of the sales:
// a batch of sales with its statement's arguments, a void or refund alone, or a refusal.
type importStep struct {
	sales   []pendingSale
	args    []any // nil for a void or refund: insertOne checks it against its original
	refused *model.ImportRefusal
}

// prepare turns the sales into steps on its own goroutine: checking and encoding each sale and
// building the arguments took about a tenth of the writing goroutine's time, and that
// goroutine is what bounds an import.
// A void or refund is written alone, after everything before it: its rules need its original,
// which may be earlier in this import.
func (im *importer) prepare(ctx context.Context, sales iter.Seq[model.Sale], steps chan<- importStep) {
	defer close(steps)
	send := func(st importStep) bool {
		select {
		case steps <- st:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var queued []pendingSale
	flush := func() bool {
		if len(queued) == 0 {
			return true
		}
		now := ms(im.w.now)
		st := importStep{sales: queued, args: make([]any, 0, len(queued)*(len(saleColumns)+len(tailColumns)+7))}
		for _, p := range queued {
			st.args = append(st.args, saleArgs(p.sale)...)
			st.args = append(st.args, tailArgs(p.sale)...)
			st.args = append(st.args, now, notFrozen, now, im.by, now, im.by, now)
		}
		queued = nil
		return send(st)
	}
	i := -1
	for s := range sales {
		i++
		if s.SubSaleType == model.SubVoid || s.SubSaleType == model.SubRefund {
			if !flush() || !send(importStep{sales: []pendingSale{{index: i, sale: s}}}) {
				return
			}
			continue
		}
		if err := checkSale(s); err != nil {
			if !send(importStep{refused: &model.ImportRefusal{Index: i, OrderID: s.OrderID, Reason: rowError{err}}}) {
				return
			}
			continue
		}
		if queued == nil {
			queued = make([]pendingSale, 0, importBatch)
		}
		queued = append(queued, pendingSale{index: i, sale: s})
		if len(queued) == importBatch && !flush() {
			return
		}
	}
	flush()
}

func (im *importer) run(ctx context.Context, sales iter.Seq[model.Sale]) (model.ImportResult, error) {
	w := im.w
	// Every row this transaction inserts gets an id above the largest one now.
	if err := w.tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM orders").Scan(&im.maxID); err != nil {
		return model.ImportResult{}, err
	}
	before := im.maxID
	if _, err := w.tx.ExecContext(ctx, "PRAGMA cache_size="+importCache); err != nil {
		return model.ImportResult{}, err
	}
	im.stmts = map[int]*sql.Stmt{}
	defer func() {
		for _, st := range im.stmts {
			st.Close()
		}
	}()
	w.bulkAudit = true

	pctx, stop := context.WithCancel(ctx)
	steps := make(chan importStep, 8)
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		im.prepare(pctx, sales, steps)
	}()
	// Whatever happens here, the preparing goroutine is gone before run returns.
	defer func() {
		stop()
		for range steps {
		}
		<-prepared
	}()
	for step := range steps {
		if err := ctx.Err(); err != nil {
			return model.ImportResult{}, err
		}
		if err := im.write(ctx, step); err != nil {
			return model.ImportResult{}, err
		}
	}
	// The caller may have found its input broken after the last sale it gave.
	if err := ctx.Err(); err != nil {
		return model.ImportResult{}, err
	}
	// The audit rows in one statement: the same detail insertOne writes, without a round trip
	// from Go per order.
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO audit (order_ref, at, by, action, detail)
		SELECT id, ?, ?, 'import', sub_sale_type || ' ' || payment_channel || ' ' ||
			printf('%d.%02d', trade_amount / 100, trade_amount % 100)
		FROM orders WHERE id > ? ORDER BY id`, ms(w.now), im.by, before); err != nil {
		return model.ImportResult{}, fmt.Errorf("audit: %w", err)
	}
	slices.SortStableFunc(im.res.Refused, func(a, b model.ImportRefusal) int { return cmp.Compare(a.Index, b.Index) })
	return im.res, nil
}

// write does one step: a batch in one statement, a void or refund through insertOne.
func (im *importer) write(ctx context.Context, step importStep) error {
	if step.refused != nil {
		im.res.Refused = append(im.res.Refused, *step.refused)
		return nil
	}
	if step.args == nil {
		return im.rowByRow(ctx, step.sales)
	}
	st, err := im.stmt(ctx, len(step.sales))
	if err != nil {
		return err
	}
	maxBefore := im.maxID
	res, err := st.ExecContext(ctx, step.args...)
	if isRowError(err) {
		// A constraint refused one of them and the statement took back all of its rows:
		// row by row, the others are journaled and that one is refused with its reason.
		return im.rowByRow(ctx, step.sales)
	}
	if err != nil {
		return fmt.Errorf("row %d: %w", step.sales[0].index, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("row %d: %w", step.sales[0].index, err)
	}
	if n > 0 {
		if im.maxID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("row %d: %w", step.sales[0].index, err)
		}
	}
	im.res.Inserted += int(n)
	im.w.inserted += int(n)
	if int(n) == len(step.sales) {
		return nil
	}
	// Some were already journaled (or twice in the batch): the rows this statement inserted
	// have ids above maxBefore, and of two sales with one order_id only the first got in.
	seen := make(map[string]bool, len(step.sales))
	for _, p := range step.sales {
		existing, err := im.w.getOrder(ctx, p.sale.OrderID)
		if err != nil {
			return fmt.Errorf("order %s: %w", p.sale.OrderID, err)
		}
		if existing.ID > maxBefore && !seen[p.sale.OrderID] {
			seen[p.sale.OrderID] = true
			continue
		}
		seen[p.sale.OrderID] = true
		if err := im.w.existing(existing, p.sale); errors.Is(err, model.ErrExists) {
			im.res.Skipped++
		} else {
			im.refuse(p.index, p.sale, err)
		}
	}
	return nil
}

func (im *importer) stmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if st := im.stmts[n]; st != nil {
		return st, nil
	}
	st, err := im.w.tx.PrepareContext(ctx, importSQL(n))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	im.stmts[n] = st
	return st, nil
}

func (im *importer) rowByRow(ctx context.Context, sales []pendingSale) error {
	for _, p := range sales {
		if err := im.one(ctx, p.index, p.sale); err != nil {
			return fmt.Errorf("row %d: %w", p.index, err)
		}
	}
	return nil
}

// one journals a single sale through the same path as Insert.
func (im *importer) one(ctx context.Context, i int, s model.Sale) error {
	id, _, err := im.w.insertOne(ctx, s, im.by, "import")
	var ce *model.ConflictError
	var ve *model.ValidationError
	switch {
	case err == nil:
		im.res.Inserted++
		im.maxID = max(im.maxID, id)
	case errors.Is(err, model.ErrExists):
		im.res.Skipped++
	case errors.As(err, &ce), errors.As(err, &ve), isRowError(err):
		im.refuse(i, s, err)
	default:
		return err
	}
	return nil
}

func (im *importer) refuse(i int, s model.Sale, reason error) {
	im.res.Refused = append(im.res.Refused, model.ImportRefusal{Index: i, OrderID: s.OrderID, Reason: reason})
}
