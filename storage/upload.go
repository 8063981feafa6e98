package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"banksale/model"
)

// uploaderBy names the uploader in updated_by and the audit trail.
const uploaderBy = "uploader"

// claimableCond: due-able orders whose original sale, when it is in the journal, has been
// uploaded: the gateway must see a sale before its void or refund.
const claimableCond = `status IN ('pending', 'retrying') AND (sub_sale_type = '001' OR original_order_id = ''
	OR NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = orders.original_order_id AND o.status <> 'uploaded'))`

// claimSQL walks orders_due (partial: only pending/retrying rows) oldest due first. INDEXED BY
// pins the plan: the planner picking orders_facets instead was measured to cost 300×.
const claimSQL = `SELECT id FROM orders INDEXED BY orders_due WHERE ` + claimableCond + `
	AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`

// releaseSQL: an order left uploading by a crash may have reached the gateway.
const releaseSQL = `UPDATE orders SET status = 'retrying', next_attempt_at = ?, lease_until = NULL,
	maybe_at_gateway = 1, updated_at = ?, updated_by = ? WHERE status = 'uploading'`

// retrySQL takes a further condition: the given order_ids, or every failed order. Which
// statuses may be retried is model's rule (Status.CanRetry).
var retrySQL = `UPDATE orders SET status = 'retrying', next_attempt_at = ?, waiting_since = ?, updated_at = ?, updated_by = ?
	WHERE status IN (` + sqlStatuses(model.Status.CanRetry) + `) AND %s RETURNING id`

// sqlStatuses is the SQL list of the statuses for which ok holds: 'retrying', 'rejected'.
func sqlStatuses(ok func(model.Status) bool) string {
	var q []string
	for _, s := range model.StatusesWhere(ok) {
		q = append(q, "'"+string(s)+"'")
	}
	return strings.Join(q, ", ")
}

const nextDueSQL = `SELECT next_attempt_at FROM orders INDEXED BY orders_due WHERE ` + claimableCond + `
	AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at, id LIMIT 1`

const (
	attemptSQL = `INSERT INTO attempts (order_ref, n, started_at, latency_us, outcome, class, code, sub_code,
		message, request_id, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// maybe_at_gateway follows the outcome's model.AtGateway: 1 maybe, 2 not, else unchanged.
	recordSQL = `UPDATE orders SET status = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
		last_code = ?, last_sub_code = ?, last_message = ?, last_class = ?, request_id = ?, updated_at = ?, updated_by = ?,
		maybe_at_gateway = CASE ? WHEN 1 THEN 1 WHEN 2 THEN 0 ELSE maybe_at_gateway END
		WHERE id = ?`
)

// ReleaseLeases turns orders left uploading by a crash into retrying, due now: the outcome of
// their last call is unknown, and the same order_id makes a re-send safe.
func (j *Journal) ReleaseLeases(ctx context.Context) (_ int, err error) {
	defer markDiskFull(&err)
	db, err := j.writer()
	if err != nil {
		return 0, fmt.Errorf("storage: release leases: %w", err)
	}
	now := ms(j.now())
	res, err := db.ExecContext(ctx, releaseSQL, now, now, uploaderBy)
	if err != nil {
		return 0, fmt.Errorf("storage: release leases: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Claim marks up to limit due orders uploading, with a lease, and returns them oldest due first.
func (j *Journal) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) (_ []model.Order, err error) {
	defer markDiskFull(&err)
	if limit <= 0 {
		return nil, nil
	}
	db, err := j.writer()
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	defer tx.Rollback()
	claim, err := j.txStmt(ctx, tx, claimSQL)
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	rows, err := claim.QueryContext(ctx, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: claim: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	args := append([]any{ms(now.Add(lease)), ms(now), uploaderBy}, ids...)
	rows, err = tx.QueryContext(ctx, `UPDATE orders SET status = 'uploading', lease_until = ?, updated_at = ?,
		updated_by = ? WHERE id IN (`+placeholders(len(ids))+`) RETURNING `+orderCols, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	out, err := scanOrders(rows, true)
	if err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	if out, err = j.freeze(ctx, tx, out, now); err != nil {
		return nil, fmt.Errorf("storage: claim: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("storage: claim: commit: %w", err)
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		return x.NextAttemptAt.Before(y.NextAttemptAt) || x.NextAttemptAt.Equal(y.NextAttemptAt) && x.ID < y.ID
	})
	return out, nil
}

// notFrozen is the payload of an order not yet claimed for sending.
var notFrozen = []byte{}

const (
	freezeSQL      = "UPDATE orders SET payload = ?, payload_sum = ? WHERE id = ?"
	unencodableSQL = `UPDATE orders SET status = 'rejected', next_attempt_at = NULL, lease_until = NULL,
		last_code = 0, last_sub_code = '', last_message = ?, updated_at = ? WHERE id = ?`
	damagedSQL = `UPDATE orders SET status = 'rejected', next_attempt_at = NULL, lease_until = NULL,
		last_code = 0, last_sub_code = '', last_class = '` + model.ClassDamaged + `', last_message = ?,
		updated_at = ?, updated_by = ? WHERE id = ?`
)

// damagedWords is what an order stopped for a damaged payload says, in the journal's words.
const damagedWords = "the journal's copy of this order was damaged on disk and was not sent: run banksale check"

// freeze fixes the payload of each order claimed for the first time (since an insert or edit):
// from then on every attempt sends exactly those bytes, whatever a later version of banksale
// would encode. Freezing here rather than at insert keeps the journal's rows half as big, which
// is most of what a big import costs. An order that cannot be encoded (only a change of the
// encoder could do that: Insert encodes it once to refuse it early) is rejected with the
// reason, so it cannot stop the orders behind it.
func (j *Journal) freeze(ctx context.Context, tx *sql.Tx, claimed []model.Order, now time.Time) ([]model.Order, error) {
	set, err := j.txStmt(ctx, tx, freezeSQL)
	if err != nil {
		return nil, err
	}
	out := claimed[:0]
	for _, o := range claimed {
		if o.PayloadDamaged {
			// Sending it would send whatever the damage made of it; the journal says otherwise.
			if err := j.stopDamaged(ctx, tx, o, now); err != nil {
				return nil, err
			}
			continue
		}
		if len(o.Payload) > 0 {
			out = append(out, o)
			continue
		}
		p, encErr := o.MarshalDTO()
		if encErr != nil {
			reject, err := j.txStmt(ctx, tx, unencodableSQL)
			if err == nil {
				_, err = reject.ExecContext(ctx, "banksale cannot encode this order: "+encErr.Error(), ms(now), o.ID)
			}
			if err != nil {
				return nil, fmt.Errorf("order %s: %w", o.OrderID, err)
			}
			continue
		}
		if _, err := set.ExecContext(ctx, p, payloadSum(p), o.ID); err != nil {
			return nil, fmt.Errorf("order %s: freeze payload: %w", o.OrderID, err)
		}
		o.Payload = p
		out = append(out, o)
	}
	return out, nil
}

// stopDamaged rejects an order whose frozen payload fails its checksum, and says so in its
// audit trail and the log: it needs a person, who checks it against the slip and saves it
// again (which freezes it afresh) or restores the journal from a backup.
func (j *Journal) stopDamaged(ctx context.Context, tx *sql.Tx, o model.Order, now time.Time) error {
	if _, err := tx.ExecContext(ctx, damagedSQL, damagedWords, ms(now), uploaderBy, o.ID); err != nil {
		return fmt.Errorf("order %s: %w", o.OrderID, err)
	}
	if _, err := tx.ExecContext(ctx, auditSQL, o.ID, ms(now), uploaderBy, "damaged", "payload checksum mismatch: not sent"); err != nil {
		return fmt.Errorf("order %s: %w", o.OrderID, err)
	}
	j.log.Error("payload damaged: order stopped before sending", "order", o.OrderID)
	return nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Record writes an attempt and the order's new state in one transaction. Only an uploading
// order can get an outcome: anything else means its lease was released meanwhile.
func (j *Journal) Record(ctx context.Context, o model.Outcome) (_ model.Order, err error) {
	defer markDiskFull(&err)
	fail := func(err error) (model.Order, error) {
		return model.Order{}, fmt.Errorf("storage: record %s: %w", o.OrderID, err)
	}
	switch o.Status {
	case model.StatusUploaded, model.StatusRetrying, model.StatusRejected:
	default:
		return fail(fmt.Errorf("outcome status %q is not uploaded, retrying or rejected", o.Status))
	}
	if o.Status == model.StatusRetrying && o.NextAttemptAt.IsZero() {
		return fail(errors.New("a retrying outcome needs its next attempt time"))
	}
	w, err := j.begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer w.rollback()
	cur, err := w.getOrder(ctx, o.OrderID)
	if err != nil {
		return fail(err)
	}
	if cur.Status != model.StatusUploading {
		return fail(fmt.Errorf("%w: it is %s, not uploading", model.ErrNotEditable, cur.Status))
	}
	a := o.Attempt
	a.N = cur.Attempts + 1
	if a.StartedAt.IsZero() {
		a.StartedAt = w.now
	}
	if a.Outcome == "" {
		a.Outcome = string(o.Status)
	}
	if _, err := w.exec(ctx, attemptSQL, cur.ID, a.N, ms(a.StartedAt), a.Latency.Microseconds(), a.Outcome,
		a.Class, a.Code, a.SubCode, a.Message, a.RequestID, a.Answer); err != nil {
		return fail(fmt.Errorf("attempt: %w", err))
	}
	var next any
	if o.Status == model.StatusRetrying {
		next = ms(o.NextAttemptAt)
	}
	now := ms(w.now)
	if _, err := w.exec(ctx, recordSQL, string(o.Status), a.N, next, a.Code, a.SubCode, a.Message, a.Class, a.RequestID,
		now, uploaderBy, int(o.AtGateway), cur.ID); err != nil {
		return fail(fmt.Errorf("update: %w", err))
	}
	switch o.Status {
	case model.StatusUploaded:
		err = w.addAudit(ctx, cur.ID, uploaderBy, "upload", a.RequestID)
	case model.StatusRejected:
		err = w.addAudit(ctx, cur.ID, uploaderBy, "reject", strings.TrimSpace(fmt.Sprintf("%d %s %s", a.Code, a.SubCode, a.Message)))
	}
	if err != nil {
		return fail(err)
	}
	out, err := w.getOrder(ctx, o.OrderID)
	if err != nil {
		return fail(err)
	}
	if err := w.commit(); err != nil {
		return fail(err)
	}
	return out, nil
}

// NextDue is the earliest next_attempt_at among claimable orders; false when none is waiting.
func (j *Journal) NextDue(ctx context.Context) (time.Time, bool, error) {
	rows, err := j.r.QueryContext(ctx, nextDueSQL)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: next due: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return time.Time{}, false, fmt.Errorf("storage: next due: %w", err)
		}
		return time.Time{}, false, nil
	}
	var t int64
	if err := rows.Scan(&t); err != nil {
		return time.Time{}, false, fmt.Errorf("storage: next due: %w", err)
	}
	return fromMS(t), true, nil
}

// Retry makes the given retrying or rejected orders due at now; others are left alone.
// It returns how many it changed.
func (j *Journal) Retry(ctx context.Context, now time.Time, by string, orderIDs ...string) (_ int, err error) {
	defer markDiskFull(&err)
	if len(orderIDs) == 0 {
		return 0, nil
	}
	args := []any{}
	for _, id := range orderIDs {
		args = append(args, id)
	}
	n, err := j.retryWhere(ctx, now, by, "order_id IN ("+placeholders(len(orderIDs))+")", args)
	if err != nil {
		return 0, fmt.Errorf("storage: retry: %w", err)
	}
	return n, nil
}

// RetryFailed makes every retrying or rejected order due at now.
func (j *Journal) RetryFailed(ctx context.Context, now time.Time, by string) (_ int, err error) {
	defer markDiskFull(&err)
	n, err := j.retryWhere(ctx, now, by, "1", nil)
	if err != nil {
		return 0, fmt.Errorf("storage: retry failed: %w", err)
	}
	return n, nil
}

func (j *Journal) retryWhere(ctx context.Context, now time.Time, by, cond string, args []any) (int, error) {
	w, err := j.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer w.rollback()
	t := ms(now)
	q := fmt.Sprintf(retrySQL, cond)
	rows, err := w.tx.QueryContext(ctx, q, append([]any{t, ms(w.now), ms(w.now), by}, args...)...)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := w.addAudit(ctx, id, by, "retry", ""); err != nil {
			return 0, err
		}
	}
	if err := w.commit(); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// giveUpSQL hands orders retrying since before a time to a person; the last failure's words stay.
const giveUpSQL = `UPDATE orders SET status = 'rejected', next_attempt_at = NULL, last_class = '` + model.ClassGaveUp + `',
	updated_at = ?, updated_by = ? WHERE status = 'retrying' AND waiting_since < ? RETURNING id`

// GiveUp moves every order that has been retrying since before cutoff to rejected (needs a
// person) with LastClass model.ClassGaveUp, its last failure's words kept; reason goes in the
// audit trail. It can still be retried by hand. It returns the order_ids it moved.
func (j *Journal) GiveUp(ctx context.Context, cutoff time.Time, reason string) (_ []string, err error) {
	defer markDiskFull(&err)
	w, err := j.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: give up: %w", err)
	}
	defer w.rollback()
	rows, err := w.tx.QueryContext(ctx, giveUpSQL, ms(w.now), uploaderBy, ms(cutoff))
	if err != nil {
		return nil, fmt.Errorf("storage: give up: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: give up: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: give up: %w", err)
	}
	var out []string
	for _, id := range ids {
		if err := w.addAudit(ctx, id, uploaderBy, "give-up", reason); err != nil {
			return nil, fmt.Errorf("storage: give up: %w", err)
		}
		var oid string
		if err := w.tx.QueryRowContext(ctx, "SELECT order_id FROM orders WHERE id = ?", id).Scan(&oid); err != nil {
			return nil, fmt.Errorf("storage: give up: %w", err)
		}
		out = append(out, oid)
	}
	if err := w.commit(); err != nil {
		return nil, fmt.Errorf("storage: give up: %w", err)
	}
	return out, nil
}

const oldestWaitingSQL = `SELECT min(waiting_since) FROM orders WHERE status IN ('pending', 'retrying', 'uploading')`

// OldestWaiting is when the order waiting longest for head office became due; false when
// nothing waits.
func (j *Journal) OldestWaiting(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	if err := j.r.QueryRowContext(ctx, oldestWaitingSQL).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("storage: oldest waiting: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}
