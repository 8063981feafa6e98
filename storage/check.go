package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"banksale/model"
)

// Check looks the journal over for damage (see model.Health). quick runs SQLite's quick_check,
// which reads every page but not every index entry: what the screen runs in the background at
// start. It reads through the read pool, so the uploader and the screen go on meanwhile; an
// error is a journal that could not even be read.
func (j *Journal) Check(ctx context.Context, quick bool) (model.Health, error) {
	conn, err := j.r.Conn(ctx)
	if err != nil {
		return model.Health{}, fmt.Errorf("storage: check: %w", err)
	}
	defer conn.Close()
	// One read transaction: every count below sees the same journal, while writers go on.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return model.Health{}, fmt.Errorf("storage: check: %w", err)
	}
	defer tx.Rollback()
	h, err := check(ctx, tx, quick)
	if err != nil {
		return h, fmt.Errorf("storage: check: %w", err)
	}
	return h, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func check(ctx context.Context, q querier, quick bool) (model.Health, error) {
	h := model.Health{Quick: quick}
	pragma := fmt.Sprintf("PRAGMA integrity_check(%d)", model.MaxHealthItems)
	if quick {
		pragma = fmt.Sprintf("PRAGMA quick_check(%d)", model.MaxHealthItems)
	}
	if err := eachString(ctx, q, pragma, func(s string) {
		if s != "ok" {
			h.Problems = append(h.Problems, s)
		}
	}); err != nil {
		return h, err
	}
	if len(h.Problems) > 0 {
		// The pages are damaged: what the rows say cannot be trusted, and reading them may fail.
		return h, nil
	}
	for _, c := range []struct {
		n   *int
		sql string
	}{
		{&h.Orders, "SELECT count(*) FROM orders"},
		{&h.Attempts, "SELECT count(*) FROM attempts"},
		{&h.Audit, "SELECT count(*) FROM audit"},
	} {
		if err := q.QueryRowContext(ctx, c.sql).Scan(c.n); err != nil {
			return h, err
		}
	}
	rows, err := q.QueryContext(ctx, "SELECT order_id, payload, payload_sum FROM orders WHERE payload_sum IS NOT NULL")
	if err != nil {
		return h, err
	}
	for rows.Next() {
		var id string
		var p, sum []byte
		if err := rows.Scan(&id, &p, &sum); err != nil {
			rows.Close()
			return h, err
		}
		h.Frozen++
		if !payloadIntact(p, sum) {
			h.DamagedCount++
			if len(h.Damaged) < model.MaxHealthItems {
				h.Damaged = append(h.Damaged, id)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}
	if err := eachString(ctx, q, `SELECT o.order_id FROM orders o
		LEFT JOIN (SELECT order_ref, count(*) AS n FROM attempts GROUP BY order_ref) a ON a.order_ref = o.id
		WHERE o.attempts <> coalesce(a.n, 0) LIMIT `+fmt.Sprint(model.MaxHealthItems), func(s string) {
		h.Miscounted = append(h.Miscounted, s)
	}); err != nil {
		return h, err
	}
	var off int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM status_counts c
		LEFT JOIN (SELECT status, count(*) AS n FROM orders GROUP BY status) o ON o.status = c.status
		WHERE c.n <> coalesce(o.n, 0)`).Scan(&off); err != nil {
		return h, err
	}
	h.StatusCounts = off > 0
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM attempts WHERE order_ref NOT IN (SELECT id FROM orders)) +
		(SELECT count(*) FROM audit WHERE order_ref NOT IN (SELECT id FROM orders))`).Scan(&h.Orphans); err != nil {
		return h, err
	}
	return h, nil
}

// eachString calls fn with the first column of every row of query.
func eachString(ctx context.Context, q querier, query string, fn func(string)) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		fn(s)
	}
	return rows.Err()
}

// CheckFile checks a journal file nobody has open (a backup) the way Check checks an open one,
// without writing to it or beside it.
func CheckFile(ctx context.Context, path string) (model.Health, error) {
	db, err := sql.Open("sqlite", frozenDSN(path))
	if err != nil {
		return model.Health{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return model.Health{}, err
	}
	if want := SchemaVersion(); have != want {
		return model.Health{}, fmt.Errorf("%s has schema version %d, not %d", path, have, want)
	}
	return check(ctx, db, false)
}

// HealthSummary says in a few words what a check found, for one line of a message.
func HealthSummary(h model.Health) string {
	var parts []string
	if len(h.Problems) > 0 {
		parts = append(parts, "SQLite: "+h.Problems[0])
	}
	if h.DamagedCount > 0 {
		parts = append(parts, fmt.Sprintf("%d payloads fail their checksum", h.DamagedCount))
	}
	if len(h.Miscounted) > 0 {
		parts = append(parts, fmt.Sprintf("%d orders' attempt counts disagree", len(h.Miscounted)))
	}
	if h.StatusCounts {
		parts = append(parts, "the per-status counts disagree with the orders")
	}
	if h.Orphans > 0 {
		parts = append(parts, fmt.Sprintf("%d attempt or audit rows without their order", h.Orphans))
	}
	return strings.Join(parts, "; ")
}
