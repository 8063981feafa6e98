package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"banksale/model"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var insertSQL = importSQL(1)

const auditSQL = "INSERT INTO audit (order_ref, at, by, action, detail) VALUES (?, ?, ?, ?, ?)"

// txWriter is one write transaction with the statements it uses, bound to it.
type txWriter struct {
	j                             *Journal
	tx                            *sql.Tx
	get, insert, audit, dependent *sql.Stmt
	relGet, relDep                *sql.Stmt
	rules                         model.Rules
	now                           time.Time
	inserted                      int  // pending orders added: counted into status_counts at commit
	bulkAudit                     bool // Import writes its audit rows in one statement at the end
}

func (j *Journal) begin(ctx context.Context) (*txWriter, error) {
	db, err := j.writer()
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	w := &txWriter{j: j, tx: tx, rules: j.currentRules()}
	w.now = w.rules.Now
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.get, getSQL},
		{&w.insert, insertSQL},
		{&w.audit, auditSQL},
		{&w.dependent, dependentSQL},
		{&w.relGet, relGetSQL},
		{&w.relDep, relDepSQL},
	} {
		st, err := w.stmt(ctx, p.query)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		*p.dst = st
	}
	return w, nil
}

// writerSQL are the statements compiled once, at Open, for every write transaction to use.
var writerSQL = []string{getSQL, insertSQL, auditSQL, dependentSQL, relGetSQL, relDepSQL,
	attemptSQL, recordSQL, countPendingSQL, claimSQL, freezeSQL, unencodableSQL}

const countPendingSQL = "UPDATE status_counts SET n = n + ? WHERE status = 'pending'"

// txStmt returns q bound to tx, which closes it: compiled once for the journal when it is one
// of writerSQL, else for this transaction alone.
func (j *Journal) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := j.wstmts[q]; st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return st, nil
}

func (w *txWriter) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	return w.j.txStmt(ctx, w.tx, q)
}

// exec runs q, compiled once for the journal, in this transaction.
func (w *txWriter) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *txWriter) rollback() {
	w.tx.Rollback()
}

func (w *txWriter) commit() error {
	if w.inserted > 0 {
		if _, err := w.exec(context.Background(), countPendingSQL, w.inserted); err != nil {
			w.tx.Rollback()
			return fmt.Errorf("counts: %w", err)
		}
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (w *txWriter) getOrder(ctx context.Context, orderID string) (model.Order, error) {
	o, err := scanOrder(w.get.QueryRowContext(ctx, orderID), true)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Order{}, model.ErrNotFound
	}
	return o, err
}

func (w *txWriter) addAudit(ctx context.Context, id int64, by, action, detail string) error {
	if _, err := w.audit.ExecContext(ctx, id, ms(w.now), by, action, detail); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// related gathers what the cross-order rules need, inside the write transaction, so no other
// write can slip between the check and the insert.
func (w *txWriter) related(ctx context.Context, originalID, exclude string) (model.Related, error) {
	return relatedWith(ctx, w.relGet, w.relDep, originalID, exclude)
}

func relatedWith(ctx context.Context, get, dependent *sql.Stmt, originalID, exclude string) (model.Related, error) {
	var rel model.Related
	if originalID == "" {
		return rel, nil
	}
	orig, err := scanOrder(get.QueryRowContext(ctx, originalID), false)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return rel, fmt.Errorf("original %s: %w", originalID, err)
	default:
		rel.OriginalInJournal, rel.Original, rel.OriginalStatus = true, orig.Sale, orig.Status
	}
	rows, err := dependent.QueryContext(ctx, originalID, exclude)
	if err != nil {
		return rel, fmt.Errorf("voids and refunds of %s: %w", originalID, err)
	}
	deps, err := scanOrders(rows, false)
	if err != nil {
		return rel, fmt.Errorf("voids and refunds of %s: %w", originalID, err)
	}
	for _, d := range deps {
		switch d.SubSaleType {
		case model.SubVoid:
			rel.Voids = append(rel.Voids, d.Sale)
		case model.SubRefund:
			rel.Refunds = append(rel.Refunds, d.Sale)
		}
	}
	return rel, nil
}

// checkRelated runs the void/refund rules; only errors refuse the order.
func (w *txWriter) checkRelated(ctx context.Context, s model.Sale) error {
	if s.SubSaleType != model.SubVoid && s.SubSaleType != model.SubRefund {
		return nil
	}
	rel, err := w.related(ctx, s.OriginalOrderID, s.OrderID)
	if err != nil {
		return err
	}
	if is := model.ValidateRelated(s, rel, w.rules); is.HasErrors() {
		return &model.ValidationError{Issues: is}
	}
	return nil
}

// checkDependents re-runs the rules of the voids and refunds already journaled against an
// edited sale: lowering its amount below what was refunded is an over-refund too.
func (w *txWriter) checkDependents(ctx context.Context, s model.Sale) error {
	rows, err := w.dependent.QueryContext(ctx, s.OrderID, s.OrderID)
	if err != nil {
		return fmt.Errorf("voids and refunds of %s: %w", s.OrderID, err)
	}
	deps, err := scanOrders(rows, true)
	if err != nil {
		return fmt.Errorf("voids and refunds of %s: %w", s.OrderID, err)
	}
	for i, d := range deps {
		rel := model.Related{OriginalInJournal: true, Original: s, OriginalStatus: model.StatusPending}
		for k, o := range deps {
			switch {
			case k == i:
			case o.SubSaleType == model.SubVoid:
				rel.Voids = append(rel.Voids, o.Sale)
			case o.SubSaleType == model.SubRefund:
				rel.Refunds = append(rel.Refunds, o.Sale)
			}
		}
		if is := model.ValidateRelated(d.Sale, rel, w.rules); is.HasErrors() {
			return &model.ValidationError{Issues: is.Errors()}
		}
	}
	return nil
}

// insertOne journals s as pending, due now. It returns the existing order and model.ErrExists when
// the same sale is already there, a *model.ConflictError when a different one holds its order_id.
func (w *txWriter) insertOne(ctx context.Context, s model.Sale, by, action string) (int64, model.Order, error) {
	if err := checkSale(s); err != nil {
		return 0, model.Order{}, rowError{err}
	}
	if err := w.checkRelated(ctx, s); err != nil {
		// An identical order already journaled is not an error, even if the rules would now
		// refuse it (its own refunds count against it).
		if existing, gerr := w.getOrder(ctx, s.OrderID); gerr == nil {
			return 0, existing, w.existing(existing, s)
		}
		return 0, model.Order{}, err
	}
	now := ms(w.now)
	args := append(append(saleArgs(s), tailArgs(s)...), now, notFrozen, now, by, now, by, now)
	res, err := w.insert.ExecContext(ctx, args...)
	if err != nil {
		return 0, model.Order{}, fmt.Errorf("order %s: insert: %w", s.OrderID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		existing, gerr := w.getOrder(ctx, s.OrderID)
		if gerr != nil {
			return 0, model.Order{}, fmt.Errorf("order %s: %w", s.OrderID, gerr)
		}
		return 0, existing, w.existing(existing, s)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, model.Order{}, fmt.Errorf("order %s: insert: %w", s.OrderID, err)
	}
	w.inserted++
	if w.bulkAudit {
		return id, model.Order{}, nil
	}
	detail := fmt.Sprintf("%s %s %s", s.SubSaleType, s.PaymentChannel, s.TradeAmount.Yuan())
	if err := w.addAudit(ctx, id, by, action, detail); err != nil {
		return 0, model.Order{}, err
	}
	return id, model.Order{}, nil
}

func (w *txWriter) existing(existing model.Order, s model.Sale) error {
	if sameContent(existing.Sale, s) {
		return model.ErrExists
	}
	return &model.ConflictError{OrderID: s.OrderID}
}

// Insert journals one sale as pending, with its audit row, in one durable transaction.
func (j *Journal) Insert(ctx context.Context, s model.Sale, by string) (_ model.Order, err error) {
	defer markDiskFull(&err)
	w, err := j.begin(ctx)
	if err != nil {
		return model.Order{}, fmt.Errorf("storage: insert %s: %w", s.OrderID, err)
	}
	_, existing, err := w.insertOne(ctx, s, by, "insert")
	if err != nil {
		w.rollback()
		if errors.Is(err, model.ErrExists) {
			return existing, model.ErrExists
		}
		var ce *model.ConflictError
		var ve *model.ValidationError
		if errors.As(err, &ce) || errors.As(err, &ve) {
			return model.Order{}, err
		}
		return model.Order{}, fmt.Errorf("storage: insert %s: %w", s.OrderID, err)
	}
	o, err := w.getOrder(ctx, s.OrderID)
	if err != nil {
		w.rollback()
		return model.Order{}, fmt.Errorf("storage: insert %s: read back: %w", s.OrderID, err)
	}
	if err := w.commit(); err != nil {
		return model.Order{}, fmt.Errorf("storage: insert %s: %w", s.OrderID, err)
	}
	return o, nil
}

// rowError marks a sale the journal refuses on its own content (not a failure of the journal).
type rowError struct{ error }

func (e rowError) Unwrap() error { return e.error }

func isRowError(err error) bool {
	var re rowError
	if errors.As(err, &re) {
		return true
	}
	// A constraint refuses the row and only its statement is rolled back: the transaction
	// and the rows before it are intact.
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// Edit replaces a pending or rejected order's content. It goes back to pending, due now, with a
// payload to be frozen at its next claim. Retrying orders are not editable: a copy may already have reached the gateway.
func (j *Journal) Edit(ctx context.Context, s model.Sale, by string) (_ model.Order, err error) {
	defer markDiskFull(&err)
	fail := func(err error) (model.Order, error) {
		return model.Order{}, fmt.Errorf("storage: edit %s: %w", s.OrderID, err)
	}
	if err := checkSale(s); err != nil {
		return fail(err)
	}
	w, err := j.begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer w.rollback()
	old, err := w.getOrder(ctx, s.OrderID)
	if err != nil {
		return fail(err)
	}
	switch {
	case old.Status.CanEdit():
	case old.Status == model.StatusUploading:
		return fail(fmt.Errorf("%w (%w)", model.ErrNotEditable, model.ErrBusy))
	default:
		return fail(fmt.Errorf("%w: it is %s", model.ErrNotEditable, old.Status))
	}
	if err := w.checkRelated(ctx, s); err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			return model.Order{}, err
		}
		return fail(err)
	}
	if err := w.checkDependents(ctx, s); err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			return model.Order{}, err
		}
		return fail(err)
	}
	now := ms(w.now)
	var set []string
	for _, c := range append(append([]string{}, saleColumns...), tailColumns...) {
		set = append(set, c+" = ?")
	}
	// The new content is frozen again at its next claim.
	// maybe_at_gateway stays: a copy of the old content may be at the gateway, whatever is typed now.
	args := append(append(saleArgs(s), tailArgs(s)...), now, notFrozen, now, by, now, old.ID)
	_, err = w.tx.ExecContext(ctx, "UPDATE orders SET "+strings.Join(set, ", ")+
		", status = 'pending', next_attempt_at = ?, lease_until = NULL, payload = ?, payload_sum = NULL, last_code = 0, last_sub_code = '',"+
		" last_message = '', last_class = '', updated_at = ?, updated_by = ?, waiting_since = ? WHERE id = ?", args...)
	if err != nil {
		return fail(fmt.Errorf("update: %w", err))
	}
	if err := w.addAudit(ctx, old.ID, by, "edit", changedFields(old.Sale, s)); err != nil {
		return fail(err)
	}
	o, err := w.getOrder(ctx, s.OrderID)
	if err != nil {
		return fail(err)
	}
	if err := w.commit(); err != nil {
		return fail(err)
	}
	return o, nil
}

// changedFields names the API fields an edit changed (never their values: a detail must not
// become a place where card data or amounts leak from).
func changedFields(a, b model.Sale) string {
	av, bv := saleArgs(a), saleArgs(b)
	var names []string
	for i := range av {
		if av[i] != bv[i] {
			names = append(names, saleColumns[i])
		}
	}
	return strings.Join(names, ", ")
}

// Void cancels an order locally before it is uploaded; it is kept, with the reason.
func (j *Journal) Void(ctx context.Context, orderID, reason, by string) (_ model.Order, err error) {
	defer markDiskFull(&err)
	fail := func(err error) (model.Order, error) {
		return model.Order{}, fmt.Errorf("storage: void %s: %w", orderID, err)
	}
	// The last line: whatever the caller checked, a reason that is not clean, too long or holds
	// a card number never reaches the file.
	if r, is := model.CleanReason(reason); is.HasErrors() || r != reason {
		if !is.HasErrors() {
			is = model.Issues{{Field: model.FieldVoidReason, Severity: model.SevError, Code: "field.control"}}
		}
		return model.Order{}, fmt.Errorf("storage: void %s: %w", orderID, &model.ValidationError{Issues: is})
	}
	w, err := j.begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer w.rollback()
	old, err := w.getOrder(ctx, orderID)
	if err != nil {
		return fail(err)
	}
	switch {
	case old.Status.CanCancel():
	case old.Status == model.StatusUploading:
		return fail(model.ErrBusy)
	default:
		return fail(fmt.Errorf("%w: it is %s", model.ErrNotEditable, old.Status))
	}
	// A sale whose void or refund is journaled cannot be cancelled alone: its void or refund
	// would wait for it forever (it is uploaded only after its original).
	deps, err := w.dependent.QueryContext(ctx, orderID, orderID)
	if err != nil {
		return fail(err)
	}
	live, err := scanOrders(deps, true)
	if err != nil {
		return fail(err)
	}
	if len(live) > 0 {
		return fail(fmt.Errorf("%w: its void or refund %s is journaled: cancel that first", model.ErrNotEditable, live[0].OrderID))
	}
	now := ms(w.now)
	_, err = w.tx.ExecContext(ctx, `UPDATE orders SET status = 'voided', next_attempt_at = NULL, lease_until = NULL,
		void_reason = ?, updated_at = ?, updated_by = ? WHERE id = ?`, reason, now, by, old.ID)
	if err != nil {
		return fail(fmt.Errorf("update: %w", err))
	}
	if err := w.addAudit(ctx, old.ID, by, "void", reason); err != nil {
		return fail(err)
	}
	o, err := w.getOrder(ctx, orderID)
	if err != nil {
		return fail(err)
	}
	if err := w.commit(); err != nil {
		return fail(err)
	}
	return o, nil
}
