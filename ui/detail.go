package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// detail shows one order: every field grouped, the upload attempts and the audit trail.
type detail struct {
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

func (m *Model) openDetail(id string) tea.Cmd {
	m.det = &detail{id: id}
	m.screen = scrDetail
	return m.det.load(m, id)
}

func (d *detail) load(m *Model, id string) tea.Cmd {
	j, ctx := m.d.Journal, m.ctx
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

func (d *detail) apply(msg detailMsg) {
	if msg.id != d.id {
		return
	}
	if msg.err != nil {
		d.err = msg.err.Error()
		return
	}
	d.err = ""
	d.order, d.attempts, d.audit, d.loaded = msg.order, msg.attempts, msg.audit, true
}

func (d *detail) bodyHeight(m *Model) int { return max(1, m.h-3) }

func (d *detail) scroll(delta int, m *Model) {
	d.scrollY = min(max(0, d.scrollY+delta), max(0, len(d.lines(m))-d.bodyHeight(m)))
}

func (d *detail) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		m.det = nil
		m.screen = scrJournal
		return tea.Batch(m.jr.reloadAround(m, d.id), m.ensureTick())
	case key.Matches(msg, k.ForceQt):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.back, m.screen = scrDetail, scrHelp
		return nil
	case key.Matches(msg, k.Up):
		d.scroll(-1, m)
	case key.Matches(msg, k.Down):
		d.scroll(1, m)
	case key.Matches(msg, k.PageUp):
		d.scroll(-d.bodyHeight(m), m)
	case key.Matches(msg, k.PageDown):
		d.scroll(d.bodyHeight(m), m)
	default:
		if d.loaded {
			return m.orderAction(msg, d.order)
		}
	}
	return nil
}

func (d *detail) lines(m *Model) []string {
	if d.err != "" {
		return []string{m.st.err.Render(m.t("err", termtext.Clean(d.err)))}
	}
	if !d.loaded {
		return []string{m.t("loading")}
	}
	o := d.order
	var out []string
	kv := func(field, v string) {
		if v == "" {
			return
		}
		out = append(out, "  "+termtext.Fit(label(m, field), formLabelW)+" "+termtext.Cut(termtext.Clean(v), m.w-formIndent))
	}
	group := func(key string) { out = append(out, m.st.bold.Render("[ "+m.t(key)+" ]")) }

	status := m.st.status[o.Status].Render(o.Status.Label(m.lang))
	out = append(out, "  "+termtext.Fit(m.t("det.status"), formLabelW)+" "+status)
	if o.Status == model.StatusRetrying && !o.NextAttemptAt.IsZero() {
		out = append(out, "  "+termtext.Fit(m.t("det.next"), formLabelW)+" "+model.FormatTime(o.NextAttemptAt)+" ("+countdown(o.NextAttemptAt.Sub(m.now()))+")")
	}
	if e := shortErr(o); e != "" && o.Status != model.StatusUploaded {
		code := ""
		if o.LastCode != 0 || o.LastSubCode != "" {
			code = fmt.Sprintf(" [%d %s]", o.LastCode, termtext.Clean(o.LastSubCode))
		}
		for i, l := range termtext.Wrap(e+code, m.w-formIndent) {
			lab := termtext.Fit("", formLabelW)
			if i == 0 {
				lab = termtext.Fit(m.t("det.lasterr"), formLabelW)
			}
			out = append(out, "  "+lab+" "+l)
		}
	}
	todo := m.t("todo." + string(o.Status))
	for i, l := range termtext.Wrap(todo, m.w-formIndent) {
		lab := termtext.Fit("", formLabelW)
		if i == 0 {
			lab = termtext.Fit(m.t("det.todo"), formLabelW)
		}
		out = append(out, "  "+lab+" "+m.st.bold.Render(l))
	}
	if o.VoidReason != "" {
		out = append(out, "  "+termtext.Fit(m.t("det.reason"), formLabelW)+" "+termtext.Cut(termtext.Clean(o.VoidReason), m.w-formIndent))
	}

	out = append(out, m.st.bold.Render("[ "+m.t("det.attempts")+" ]"))
	if len(d.attempts) == 0 {
		out = append(out, "  "+m.t("det.noatt"))
	}
	for _, a := range d.attempts {
		outcome := a.Outcome
		if _, ok := catalog["out."+a.Outcome]; ok {
			outcome = m.t("out." + a.Outcome)
		}
		l := fmt.Sprintf("  %2d %s %s", a.N, a.StartedAt.In(model.CST).Format("01-02 15:04:05"), termtext.Fit(termtext.Clean(outcome), 8))
		if a.Code != 0 || a.SubCode != "" {
			l += fmt.Sprintf(" code %d %s", a.Code, termtext.Clean(a.SubCode))
		}
		l += fmt.Sprintf(" %dms", a.Latency.Milliseconds())
		if a.RequestID != "" {
			l += " req " + termtext.Clean(a.RequestID)
		}
		out = append(out, termtext.Cut(l, m.w))
		if a.Message != "" {
			for _, w := range termtext.Wrap(termtext.Clean(a.Message), m.w-6) {
				out = append(out, "      "+m.st.faint.Render(w))
			}
		}
	}
	group("grp.trade")
	out = append(out, "  "+termtext.Fit(label(m, model.FieldSubSaleType), formLabelW)+" "+o.SubSaleType.Label(m.lang)+" ("+string(o.SubSaleType)+")  "+label(m, model.FieldSaleType)+" "+string(o.SaleType))
	out = append(out, "  "+termtext.Fit(label(m, model.FieldPaymentChannel), formLabelW)+" "+o.PaymentChannel.Label(m.lang)+" ("+string(o.PaymentChannel)+")")
	kv(model.FieldOrderID, o.OrderID)
	kv(model.FieldOriginalOrderID, o.OriginalOrderID)
	kv(model.FieldTradeTime, model.FormatTime(o.TradeTime))
	out = append(out, "  "+termtext.Fit(label(m, model.FieldTradeAmount), formLabelW)+" "+m.st.bold.Render(o.TradeAmount.String()))
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
		kv(model.FieldCommunicateType, o.CommunicateType.Label(m.lang))
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
		out = append(out, "  "+termtext.Fit(m.t("det.created"), formLabelW)+" "+model.FormatTime(o.CreatedAt)+" "+termtext.Clean(o.CreatedBy))
	}
	if !o.UpdatedAt.IsZero() {
		out = append(out, "  "+termtext.Fit(m.t("det.updated"), formLabelW)+" "+model.FormatTime(o.UpdatedAt)+" "+termtext.Clean(o.UpdatedBy))
	}

	out = append(out, m.st.bold.Render("[ "+m.t("det.audit")+" ]"))
	for _, a := range d.audit {
		l := fmt.Sprintf("  %s %s %s %s", a.At.In(model.CST).Format("01-02 15:04:05"), termtext.Fit(termtext.Clean(a.By), 8), termtext.Fit(termtext.Clean(a.Action), 7), termtext.Clean(a.Detail))
		out = append(out, termtext.Cut(l, m.w))
	}
	return out
}

func (d *detail) view(m *Model) []string {
	title := m.st.title.Render(m.t("det.title", termtext.Clean(d.id)))
	body := d.lines(m)
	bh := d.bodyHeight(m)
	d.scrollY = min(d.scrollY, max(0, len(body)-bh))
	vis := body[d.scrollY:min(len(body), d.scrollY+bh)]
	out := []string{title}
	out = append(out, vis...)
	for len(out) < 1+bh {
		out = append(out, "")
	}
	return append(out, m.footer(m.keys.detailHelp())...)
}
