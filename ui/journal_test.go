package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"banksale/model"
	"banksale/sync/top/toptest"
)

func TestJournalCursorAndTabs(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	if got := hs.selected().OrderID; got != f.pending {
		t.Fatalf("first selected %s, want the newest %s", got, f.pending)
	}
	hs.press("down", "j")
	if got := hs.selected().OrderID; got != f.void {
		t.Fatalf("after two downs on %s, want %s", got, f.void)
	}
	hs.press("up")
	if got := hs.selected().OrderID; got != f.uploading {
		t.Fatalf("after up on %s", got)
	}
	hs.press("G")
	if got := hs.selected().OrderID; got != f.uploaded {
		t.Fatalf("G: on %s, want the oldest %s", got, f.uploaded)
	}
	hs.press("g")
	if got := hs.selected().OrderID; got != f.pending {
		t.Fatalf("g: on %s, want the newest", got)
	}
	cases := []struct {
		key  string
		want []string
	}{
		{"2", []string{f.rejected}},
		{"3", []string{f.pending, f.uploading, f.void, f.retrying}},
		{"4", []string{f.refund, f.quick, f.uploaded}},
		{"5", []string{f.voided}},
		{"1", []string{f.pending, f.uploading, f.void, f.voided, f.retrying, f.refund, f.rejected, f.quick, f.uploaded}},
	}
	for _, c := range cases {
		hs.press(c.key)
		var got []string
		for _, o := range hs.m.jr.rows {
			got = append(got, o.OrderID)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("tab %s: %v, want %v", c.key, got, c.want)
		}
	}
	hs.press("tab")
	if hs.m.jr.tab != 1 {
		t.Errorf("tab key: tab %d, want 1", hs.m.jr.tab)
	}
}

func TestJournalSearchAndDay(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.press("/")
	hs.contains("搜索")
	hs.typ(f.rejected)
	hs.press("enter")
	if len(hs.m.jr.rows) != 1 || hs.m.jr.rows[0].OrderID != f.rejected {
		t.Fatalf("search %s: %d rows", f.rejected, len(hs.m.jr.rows))
	}
	hs.contains("搜索: " + f.rejected)
	hs.press("/", "esc")
	if len(hs.m.jr.rows) != 9 {
		t.Fatalf("esc clears the search: %d rows", len(hs.m.jr.rows))
	}
	hs.press("d")
	hs.typ("11-25")
	hs.press("enter")
	hs.contains("日期: 2026-11-25", "没有符合条件的订单")
	hs.press("d")
	for range 10 {
		hs.press("backspace")
	}
	hs.typ("2026-11-26")
	hs.press("enter")
	if len(hs.m.jr.rows) != 9 {
		t.Fatalf("day 2026-11-26: %d rows", len(hs.m.jr.rows))
	}
	hs.press("d")
	hs.typ("x")
	hs.press("enter")
	hs.contains("看不懂的日期")
	// A card number typed into the day is not drawn again once entered.
	const card = "6222021234567890128"
	hs.press("d")
	hs.typ(card)
	hs.press("enter")
	hs.contains("看不懂的日期")
	hs.lacks(card)
}

func TestJournalScreensAndBack(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(fixedTimes{j}, model.EN), 80, 24)
	hs.selectOrder(f.retrying)
	hs.press("enter")
	hs.contains("Order "+f.retrying, "retrying", "Upload attempts", "isp.top-remote-service-unavailable")
	hs.press("pgdown", "pgdown")
	hs.contains("Audit trail", "insert")
	hs.press("down", "up", "pgup")
	hs.press("esc")
	if hs.on() != "journal" || hs.selected().OrderID != f.retrying {
		t.Fatalf("esc from detail: screen %s, on %s", hs.on(), hs.selected().OrderID)
	}
	hs.press("s")
	hs.contains("Day summary 2026-11-26", "Net", "¥32,265.00")
	hs.press("left")
	hs.contains("Day summary 2026-11-25", "No orders on this day")
	hs.press("right", "right") // today is the last day there is: → stops there
	hs.contains("Day summary 2026-11-26")
	hs.lacks("2026-11-27")
	hs.press("left", "t")
	hs.contains("2026-11-26")
	hs.press("?")
	hs.contains("Help: the day summary", "today") // the summary's own keys
	hs.lacks("retry all")
	hs.press("esc")
	hs.contains("Day summary")
	hs.press("esc")
	hs.press("?")
	hs.contains("Help")
	hs.press("?")
	if hs.on() != "journal" {
		t.Fatal("? from help goes back")
	}
}

func TestJournalQuit(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("q")
	if !hs.quit {
		t.Fatal("q on an empty journal quits at once")
	}

	j2 := openJournal(t)
	fill(t, j2) // one order uploading
	u, _ := newUploader(t, j2, toptest.Options{})
	d := testDeps(j2, model.ZH)
	d.Uploader = u
	hs = newHarness(t, d, 80, 24)
	hs.press("q")
	if hs.quit {
		t.Fatal("q quit while an order was uploading")
	}
	hs.contains("还有 1 单正在上传")
	hs.press("n")
	if hs.quit || hs.m.prompt != nil {
		t.Fatal("n keeps the program")
	}
	hs.press("q", "y")
	if !hs.quit {
		t.Fatal("y quits")
	}
}

func TestJournalActionsRefused(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.selectOrder(f.uploaded)
	hs.press("e")
	hs.contains("cannot be edited")
	hs.press("x")
	hs.contains("cannot be cancelled")
	hs.press("r")
	hs.contains("No uploader")
	hs.selectOrder(f.refund)
	hs.press("v")
	hs.contains("Only a sale can be voided")
	hs.press("f")
	hs.contains("Only a sale")
	hs.selectOrder(f.uploading)
	hs.press("x")
	hs.contains("is uploading right now")
	if hs.on() != "journal" {
		t.Fatal("a refused action left the journal")
	}
}

func TestJournalCancelOrder(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.selectOrder(f.pending)
	hs.press("x")
	hs.contains("作废 " + f.pending + " 的原因")
	hs.press("enter")
	hs.contains("请写明作废原因")
	hs.typ("顾客取消")
	hs.press("enter")
	o, err := j.Get(context.Background(), f.pending)
	if err != nil || o.Status != model.StatusVoided || o.VoidReason != "顾客取消" {
		t.Fatalf("after x: %v %q %v", o.Status, o.VoidReason, err)
	}
	if hs.selected().OrderID != f.pending || hs.selected().Status != model.StatusVoided {
		t.Fatalf("the row shows %s %s", hs.selected().OrderID, hs.selected().Status)
	}
	hs.contains("已作废 " + f.pending)
	hs.press("x", "esc")
	if hs.m.prompt != nil {
		t.Fatal("esc closes the prompt")
	}
}

func TestJournalRetryKeys(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	u, _ := newUploader(t, j, toptest.Options{})
	d := testDeps(j, model.EN)
	d.Uploader = u
	hs := newHarness(t, d, 80, 24)
	hs.selectOrder(f.pending)
	hs.press("r")
	hs.contains("does not need a retry")
	hs.selectOrder(f.rejected)
	hs.press("r")
	hs.contains("Retrying " + f.rejected + " now")
	if o, _ := j.Get(context.Background(), f.rejected); o.Status != model.StatusRetrying {
		t.Fatalf("r: %s is %s", f.rejected, o.Status)
	}
	hs.press("R")
	hs.contains("Retrying 2 orders now")
}

// TestJournalLiveUpdates runs the real uploader against the fake gateway: rows change in place
// and the cursor stays on its order while they do.
func TestJournalLiveUpdates(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	if _, err := j.ReleaseLeases(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, srv := newUploader(t, j, toptest.Options{RejectOrders: map[string]bool{f.pending: true}})
	d := testDeps(j, model.EN)
	d.Uploader = u
	hs := newHarness(t, d, 80, 24)
	hs.selectOrder(f.voided)
	cur, top := hs.m.jr.cur, hs.m.jr.top
	startUploader(t, u)
	ok := hs.pump(20*time.Second, func() bool {
		st := map[string]model.Status{}
		for _, o := range hs.m.jr.rows {
			st[o.OrderID] = o.Status
		}
		return st[f.uploading] == model.StatusUploaded && st[f.void] == model.StatusUploaded &&
			st[f.retrying] == model.StatusUploaded && st[f.pending] == model.StatusRejected
	})
	if !ok {
		t.Fatalf("rows did not reach their end states:\n%s\nrequests: %d", hs.screen(), len(srv.Requests()))
	}
	if hs.m.jr.cur != cur || hs.m.jr.top != top || hs.selected().OrderID != f.voided {
		t.Fatalf("cursor moved: %d/%d → %d/%d on %s", cur, top, hs.m.jr.cur, hs.m.jr.top, hs.selected().OrderID)
	}
	hs.pump(2*time.Second, func() bool { return hs.m.c.counts[model.StatusUploaded] == 6 })
	hs.contains("uploaded 6", "rejected 2")
}

func TestTooSmall(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 60, 20)
	hs.contains("needs at least 80x24, now 60x20")
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.lacks("too small")
	hs.contains("No orders. Press n")
	hs.send(tea.WindowSizeMsg{Width: 79, Height: 30})
	hs.contains("too small")
	for _, l := range strings.Split(hs.screen(), "\n") {
		if ansi.StringWidth(l) > 79 {
			t.Fatalf("line wider than the window: %q", l)
		}
	}
}

func TestEveryLineFits(t *testing.T) {
	forEachLayout(t, func(t *testing.T, l model.Lang, w, h int, _ string) {
		hs, f := goldenHarness(t, l, w, h)
		check := func(what string) {
			lines := strings.Split(hs.screen(), "\n")
			if len(lines) != h {
				t.Errorf("%s: %d lines, want %d", what, len(lines), h)
			}
			for i, line := range lines {
				if got := ansi.StringWidth(line); got != w {
					t.Errorf("%s: line %d is %d cells wide, want %d: %q", what, i, got, w, line)
				}
				for _, r := range line {
					if r == '…' || r == '·' || r == '─' || r == '●' || r == '•' {
						t.Errorf("%s: ambiguous-width glyph %q in line %d", what, r, i)
					}
				}
			}
		}
		check("journal")
		hs.press("enter")
		check("detail")
		hs.press("esc", "s")
		check("summary")
		hs.press("esc", "?")
		check("help")
		hs.press("esc")
		hs.selectOrder(f.uploaded)
		hs.press("f")
		check("refund form")
	})
}

func TestControlCharsNeverDrawn(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	hs.selectOrder(f.rejected)
	raw := hs.m.View().Content
	if strings.Contains(raw, "\x07") || strings.Contains(raw, "\x1b[31m非法") {
		t.Fatal("the gateway's escape codes reached the screen")
	}
	hs.press("enter")
	raw = hs.m.View().Content
	if strings.Contains(raw, "\x07") || strings.Contains(raw, "\x1b[31m非法") {
		t.Fatal("the gateway's escape codes reached the detail screen")
	}
	hs.contains("非法参数: trade_ref_no")
}

// TestSelectionInReverse: with NO_COLOR Bubble Tea drops colours but keeps attributes, so the
// selected row must be in reverse video, and statuses are words.
func TestSelectionInReverse(t *testing.T) {
	j := openJournal(t)
	fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	lines := strings.Split(hs.m.View().Content, "\n")
	if !strings.Contains(lines[jrFirstRow], "\x1b[7m") {
		t.Fatalf("selected row not in reverse video: %q", lines[jrFirstRow])
	}
	if strings.Contains(lines[jrFirstRow+1], "\x1b[7m") {
		t.Fatalf("unselected row in reverse video: %q", lines[jrFirstRow+1])
	}
}

func TestMouse(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.send(tea.MouseClickMsg{X: 10, Y: jrFirstRow + 3, Button: tea.MouseLeft})
	if got := hs.selected().OrderID; got != f.voided {
		t.Fatalf("click on the 4th row selected %s", got)
	}
	hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := hs.selected().OrderID; got != f.rejected {
		t.Fatalf("wheel down selected %s", got)
	}
	hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := hs.selected().OrderID; got != f.voided {
		t.Fatalf("wheel up selected %s", got)
	}
	x := hs.m.jr.tabRanges()[3][0] + 1
	hs.send(tea.MouseClickMsg{X: x, Y: jrTabsLine, Button: tea.MouseLeft})
	if hs.m.jr.tab != 3 || len(hs.m.jr.rows) != 3 {
		t.Fatalf("click on tab 4: tab %d, %d rows", hs.m.jr.tab, len(hs.m.jr.rows))
	}
}

// TestPagingKeepsAWindow scrolls through 3,000 orders: every order is seen once, in order,
// and the screen never holds more than its window.
func TestPagingKeepsAWindow(t *testing.T) {
	j := openJournal(t)
	const n = 3000
	sales := make([]model.Sale, n)
	base := clock.Add(-10 * 24 * time.Hour)
	for i := range sales {
		s := sale(t, fmt.Sprintf("HZ01202611%06d", i), "09:00:00", model.SubSale, model.ChannelBankCard, "10.00", "", "")
		s.TradeTime = base.Add(time.Duration(i/3) * time.Minute) // three orders share each time
		sales[i] = s
	}
	if _, err := j.Import(context.Background(), sales, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	seen := map[string]bool{}
	var last model.Order
	for i := 0; i < n; i++ {
		o := hs.selected()
		if seen[o.OrderID] {
			t.Fatalf("step %d: %s seen twice", i, o.OrderID)
		}
		seen[o.OrderID] = true
		if i > 0 && (o.TradeTime.After(last.TradeTime) || (o.TradeTime.Equal(last.TradeTime) && o.ID > last.ID)) {
			t.Fatalf("step %d: %s is not older than %s", i, o.OrderID, last.OrderID)
		}
		last = o
		if len(hs.m.jr.rows) > hs.m.jr.window()+hs.m.jr.chunk() {
			t.Fatalf("window grew to %d rows", len(hs.m.jr.rows))
		}
		hs.press("down")
	}
	if len(seen) != n {
		t.Fatalf("saw %d of %d orders", len(seen), n)
	}
	// and back up by pages
	for range n / 10 {
		hs.press("pgup")
	}
	if hs.selected().OrderID != sales[n-1].OrderID {
		t.Fatalf("paging up ends on %s, want the newest %s", hs.selected().OrderID, sales[n-1].OrderID)
	}
	_ = model.ModeIdle
}

func TestUploaderStateWords(t *testing.T) {
	j := openJournal(t)
	fill(t, j)
	u, _ := newUploader(t, j, toptest.Options{})
	d := testDeps(j, model.EN)
	d.Uploader = u
	hs := newHarness(t, d, 80, 24)
	cases := []struct {
		st   model.UploadState
		want string
	}{
		{model.UploadState{Mode: model.ModePaused, Reason: "the gateway refused the app secret\x1b[2J"}, "PAUSED: the gateway refused the app secret. Fix the configuration, then press R"},
		{model.UploadState{Mode: model.ModeBanned, BannedUntil: clock.Add(75 * time.Second)}, "Gateway ban: resumes by itself at 15:01:15"},
		{model.UploadState{Mode: model.ModeUploading, InFlight: 3}, "Uploading: 3 in flight"},
		{model.UploadState{Mode: model.ModeIdle}, "Uploading: 1 in flight"}, // the journal still counts one uploading
		{model.UploadState{Mode: model.ModeStopped}, "Uploading stopped"},
	}
	for _, c := range cases {
		hs.send(eventMsg{model.Event{State: c.st}})
		hs.contains(c.want)
	}
	// The causes a supervisor can fix are worded in the screen's language, not the uploader's
	// English, and fit the header line at 80 columns.
	paused := []struct {
		code   int
		zh, en string
	}{
		{25, "网关拒绝签名(25)", "signature refused (25)"},
		{27, "session 无效或过期(27)", "session refused (27)"},
		{29, "不认识 app_key(29)", "does not know this app_key (29)"},
		{31, "本机为北京时间 11-26 ", "PC says 11-26 "},
		{11, "无权上传(11)", "may not upload (11)"},
		{7, "当天调用额度用完(7)", "daily quota spent (7)"},
	}
	for _, p := range paused {
		st := model.UploadState{Mode: model.ModePaused, Code: p.code, Reason: "English words from the uploader", BannedUntil: clock.Add(time.Hour)}
		for lang, want := range map[model.Lang]string{model.ZH: p.zh, model.EN: p.en} {
			hs.m.c.lang = lang
			hs.send(eventMsg{model.Event{State: st}})
			hs.contains(want)
			hs.lacks("English words")
			if w, _ := hs.m.c.stateWords(); ansi.StringWidth(w) > 80 {
				t.Errorf("code %d in %s is %d columns wide: %q", p.code, lang, ansi.StringWidth(w), w)
			}
		}
	}
	hs.m.c.lang = model.EN
	hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModePaused, Reason: "bad secret"}}})
	hs.press("R")
	hs.contains("Retrying 2 orders now")
}

func TestDetailKeys(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.selectOrder(f.uploaded)
	hs.press("enter")
	// the sale is partly refunded: the detail says so and lists the refund
	hs.contains("Since then", "refunded ¥300.00 of ¥1,288.00", f.refund+" ¥300.00 uploaded", "¥988.00 is left to refund (f)")
	hs.press("e")
	hs.contains("cannot be edited")
	hs.press("v")
	if hs.on() != "detail" {
		t.Fatal("v on a partly refunded sale opened a form")
	}
	hs.contains("has refunds of ¥300.00")
	hs.press("f")
	if hs.on() != "form" || hs.form().mode != modeRefund {
		t.Fatal("f from the detail screen opens a refund")
	}
	hs.press("esc", "?")
	hs.contains("Help")
	hs.press("esc")
	if hs.on() != "detail" {
		t.Fatal("help returns to the detail screen")
	}
	hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if hs.detail().scrollY == 0 {
		t.Fatal("the wheel scrolls the detail")
	}
	hs.press("q")
	if hs.on() != "journal" {
		t.Fatal("q leaves the detail screen")
	}
	hs.selectOrder(f.pending)
	hs.press("enter", "x")
	hs.typ("wrong card")
	hs.press("enter")
	hs.contains("Cancelled here")
	hs.press("ctrl+c") // an order is uploading: it asks; a second ctrl+c means it
	if hs.quit {
		t.Fatal("ctrl+c quit without asking while an order was uploading")
	}
	hs.press("ctrl+c")
	if !hs.quit {
		t.Fatal("ctrl+c twice quits")
	}
}

// TestNoCardKeyWarned: without a card-digest key no digest is made; the header says so once,
// with what to do, and a sale saves with one ctrl+s, not a second one for a setting.
func TestNoCardKeyWarned(t *testing.T) {
	j := openJournal(t)
	d := testDeps(j, model.EN)
	d.Rules.CardKey = nil
	hs := newHarness(t, d, 80, 24)
	hs.contains("[no card key: set card.digest_key]")
	hs.press("n")
	typeSale(hs, "6222021234567890128")
	f := hs.form()
	if f.cardDigest != "" || !f.cardIssues.Has("card.no_key") {
		t.Fatalf("without a key: digest %q, issues %v", f.cardDigest, f.cardIssues)
	}
	hs.lacks("No card-digest key")
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("one ctrl+s did not save:\n%s", hs.screen())
	}
	if o, err := j.Get(context.Background(), "HZ0120261126A0001"); err != nil || o.EncrypteSummary != "" {
		t.Fatalf("saved %+v %v", o.Sale, err)
	}
}

// TestCancelReasonWithCardRefused: a cancel reason typed on the screen goes through the desk,
// which refuses one holding a card number with model's sentence, the one the command line
// prints. Nothing is journaled, the number is not drawn again, and the question is asked anew.
func TestCancelReasonWithCardRefused(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.selectOrder(f.pending)
	hs.press("x")
	const card = "6222021234567890128"
	hs.typ("card " + card)
	hs.press("enter")
	_, is := model.CleanReason("card " + card)
	hs.contains(is[0].Message(model.EN), "Reason to cancel "+f.pending)
	hs.lacks(card)
	if o, _ := j.Get(context.Background(), f.pending); o.Status != model.StatusPending || o.VoidReason != "" {
		t.Fatalf("the order is %s with reason %q", o.Status, o.VoidReason)
	}
	if hs.m.prompt == nil || hs.m.prompt.kind != askCancelReason {
		t.Fatal("the reason is not asked again")
	}
	hs.typ("customer changed mind")
	hs.press("enter")
	if o, _ := j.Get(context.Background(), f.pending); o.Status != model.StatusVoided || o.VoidReason != "customer changed mind" {
		t.Fatalf("after a good reason: %s %q", o.Status, o.VoidReason)
	}
}

// TestUnreachableAndNewPauses: head office out of reach, and the pauses a real network brings,
// are said in the screen's language within 80 columns with what to do; a waiting order's detail
// does not claim it retries by itself while uploading is paused or head office is out of reach.
func TestUnreachableAndNewPauses(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	u, _ := newUploader(t, j, toptest.Options{})
	d := testDeps(fixedTimes{j}, model.EN)
	d.Uploader = u
	hs := newHarness(t, d, 80, 24)
	cases := []struct {
		st     model.UploadState
		zh, en string
	}{
		{model.UploadState{Mode: model.ModeUnreachable, Cause: model.CauseNetwork, Since: clock.Add(-10 * time.Minute)},
			"无法连接总部(自 14:50): 网络不通或被拦截", "Head office unreachable since 14:50: no connection"},
		{model.UploadState{Mode: model.ModeUnreachable, Cause: model.CauseName, Since: clock.Add(-time.Minute)},
			"找不到网关地址", "name not found"},
		{model.UploadState{Mode: model.ModePaused, Cause: model.CauseIPWhitelist, Code: 11, Detail: "IP 203.0.113.7 不在白名单中"},
			"IP白名单(11): IP 203.0.113.7", "IP whitelist (11): IP 203.0.113.7"},
		{model.UploadState{Mode: model.ModePaused, Cause: model.CausePlatform, Code: 44, Detail: "Invalid access token"},
			"网关拒绝本应用(44)", "refused the app (44)"},
		{model.UploadState{Mode: model.ModePaused, Cause: model.CauseCertificate}, "ca_file", "ca_file"},
		{model.UploadState{Mode: model.ModePaused, Cause: model.CauseProxy}, "代理要求用户名密码", "the proxy wants a password"},
		{model.UploadState{Mode: model.ModePaused, Cause: model.CauseWebPage}, "网络要求登录", "log in"},
	}
	for _, c := range cases {
		for lang, want := range map[model.Lang]string{model.ZH: c.zh, model.EN: c.en} {
			hs.m.c.lang = lang
			hs.send(eventMsg{model.Event{State: c.st}})
			hs.contains(want)
			if w, _ := hs.m.c.stateWords(); ansi.StringWidth(w) > 80 && c.st.Detail == "" {
				t.Errorf("%v in %s is %d columns wide: %q", c.st.Cause, lang, ansi.StringWidth(w), w)
			}
		}
	}
	// The retrying order's detail says what holds it, not "it retries by itself".
	hs.m.c.lang = model.EN
	hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModeUnreachable, Cause: model.CauseNetwork, Since: clock}}})
	hs.selectOrder(f.retrying)
	hs.contains("Waits: head office cannot be reached")
	hs.press("enter")
	hs.contains("Head office cannot be reached: it goes by itself once it can")
	hs.lacks("It retries by itself")
	hs.press("esc")
	hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModePaused, Cause: model.CauseProxy}}})
	hs.press("enter")
	hs.contains("Uploading is paused, so it does not retry now")
	hs.press("esc")
	hs.send(eventMsg{model.Event{State: model.UploadState{Mode: model.ModeIdle}}})
	hs.press("enter")
	hs.contains("It retries by itself")
}

// TestDuplicateRejectionWorded: an order the gateway knows under another sale is rejected with
// the duplicate class; the screen says another sale holds the number and to change it.
func TestDuplicateRejectionWorded(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	ctx := context.Background()
	if _, err := j.Claim(ctx, time.Now().Add(time.Hour), 10, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: f.pending, Status: model.StatusRejected,
		Attempt: model.Attempt{Class: "duplicate", SubCode: "result.err_code:1001", Message: "订单号已存在"}}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(fixedTimes{j}, model.ZH), 120, 40)
	hs.selectOrder(f.pending)
	hs.contains("总部已有另一笔交易用此订单号", "订单号在总部已被")
	hs.press("enter")
	hs.contains("按 e 改一个订单号后保存")
}

// TestSearchByTailAnyCase: / finds an order by the end of its number, as a person remembers it
// ("0003"), and in any case; the search used to be a case-sensitive prefix.
func TestSearchByTailAnyCase(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	for _, q := range []string{"0003", "hz01202611260003", "60003"} {
		hs.press("/")
		hs.typ(q)
		hs.press("enter")
		var got []string
		for _, o := range hs.m.jr.rows {
			got = append(got, o.OrderID)
		}
		if !slices.Contains(got, f.rejected) {
			t.Errorf("search %q found %v, not %s", q, got, f.rejected)
		}
		hs.press("/", "esc")
	}
}

// TestSearchFindsCorrections: a sale's whole number, typed in the search, lists the sale with
// its refund, so the refund of the sale on a slip is found where the sale is.
func TestSearchFindsCorrections(t *testing.T) {
	j := openJournal(t)
	f := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("/")
	hs.typ(f.uploaded)
	hs.press("enter")
	var got []string
	for _, o := range hs.m.jr.rows {
		got = append(got, o.OrderID)
	}
	if !slices.Equal(got, []string{f.refund, f.uploaded}) {
		t.Errorf("search %s found %v, want the refund %s and the sale", f.uploaded, got, f.refund)
	}
}
