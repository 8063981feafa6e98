package storage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

// explain returns the EXPLAIN QUERY PLAN lines of q.
func explain(t *testing.T, j *Journal, q string, args ...any) []string {
	t.Helper()
	rows, err := j.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return out
}

// checkPlan fails on a sort into a temporary b-tree and on any scan of a whole table or
// index, except the listed ones (the newest-first walk of orders_time, which stops at the
// page's limit, and the six-row counts table).
func checkPlan(t *testing.T, name string, plan []string, allowScan ...string) {
	t.Helper()
	if line := badPlanLine(plan, allowScan...); line != "" {
		t.Errorf("%s: %q in plan:\n  %s", name, line, strings.Join(plan, "\n  "))
	}
}

func badPlanLine(plan []string, allowScan ...string) string {
	for _, line := range plan {
		bad := strings.Contains(line, "USE TEMP B-TREE")
		if strings.HasPrefix(line, "SCAN ") && !strings.HasPrefix(line, "SCAN (subquery") && line != "SCAN CONSTANT ROW" {
			bad = true
			for _, ok := range allowScan {
				if line == ok {
					bad = false
				}
			}
		}
		if bad {
			return line
		}
	}
	return ""
}

// TestQueryPlans checks every hot query's plan on a journal with statistics (PRAGMA optimize
// ran at open, and ANALYZE here), so the planner has the information it has in the field.
func TestQueryPlans(t *testing.T) {
	j, _ := randomJournal(t, 800, 11)
	if _, err := j.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	cur := model.Cursor{TradeTime: t0.Add(100 * time.Minute), ID: 900}
	filters := map[string]model.Filter{
		"all":            {},
		"status":         {Statuses: []model.Status{model.StatusRejected}},
		"statuses":       {Statuses: []model.Status{model.StatusRetrying, model.StatusRejected}},
		"channel":        {Channel: model.ChannelQuickPass},
		"subtype":        {SubType: model.SubRefund},
		"combined":       {Statuses: []model.Status{model.StatusPending}, Channel: model.ChannelBankCard, SubType: model.SubSale},
		"range":          {From: t0, To: t0.Add(time.Hour)},
		"range+status":   {From: t0, To: t0.Add(time.Hour), Statuses: []model.Status{model.StatusUploaded}},
		"search":         {Search: "HZ01"},
		"search+channel": {Search: "HZ01", Channel: model.ChannelBankCard},
	}
	for name, f := range filters {
		for _, c := range []model.Cursor{{}, cur} {
			for _, newer := range []bool{false, true} {
				q, args, err := listQuery(f, c, 50, newer, orderColsNoPayload)
				if err != nil {
					t.Fatal(err)
				}
				label := fmt.Sprintf("list %s cursor=%v newer=%v", name, !c.IsZero(), newer)
				checkPlan(t, label, explain(t, j, q, args...), "SCAN orders USING INDEX orders_time")
				if f.Search != "" {
					qs, as, err := sparseQueries(f, c, newer)
					if err != nil {
						t.Fatal(err)
					}
					for i, pr := range probes(f.Search) {
						checkPlan(t, label+" sparse "+pr.col, explain(t, j, qs[i], as[i]...))
					}
				}
			}
		}
	}
	for _, pr := range probes("a") {
		checkPlan(t, "search count "+pr.col, explain(t, j, "SELECT count(*) FROM (SELECT 1 FROM orders WHERE "+pr.where()+" LIMIT ?)", "a", "b", 5))
	}
	now := time.Now()
	for name, q := range map[string]string{
		"claim":            claimSQL,
		"next due":         nextDueSQL,
		"get":              getSQL,
		"dependents":       dependentSQL,
		"rel get":          relGetSQL,
		"rel deps":         relDepSQL,
		"dup trace":        dupTraceSQL,
		"dup ref":          dupRefSQL,
		"dup seq":          dupSequenceSQL,
		"day summary":      daySummarySQL,
		"attempts":         attemptsSQL,
		"audit":            auditListSQL,
		"next id":          nextOrderIDSQL,
		"release":          releaseSQL,
		"retry ids":        fmt.Sprintf(retrySQL, "order_id IN (?, ?)"),
		"retry all":        fmt.Sprintf(retrySQL, "1"),
		"undone":           fmt.Sprintf(undoneSQL, "?, ?"),
		"statement by key": fmt.Sprintf(statementByKeySQL, "?, ?"),
		"statement day":    statementDaySQL,
	} {
		n := strings.Count(q, "?")
		args := make([]any, n)
		for i := range args {
			args[i] = ms(now)
		}
		checkPlan(t, name, explain(t, j, q, args...))
	}
	checkPlan(t, "counts", explain(t, j, countsSQL), "SCAN status_counts")
	// The checker itself catches a full scan and a sort.
	if badPlanLine(explain(t, j, "SELECT id FROM orders WHERE remark = ?", "x")) == "" {
		t.Error("a full scan of orders passed the plan check")
	}
	if badPlanLine(explain(t, j, "SELECT id FROM orders WHERE status = ? ORDER BY remark", "x")) == "" {
		t.Error("a temp b-tree sort passed the plan check")
	}
	// The claim must walk the partial index, whatever the statistics say.
	if plan := strings.Join(explain(t, j, claimSQL, 1, 1), "\n"); !strings.Contains(plan, "orders_due") {
		t.Errorf("claim does not use orders_due:\n%s", plan)
	}
}
