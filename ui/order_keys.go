package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// orderKey is what the journal and the detail screen share: the keys that act on one order.
// Whether a key may act is model's rule (Order.CanVoid, Status.CanEdit, …), asked here before
// anything is opened so a refusal is immediate; the desk asks again when it acts.
func orderKey(c *common, msg tea.KeyPressMsg, o model.Order) (tea.Cmd, []action) {
	k := c.keys
	bad := func(key string, args ...any) (tea.Cmd, []action) {
		return nil, []action{actFlash{c.t(key, args...), true}}
	}
	switch {
	case key.Matches(msg, k.Void):
		if why := o.WhyNoVoid(); why != "" {
			return nil, []action{actFlash{c.noCorrection("void", why, o), true}}
		}
		return nil, []action{actForm{mode: modeVoid, order: &o}}
	case key.Matches(msg, k.Refund):
		if why := o.WhyNoRefund(); why != "" {
			return nil, []action{actFlash{c.noCorrection("refund", why, o), true}}
		}
		return nil, []action{actForm{mode: modeRefund, order: &o}}
	case key.Matches(msg, k.Edit):
		if !o.Status.CanEdit() {
			return bad("not.editable", o.OrderID)
		}
		return nil, []action{actForm{mode: modeEdit, order: &o}}
	case key.Matches(msg, k.Cancel):
		switch {
		case o.Status == model.StatusUploading:
			return bad("busy", o.OrderID)
		case !o.Status.CanCancel():
			return bad("not.cancelable", o.OrderID)
		}
		return nil, []action{actAsk{cancelReason(c, o.OrderID)}}
	case key.Matches(msg, k.Retry):
		switch {
		case c.d.Uploader == nil:
			return bad("no.uploader")
		case !o.Status.CanRetry():
			return bad("not.retryable", o.OrderID)
		}
		return retryOrder(c, o.OrderID), nil
	}
	return nil, nil
}

// answerCancel carries out a cancel reason answered on the bottom line.
func answerCancel(c *common, a answer) tea.Cmd {
	if a.kind != askCancelReason || a.esc {
		return nil
	}
	dk, ctx, l, id, reason := c.d.Desk, c.ctx, c.lang, a.orderID, a.value
	return func() tea.Msg {
		_, err := dk.Cancel(ctx, id, reason)
		var ve *model.ValidationError
		switch {
		case err == nil:
			return done(tr(l, "cancelled", id), false, id)
		case errors.As(err, &ve):
			// The desk's sentence, as the command line says it; ask again, afresh: what was
			// typed may hold a card number, which must not be drawn again.
			p := lineOf(askCancelReason, tr(l, "ask.cancel", id), "")
			p.orderID, p.limit = id, model.MaxReason
			return actionsMsg{actFlash{ve.Message(l), true}, actAsk{p}}
		case errors.Is(err, model.ErrBusy):
			return done(tr(l, "busy", id), true, "")
		case errors.Is(err, model.ErrNotEditable):
			return done(tr(l, "not.cancelable", id), true, "")
		default:
			return done(tr(l, "err", err.Error()), true, "")
		}
	}
}

func retryOrder(c *common, id string) tea.Cmd {
	dk, ctx, l := c.d.Desk, c.ctx, c.lang
	return func() tea.Msg {
		if _, err := dk.Retry(ctx, id); err != nil {
			return done(tr(l, "err", err.Error()), true, "")
		}
		return done(tr(l, "retried", id), false, id)
	}
}

// retryAll retries every failed order and, when uploading is paused, resumes it.
func retryAll(c *common) (tea.Cmd, []action) {
	if c.d.Uploader == nil {
		return nil, []action{actFlash{c.t("no.uploader"), true}}
	}
	dk, ctx, l := c.d.Desk, c.ctx, c.lang
	paused := c.state.Mode == model.ModePaused
	return func() tea.Msg {
		n, err := dk.RetryFailed(ctx)
		switch {
		case err != nil:
			return done(tr(l, "err", err.Error()), true, "")
		case n == 0 && paused:
			return done(tr(l, "resumed"), false, "")
		case n == 0:
			return done(tr(l, "retried.none"), false, "")
		}
		return done(trn(l, "retried.n", n), false, "-")
	}, nil
}

// noCorrection says why a void or refund (what) cannot start from o, naming what undid it.
func (c *common) noCorrection(what, why string, o model.Order) string {
	id := termtext.Clean(o.OrderID)
	switch why {
	case model.NoCorrectionCancelled:
		return c.t("no.cancelled", id)
	case model.NoCorrectionVoided:
		return c.t("no.voided", id, termtext.Clean(o.Undone.Void.OrderID), o.Undone.Void.Status.Label(c.lang))
	case model.NoCorrectionRefunded:
		if what == "void" {
			return c.t("no.void.refunded", id, o.Undone.Refunded().String())
		}
		return c.t("no.refund.full", id, o.Undone.Refunded().String(), o.TradeAmount.String())
	}
	return c.t("not.sale")
}

// undoneWords say what became of a sale: "voided by HZ…" or "refunded ¥x of ¥y"; "" when
// nothing undid it.
func (c *common) undoneWords(o model.Order) string {
	u := o.Undone
	switch {
	case u.Void != nil && u.Void.Status == model.StatusUploaded:
		return c.t("undone.void", termtext.Clean(u.Void.OrderID))
	case u.Void != nil:
		return c.t("undone.voidwait", termtext.Clean(u.Void.OrderID), u.Void.Status.Label(c.lang))
	case len(u.Refunds) > 0 && u.Waiting():
		return c.t("undone.refundwait", u.Refunded().String(), o.TradeAmount.String(), (u.Refunded() - u.Arrived()).String())
	case len(u.Refunds) > 0:
		return c.t("undone.refund", u.Refunded().String(), o.TradeAmount.String())
	}
	return ""
}

// typeLabel is an order's type as the journal's row shows it: a sale undone by a void or
// refunds says so in its own row, and says "on its way" until head office has the correction.
func (c *common) typeLabel(o model.Order) string {
	switch {
	case o.SubSaleType != model.SubSale:
	case o.Undone.Void != nil && o.Undone.Void.Status != model.StatusUploaded:
		return c.t("type.voiding")
	case o.Undone.Void != nil:
		return c.t("type.voided")
	case len(o.Undone.Refunds) > 0 && o.Undone.Waiting():
		return c.t("type.refunding")
	case o.FullyRefunded():
		return c.t("type.refunded")
	case len(o.Undone.Refunds) > 0:
		return c.t("type.partrefund")
	}
	return o.SubSaleType.Label(c.lang)
}

// statementWords say where an order differs from the bank's statement: "statement: Amount
// ¥1,280.00 (typed ¥1,288.00)", every field that differs.
func (c *common) statementWords(o model.Order) string {
	var parts []string
	for _, d := range o.Disagrees {
		parts = append(parts, c.t("statement.field", model.FieldLabel(d.Field, c.lang), model.DisagreementText(d.Statement), model.DisagreementText(d.Journal)))
	}
	return c.t("statement.says", strings.Join(parts, "; "))
}

// statementTodo is what to do about an order that differs from the bank's statement: correct
// it now while it can be edited, else say what to do once head office has answered (a
// retrying order may be at the gateway, so it is not edited under the uploader).
func (c *common) statementTodo(o model.Order) string {
	if o.Status.CanEdit() {
		return c.t("sel.statement")
	}
	return c.t("sel.statement.wait")
}
