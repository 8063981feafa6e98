package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// goldenHarness is the fixture journal on screen, with a real (idle, not started) uploader
// whose state the test sets by sending the event the uploader would send.
func goldenHarness(t *testing.T, l model.Lang, w, h int) (*harness, fixture) {
	j := openJournal(t)
	f := fill(t, j)
	u, _ := newUploader(t, j, toptest.Options{})
	d := testDeps(fixedTimes{j}, l)
	d.Uploader = u
	hs := newHarness(t, d, w, h)
	hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModeBanned, BannedUntil: clock.Add(90 * time.Second), InFlight: 1}}})
	return hs, f
}

func TestGoldenJournal(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		hs.selectOrder(f.rejected)
		golden(t, "journal_"+name, hs.screen())
		for _, s := range model.Statuses {
			if !strings.Contains(hs.screen(), s.Label(l)) {
				t.Errorf("status %s not on the journal screen", s.Label(l))
			}
		}
	})
}

func TestGoldenForm(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, _ := goldenHarness(t, l, w, h)
		hs.press("n", "enter") // bank card
		hs.typ("14:3")         // trade time, unfinished: an error
		hs.press("tab")        //
		hs.typ("12.345")       // amount with three decimals: an error
		hs.press("tab")        //
		hs.typ("123")          // trace number of 3 digits: a warning
		hs.press("tab")        //
		hs.typ("12345678")     // reference number of 8: a warning
		hs.press("tab")
		golden(t, "form_"+name, hs.screen())
	})
}

func TestGoldenDetail(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		hs.selectOrder(f.rejected)
		hs.press("enter")
		golden(t, "detail_"+name, hs.screen())
	})
}

func TestGoldenSummary(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, _ := goldenHarness(t, l, w, h)
		hs.press("s")
		golden(t, "summary_"+name, hs.screen())
	})
}

func TestGoldenHelp(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, _ := goldenHarness(t, l, w, h)
		hs.press("?")
		golden(t, "help_"+name, hs.screen())
	})
}

// TestGoldenUndone: a partly refunded sale, one whose void is on its way and a voided one, each in its detail (their rows
// are in the journal's golden).
func TestGoldenUndone(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		hs.selectOrder(f.uploaded)
		hs.press("enter")
		golden(t, "refunded_"+name, hs.screen())
		hs.press("esc")
		hs.selectOrder(f.quick)
		hs.press("enter")
		golden(t, "voiding_"+name, hs.screen()) // its void not uploaded yet
		hs.send(orderChanged{uploadOne(t, hs.m.c.d.Journal.(fixedTimes).Journal, f.void)})
		golden(t, "voided_"+name, hs.screen())
	})
}

// TestGoldenUnreachable: the header while head office cannot be reached says since when, why
// and that it retries; the waiting rows say to wait.
func TestGoldenUnreachable(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModeUnreachable, Since: clock.Add(-12 * time.Minute), Cause: model.CauseNetwork}}})
		hs.selectOrder(f.retrying)
		golden(t, "unreachable_"+name, hs.screen())
	})
}

// TestGoldenLongMessage: a refusal with its advice wraps within the width in either language
// instead of being cut.
func TestGoldenLongMessage(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		hs.selectOrder(f.uploaded)
		hs.press("x")
		golden(t, "message_"+name, hs.screen())
		if scr := hs.screen(); strings.Contains(scr, "~\n") && w == 80 {
			t.Errorf("a message is cut at %d columns:\n%s", w, scr)
		}
	})
}

// TestGoldenReconcile: the day against the bank's statement, one line of each kind.
func TestGoldenReconcile(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, name string) {
		hs, f := goldenHarness(t, l, w, h)
		j := hs.m.c.d.Journal.(fixedTimes)
		o, _ := j.Get(context.Background(), f.uploaded)
		q, _ := j.Get(context.Background(), f.quick)
		lines := []model.StatementLine{
			{File: "s.csv", Row: 2, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 128000, Terminal: o.TerminalNo, Batch: o.BatchNo, Trace: o.PosTraceNo},
			{File: "s.csv", Row: 3, Kind: model.StatementSale, TradeTime: q.TradeTime, Amount: q.TradeAmount, Terminal: q.TerminalNo, Batch: q.BatchNo, Trace: q.PosTraceNo},
			{File: "s.csv", Row: 4, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 4200, Terminal: "10250011", Batch: "000009", Trace: "000999", Ref: "339999999999"},
		}
		if _, err := j.ImportStatement(context.Background(), lines, "t"); err != nil {
			t.Fatal(err)
		}
		hs.press("b")
		golden(t, "reconcile_"+name, hs.screen())
	})
}
