package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"banksale/model"
)

// TestTooSmallOnlyCtrlCActs: below 80×24 nothing is drawn but a request to enlarge the window,
// so no key may act unseen: q then y does not quit, x does not open a cancel prompt; ctrl+c
// quits, as the small screen says. Grown again, the screen is as it was.
func TestTooSmallOnlyCtrlCActs(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(fixedTimes{j}, model.EN), 80, 24)
	hs.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	hs.contains("Window too small", "ctrl+c quits")
	hs.press("q", "y", "x", "n", "enter", "esc")
	if hs.quit || hs.m.prompt != nil || hs.on() != "journal" {
		t.Fatalf("a key acted unseen: quit %v, prompt %v, on %s", hs.quit, hs.m.prompt != nil, hs.on())
	}
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.contains(f.pending)
	hs.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	hs.press("ctrl+c")
	if !hs.quit {
		t.Fatal("ctrl+c did not quit below the minimum size")
	}
}

// TestDemoQuitTellsTheTruth: the demo's journal is thrown away at the end, so its quit prompt
// does not promise that orders continue at the next start.
func TestDemoQuitTellsTheTruth(t *testing.T) {
	for _, lang := range []model.Lang{model.EN, model.ZH} {
		j := openJournal(t)
		fill(t, j)
		d := testDeps(fixedTimes{j}, lang)
		d.Demo = true
		hs := newHarness(t, d, 80, 24)
		hs.press("q")
		hs.contains(lang.Pick("退出后演示日志会删除", "This is the demo: its journal is thrown away when you quit"))
		hs.lacks(lang.Pick("下次启动", "next start"))
	}
}

// TestCountsReadRight: one thing is said in the singular.
func TestCountsReadRight(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	typeSale(hs, "6222021234567890128")
	hs.form().focusField(model.FieldPosTraceNo)
	hs.press("end", "backspace") // a 5-digit trace: one warning
	hs.press("ctrl+s")
	hs.contains("1 warning. If the slip says so")
	hs.lacks("1 warnings")
	hs.form().focusField(model.FieldTradeAmount)
	for range 10 {
		hs.press("backspace")
	}
	hs.press("ctrl+s")
	hs.contains("Cannot save: 1 error to fix first")
	if _, err := j.Get(context.Background(), "HZ0120261126A0001"); err == nil {
		t.Fatal("saved with an error")
	}
}

// TestDayFilterClears: the day prompt shows the current day selected and typing replaces it
// (it used to append: "2026-11-28yesterday"); 1 ("all") and esc take the day away.
func TestDayFilterClears(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(fixedTimes{j}, model.EN), 80, 24)
	hs.press("d")
	hs.typ("2026-11-25")
	hs.press("enter")
	hs.contains("No orders", "Press 1 for all days")
	hs.press("d")
	if hs.m.prompt == nil || hs.m.prompt.in.Value() != "2026-11-25" {
		t.Fatalf("the day prompt does not show the day")
	}
	hs.typ("2026-11-26")
	hs.press("enter")
	hs.contains(f.pending)
	hs.press("d")
	hs.typ("2026-11-25")
	hs.press("enter")
	hs.press("1")
	hs.contains(f.pending)
	if !hs.m.jr.day.IsZero() {
		t.Fatalf("1 left the day %v", hs.m.jr.day)
	}
	hs.press("d")
	hs.typ("2026-11-25")
	hs.press("enter", "esc")
	hs.contains(f.pending)
	if !hs.m.jr.day.IsZero() {
		t.Fatalf("esc left the day %v", hs.m.jr.day)
	}
}

// TestSaleSaysWhatBecameOfIt: a voided and a partly refunded sale say so in their rows; tab 6
// lists voids and refunds with the sales they undo; tab 5 is only what was cancelled here.
func TestSaleSaysWhatBecameOfIt(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	// the void is still pending: head office still counts the sale, and the row must not say otherwise
	for id, want := range map[string]string{fx.quick: "Voiding", fx.uploaded: "Sale/ref", fx.retrying: "Sale"} {
		if row := orderRow(hs.screen(), id); !strings.Contains(row, " "+want+" ") {
			t.Errorf("the row of %s lacks %q: %s", id, want, row)
		}
	}
	if row := orderRow(hs.screen(), fx.uploaded); !strings.Contains(row, "refunded ¥300.00 of ¥1,288.00") {
		t.Errorf("the refunded sale's row: %s", row)
	}
	hs.selectOrder(fx.quick)
	hs.contains("void " + fx.void + " pending: it has not reached head office yet")
	hs.lacks("voided by")
	// the void uploads: its event turns the sale's row to Voided
	v := uploadOne(t, j, fx.void)
	hs.send(orderChanged{v})
	if row := orderRow(hs.screen(), fx.quick); !strings.Contains(row, " Voided ") {
		t.Errorf("after its void uploaded, the sale's row: %s", row)
	}
	hs.contains("voided by " + fx.void)
	hs.press("6")
	hs.contains("[6 Voids/refunds]")
	var got []string
	for _, l := range strings.Split(hs.screen(), "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], "HZ01") {
			got = append(got, f[1]) // the order column
		}
	}
	want := []string{fx.void, fx.refund, fx.quick, fx.uploaded}
	if !slices.Equal(got, want) {
		t.Errorf("tab 6 lists %v, want %v", got, want)
	}
	if row := orderRow(hs.screen(), fx.refund); !strings.Contains(row, "of "+fx.uploaded) {
		t.Errorf("the refund's row does not name its sale: %s", row)
	}
	hs.press("5")
	hs.contains("[5 Cancelled]", fx.voided)
	hs.lacks(fx.quick)
}

// orderRow is the journal's row of the order id (its order column, not a note naming it).
func orderRow(scr, id string) string {
	for _, l := range strings.Split(scr, "\n") {
		if f := strings.Fields(l); len(f) > 2 && (f[1] == id || f[2] == id) {
			return l
		}
	}
	return ""
}

// TestStatementDisagreementWarns: an order not yet uploaded that differs from the bank's
// imported statement says so on its row, its line, its detail and its form, naming the field,
// so the typo is fixed before head office sees it.
func TestStatementDisagreementWarns(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	o, err := j.Get(context.Background(), fx.pending)
	if err != nil {
		t.Fatal(err)
	}
	line := model.StatementLine{File: "allinpay.csv", Row: 7, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 1700,
		Terminal: o.TerminalNo, Batch: o.BatchNo, Trace: o.PosTraceNo, Ref: o.TradeRefNo}
	if _, err := j.ImportStatement(context.Background(), []model.StatementLine{line}, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	if row := orderRow(hs.screen(), fx.pending); !strings.Contains(row, "statement: Amount ¥17.00") {
		t.Errorf("the row: %s", row)
	}
	hs.selectOrder(fx.pending)
	hs.contains("correct it (e) before it is uploaded")
	hs.press("enter")
	hs.contains("Bank statement", "allinpay.csv:7")
	hs.press("e")
	hs.contains("The bank's statement (allinpay.csv:7) has ¥17.00 here")
	hs.press("esc", "esc")
	// a retrying order may be at the gateway and is not edited: the advice is for after its answer
	r, err := j.Get(context.Background(), fx.retrying)
	if err != nil {
		t.Fatal(err)
	}
	line = model.StatementLine{File: "allinpay.csv", Row: 8, Kind: model.StatementSale, TradeTime: r.TradeTime, Amount: 1,
		Terminal: r.TerminalNo, Batch: r.BatchNo, Trace: r.PosTraceNo, Ref: r.TradeRefNo}
	if _, err := j.ImportStatement(context.Background(), []model.StatementLine{line}, "t"); err != nil {
		t.Fatal(err)
	}
	hs.send(refreshMsg{"-"})
	hs.selectOrder(fx.retrying)
	hs.contains("statement: Amount ¥0.01", "it is on its way as typed and cannot be edited now")
	hs.lacks("correct it (e) before it is uploaded")
	hs.press("enter")
	hs.contains("It is on its way as typed")
	hs.lacks("nothing to do")
	hs.press("esc")
	// an uploaded order is not second-guessed: head office has it, and reconcile says the rest
	if row := orderRow(hs.screen(), fx.uploaded); strings.Contains(row, "statement") {
		t.Errorf("an uploaded row: %s", row)
	}
}

// TestReconcileScreen: b on the journal shows the day against the imported statement, a row
// per order or line under what needs doing, the selected one saying what it means; enter opens
// an order, or keys in a line not keyed here from the line itself. Without a statement it says
// how to import one.
func TestReconcileScreen(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, withDesk(testDeps(j, model.EN)), 80, 24)
	hs.press("b")
	hs.contains("Reconcile 2026-11-26", "No bank statement imported for this day")
	hs.press("esc")
	o, err := j.Get(context.Background(), fx.uploaded)
	if err != nil {
		t.Fatal(err)
	}
	lines := []model.StatementLine{
		{File: "s.csv", Row: 2, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 128000, Terminal: o.TerminalNo,
			Batch: o.BatchNo, Trace: o.PosTraceNo, Ref: o.TradeRefNo},
		{File: "s.csv", Row: 3, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 4200, Channel: model.ChannelBankCard,
			Merchant: "102330158120045", Terminal: "10250011", Batch: "000009", Trace: "000999", Ref: "339999999999", Card: "622202******0004"},
	}
	if _, err := j.ImportStatement(context.Background(), lines, "t"); err != nil {
		t.Fatal(err)
	}
	hs.press("b")
	hs.contains("matched 0  differ 1", "statement only 1", "[ Differ from the statement (1) ]",
		"> 09:05 Sale     ¥1,288.00 "+fx.uploaded+" 331000060001 000001 10290001",
		"Terminal ID 10290001, Batch no. 000127, Trace no. 000001, Reference",
		"Statement line s.csv:2: Amount ¥1,280.00 (typed ¥1,288.00). Head office has",
		"[ Not on the statement (", "[ On the statement, not keyed here (1) ]",
		"¥42.00 s.csv:3          339999999999 000999 10250011")
	hs.press("enter")
	if hs.on() != "detail" || hs.detail().id != fx.uploaded {
		t.Fatalf("enter on an order that differs opens %s:\n%s", hs.on(), hs.screen())
	}
	hs.press("esc", "G")
	hs.contains("> 09:05 Sale        ¥42.00 s.csv:3          339999999999 000999 10250011", "The POS may have sent it itself")
	hs.press("enter")
	if hs.on() != "form" {
		t.Fatalf("enter on a line not keyed here opens %s:\n%s", hs.on(), hs.screen())
	}
	hs.contains("Filled from statement line s.csv:3")
	hs.typ("20261126099")
	hs.press("ctrl+s")
	if hs.on() != "reconcile" {
		t.Fatalf("after saving, on %s:\n%s", hs.on(), hs.screen())
	}
	hs.contains("matched 1  differ 1", "statement only 0", "[ Agree (1) ]", "Agrees with statement line s.csv:3")
	if sel := hs.m.top().(*reconcileScreen).items[hs.m.top().(*reconcileScreen).cur]; sel.order == nil || sel.order.TradeAmount != 4200 {
		t.Errorf("after keying the line in, the selected row is not its new order: %+v", sel)
	}
	hs.lacks("not keyed here")
	hs.press("?")
	hs.contains("Help: reconciling a day", "open / key in")
}

// TestStatementWarningSurvivesAnEvent: an uploader event about an order that differs from the
// statement (it carries no comparison) does not take the warning off its row.
func TestStatementWarningSurvivesAnEvent(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	o, err := j.Get(context.Background(), fx.rejected)
	if err != nil {
		t.Fatal(err)
	}
	line := model.StatementLine{File: "s.csv", Row: 2, Kind: model.StatementSale, TradeTime: o.TradeTime, Amount: 1,
		Terminal: o.TerminalNo, Batch: o.BatchNo, Trace: o.PosTraceNo}
	if _, err := j.ImportStatement(context.Background(), []model.StatementLine{line}, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	if row := orderRow(hs.screen(), fx.rejected); !strings.Contains(row, "statement: Amount ¥0.01") {
		t.Fatalf("the row: %s", row)
	}
	event := o
	event.Disagrees, event.StatementLine = nil, ""
	hs.send(orderChanged{event})
	if row := orderRow(hs.screen(), fx.rejected); !strings.Contains(row, "statement: Amount ¥0.01") {
		t.Errorf("after an event the row lost its warning: %s", row)
	}
}

// TestReconcileScreenScrolls: with more rows than the screen, the selected row and what it
// says stay in view wherever the cursor goes.
func TestReconcileScreenScrolls(t *testing.T) {
	j := openJournal(t)
	fill(t, j)
	var lines []model.StatementLine
	for i := range 40 {
		lines = append(lines, model.StatementLine{File: "s.csv", Row: i + 2, Kind: model.StatementSale, TradeTime: clock.Add(-time.Duration(40-i) * time.Minute),
			Amount: model.Amount(100 * (i + 1)), Terminal: "10250011", Batch: "000009", Trace: fmt.Sprintf("%06d", 500+i), Ref: fmt.Sprintf("3399999%05d", i)})
	}
	if _, err := j.ImportStatement(context.Background(), lines, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("b", "G")
	hs.contains("> ", "s.csv:41", "The POS may have sent it itself")
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 30})
	hs.press("G")
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24}) // the window shrinks: the selection stays in view
	hs.contains("> ", "s.csv:41", "The POS may have sent it itself")
	hs.press("pgup")
	hs.contains("> ", "The POS may have sent it itself")
	hs.press("g")
	hs.contains("[ Not on the statement (", "> ")
	hs.lacks("s.csv:41")
}

// TestOwnWordsTranslated: the uploader's own words ("request not sent") are said in the
// screen's language on the row, the selected line and the detail; the cause after them stays.
func TestOwnWordsTranslated(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	ctx := context.Background()
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	msg := model.RequestNotSent + ": connection refused"
	if _, err := j.Record(ctx, model.Outcome{OrderID: fx.retrying, Status: model.StatusRetrying, NextAttemptAt: clock.Add(time.Minute),
		Attempt: model.Attempt{OrderID: fx.retrying, StartedAt: clock, Outcome: "retrying", Message: msg}}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.ZH), 120, 40)
	if row := orderRow(hs.screen(), fx.retrying); !strings.Contains(row, "请求未发出: connection refused") {
		t.Errorf("the row: %s", row)
	}
	hs.selectOrder(fx.retrying)
	hs.press("enter")
	hs.contains("请求未发出: connection refused")
	hs.lacks("request not sent")
}

// TestReconcileShowsWhileBusy: an order event while the day is being read asks for one more
// read, and the read that comes in meanwhile is shown, not thrown away: with the uploader busy,
// events never stop, and the screen must not stay on "loading".
func TestReconcileShowsWhileBusy(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	day := time.Date(clock.Year(), clock.Month(), clock.Day(), 0, 0, 0, 0, model.CST)
	s, load := newReconcile(hs.m.c, day)
	msg := load()
	o, err := j.Get(context.Background(), fx.pending)
	if err != nil {
		t.Fatal(err)
	}
	if cmd, _ := s.update(orderChanged{o}); cmd != nil || !s.dirty {
		t.Fatalf("an event during a read: cmd %v, dirty %v", cmd != nil, s.dirty)
	}
	cmd, _ := s.update(msg)
	if !s.loaded || cmd == nil {
		t.Errorf("the read that came in: loaded %v, another read asked %v", s.loaded, cmd != nil)
	}
	s.update(cmd())
	o.TradeTime = o.TradeTime.AddDate(0, 0, -1) // an upload of another day's order changes nothing here
	if cmd, _ := s.update(orderChanged{o}); cmd != nil {
		t.Errorf("another day's event read the day again")
	}
}

// TestConfigWarningShows: the configuration's warnings, which the screen would hide on stderr
// at once, are on its message line when it opens, until the next key.
func TestConfigWarningShows(t *testing.T) {
	j := openJournal(t)
	fill(t, j)
	d := testDeps(j, model.EN)
	d.Notices = []string{"/etc/banksale/config.toml holds a secret and other users can read it (mode 0644): run chmod 600 /etc/banksale/config.toml"}
	hs := newHarness(t, d, 80, 24)
	hs.contains("Config warning: /etc/banksale/config.toml holds a secret", "chmod 600")
	hs.press("down")
	hs.lacks("Config warning")
}
