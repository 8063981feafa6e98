package ui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"banksale/desk"
	"banksale/model"
	"banksale/storage"
	bsync "banksale/sync"
	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current screens")

// clock is the fixed "now" of every screen test, so goldens do not move with the day.
var clock = time.Date(2026, 11, 26, 15, 0, 0, 0, model.CST)

// fixedTimes is the real journal with the times it stamps itself (created, updated, audit)
// replaced by the test clock: everything else is the journal's own answer.
type fixedTimes struct{ *storage.Journal }

func fix(o model.Order) model.Order {
	o.CreatedAt, o.UpdatedAt = clock.Add(-time.Hour), clock.Add(-30*time.Minute)
	return o
}

func fixAll(os []model.Order, err error) ([]model.Order, error) {
	for i := range os {
		os[i] = fix(os[i])
	}
	return os, err
}

func (f fixedTimes) List(ctx context.Context, fl model.Filter, c model.Cursor, n int) ([]model.Order, error) {
	return fixAll(f.Journal.List(ctx, fl, c, n))
}

func (f fixedTimes) ListBefore(ctx context.Context, fl model.Filter, c model.Cursor, n int) ([]model.Order, error) {
	return fixAll(f.Journal.ListBefore(ctx, fl, c, n))
}

func (f fixedTimes) Get(ctx context.Context, id string) (model.Order, error) {
	o, err := f.Journal.Get(ctx, id)
	return fix(o), err
}

func (f fixedTimes) Audit(ctx context.Context, id string) ([]model.AuditEntry, error) {
	as, err := f.Journal.Audit(ctx, id)
	for i := range as {
		as[i].At = clock.Add(-time.Duration(len(as)-i) * time.Minute)
	}
	return as, err
}

func testRules() model.Rules {
	return model.Rules{Now: clock, VoidSaleType: model.SaleTypeRefund, RefundWarnDays: 30, CardKey: []byte("test-key"),
		Operator: "张三", IP: "10.0.0.8", MAC: "52:54:00:12:34:56"}
}

func openJournal(t testing.TB) *storage.Journal {
	t.Helper()
	j, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "j.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	j.SetRules(testRules())
	t.Cleanup(func() { j.Close() })
	return j
}

// testJournal is the real journal, possibly with fixed times: what the screens read and the
// desk writes.
type testJournal interface {
	Journal
	desk.Journal
}

// testDeps are the screen's dependencies on j. The desk is made by newHarness, once the test
// has said whether an uploader runs.
func testDeps(j testJournal, lang model.Lang) Deps {
	return Deps{Journal: j, Lang: lang, Rules: testRules(), StoreNo: "HZ01", TerminalNo: "10290001",
		BankShopNo: "102330159410001", CommType: model.CommNetwork, Store: "HZ01 西湖店", Now: func() time.Time { return clock }}
}

// withDesk gives d the real desk on its journal, and on its uploader when it has one.
func withDesk(d Deps) Deps {
	if d.Desk != nil {
		return d
	}
	var up desk.Uploader
	if u, ok := d.Uploader.(desk.Uploader); ok {
		up = u
	}
	// Desk A: the journal would draw a code at random, and the screens must not move with it.
	d.Desk = desk.New(d.Journal.(desk.Journal), up, desk.Config{Rules: d.Rules, StoreNo: d.StoreNo, CommType: d.CommType, Now: d.Now, DeskCode: "A"})
	return d
}

// fixture fills j with one order in every status (and a void and a refund).
type fixture struct {
	uploaded, quick, rejected, refund, retrying, uploading, voided, void, pending string
}

func sale(t testing.TB, id string, at string, sub model.SubType, ch model.Channel, yuan, card, orig string) model.Sale {
	t.Helper()
	d := model.Draft{OrderID: id, SubSaleType: string(sub), PaymentChannel: string(ch), TradeTime: "2026-11-26 " + at,
		TradeAmount: yuan, SequenceNo: "30012345678", PayTypeNo: "1", StoreNo: "HZ01", CommunicateType: "001",
		TerminalNo: "10290001", BankShopNo: "102330159410001", BatchNo: "000127", PosTraceNo: "000" + id[len(id)-3:],
		TradeRefNo: "3310000" + id[len(id)-5:], BankCode: "308", CardNo: card, OriginalOrderID: orig}
	s, is := d.Build(testRules())
	if is.HasErrors() {
		t.Fatalf("sample %s: %v", id, is.Errors())
	}
	return s
}

func fill(t testing.TB, j *storage.Journal) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{uploaded: "HZ01202611260001", quick: "HZ01202611260002", rejected: "HZ01202611260003",
		refund: "HZ01202611260004", retrying: "HZ01202611260005", uploading: "HZ01202611260008",
		voided: "HZ01202611260006", void: "HZ01202611260007", pending: "HZ01202611260009"}
	insert := func(s model.Sale) {
		t.Helper()
		if _, err := j.Insert(ctx, s, "张三"); err != nil {
			t.Fatalf("insert %s: %v", s.OrderID, err)
		}
	}
	claim := func(id string) {
		t.Helper()
		got, err := j.Claim(ctx, time.Now().Add(time.Hour), 1, time.Hour)
		if err != nil || len(got) != 1 || got[0].OrderID != id {
			t.Fatalf("claim %s: %v %v", id, got, err)
		}
	}
	record := func(id string, st model.Status, at time.Time, next time.Time, code int, sub, msg string) {
		t.Helper()
		outcome := map[model.Status]string{model.StatusUploaded: "uploaded", model.StatusRetrying: "retrying", model.StatusRejected: "rejected"}[st]
		_, err := j.Record(ctx, model.Outcome{OrderID: id, Status: st, NextAttemptAt: next, Attempt: model.Attempt{
			OrderID: id, StartedAt: at, Latency: 231 * time.Millisecond, Outcome: outcome, Code: code, SubCode: sub, Message: msg,
			RequestID: "req-" + id[len(id)-4:]}})
		if err != nil {
			t.Fatalf("record %s: %v", id, err)
		}
	}
	const card = "6222021234567890128"
	insert(sale(t, f.uploaded, "09:05:11", model.SubSale, model.ChannelBankCard, "1288.00", "6222 0212 3456 7890 128", ""))
	claim(f.uploaded)
	record(f.uploaded, model.StatusUploaded, clock.Add(-5*time.Hour), time.Time{}, 0, "", "")
	insert(sale(t, f.quick, "09:40:00", model.SubSale, model.ChannelQuickPass, "59.90", "", ""))
	claim(f.quick)
	record(f.quick, model.StatusUploaded, clock.Add(-5*time.Hour), time.Time{}, 0, "", "")
	insert(sale(t, f.rejected, "10:15:30", model.SubSale, model.ChannelBankCard, "3560.00", "6217001234567890", ""))
	claim(f.rejected)
	record(f.rejected, model.StatusRejected, clock.Add(-4*time.Hour), time.Time{}, 15, "isv.invalid-parameter",
		"\x1b[31m非法参数\x1b[0m: trade_ref_no\x07")
	insert(sale(t, f.refund, "11:20:00", model.SubRefund, model.ChannelBankCard, "300.00", "622202******0128", f.uploaded))
	claim(f.refund)
	record(f.refund, model.StatusUploaded, clock.Add(-3*time.Hour), time.Time{}, 0, "", "")
	insert(sale(t, f.retrying, "11:45:00", model.SubSale, model.ChannelBankCard, "899.00", "6228481234567891", ""))
	claim(f.retrying)
	insert(sale(t, f.uploading, "14:20:00", model.SubSale, model.ChannelBankCard, "26800.00", "6214831234567892", ""))
	claim(f.uploading)
	record(f.retrying, model.StatusRetrying, clock.Add(-time.Minute), clock.Add(42*time.Second), 15,
		"isp.top-remote-service-unavailable", "后端服务不可用")
	insert(sale(t, f.voided, "12:30:00", model.SubSale, model.ChannelBankCard, "75.00", "6225881234567893", ""))
	if _, err := j.Void(ctx, f.voided, "重复录入 / entered twice", "张三"); err != nil {
		t.Fatal(err)
	}
	insert(sale(t, f.void, "13:10:00", model.SubVoid, model.ChannelQuickPass, "59.90", "", f.quick))
	insert(sale(t, f.pending, "14:45:00", model.SubSale, model.ChannelQuickPass, "18.00", "", ""))
	_ = card
	return f
}

// uploadOne records order id as uploaded now, as the uploader would without a gateway. The
// claim takes every due order with it (they stay uploading, their lease held).
func uploadOne(t testing.TB, j *storage.Journal, id string) model.Order {
	t.Helper()
	ctx := context.Background()
	got, err := j.Claim(ctx, time.Now().Add(time.Hour), 100, time.Hour)
	var ids []string
	for _, o := range got {
		ids = append(ids, o.OrderID)
	}
	if err != nil || !slices.Contains(ids, id) {
		t.Fatalf("claim %s: got %v, %v", id, ids, err)
	}
	if _, err := j.Record(ctx, model.Outcome{OrderID: id, Status: model.StatusUploaded,
		Attempt: model.Attempt{OrderID: id, StartedAt: clock, Latency: 231 * time.Millisecond, Outcome: "uploaded", RequestID: "req-" + id[len(id)-4:]}}); err != nil {
		t.Fatalf("record %s: %v", id, err)
	}
	o, err := j.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// harness drives a Model as Bubble Tea would: messages in, commands run, their messages back in.
type harness struct {
	t    testing.TB
	m    *Model
	quit bool
}

func newHarness(t testing.TB, d Deps, w, h int) *harness {
	t.Helper()
	return newHarnessChecking(t, d, w, h, false)
}

// newHarnessChecking is newHarness, with the look over the journal at start when check is set.
func newHarnessChecking(t testing.TB, d Deps, w, h int, check bool) *harness {
	t.Helper()
	d = withDesk(d)
	d.NoTick, d.ManualEvents, d.NoStartCheck = true, true, !check
	m := New(context.Background(), d)
	t.Cleanup(m.Close)
	hs := &harness{t: t, m: m}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(m.Init())
	return hs
}

// run executes cmd and every command that follows from it, synchronously.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			h.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(10 * time.Second):
			h.t.Fatal("a command blocked for 10s")
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// press sends keys by name: "n", "enter", "ctrl+s", "shift+tab", "R", "space"...
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typ types text one key at a time, as a person does.
func (h *harness) typ(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "backspace": tea.KeyBackspace, "space": tea.KeySpace, "f2": tea.KeyF2}
	var mod tea.KeyMod
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		mod, k = tea.ModCtrl, rest
	}
	if rest, ok := strings.CutPrefix(k, "shift+"); ok {
		mod, k = tea.ModShift, rest
	}
	if r, ok := special[k]; ok {
		msg := tea.KeyPressMsg{Code: r, Mod: mod}
		if r == tea.KeySpace {
			msg.Text = " "
		}
		return msg
	}
	r := []rune(k)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// screen is the current frame as a terminal would show it, escape codes stripped.
func (h *harness) screen() string {
	return ansi.Strip(h.m.View().Content)
}

func (h *harness) contains(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (h *harness) lacks(bad ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range bad {
		if strings.Contains(s, w) {
			h.t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

// on names the screen on top: journal, form, detail, summary or help.
func (h *harness) on() string {
	switch h.m.top().(type) {
	case *journal:
		return "journal"
	case *form:
		return "form"
	case *detail:
		return "detail"
	case *summary:
		return "summary"
	case *helpScreen:
		return "help"
	case *reconcileScreen:
		return "reconcile"
	}
	return fmt.Sprintf("%T", h.m.top())
}

// form is the form on top, or nil.
func (h *harness) form() *form {
	f, _ := h.m.top().(*form)
	return f
}

// detail is the detail screen on top, or nil.
func (h *harness) detail() *detail {
	d, _ := h.m.top().(*detail)
	return d
}

func (h *harness) selected() model.Order {
	o, _ := h.m.jr.selected()
	return o
}

// selectOrder moves the cursor to the order id.
func (h *harness) selectOrder(id string) {
	h.t.Helper()
	for i, o := range h.m.jr.rows {
		if o.OrderID == id {
			h.m.jr.cur = i
			h.m.jr.clampView()
			return
		}
	}
	h.t.Fatalf("order %s not on the journal screen", id)
}

// golden compares the screen with testdata/name.golden (go test -update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("screen %s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}
var langs = []model.Lang{model.ZH, model.EN}

func forEachLayout(t *testing.T, fn func(t *testing.T, lang model.Lang, w, h int, name string)) {
	for _, l := range langs {
		for _, s := range sizes {
			name := fmt.Sprintf("%s_%dx%d", l, s.w, s.h)
			t.Run(name, func(t *testing.T) { fn(t, l, s.w, s.h, name) })
		}
	}
}

// newUploader is a real uploader talking to a real fake gateway on loopback. It is not
// started: tests that want uploads call startUploader.
func newUploader(t testing.TB, j *storage.Journal, opts toptest.Options) (*bsync.Uploader, *toptest.Server) {
	t.Helper()
	opts.AppKey, opts.Secret = "test-app", "test-secret"
	srv := toptest.NewServer(opts)
	t.Cleanup(srv.Close)
	c, err := top.New(top.Config{URL: srv.URL(), AppKey: "test-app", Secret: "test-secret", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u := bsync.New(j, c, bsync.Config{Workers: 2, BackoffBase: 50 * time.Millisecond, BackoffCap: 200 * time.Millisecond, Lease: time.Minute}, nil)
	return u, srv
}

func startUploader(t testing.TB, u *bsync.Uploader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = u.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// pump feeds the uploader's events to the model until cond holds or the time is up.
func (h *harness) pump(within time.Duration, cond func() bool) bool {
	h.t.Helper()
	deadline := time.After(within)
	for !cond() {
		select {
		case ev, ok := <-h.m.events:
			if !ok {
				return cond()
			}
			h.send(eventMsg{ev})
		case <-deadline:
			return cond()
		}
	}
	return true
}
