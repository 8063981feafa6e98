package storage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"banksale/model"
)

var (
	allStatuses = []model.Status{model.StatusPending, model.StatusUploading, model.StatusUploaded,
		model.StatusRetrying, model.StatusRejected, model.StatusVoided}
	allChannels = []model.Channel{model.ChannelQuickPass, model.ChannelBankCard}
	allSubTypes = []model.SubType{model.SubSale, model.SubVoid, model.SubRefund}
	// searchColumns each have an index leading with the column.
	searchColumns = []string{"order_id", "sequence_no", "pos_trace_no", "trade_ref_no"}
	searchIndexes = map[string]string{"order_id": "orders_order_id", "sequence_no": "orders_sequence",
		"pos_trace_no": "orders_trace", "trade_ref_no": "orders_ref", "tail_order_id": "orders_tail_order_id",
		"tail_sequence_no": "orders_tail_sequence", "tail_pos_trace_no": "orders_tail_trace", "tail_trade_ref_no": "orders_tail_ref",
		"original_order_id": "orders_original"}
)

// probe is one index range a search reads: a prefix of a searched column, or of a tail column
// (the end of a number), or of the original order number of voids and refunds.
type probe struct{ col, lo, hi string }

// where is the probe's range as SQL, with two arguments (lo, hi). orders_original is partial
// (sales have no original): the query names its condition, or SQLite may not use it.
func (pr probe) where() string {
	w := pr.col + " >= ? AND " + pr.col + " < ?"
	if pr.col == "original_order_id" {
		w += " AND original_order_id <> ''"
	}
	return w
}

// probes are the ranges that find what a person typed: the start of any of the four numbers,
// as typed and in upper and lower case (stored numbers are one case or the other), and its end
// in any case, through the tail columns, which hold the numbers upper-cased and reversed.
func probes(search string) []probe {
	var out []probe
	for _, c := range searchColumns {
		seen := map[string]bool{}
		for _, v := range []string{search, strings.ToUpper(search), strings.ToLower(search)} {
			if !seen[v] {
				seen[v] = true
				lo, hi := prefixRange(v)
				out = append(out, probe{c, lo, hi})
			}
		}
	}
	for _, c := range tailColumns {
		lo, hi := prefixRange(SearchTail(search))
		out = append(out, probe{c, lo, hi})
	}
	// a sale's number finds its voids and refunds too (the start of their original's number;
	// order numbers are upper case)
	lo, hi := prefixRange(strings.ToUpper(search))
	return append(out, probe{"original_order_id", lo, hi})
}

// searchMatches reports whether a number matches what was typed: it starts or ends with it,
// case aside (up is the search upper-cased).
func searchMatches(v, up string) bool {
	v = strings.ToUpper(v)
	return strings.HasPrefix(v, up) || strings.HasSuffix(v, up)
}

// searchMatchesOrder reports whether an order matches what was typed (up, upper-cased): one of
// its four numbers starts or ends with it, or the number of the sale it undoes starts with it.
func searchMatchesOrder(nums [4]string, original, up string) bool {
	for _, v := range nums {
		if searchMatches(v, up) {
			return true
		}
	}
	return original != "" && strings.HasPrefix(strings.ToUpper(original), up)
}

// searchSparse is how many index entries one search column may match for the search to read
// the matches and order them itself; above it the matches are likely dense enough in time that
// walking the time order finds a page sooner (searchDense).
var searchSparse = 2000 // a variable so tests can reach the dense paths on a small journal

// List returns up to limit orders older than after (from the newest when after is zero),
// newest first. Its cost does not grow with the journal: keyset paging on indexes that are
// already in trade_time, id order. Listed orders leave Payload empty (Get and Claim carry it).
func (j *Journal) List(ctx context.Context, f model.Filter, after model.Cursor, limit int) ([]model.Order, error) {
	out, err := j.list(ctx, f, after, limit, false)
	if err == nil {
		err = j.fillRead(ctx, out)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: list: %w", err)
	}
	return out, nil
}

// ListBefore returns up to limit orders newer than before (the closest ones), newest first:
// the page above when scrolling up.
func (j *Journal) ListBefore(ctx context.Context, f model.Filter, before model.Cursor, limit int) ([]model.Order, error) {
	if before.IsZero() {
		return nil, nil
	}
	out, err := j.list(ctx, f, before, limit, true)
	if err == nil {
		err = j.fillRead(ctx, out)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: list before: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

func (j *Journal) list(ctx context.Context, f model.Filter, cur model.Cursor, limit int, newer bool) ([]model.Order, error) {
	if limit <= 0 {
		return nil, nil
	}
	f.Search = strings.TrimSpace(f.Search)
	if f.Search != "" {
		dense, err := j.searchIsDense(ctx, f.Search)
		if err != nil {
			return nil, err
		}
		if !dense {
			return j.searchCandidates(ctx, f, cur, limit, newer)
		}
		return j.searchDense(ctx, f, cur, limit, newer)
	}
	q, args, err := listQuery(f, cur, limit, newer, orderColsNoPayload)
	if err != nil {
		return nil, err
	}
	st, err := j.readStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return scanOrders(rows, false)
}

// fillRead adds to read orders what other rows say of them: a sale's voids and refunds, an
// unsent order's disagreements with the bank's statement.
func (j *Journal) fillRead(ctx context.Context, orders []model.Order) error {
	if err := j.fillUndone(ctx, orders); err != nil {
		return err
	}
	return j.fillDisagrees(ctx, orders)
}

// arm is one ordered range of the listing: an index and the equality values on its leading
// columns (SQLite reads it already in trade_time, id order: the rowid ends every index).
type arm struct {
	index string
	cols  []string
	vals  []string
}

// arms expands the filter into the fewest ordered ranges that cover it: none when nothing is
// filtered (the time index), one per chosen status, one for a channel or a sub type alone,
// and for combinations one per status × channel × sub type on orders_facets.
func arms(f model.Filter) ([]arm, error) {
	var sts []model.Status
	for _, s := range f.Statuses {
		if !slices.Contains(allStatuses, s) {
			return nil, fmt.Errorf("unknown status %q", s)
		}
		if !slices.Contains(sts, s) {
			sts = append(sts, s)
		}
	}
	if f.Channel != "" && !slices.Contains(allChannels, f.Channel) {
		return nil, fmt.Errorf("unknown payment channel %q", f.Channel)
	}
	if f.SubType != "" && !slices.Contains(allSubTypes, f.SubType) {
		return nil, fmt.Errorf("unknown sub sale type %q", f.SubType)
	}
	n := 0
	for _, set := range []bool{len(sts) > 0, f.Channel != "", f.SubType != ""} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, nil
	case n == 1 && len(sts) > 0:
		var out []arm
		for _, s := range sts {
			out = append(out, arm{"orders_status_time", []string{"status"}, []string{string(s)}})
		}
		return out, nil
	case n == 1 && f.Channel != "":
		return []arm{{"orders_channel_time", []string{"payment_channel"}, []string{string(f.Channel)}}}, nil
	case n == 1:
		return []arm{{"orders_sub_time", []string{"sub_sale_type"}, []string{string(f.SubType)}}}, nil
	}
	if len(sts) == 0 {
		sts = allStatuses
	}
	chs := allChannels
	if f.Channel != "" {
		chs = []model.Channel{f.Channel}
	}
	subs := allSubTypes
	if f.SubType != "" {
		subs = []model.SubType{f.SubType}
	}
	var out []arm
	for _, s := range sts {
		for _, c := range chs {
			for _, t := range subs {
				out = append(out, arm{"orders_facets", []string{"status", "payment_channel", "sub_sale_type"},
					[]string{string(s), string(c), string(t)}})
			}
		}
	}
	return out, nil
}

// rangeConds are the trade_time window and the keyset position, written so SQLite sees a range
// on trade_time (an OR across columns would hide it).
func rangeConds(f model.Filter, cur model.Cursor, newer bool) ([]string, []any) {
	var conds []string
	var args []any
	if f.Corrections {
		// The sales among them are found through the partial index orders_original, read once
		// per query; the walk in time order then keeps the rows that qualify.
		conds = append(conds, "(sub_sale_type IN ('002', '006') OR order_id IN (SELECT original_order_id FROM orders WHERE original_order_id <> ''))")
	}
	if !f.From.IsZero() {
		conds = append(conds, "trade_time >= ?")
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "trade_time < ?")
		args = append(args, ms(f.To))
	}
	if !cur.IsZero() {
		t := ms(cur.TradeTime)
		if newer {
			conds = append(conds, "trade_time >= ?", "(trade_time > ? OR id > ?)")
		} else {
			conds = append(conds, "trade_time <= ?", "(trade_time < ? OR id < ?)")
		}
		args = append(args, t, t, cur.ID)
	}
	return conds, args
}

// prefixRange turns a prefix into a half-open range [lo, hi) on a BINARY-collated column.
func prefixRange(p string) (lo, hi string) {
	b := []byte(p)
	for len(b) > 0 {
		if b[len(b)-1] < 0xff {
			b[len(b)-1]++
			return p, string(b)
		}
		b = b[:len(b)-1]
	}
	// Only 0xff bytes: no string is just above them; anything typed by a person sorts below this.
	return p, strings.Repeat("\xff", len(p)+8)
}

func orderBy(newer bool) string {
	if newer {
		return " ORDER BY trade_time ASC, id ASC"
	}
	return " ORDER BY trade_time DESC, id DESC"
}

// listQuery builds the time-ordered listing: the time index when nothing is filtered, else a
// UNION ALL of the filter's arms, each an equality prefix of an index ending in trade_time and
// so already in order; SQLite merges the arms (MERGE (UNION ALL)) and stops at the limit.
// It selects cols and ignores f.Search (see searchDense).
func listQuery(f model.Filter, cur model.Cursor, limit int, newer bool, cols string) (string, []any, error) {
	as, err := arms(f)
	if err != nil {
		return "", nil, err
	}
	conds, cargs := rangeConds(f, cur, newer)
	var b strings.Builder
	var args []any
	if as == nil {
		b.WriteString("SELECT " + cols + " FROM orders INDEXED BY orders_time")
		if len(conds) > 0 {
			b.WriteString(" WHERE " + strings.Join(conds, " AND "))
		}
		args = append(args, cargs...)
	} else {
		for i, a := range as {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString("SELECT " + cols + " FROM orders INDEXED BY " + a.index + " WHERE ")
			for k, c := range a.cols {
				if k > 0 {
					b.WriteString(" AND ")
				}
				b.WriteString(c + " = ?")
				args = append(args, a.vals[k])
			}
			for _, c := range conds {
				b.WriteString(" AND " + c)
			}
			args = append(args, cargs...)
		}
	}
	b.WriteString(orderBy(newer) + " LIMIT ?")
	args = append(args, limit)
	return b.String(), args, nil
}

// searchIsDense reports whether the search's probes together reach more than searchSparse
// index entries. It counts on the indexes alone and stops early.
func (j *Journal) searchIsDense(ctx context.Context, p string) (bool, error) {
	total := 0
	for _, pr := range probes(p) {
		var n int
		st, err := j.readStmt(ctx, "SELECT count(*) FROM (SELECT 1 FROM orders WHERE "+pr.where()+" LIMIT ?)")
		if err != nil {
			return false, fmt.Errorf("search %s: %w", pr.col, err)
		}
		if err := st.QueryRowContext(ctx, pr.lo, pr.hi, searchSparse+1-total).Scan(&n); err != nil {
			return false, fmt.Errorf("search %s: %w", pr.col, err)
		}
		if total += n; total > searchSparse {
			return true, nil
		}
	}
	return false, nil
}

// sparseQueries are the candidate queries of a sparse search: one index range scan per probe
// (at most searchSparse entries in all), with the other filters applied on the way.
func sparseQueries(f model.Filter, cur model.Cursor, newer bool) ([]string, [][]any, error) {
	conds, cargs := rangeConds(f, cur, newer)
	if len(f.Statuses) > 0 {
		for _, s := range f.Statuses {
			if !slices.Contains(allStatuses, s) {
				return nil, nil, fmt.Errorf("unknown status %q", s)
			}
		}
		conds = append(conds, "status IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.Statuses)), ", ")+")")
		for _, s := range f.Statuses {
			cargs = append(cargs, string(s))
		}
	}
	if f.Channel != "" {
		conds = append(conds, "payment_channel = ?")
		cargs = append(cargs, string(f.Channel))
	}
	if f.SubType != "" {
		conds = append(conds, "sub_sale_type = ?")
		cargs = append(cargs, string(f.SubType))
	}
	var qs []string
	var as [][]any
	for _, pr := range probes(f.Search) {
		q := "SELECT id, trade_time FROM orders INDEXED BY " + searchIndexes[pr.col] + " WHERE " + pr.where()
		for _, cd := range conds {
			q += " AND " + cd
		}
		qs = append(qs, q)
		as = append(as, append([]any{pr.lo, pr.hi}, cargs...))
	}
	return qs, as, nil
}

// denseWalk is how many rows, in time order, a dense search reads before it concludes that its
// matches lie elsewhere in time (an old month's order_id prefix) and collects them instead.
var denseWalk = 5000 // a variable so tests can make the fallback happen on a small journal

// searchDense serves a search that many orders match: it walks the filter's time order reading
// only the searched columns and keeps the first that match (searchMatchesOrder). Matches spread through time
// fill a page within a few hundred rows; when denseWalk rows give no full page, the matches
// are clustered elsewhere and searchCandidates collects them from the prefix indexes, so the
// cost follows the number of matches, never the size of the journal.
func (j *Journal) searchDense(ctx context.Context, f model.Filter, cur model.Cursor, limit int, newer bool) ([]model.Order, error) {
	q, args, err := listQuery(f, cur, denseWalk, newer, "id, trade_time, order_id, sequence_no, pos_trace_no, trade_ref_no, original_order_id")
	if err != nil {
		return nil, err
	}
	st, err := j.readStmt(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var ids []int64
	read := 0
	up := strings.ToUpper(f.Search)
	for rows.Next() && len(ids) < limit {
		var id, t int64
		var c [4]string
		var original string
		if err := rows.Scan(&id, &t, &c[0], &c[1], &c[2], &c[3], &original); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		read++
		if searchMatchesOrder(c, original, up) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(ids) < limit && read == denseWalk {
		return j.searchCandidates(ctx, f, cur, limit, newer)
	}
	return j.fetchByIDs(ctx, ids)
}

// searchCandidates collects every order matching the prefix from the four prefix indexes (with
// the other filters applied on the way), orders them and keeps a page.
func (j *Journal) searchCandidates(ctx context.Context, f model.Filter, cur model.Cursor, limit int, newer bool) ([]model.Order, error) {
	qs, as, err := sparseQueries(f, cur, newer)
	if err != nil {
		return nil, err
	}
	type key struct{ t, id int64 }
	seen := map[int64]bool{}
	var cands []key
	for i, q := range qs {
		st, err := j.readStmt(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		rows, err := st.QueryContext(ctx, as[i]...)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.id, &k.t); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: %w", err)
			}
			if !seen[k.id] {
				seen[k.id] = true
				cands = append(cands, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	sort.Slice(cands, func(a, b int) bool {
		x, y := cands[a], cands[b]
		if newer {
			x, y = y, x
		}
		return x.t > y.t || x.t == y.t && x.id > y.id
	})
	if len(cands) > limit {
		cands = cands[:limit]
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	return j.fetchByIDs(ctx, ids)
}

// fetchByIDs reads the orders with these ids, in the order given.
func (j *Journal) fetchByIDs(ctx context.Context, ids []int64) ([]model.Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := j.r.QueryContext(ctx, "SELECT "+orderColsNoPayload+" FROM orders WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	got, err := scanOrders(rows, false)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	byID := make(map[int64]model.Order, len(got))
	for _, o := range got {
		byID[o.ID] = o
	}
	out := make([]model.Order, 0, len(ids))
	for _, id := range ids {
		if o, ok := byID[id]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// Counts returns the number of orders in each status (every status present, zeros included).
// It reads the trigger-kept counts table: constant cost at any size.
func (j *Journal) Counts(ctx context.Context) (map[model.Status]int, error) {
	rows, err := j.r.QueryContext(ctx, countsSQL)
	if err != nil {
		return nil, fmt.Errorf("storage: counts: %w", err)
	}
	defer rows.Close()
	out := make(map[model.Status]int, len(allStatuses))
	for _, s := range allStatuses {
		out[s] = 0
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("storage: counts: %w", err)
		}
		out[model.Status(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: counts: %w", err)
	}
	return out, nil
}
