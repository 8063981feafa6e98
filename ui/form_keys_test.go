package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"banksale/model"
)

// focusOrder is the fields tab visits from the form's current one until it comes back.
func focusOrder(hs *harness) []string {
	f := hs.form()
	start := f.focus
	out := []string{f.fields[start].name}
	for range len(f.fields) {
		hs.press("tab")
		if f.focus == start {
			break
		}
		out = append(out, f.fields[f.focus].name)
	}
	return out
}

// TestFormsShareOneOrder: new, edit, void and refund forms show the same fields in the same
// order, and from the trade time on, enter visits the same ones in each: counting enters lands
// in the same field whichever form is open. What a form does not let change is shown, marked
// fixed, and skipped.
func TestFormsShareOneOrder(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	fromTime := func(order []string) []string {
		i := slices.Index(order, model.FieldTradeTime)
		if i < 0 {
			t.Fatalf("the trade time is never visited: %v", order)
		}
		return append(order[i:], order[:i]...)
	}
	hs.press("n")
	hs.form().focusField(model.FieldTradeTime)
	newOrder := fromTime(focusOrder(hs))
	hs.press("esc")

	hs.selectOrder(fx.uploaded)
	hs.press("f") // the sale is partly refunded: a refund may follow, a void may not
	if hs.on() != "form" {
		t.Fatalf("f did not open the refund form:\n%s", hs.screen())
	}
	hs.contains("Refund", fx.uploaded, "(fixed on this form)")
	voidOrder := fromTime(focusOrder(hs))
	for _, locked := range []string{model.FieldSubSaleType, model.FieldOriginalOrderID, model.FieldPaymentChannel} {
		if slices.Contains(voidOrder, locked) {
			t.Errorf("the refund form lets %s change: %v", locked, voidOrder)
		}
	}
	// the refund form has no field the new one lacks, in another place
	var newWithout []string
	for _, n := range newOrder {
		if n != model.FieldPaymentChannel && n != model.FieldSubSaleType {
			newWithout = append(newWithout, n)
		}
	}
	if !slices.Equal(voidOrder, newWithout) {
		t.Errorf("enter visits\n new:    %v\n refund: %v", newWithout, voidOrder)
	}
	hs.press("esc")
	if hs.on() == "form" {
		hs.press("y")
	}
	hs.press("esc")
}

// TestFormSaysLengthInsteadOfDropping: what is typed is kept whole; a value over its field's
// limit is an error that names the limit (the tender line used to keep 4 characters silently).
func TestFormSaysLengthInsteadOfDropping(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldPayTypeNo)
	hs.typ("20261129011")
	if got := f.get(model.FieldPayTypeNo).value(); got != "120261129011" && got != "20261129011" {
		t.Fatalf("the tender line keeps %q of 20261129011", got)
	}
	hs.press("tab")
	hs.contains("at most 4 digits")
	f.focusField(model.FieldTradeRefNo)
	hs.typ(strings.Repeat("9", 40))
	if got := f.get(model.FieldTradeRefNo).value(); len(got) != 40 {
		t.Fatalf("the reference keeps %d of 40 digits", len(got))
	}
	hs.press("tab")
	hs.contains("at most 32 characters, this one has")
}

// TestFormPickByTyping: typing on a short pick list picks the choice it names, in either
// language; what names none says how to choose. On the bank list, typing filters by code,
// name, abbreviation or English name.
func TestFormPickByTyping(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	hs.typ("q")
	if got := f.get(model.FieldPaymentChannel).value(); got != string(model.ChannelQuickPass) {
		t.Fatalf("q on the channel picked %q", got)
	}
	hs.typ("银")
	if got := f.get(model.FieldPaymentChannel).value(); got != string(model.ChannelBankCard) {
		t.Fatalf("银 on the channel picked %q", got)
	}
	hs.typ("z")
	hs.contains("No choice matches z")
	for q, code := range map[string]string{"icbc": "102", "construction": "105", "PSBC": "403", "招商": "308"} {
		f.focusField(model.FieldBankCode)
		hs.typ(q)
		hs.press("enter")
		if got := f.get(model.FieldBankCode).value(); got != code {
			t.Errorf("the bank list, typed %q, picked %q, want %s", q, got, code)
		}
	}
}

// TestFormBankFromCard: a bank card's first digits fill in the bank; a bank picked by hand
// stays, with a warning when the card says otherwise.
func TestFormBankFromCard(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.ZH), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldCardNo)
	hs.typ("6222021234567890128")
	hs.press("tab")
	if got := f.get(model.FieldBankCode).value(); got != "102" {
		t.Fatalf("the bank from 622202: %q", got)
	}
	hs.contains("102 中国工商银行 ICBC", "按卡号开头识别")
	// another card of a listed bank: the guess follows it
	f.focusField(model.FieldCardNo)
	hs.typ("6217001234567890")
	hs.press("tab")
	if got := f.get(model.FieldBankCode).value(); got != "105" {
		t.Fatalf("the bank from 621700: %q", got)
	}
	// picked by hand: kept, and the card's bank is named in a warning
	hs.press("right")
	if got := f.get(model.FieldBankCode).value(); got == "105" {
		t.Fatal("right did not move the bank")
	}
	f.focusField(model.FieldCardNo)
	hs.typ("6222021234567890128")
	hs.press("tab")
	if got := f.get(model.FieldBankCode).value(); got == "102" {
		t.Fatal("a bank picked by hand was replaced by the card's")
	}
	if !f.issues.Has("bank.card_mismatch") {
		t.Errorf("no warning that the card is another bank's: %v", f.issues)
	}
}

// TestFormRefusedSaveShowsItsField: after a refused save the form scrolls to the field it
// focuses, so the next key goes where the supervisor sees it.
func TestFormRefusedSaveShowsItsField(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	hs.press("enter")
	hs.typ("now")
	hs.press("tab")
	hs.typ("12")
	hs.press("tab")
	hs.typ("000123")
	hs.press("tab")
	hs.typ("123456789012")
	f.focusField(model.FieldSequenceNo)
	hs.typ("20261129001")
	f.focusField(model.FieldPayTypeNo)
	hs.press("backspace")
	hs.typ("x")
	f.focusField(model.FieldTradeTime) // back at the top: the error lies below the screen
	hs.press("ctrl+s")
	hs.contains("Cannot save")
	if got := f.fields[f.focus].name; got != model.FieldPayTypeNo {
		t.Fatalf("the refused save focused %s", got)
	}
	_, cur := f.view()
	if cur == nil {
		t.Fatalf("the focused field is off the screen:\n%s", hs.screen())
	}
	hs.contains("> Tender line")
}

// TestHelpIsPerScreen: ? (F1 on the form, where ? is text) shows the keys of the screen it was
// pressed on; esc returns to it as it was.
func TestHelpIsPerScreen(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("?")
	hs.contains("Help: the journal", "retry all", "cancelled = cancelled here")
	hs.press("esc")
	hs.selectOrder(fx.rejected)
	hs.press("enter", "?")
	hs.contains("Help: an order's details", "up/down", "marked")
	hs.lacks("retry all", "day summary")
	hs.press("esc")
	if hs.on() != "detail" {
		t.Fatalf("esc from help went to %s", hs.on())
	}
	hs.press("esc", "n")
	hs.typ("q?")
	hs.press("f1")
	hs.contains("Help: the entry form", "ctrl+u", "clear before cursor", "ICBC")
	hs.press("esc")
	if hs.on() != "form" || hs.form().get(model.FieldPaymentChannel).value() != string(model.ChannelQuickPass) {
		t.Fatalf("back from help: %s", hs.on())
	}
}

// TestPlaceholderNotLikeAValue: a placeholder is faint and italic, not only grey, so where
// NO_COLOR drops the grey it still does not read as a typed value.
func TestPlaceholderNotLikeAValue(t *testing.T) {
	j := openJournal(t)
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	var line string
	for _, l := range strings.Split(hs.m.View().Content, "\n") {
		if strings.Contains(l, "Amount") {
			line = l
		}
	}
	// "0.00" is drawn as its first character (where the cursor would stand) and the rest
	if !strings.Contains(line, "\x1b[3;2;38;5;240m0") || !strings.Contains(line, "\x1b[3;2;38;5;240m.00") {
		t.Errorf("the amount's placeholder is not faint and italic: %q", line)
	}
}

// TestFormFromStatementLine: typing a reference number offers the statement's line; choosing
// it fills every field the bank's record holds and lands on the receipt, the store's own.
func TestFormFromStatementLine(t *testing.T) {
	j := openJournal(t)
	at := time.Date(2026, 11, 26, 14, 5, 0, 0, model.CST)
	line := model.StatementLine{File: "allinpay.csv", Row: 2, Kind: model.StatementSale, TradeTime: at, Amount: 128800,
		Channel: model.ChannelBankCard, Merchant: "102330158120045", Terminal: "10250011", Batch: "000001", Trace: "000123",
		Ref: "123456789012", Card: "622202*********0004"}
	if _, err := j.ImportStatement(context.Background(), []model.StatementLine{line}, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldTradeRefNo)
	hs.typ("1234")
	hs.contains("1 statement line matches: ctrl+o")
	hs.press("ctrl+o")
	hs.contains("11-26 14:05 ¥1,288.00 10250011 000001 000123 123456789012")
	hs.press("enter")
	for field, want := range map[string]string{
		model.FieldTradeAmount: "1288.00", model.FieldTradeTime: "2026-11-26 14:05:00", model.FieldPosTraceNo: "000123",
		model.FieldTradeRefNo: "123456789012", model.FieldTerminalNo: "10250011", model.FieldBankShopNo: "102330158120045",
		model.FieldBatchNo: "000001", model.FieldCardNo: "622202*********0004", model.FieldBankCode: "102",
	} {
		if got := f.get(field).value(); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if got := f.fields[f.focus].name; got != model.FieldSequenceNo {
		t.Errorf("after the line the focus is on %s, want the receipt", got)
	}
	hs.contains("Filled from statement line allinpay.csv:2")
	hs.typ("20261129001")
	hs.press("ctrl+s")
	if hs.on() != "journal" {
		t.Fatalf("not saved:\n%s", hs.screen())
	}
}

// TestFormVoidLineOffersItsOriginal: a void line of the statement fills the form as a void of
// the one sale it fits (same terminal, batch, card and amount).
func TestFormVoidLineOffersItsOriginal(t *testing.T) {
	j := openJournal(t)
	fx := fill(t, j)
	o, err := j.Get(context.Background(), fx.retrying)
	if err != nil {
		t.Fatal(err)
	}
	line := model.StatementLine{File: "s.csv", Row: 9, Kind: model.StatementVoid, TradeTime: o.TradeTime.Add(time.Minute),
		Amount: o.TradeAmount, Terminal: o.TerminalNo, Batch: o.BatchNo, Trace: "000777", Ref: "339000000777", Card: o.CardNo}
	if _, err := j.ImportStatement(context.Background(), []model.StatementLine{line}, "t"); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, testDeps(j, model.EN), 80, 24)
	hs.press("n")
	f := hs.form()
	f.focusField(model.FieldTradeRefNo)
	hs.typ("3390")
	hs.press("ctrl+o", "enter")
	if got := f.get(model.FieldSubSaleType).value(); got != string(model.SubVoid) {
		t.Fatalf("type %q", got)
	}
	if got := f.get(model.FieldOriginalOrderID).value(); got != fx.retrying {
		t.Fatalf("original %q, want %s:\n%s", got, fx.retrying, hs.screen())
	}
	hs.contains("its sale is " + fx.retrying)
}
