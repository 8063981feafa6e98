package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

// randomJournal fills a journal with n orders of mixed statuses, channels, sub types and
// times (many sharing a trade_time, to exercise the id tiebreak).
func randomJournal(t testing.TB, n int, seed uint64) (*Journal, []model.Order) {
	t.Helper()
	j := openTest(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 1))
	var sales []model.Sale
	for i := 0; i < n; i++ {
		s := testSale(i, t0.Add(time.Duration(rng.IntN(n/3+1))*time.Minute))
		s.OrderID = fmt.Sprintf("HZ01%08d", i)
		s.SequenceNo = fmt.Sprintf("%011d", rng.IntN(3000))
		s.PosTraceNo = fmt.Sprintf("%06d", rng.IntN(5000))
		s.TradeRefNo = fmt.Sprintf("%012d", rng.IntN(4000))
		if rng.IntN(2) == 0 {
			s.PaymentChannel = model.ChannelQuickPass
		}
		switch rng.IntN(6) {
		case 0:
			s.SubSaleType, s.OriginalOrderID, s.SaleType = model.SubRefund, "X"+s.OrderID, model.SaleTypeRefund
		case 1:
			s.SubSaleType, s.OriginalOrderID, s.SaleType = model.SubVoid, "X"+s.OrderID, model.SaleTypeRefund
		}
		sales = append(sales, s)
	}
	if _, err := j.Import(ctx, sales, "t"); err != nil {
		t.Fatal(err)
	}
	// Spread the statuses.
	for _, st := range []string{"uploading", "uploaded", "retrying", "rejected", "voided"} {
		if _, err := j.w.Exec("UPDATE orders SET status = ? WHERE abs(random()) % 6 = 0 AND status = 'pending'", st); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := j.r.Query("SELECT " + orderColsNoPayload + " FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	all, err := scanOrders(rows, false)
	if err != nil {
		t.Fatal(err)
	}
	return j, all
}

func matches(f model.Filter, o model.Order, originals map[string]bool) bool {
	if f.Corrections && o.SubSaleType == model.SubSale && !originals[o.OrderID] {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status) {
		return false
	}
	if f.Channel != "" && o.PaymentChannel != f.Channel || f.SubType != "" && o.SubSaleType != f.SubType {
		return false
	}
	if !f.From.IsZero() && o.TradeTime.Before(f.From) || !f.To.IsZero() && !o.TradeTime.Before(f.To) {
		return false
	}
	if p := strings.ToUpper(f.Search); p != "" {
		for _, v := range []string{o.OrderID, o.SequenceNo, o.PosTraceNo, o.TradeRefNo} {
			if v = strings.ToUpper(v); strings.HasPrefix(v, p) || strings.HasSuffix(v, p) {
				return true
			}
		}
		return o.OriginalOrderID != "" && strings.HasPrefix(strings.ToUpper(o.OriginalOrderID), p)
	}
	return true
}

func ids(os []model.Order) []int64 {
	out := make([]int64, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

// TestListMatchesBruteForce pages through every filter both ways and compares with a filter
// and sort done in Go.
func TestListMatchesBruteForce(t *testing.T) {
	// The real thresholds (every search sparse on this small journal), then thresholds that
	// send searches down the dense walk and down its fallback.
	for _, c := range [][2]int{{searchSparse, denseWalk}, {30, denseWalk}, {30, 40}} {
		t.Run(fmt.Sprintf("sparse=%d/walk=%d", c[0], c[1]), func(t *testing.T) {
			defer func(s, w int) { searchSparse, denseWalk = s, w }(searchSparse, denseWalk)
			searchSparse, denseWalk = c[0], c[1]
			testListMatchesBruteForce(t)
		})
	}
}

func testListMatchesBruteForce(t *testing.T) {
	j, all := randomJournal(t, 600, 7)
	sort.Slice(all, func(a, b int) bool {
		x, y := all[a], all[b]
		return x.TradeTime.After(y.TradeTime) || x.TradeTime.Equal(y.TradeTime) && x.ID > y.ID
	})
	ctx := context.Background()
	mid := t0.Add(500 * time.Minute)
	filters := []model.Filter{
		{},
		{Statuses: []model.Status{model.StatusRejected}},
		{Statuses: []model.Status{model.StatusRetrying, model.StatusRejected, model.StatusRetrying}},
		{Channel: model.ChannelQuickPass},
		{SubType: model.SubRefund},
		{Statuses: []model.Status{model.StatusPending}, Channel: model.ChannelBankCard, SubType: model.SubSale},
		{From: mid},
		{To: mid},
		{From: mid.Add(-100 * time.Minute), To: mid, Channel: model.ChannelBankCard},
		{Search: "HZ0100001"},  // sparse, order_id
		{Search: "0000000012"}, // sparse, several columns
		{Search: "00"},         // dense: every column
		{Search: "0000", SubType: model.SubVoid, Statuses: []model.Status{model.StatusPending, model.StatusVoided}},
		{Search: "HZ01", From: mid}, // dense with a range
		{Search: "HZ01000001"},      // a hundred ids
		{Search: "nothing"},
		{Search: "hz0100001"}, // any case
		{Search: "0012"},      // the end of a number
		{Search: "1A", SubType: model.SubSale},
		{Search: "XHZ0100001"}, // the start of a sale's number finds its voids and refunds
		{Search: "xhz01", SubType: model.SubRefund},
		{Corrections: true},
		{Corrections: true, Search: "HZ01"},
	}
	originals := map[string]bool{}
	for _, o := range all {
		if o.OriginalOrderID != "" {
			originals[o.OriginalOrderID] = true
		}
	}
	for _, f := range filters {
		var want []model.Order
		for _, o := range all {
			if matches(f, o, originals) {
				want = append(want, o)
			}
		}
		for _, limit := range []int{23, 50} {
			start := time.Now()
			name := fmt.Sprintf("%+v/limit=%d", f, limit)
			var got []model.Order
			var cur model.Cursor
			for pages := 0; ; pages++ {
				page, err := j.List(ctx, f, cur, limit)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(page) > limit {
					t.Fatalf("%s: page of %d", name, len(page))
				}
				got = append(got, page...)
				if len(page) < limit || pages > 4000 {
					break
				}
				cur = model.CursorOf(page[len(page)-1])
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("%s: got %d orders, want %d", name, len(got), len(want))
			}
			t.Logf("%s: %d orders in %v", name, len(got), time.Since(start))
			// And back up from the oldest with ListBefore.
			if len(want) == 0 {
				continue
			}
			var back []model.Order
			cur = model.CursorOf(want[len(want)-1])
			for {
				page, err := j.ListBefore(ctx, f, cur, limit)
				if err != nil {
					t.Fatalf("%s: before: %v", name, err)
				}
				back = append(page, back...)
				if len(page) < limit {
					break
				}
				cur = model.CursorOf(page[0])
			}
			if !slices.Equal(ids(back), ids(want[:len(want)-1])) {
				t.Fatalf("%s: ListBefore got %d orders, want %d", name, len(back), len(want)-1)
			}
		}
	}
	if _, err := j.List(ctx, model.Filter{Statuses: []model.Status{"bogus"}}, model.Cursor{}, 5); err == nil {
		t.Error("unknown status accepted")
	}
	if got, _ := j.ListBefore(ctx, model.Filter{}, model.Cursor{}, 5); len(got) != 0 {
		t.Error("ListBefore the newest end returned orders")
	}
}

func TestCountsFollowEveryChange(t *testing.T) {
	j, all := randomJournal(t, 500, 3)
	ctx := context.Background()
	c, err := j.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[model.Status]int{}
	for _, s := range allStatuses {
		want[s] = 0
	}
	for _, o := range all {
		want[o.Status]++
	}
	for s, n := range want {
		if c[s] != n {
			t.Errorf("%s: %d, want %d", s, c[s], n)
		}
	}
}

func TestPrefixRange(t *testing.T) {
	for _, p := range []string{"a", "HZ01", "9", "\xff", "a\xff"} {
		lo, hi := prefixRange(p)
		if lo != p || !(hi > p) || !(hi > p+"\xff\xff") && !strings.HasSuffix(p, "\xff") {
			t.Errorf("prefixRange(%q) = %q, %q", p, lo, hi)
		}
	}
}

// FuzzPrefixRange: a string has the prefix exactly when it falls in the prefix's range.
func FuzzPrefixRange(f *testing.F) {
	for _, s := range [][2]string{{"HZ01", "HZ0120261126"}, {"a", "b"}, {"\xff", "\xff\x00"}, {"9", "90"}, {"", "x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if strings.Count(p, "\xff") == len(p) || strings.Count(s, "\xff") > 4 {
			return // no finite range; nothing a person types
		}
		lo, hi := prefixRange(p)
		in := s >= lo && s < hi
		if in != strings.HasPrefix(s, p) {
			t.Fatalf("prefix %q, string %q: in range %v, has prefix %v", p, s, in, !in)
		}
	})
}

// FuzzSearch: whatever is typed into the search box, the listing is exactly the matching
// orders, newest first, and never an error.
func FuzzSearch(f *testing.F) {
	j, all := randomJournal(f, 400, 5)
	sort.Slice(all, func(a, b int) bool {
		x, y := all[a], all[b]
		return x.TradeTime.After(y.TradeTime) || x.TradeTime.Equal(y.TradeTime) && x.ID > y.ID
	})
	for _, s := range []string{"HZ01", "0", "00000000012", "'; DROP TABLE orders; --", "%", "_", "\x00", "中文"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, search string) {
		flt := model.Filter{Search: search}
		got, err := j.List(context.Background(), flt, model.Cursor{}, 60)
		if err != nil {
			t.Fatal(err)
		}
		flt.Search = strings.TrimSpace(search)
		var want []model.Order
		for _, o := range all {
			if matches(flt, o, nil) && len(want) < 60 {
				want = append(want, o)
			}
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("search %q: got %d orders, want %d", search, len(got), len(want))
		}
	})
}

// undoneJournal holds three uploaded sales: a voided by V1, b refunded ¥30.00 by F1, c untouched.
func undoneJournal(t *testing.T) (j *Journal, a, b, c model.Sale) {
	j = openTest(t)
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, model.CST)
	a, b, c = testSale(1, day), testSale(2, day.Add(time.Minute)), testSale(3, day.Add(2*time.Minute))
	for _, s := range []model.Sale{a, b, c} {
		mustInsert(t, j, s)
		upload(t, j, s.OrderID)
	}
	mustInsert(t, j, voidOf(a, "V1"))
	mustInsert(t, j, refundOf(b, "F1", 3000, day.Add(time.Hour)))
	return j, a, b, c
}

// TestListSaysWhatBecameOfASale: a listed or read sale carries its void and refunds; a
// refund cancelled here undoes nothing and is left out.
func TestListSaysWhatBecameOfASale(t *testing.T) {
	j, a, b, c := undoneJournal(t)
	ctx := context.Background()
	mustInsert(t, j, refundOf(b, "F2", 2000, b.TradeTime.Add(2*time.Hour)))
	if _, err := j.Void(ctx, "F2", "typed twice", "t"); err != nil {
		t.Fatal(err)
	}
	list, err := j.List(ctx, model.Filter{}, model.Cursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Undone{}
	for _, o := range list {
		got[o.OrderID] = o.Undone
	}
	if u := got[a.OrderID]; u.Void == nil || u.Void.OrderID != "V1" || len(u.Refunds) != 0 {
		t.Errorf("the voided sale: %+v", u)
	}
	if u := got[b.OrderID]; u.Void != nil || len(u.Refunds) != 1 || u.Refunds[0].OrderID != "F1" || u.Refunded() != 3000 {
		t.Errorf("the refunded sale: %+v", u)
	}
	if u := got[c.OrderID]; u.Any() {
		t.Errorf("the untouched sale: %+v", u)
	}
	o, err := j.Get(ctx, b.OrderID)
	if err != nil || o.Undone.Refunded() != 3000 {
		t.Errorf("Get: %+v %v", o.Undone, err)
	}
}

// TestListCorrections: the corrections filter lists the voids and refunds and the sales they
// undo, and nothing else.
func TestListCorrections(t *testing.T) {
	j, a, b, _ := undoneJournal(t)
	ctx := context.Background()
	list, err := j.List(ctx, model.Filter{Corrections: true}, model.Cursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list {
		got = append(got, o.OrderID)
	}
	want := []string{"F1", "V1", b.OrderID, a.OrderID} // newest first
	if !slices.Equal(got, want) {
		t.Errorf("corrections = %v, want %v", got, want)
	}
}
