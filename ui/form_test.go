package ui

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/sync/top/toptest"
)

// typeSale fills the new-sale form from a bank slip, as a supervisor would: the cursor starts on
// the trade time; tab/enter go to the next field.
func typeSale(hs *harness, card string) {
	hs.press("enter") // the channel: bank card
	hs.typ("14:30")
	hs.press("tab")
	hs.typ("1,234.56")
	hs.press("tab")
	hs.typ("000777")
	hs.press("enter")
	hs.typ("331000099777")
	hs.press("tab")
	hs.typ(card)
	hs.press("tab") // leaves the card: masked now
	// the bank follows from the card's first digits (622202: ICBC)
	if got := hs.form().get(model.FieldBankCode).value(); card != "" && got != "102" {
		hs.t.Fatalf("the bank from the card 622202: %q", got)
	}
	hs.press("tab", "tab", "tab", "tab")
	hs.typ("30012399999")
}

func TestFormNewSaleUploads(t *testing.T) {
	j := openJournal(t)
	u, srv := newUploader(t, j, toptest.Options{})
	d := testDeps(j, model.EN)
	d.Uploader = u
	hs := newHarness(t, d, 80, 24)
	startUploader(t, u)
	hs.press("n")
	hs.contains("New sale  HZ0120261126A0001")
	if hs.form().fields[hs.form().focus].name != model.FieldPaymentChannel {
		t.Fatalf("the form starts on %s, want the channel", hs.form().fields[hs.form().focus].name)
	}
	const card = "6222021234567890128" // 19 digits, Luhn-valid
	typeSale(hs, card)
	hs.lacks(card, "6222 02")
	hs.contains("¥1,234.56", "2026-11-26 14:30:00", "102 中国工商银行 ICBC", "from the card's first digits", "622202*********0128")
	if got := hs.form().get(model.FieldTradeTime).value(); got != "2026-11-26 14:30:00" {
		t.Errorf("the time typed as 14:30 reads %q once left", got)
	}
	if got := hs.form().get(model.FieldTradeAmount).value(); got != "1234.56" {
		t.Errorf("the amount typed as 1,234.56 reads %q once left", got)
	}
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("not saved:\n%s", hs.screen())
	}
	hs.contains("Saved HZ0120261126A0001")
	o, err := j.Get(context.Background(), "HZ0120261126A0001")
	if err != nil {
		t.Fatal(err)
	}
	if o.TradeAmount != 123456 || o.CardNo != "622202*********0128" || o.EncrypteSummary == "" || o.BankName != "中国工商银行" ||
		o.Cashier != "张三" || o.IP != "10.0.0.8" || o.PosTraceNo != "000777" || o.SequenceNo != "30012399999" {
		t.Fatalf("journaled %+v", o.Sale)
	}
	if !hs.pump(10*time.Second, func() bool { return hs.selected().Status == model.StatusUploaded }) {
		t.Fatalf("the new sale never showed uploaded:\n%s", hs.screen())
	}
	if _, ok := srv.Orders()["HZ0120261126A0001"]; !ok {
		t.Fatal("the gateway has no such order")
	}
	for _, r := range srv.Requests() {
		if strings.Contains(string(r.Payload), card) {
			t.Fatal("the full card number was sent")
		}
	}
}

func TestFormErrorsBlockWarningsAskOnce(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	hs.lacks("error:") // a fresh form is not a wall of red
	hs.press("ctrl+s")
	hs.contains("Cannot save", "error:")
	if hs.form().fields[hs.form().focus].name != model.FieldTradeTime {
		t.Fatalf("save did not go to the first error: %s", hs.form().fields[hs.form().focus].name)
	}
	hs.typ("now")
	hs.press("tab")
	hs.typ("88")
	hs.press("tab")
	hs.typ("12") // trace of two digits: a warning
	hs.press("tab")
	hs.typ("331000099777")
	hs.press("tab")
	for range 5 {
		hs.press("tab")
	}
	hs.typ("30012399999")
	hs.press("ctrl+s")
	hs.contains("warnings: 1", "press ctrl+s again")
	if hs.on() != "form" {
		t.Fatal("saved without confirming the warning")
	}
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("the second ctrl+s did not save:\n%s", hs.screen())
	}
	if _, err := j.Get(context.Background(), "HZ0120261126A0001"); err != nil {
		t.Fatal(err)
	}
}

func TestFormEscAsks(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.press("n", "esc")
	if hs.on() != "journal" {
		t.Fatal("esc on an untouched form asks nothing")
	}
	hs.press("n", "enter")
	hs.typ("9")
	hs.press("esc")
	hs.contains("放弃未保存的修改吗")
	hs.press("n")
	if hs.on() != "form" {
		t.Fatal("n keeps the form")
	}
	hs.press("esc", "y")
	if hs.on() != "journal" {
		t.Fatal("y discards")
	}
}

func TestFormCardMaskedOnLeave(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	hs.form().focusField(model.FieldCardNo)
	hs.typ("6222-0212-3456-7890-128")
	hs.press("shift+tab")
	v := hs.form().get(model.FieldCardNo).in.Value()
	if v != "622202*********0128" {
		t.Fatalf("card field holds %q after leaving", v)
	}
	if hs.form().cardDigest == "" {
		t.Fatal("no digest kept")
	}
	hs.lacks("6222-0212", "1234567890")
	// an invalid long number is masked too
	hs.form().focusField(model.FieldCardNo)
	for range 30 {
		hs.press("backspace")
	}
	hs.typ("62220212345")
	hs.press("tab")
	hs.lacks("62220212345")
	if v := hs.form().get(model.FieldCardNo).in.Value(); v != "*******2345" {
		t.Fatalf("an invalid 11-digit number left %q on screen: only the last four may stay", v)
	}
	hs.contains("error:")
	// full-width digits count as digits: masked the same way, and no crash
	hs.form().focusField(model.FieldCardNo)
	for range 30 {
		hs.press("backspace")
	}
	hs.typ("６２２２０２１２３４５")
	hs.press("tab")
	if v := hs.form().get(model.FieldCardNo).in.Value(); v != "*******２３４５" {
		t.Fatalf("full-width digits left %q on screen", v)
	}
}

func TestFormPickLists(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldPaymentChannel)
	hs.press("right")
	if got := f.get(model.FieldPaymentChannel).value(); got != string(model.ChannelQuickPass) {
		t.Fatalf("right on the channel: %s", got)
	}
	f.focusField(model.FieldSubSaleType)
	hs.press("right")
	if f.subType() != model.SubVoid || f.hidden(f.index(model.FieldOriginalOrderID)) {
		t.Fatal("a void shows the original order field")
	}
	hs.press("space")
	hs.contains("筛选")
	hs.press("down", "enter")
	if f.subType() != model.SubRefund {
		t.Fatalf("list pick: %s", f.subType())
	}
	f.focusField(model.FieldBankCode)
	hs.typ("招商")
	hs.contains("308 招商银行")
	hs.press("enter")
	if got := f.get(model.FieldBankCode).value(); got != "308" {
		t.Fatalf("bank: %q", got)
	}
	f.focusField(model.FieldCommunicateType)
	hs.press("left")
	if got := f.get(model.FieldCommunicateType).value(); got != string(model.CommPhone) {
		t.Fatalf("comm: %s", got)
	}
	hs.press("space", "esc")
	if f.pickOpen {
		t.Fatal("esc closes the list")
	}
}

func TestFormVoidAndRefundPrefilled(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	// the sale has a refund already: v is refused at once, naming the refunds
	hs.selectOrder(fx.uploaded)
	hs.press("v")
	if hs.on() != "journal" {
		t.Fatalf("v on a refunded sale opened %s", hs.on())
	}
	hs.contains(fx.uploaded + " has refunds of ¥300.00: a void undoes a whole sale; refund the rest instead (f)")
	// and the sale that was voided: v and f are refused at once, naming the void
	hs.selectOrder(fx.quick)
	hs.press("f")
	hs.contains(fx.quick + " already has the void " + fx.void + " (pending): it cannot be voided or refunded again")
	hs.press("v")
	if hs.on() != "journal" {
		t.Fatalf("v on a voided sale opened %s", hs.on())
	}

	hs.selectOrder(fx.retrying)
	hs.press("v")
	f := hs.form()
	orig, _ := j.Get(context.Background(), fx.retrying)
	for field, want := range map[string]string{
		model.FieldOriginalOrderID: fx.retrying, model.FieldTradeAmount: "899.00", model.FieldCardNo: orig.CardNo,
		model.FieldTerminalNo: orig.TerminalNo, model.FieldBankShopNo: orig.BankShopNo, model.FieldBatchNo: orig.BatchNo,
		model.FieldPaymentChannel: string(orig.PaymentChannel), model.FieldSubSaleType: string(model.SubVoid),
	} {
		if got := f.get(field).value(); got != want {
			t.Errorf("void %s = %q, want %q", field, got, want)
		}
	}
	hs.contains("Void sale "+fx.retrying, "Original "+fx.retrying)
	hs.press("esc", "y")

	hs.selectOrder(fx.uploaded)
	hs.press("f")
	f = hs.form()
	if f.get(model.FieldTradeAmount).value() != "" || f.get(model.FieldOriginalOrderID).value() != fx.uploaded {
		t.Fatal("a refund starts with no amount and the original's id")
	}
	hs.contains("Refund of "+fx.uploaded, "Refundable ¥988.00")
	hs.typ("15:00")
	hs.press("tab")
	hs.typ("1000")
	hs.press("tab")
	hs.contains("at most ¥988.00 is left")
	hs.press("shift+tab")
	for range 4 {
		hs.press("backspace")
	}
	hs.typ("988")
	hs.typ("")
	hs.lacks("at most")
}

func TestFormEditRejected(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.selectOrder(fx.rejected)
	hs.press("e")
	hs.contains("修改订单 "+fx.rejected, "总部拒收: 非法参数: trade_ref_no")
	f := hs.form()
	if f.readonly(f.index(model.FieldOrderID)) == false {
		t.Fatal("the order id of an edit is read-only")
	}
	f.focusField(model.FieldTradeRefNo)
	for range 12 {
		hs.press("backspace")
	}
	hs.typ("331000060099")
	hs.press("ctrl+s") // the fixture's orders share a receipt number: warnings, confirmed once
	hs.contains("再按 ctrl+s 保存")
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("edit not saved:\n%s", hs.screen())
	}
	o, _ := j.Get(context.Background(), fx.rejected)
	if o.Status != model.StatusPending || o.TradeRefNo != "331000060099" || o.EncrypteSummary == "" {
		t.Fatalf("after the edit: %s %s digest %q", o.Status, o.TradeRefNo, o.EncrypteSummary)
	}
	if hs.selected().OrderID != fx.rejected {
		t.Fatalf("cursor on %s after the edit", hs.selected().OrderID)
	}
	// from the detail screen too
	hs.press("enter", "e")
	if hs.on() != "form" {
		t.Fatal("e from the detail screen")
	}
	hs.press("esc")
	if hs.on() != "detail" {
		t.Fatal("esc goes back to the detail screen")
	}
}

func TestFormConflict(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldOrderID)
	for range 20 {
		hs.press("backspace")
	}
	hs.typ(fx.uploaded)
	f.focusField(model.FieldPaymentChannel)
	typeSale(hs, "")
	hs.press("ctrl+s", "ctrl+s")
	hs.contains("taken by a different order")
	if hs.on() != "form" {
		t.Fatal("a conflict leaves the form open")
	}
}

func TestFormDuplicateWarning(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	o, _ := j.Get(context.Background(), fx.uploaded)
	hs := newHarness(t, testDeps(j, model.EN), 120, 40)
	hs.press("n", "enter")
	hs.typ("14:30")
	hs.press("tab")
	hs.typ("5")
	hs.press("tab")
	hs.typ(o.PosTraceNo) // same merchant, terminal, batch and trace
	hs.form().focusField(model.FieldBatchNo)
	hs.typ(o.BatchNo)
	hs.press("tab")
	for _, w := range hs.form().issues.Warnings() {
		if strings.HasPrefix(w.Code, "dup") {
			return
		}
	}
	t.Fatalf("no duplicate warning: %v", hs.form().issues)
}

var _ = model.ErrExists

func TestFormMouseAndResize(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	amount := f.index(model.FieldTradeAmount)
	hs.send(tea.MouseClickMsg{X: 20, Y: 2 + f.lineOf[amount] - f.scroll, Button: tea.MouseLeft})
	if f.focus != amount {
		t.Fatalf("click on the amount line focused %s", f.fields[f.focus].name)
	}
	v := hs.m.View()
	if v.Cursor == nil || v.Cursor.Y != 2+f.lineOf[amount]-f.scroll || v.Cursor.X != formIndent {
		t.Fatalf("real cursor at %+v", v.Cursor)
	}
	hs.typ("退款")
	if v := hs.m.View(); v.Cursor.X != formIndent+4 {
		t.Fatalf("cursor after two Chinese characters at x=%d, want %d", v.Cursor.X, formIndent+4)
	}
	f.focusField(model.FieldExtendParam) // the last field: the form scrolls to it
	if f.scroll == 0 {
		t.Fatal("the form did not scroll to its last field at 80x24")
	}
	hs.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	hs.contains("Extra info", "Type")
	hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	hs.send(tea.WindowSizeMsg{Width: 70, Height: 20})
	hs.contains("too small")
}

// fullDisk is the journal on a disk that has filled up: a save fails as storage reports it.
type fullDisk struct {
	testJournal
	full bool
}

func (f *fullDisk) Insert(ctx context.Context, s model.Sale, by string) (model.Order, error) {
	if f.full {
		return model.Order{}, fmt.Errorf("storage: insert %s: %w: %w", s.OrderID, model.ErrDiskFull, syscall.ENOSPC)
	}
	return f.testJournal.Insert(ctx, s, by)
}

// TestSaveOnAFullDiskKeepsTheForm: a save that fails for lack of space says so and what to do,
// and keeps the form with everything typed; once there is space the same save goes through.
func TestSaveOnAFullDiskKeepsTheForm(t *testing.T) {
	for _, lang := range []model.Lang{model.EN, model.ZH} {
		j := &fullDisk{testJournal: openJournal(t), full: true}
		hs := newHarness(t, testDeps(j, lang), 80, 24)
		hs.press("n")
		typeSale(hs, "6222021234567890128")
		hs.press("ctrl+s")
		if hs.on() != "form" {
			t.Fatalf("the form closed on a failed save:\n%s", hs.screen())
		}
		hs.contains(lang.Pick("日志所在磁盘已满", "the journal's disk is full"), "¥1,234.56", "331000099777", "622202*********0128")
		j.full = false
		hs.press("ctrl+s")
		if hs.on() != "journal" {
			t.Fatalf("not saved once there was space:\n%s", hs.screen())
		}
		o, err := j.Get(context.Background(), "HZ0120261126A0001")
		if err != nil || o.TradeAmount != 123456 || o.EncrypteSummary == "" {
			t.Fatalf("journaled %+v %v", o.Sale, err)
		}
	}
}

// TestCardTypedIntoAnotherFieldIsHidden: a card number typed into the remark is not shown
// again once the field is left, it blocks the save, and removing it lets the sale be saved.
func TestCardTypedIntoAnotherFieldIsHidden(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	typeSale(hs, "6222021234567890128")
	hs.form().focusField(model.FieldRemark)
	hs.typ("paid with 4111 1111 1111 1111")
	hs.press("shift+tab") // leave the remark
	hs.lacks("4111 1111 1111 1111", "1111 1111 1111")
	hs.contains("paid with 4111 11**", "Remark had a card number typed into it, now hi")
	if v := hs.form().get(model.FieldRemark).value(); v != "paid with 4111 11** **** 1111" {
		t.Errorf("the remark holds %q", v)
	}
	hs.press("ctrl+s")
	if hs.on() != "form" {
		t.Fatalf("saved with a card number in the remark:\n%s", hs.screen())
	}
	hs.form().focusField(model.FieldRemark)
	hs.press("end")
	hs.typ(" (the card)")
	hs.press("ctrl+s")
	if hs.on() != "form" {
		t.Fatalf("saved with the hidden card number still in the remark:\n%s", hs.screen())
	}
	hs.press("end") // keep the rest of the remark: edit it, do not replace it
	for range len("4111 11** **** 1111 (the card)") {
		hs.press("backspace")
	}
	hs.typ("card")
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("not saved once the card number was removed:\n%s", hs.screen())
	}
	if o, err := j.Get(context.Background(), "HZ0120261126A0001"); err != nil || o.Remark != "paid with card" {
		t.Fatalf("remark %q %v", o.Remark, err)
	}
}

// TestTypingReplacesAPrefilledField: a field entered holding a value shows it selected, and
// typing replaces it (10290001 then 1 gave 102900011); a cursor key keeps it for editing.
func TestTypingReplacesAPrefilledField(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	hs.form().focusField(model.FieldTerminalNo)
	hs.typ("10250011")
	if v := hs.form().get(model.FieldTerminalNo).value(); v != "10250011" {
		t.Fatalf("typing into the prefilled terminal no gave %q", v)
	}
	hs.form().focusField(model.FieldBankShopNo)
	hs.press("end")
	hs.typ("9")
	if v := hs.form().get(model.FieldBankShopNo).value(); v != "1023301594100019" {
		t.Fatalf("typing after end gave %q", v)
	}
	hs.form().focusField(model.FieldStoreNo)
	hs.press("backspace")
	if v := hs.form().get(model.FieldStoreNo).value(); v != "" {
		t.Fatalf("backspace on a selected value left %q", v)
	}
}
