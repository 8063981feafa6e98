package ui

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// detail shows one order: every field grouped, the upload attempts and the audit trail.
type detail struct {
	c        *common
	id       string
	order    model.Order
	attempts []model.Attempt
	audit    []model.AuditEntry
	loaded   bool
	err      string
	scrollY  int
}

type detailMsg struct {
	id       string
	order    model.Order
	attempts []model.Attempt
	audit    []model.AuditEntry
	err      error
}

// newDetail opens order id's detail.
func newDetail(c *common, id string) (*detail, tea.Cmd) {
	d := &detail{c: c, id: id}
	return d, d.load(id)
}

func (d *detail) load(id string) tea.Cmd {
	j, ctx := d.c.d.Journal, d.c.ctx
	return func() tea.Msg {
		o, err := j.Get(ctx, id)
		if err != nil {
			return detailMsg{id: id, err: err}
		}
		at, err := j.Attempts(ctx, id)
		if err != nil {
			return detailMsg{id: id, err: err}
		}
		au, err := j.Audit(ctx, id)
		return detailMsg{id: id, order: o, attempts: at, audit: au, err: err}
	}
}

// update handles the detail's keys and wheel, its answers, and changes to its order.
func (d *detail) update(msg tea.Msg) (tea.Cmd, []action) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return d.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			d.scroll(-3)
		case tea.MouseWheelDown:
			d.scroll(3)
		}
	case tea.WindowSizeMsg:
		d.scroll(0)
	case detailMsg:
		d.apply(msg)
	case orderChanged:
		if msg.order.OrderID == d.id || msg.order.OriginalOrderID == d.id {
			return d.load(d.id), nil
		}
	case refreshMsg:
		if msg.id == d.id || msg.id == "-" {
			return d.load(d.id), nil
		}
	case answer:
		return answerCancel(d.c, msg), nil
	}
	return nil, nil
}

func (d *detail) apply(msg detailMsg) {
	if msg.id != d.id {
		return
	}
	if msg.err != nil {
		d.err = msg.err.Error()
	} else {
		d.err = ""
		d.order, d.attempts, d.audit, d.loaded = msg.order, msg.attempts, msg.audit, true
	}
	d.scroll(0)
}

func (d *detail) bodyHeight() int { return max(1, d.c.h-1-len(d.c.footer(d.keys()))) }

// scroll moves the body by delta lines, within it.
func (d *detail) scroll(delta int) {
	d.scrollY = min(max(0, d.scrollY+delta), max(0, len(d.lines())-d.bodyHeight()))
}

func (d *detail) key(msg tea.KeyPressMsg) (tea.Cmd, []action) {
	k := d.c.keys
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		return nil, []action{actBack{}, actRefresh{d.id}}
	case key.Matches(msg, k.ForceQt):
		return nil, []action{actQuit{}}
	case key.Matches(msg, k.Help):
		return nil, []action{actHelp{"detail", d.keys()}}
	case key.Matches(msg, k.Up):
		d.scroll(-1)
	case key.Matches(msg, k.Down):
		d.scroll(1)
	case key.Matches(msg, k.PageUp):
		d.scroll(-d.bodyHeight())
	case key.Matches(msg, k.PageDown):
		d.scroll(d.bodyHeight())
	default:
		if d.loaded {
			return orderKey(d.c, msg, d.order)
		}
	}
	return nil, nil
}

func (d *detail) keys() helpFor { return d.c.keys.detailHelp() }

func (d *detail) lines() []string {
	if d.err != "" {
		return []string{d.c.st.err.Render(d.c.t("err", termtext.Clean(d.err)))}
	}
	if !d.loaded {
		return []string{d.c.t("loading")}
	}
	o := d.order
	var out []string
	refusal := refusalOf(o)
	kv := func(field, v string) {
		if v == "" && field != refusal.Field {
			return
		}
		lab := termtext.Fit(d.c.label(field), formLabelW)
		if field == refusal.Field {
			// the value head office refused: marked where it stands among the others
			mark := " ◀ " + d.c.t("det.refused")
			v = termtext.Cut(termtext.Clean(v), max(1, d.c.w-formIndent-termtext.Width(mark)))
			out = append(out, "  "+d.c.st.err.Render(lab)+" "+d.c.st.err.Render(v+mark))
			return
		}
		out = append(out, "  "+lab+" "+termtext.Cut(termtext.Clean(v), d.c.w-formIndent))
	}
	group := func(key string) { out = append(out, d.c.st.bold.Render("[ "+d.c.t(key)+" ]")) }

	status := d.c.st.status[o.Status].Render(o.Status.Label(d.c.lang))
	out = append(out, "  "+termtext.Fit(d.c.t("det.status"), formLabelW)+" "+status)
	if o.Status == model.StatusRetrying && !o.NextAttemptAt.IsZero() {
		out = append(out, "  "+termtext.Fit(d.c.t("det.next"), formLabelW)+" "+model.FormatTime(o.NextAttemptAt)+" ("+countdown(o.NextAttemptAt.Sub(d.c.now()))+")")
	}
	if e := d.c.lastError(o); e != "" && o.Status != model.StatusUploaded {
		code := ""
		if o.LastCode != 0 || o.LastSubCode != "" {
			code = fmt.Sprintf(" [%d %s]", o.LastCode, termtext.Clean(o.LastSubCode))
		}
		for i, l := range termtext.Wrap(e+code, d.c.w-formIndent) {
			lab := termtext.Fit("", formLabelW)
			if i == 0 {
				lab = termtext.Fit(d.c.t("det.lasterr"), formLabelW)
			}
			out = append(out, "  "+lab+" "+l)
		}
	}
	if u := d.c.undoneWords(o); u != "" {
		// what became of the sale: its void, or its refunds one by one
		out = append(out, "  "+termtext.Fit(d.c.t("det.undone"), formLabelW)+" "+d.c.st.bold.Render(termtext.Cut(u, d.c.w-formIndent)))
		for _, r := range o.Undone.Refunds {
			l := fmt.Sprintf("%s %s %s", termtext.Clean(r.OrderID), r.Amount.String(), r.Status.Label(d.c.lang))
			out = append(out, "  "+termtext.Fit("", formLabelW)+" "+termtext.Cut(l, d.c.w-formIndent))
		}
	}
	if len(o.Disagrees) > 0 {
		// the bank's statement differs: a typo to correct before head office sees it
		for i, l := range termtext.Wrap(d.c.statementWords(o)+" ("+termtext.Clean(o.StatementLine)+")", d.c.w-formIndent) {
			lab := termtext.Fit("", formLabelW)
			if i == 0 {
				lab = termtext.Fit(d.c.t("det.statement"), formLabelW)
			}
			out = append(out, "  "+lab+" "+d.c.st.warn.Render(l))
		}
	}
	if refusal.Field != "" {
		// the refused value by name, at the top: the field's own line may be a page below
		v := termtext.Clean(model.DraftOf(o.Sale).Get(refusal.Field))
		out = append(out, "  "+termtext.Fit(d.c.t("det.field"), formLabelW)+" "+d.c.st.err.Render(termtext.Cut(d.c.label(refusal.Field)+" "+v, d.c.w-formIndent)))
	}
	todo := d.c.t("todo." + string(o.Status))
	switch {
	case (o.Status == model.StatusRetrying || o.Status == model.StatusPending) && d.c.state.Mode == model.ModePaused:
		todo = d.c.t("todo.paused") // it does not retry by itself now: the top line says why
	case (o.Status == model.StatusRetrying || o.Status == model.StatusPending) && d.c.state.Mode == model.ModeUnreachable:
		todo = d.c.t("todo.unreach")
	case o.Status == model.StatusRejected && o.LastClass == "duplicate":
		todo = d.c.t("todo.dup")
	case o.Status == model.StatusRejected && o.LastClass == model.ClassGaveUp:
		todo = d.c.t("todo.gaveup")
	case o.Status == model.StatusRejected && o.LastClass == model.ClassDamaged:
		todo = d.c.t("todo.damaged")
	case o.Status == model.StatusRejected:
		todo = d.c.refusalTodo(o, refusal)
	case len(o.Disagrees) > 0 && !o.Status.CanEdit():
		todo = upperFirst(d.c.statementTodo(o)) // not "nothing to do": the statement says it holds a typo
	case o.SubSaleType == model.SubSale && o.Status != model.StatusVoided && o.Undone.Any():
		todo = d.c.undoneTodo(o)
	}
	for i, l := range termtext.Wrap(todo, d.c.w-formIndent) {
		lab := termtext.Fit("", formLabelW)
		if i == 0 {
			lab = termtext.Fit(d.c.t("det.todo"), formLabelW)
		}
		out = append(out, "  "+lab+" "+d.c.st.bold.Render(l))
	}
	if o.VoidReason != "" {
		out = append(out, "  "+termtext.Fit(d.c.t("det.reason"), formLabelW)+" "+termtext.Cut(termtext.Clean(o.VoidReason), d.c.w-formIndent))
	}

	out = append(out, d.c.st.bold.Render("[ "+d.c.t("det.attempts")+" ]"))
	if len(d.attempts) == 0 {
		out = append(out, "  "+d.c.t("det.noatt"))
	}
	for _, a := range d.attempts {
		outcome := a.Outcome
		if _, ok := catalog["out."+a.Outcome]; ok {
			outcome = d.c.t("out." + a.Outcome)
		}
		l := fmt.Sprintf("  %2d %s %s", a.N, a.StartedAt.In(model.CST).Format("01-02 15:04:05"), termtext.Fit(termtext.Clean(outcome), 8))
		if a.Code != 0 || a.SubCode != "" {
			l += fmt.Sprintf(" code %d %s", a.Code, termtext.Clean(a.SubCode))
		}
		l += fmt.Sprintf(" %dms", a.Latency.Milliseconds())
		if a.RequestID != "" {
			l += " req " + termtext.Clean(a.RequestID)
		}
		out = append(out, termtext.Cut(l, d.c.w))
		msg := d.c.ownWords(termtext.Clean(a.Message))
		if a.Class == "duplicate" && a.Outcome == "uploaded" {
			msg += " " + d.c.t("att.confirmed") // the gateway knew it: an earlier attempt got through
		}
		if msg = strings.TrimSpace(msg); msg != "" {
			for _, w := range termtext.Wrap(msg, d.c.w-6) {
				out = append(out, "      "+d.c.st.faint.Render(w))
			}
		}
	}
	group("grp.trade")
	out = append(out, "  "+termtext.Fit(d.c.label(model.FieldSubSaleType), formLabelW)+" "+o.SubSaleType.Label(d.c.lang)+" ("+string(o.SubSaleType)+")  "+d.c.label(model.FieldSaleType)+" "+string(o.SaleType))
	out = append(out, "  "+termtext.Fit(d.c.label(model.FieldPaymentChannel), formLabelW)+" "+o.PaymentChannel.Label(d.c.lang)+" ("+string(o.PaymentChannel)+")")
	kv(model.FieldOrderID, o.OrderID)
	kv(model.FieldOriginalOrderID, o.OriginalOrderID)
	kv(model.FieldTradeTime, model.FormatTime(o.TradeTime))
	if refusal.Field == model.FieldTradeAmount {
		kv(model.FieldTradeAmount, o.TradeAmount.String())
	} else {
		out = append(out, "  "+termtext.Fit(d.c.label(model.FieldTradeAmount), formLabelW)+" "+d.c.st.bold.Render(o.TradeAmount.String()))
	}
	kv(model.FieldPosTraceNo, o.PosTraceNo)
	kv(model.FieldTradeRefNo, o.TradeRefNo)

	group("grp.card")
	kv(model.FieldCardNo, o.CardNo)
	if o.BankCode != "" || o.BankName != "" {
		kv(model.FieldBankCode, strings.TrimSpace(o.BankCode+" "+o.BankName))
	}
	kv(model.FieldTerminalNo, o.TerminalNo)
	kv(model.FieldBankShopNo, o.BankShopNo)
	kv(model.FieldBatchNo, o.BatchNo)
	if o.EncrypteSummary != "" {
		kv(model.FieldEncrypteSummary, o.EncrypteSummary[:min(16, len(o.EncrypteSummary))]+"~")
	}

	group("grp.store")
	kv(model.FieldSequenceNo, o.SequenceNo)
	if o.PayTypeNo != 0 {
		kv(model.FieldPayTypeNo, fmt.Sprint(o.PayTypeNo))
	}
	kv(model.FieldStoreNo, o.StoreNo)
	if o.CommunicateType != "" {
		kv(model.FieldCommunicateType, o.CommunicateType.Label(d.c.lang))
	}
	kv(model.FieldRemark, o.Remark)
	kv(model.FieldExtendParam, o.ExtendParam)

	group("grp.auto")
	kv(model.FieldOperateTime, model.FormatTime(o.OperateTime))
	kv(model.FieldCashier, o.Cashier)
	kv(model.FieldIP, o.IP)
	kv(model.FieldMAC, o.MAC)
	kv(model.FieldRback, o.Rback)
	if !o.CreatedAt.IsZero() {
		out = append(out, "  "+termtext.Fit(d.c.t("det.created"), formLabelW)+" "+model.FormatTime(o.CreatedAt)+" "+termtext.Clean(o.CreatedBy))
	}
	if !o.UpdatedAt.IsZero() {
		out = append(out, "  "+termtext.Fit(d.c.t("det.updated"), formLabelW)+" "+model.FormatTime(o.UpdatedAt)+" "+termtext.Clean(o.UpdatedBy))
	}

	out = append(out, d.c.st.bold.Render("[ "+d.c.t("det.audit")+" ]"))
	for _, a := range d.audit {
		l := fmt.Sprintf("  %s %s %s %s", a.At.In(model.CST).Format("01-02 15:04:05"), termtext.Fit(termtext.Clean(a.By), 8), termtext.Fit(termtext.Clean(a.Action), 7), termtext.Clean(a.Detail))
		out = append(out, termtext.Cut(l, d.c.w))
	}
	return out
}

func (d *detail) view() ([]string, *tea.Cursor) {
	title := d.c.st.title.Render(d.c.t("det.title", termtext.Clean(d.id)))
	body := d.lines()
	bh := d.bodyHeight()
	vis := body[min(d.scrollY, len(body)):min(len(body), d.scrollY+bh)]
	out := []string{title}
	out = append(out, vis...)
	for len(out) < 1+bh {
		out = append(out, "")
	}
	return append(out, d.c.footer(d.keys())...), nil
}

// refusalOf reads head office's refusal of a rejected order; the zero Refusal for any other
// order, or for a rejection the screen words itself (a duplicate, given up, damaged).
func refusalOf(o model.Order) model.Refusal {
	if o.Status != model.StatusRejected || o.LastClass == "duplicate" || o.LastClass == model.ClassGaveUp || o.LastClass == model.ClassDamaged {
		return model.Refusal{}
	}
	return model.ExplainRefusal(o.LastCode, o.LastSubCode, o.LastMessage)
}

// refusalTodo says what to do about head office's refusal: correct the field it names, or,
// when it names none, compare the order with the slip or ask head office with the request id.
func (c *common) refusalTodo(o model.Order, r model.Refusal) string {
	req := termtext.Clean(o.RequestID)
	if req == "" {
		req = "-"
	}
	switch {
	case r.Field != "" && r.Kind == model.RefusalMissing:
		return c.t("why.missing.field", c.label(r.Field))
	case r.Field != "":
		return c.t("why.field", c.label(r.Field))
	case r.Kind == model.RefusalBusiness:
		return c.t("why.business", req)
	case r.Kind == model.RefusalInvalid || r.Kind == model.RefusalMissing:
		return c.t("why.nofield", req)
	}
	return c.t("todo.rejected")
}

// undoneTodo says what is left to do with a sale a void or refunds undid.
func (c *common) undoneTodo(o model.Order) string {
	switch {
	case o.Undone.Void != nil && o.Undone.Void.Status != model.StatusUploaded:
		return c.t("todo.voidwait", termtext.Clean(o.Undone.Void.OrderID))
	case o.Undone.Void != nil:
		return c.t("todo.voidedby", termtext.Clean(o.Undone.Void.OrderID))
	case o.FullyRefunded():
		return c.t("todo.refundedall")
	}
	return c.t("todo.refundedpart", max(o.TradeAmount-o.Undone.Refunded(), 0).String())
}

// upperFirst starts a sentence of the line under a row as a sentence of its own.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
