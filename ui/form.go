package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

type formMode int

const (
	modeNew formMode = iota
	modeEdit
	modeVoid
	modeRefund
)

// option is one choice of a pick list; also is more text the list's filter finds it by.
type option struct{ value, label, also string }

// field is one line of the form: a text input, or a pick list of options.
type field struct {
	name    string // the API field name; issues are matched on it
	group   string
	pick    bool
	opts    []option
	sel     int
	in      textinput.Model
	touched bool // typed in or left: only then are its problems shown (a fresh form is not a wall of red)
	// selected: the field was entered holding a value, which is drawn selected; typing replaces
	// it, as in any form a person knows, and a cursor key keeps it for editing.
	selected bool
}

func (f *field) value() string {
	if f.pick {
		if f.sel >= 0 && f.sel < len(f.opts) {
			return f.opts[f.sel].value
		}
		return ""
	}
	return f.in.Value()
}

func (f *field) setPick(v string) {
	for i, o := range f.opts {
		if o.value == v {
			f.sel = i
			return
		}
	}
}

// form is the entry form for a new sale, an edit, a void or a refund. It is built from
// bubbles/textinput with its own pick lists (Huh validates only on leaving a field and has
// no cross-field rules), validates on every keystroke with model.Draft.Build, and checks the
// journal (the original sale, duplicates) in commands, never in Update.
type form struct {
	c      *common
	id     int // which form this is: an answer for an earlier one is dropped
	mode   formMode
	orig   *model.Order // edit: the order edited; void/refund: the sale undone
	fields []*field
	focus  int
	scroll int

	initial string // values at open, to know whether Esc loses anything

	sale    model.Sale
	issues  model.Issues
	rel     model.Related
	relFor  string // original_order_id rel was read for ("" none)
	dups    model.Issues
	saveIss model.Issues // cross-order problems the journal found while saving
	gen     int

	checking, checkAgain bool // a journal check is in flight; another is wanted after it

	// card: the masked form shown once a full number was typed, its digest and what
	// ParseCard said about the full number (Luhn, payment code), which the masked form
	// no longer shows.
	cardMasked, cardDigest string
	cardIssues             model.Issues
	// cardHidden holds, by field, the value left after a card number typed into a field other
	// than the card's was hidden: while the field still holds what was hidden, it is an error,
	// to be removed.
	cardHidden map[string]string

	// refusal: an edit of an order head office refused, read for a person; refusedValue is what
	// the named field held when it was refused (while it still does, the field says so).
	refusal      model.Refusal
	refusedValue string

	tried     bool   // save was pressed once: show every problem
	confirmed string // the warnings confirmed with a second ctrl+s
	saving    bool
	msg       string
	msgBad    bool

	// bankAuto: the bank was filled in from the card's first digits, not picked by hand
	bankAuto bool

	// offers are the bank statement's lines the value typed in the focused field points at
	// (offerFor: that field and value); ctrl+o lists them and one chosen fills the form.
	offers    []model.StatementLine
	offerFor  string
	offerOpen bool
	offerCur  int

	pickOpen   bool
	pickCur    int
	pickFilter string

	lines  []string // the body as layout placed it
	lineOf []int    // body line of each field, for clicks and scrolling
}

// The answers of the form's commands; form is the number of the form that asked.
type (
	// orderIDMsg is the next free order number, offered to a new order.
	orderIDMsg struct {
		form    int
		orderID string
		err     error
	}
	// checkMsg is what the cross-order rules need: the original sale and the duplicates.
	checkMsg struct {
		form, gen int
		rel       model.Related
		relFor    string
		relErr    error
		dups      model.Issues
	}
	// offersMsg is the statement lines a typed value points at.
	offersMsg struct {
		form  int
		key   string
		lines []model.StatementLine
	}
	// savedMsg is the desk's answer to a save.
	savedMsg struct {
		form  int
		order model.Order
		err   error
	}
)

// maxTyped is the most characters a form field takes: well over any field's own limit, which
// the form reports instead of cutting what was typed.
const maxTyped = 1024

const (
	formLabelW = 14
	formInputW = 24
	formIndent = 2 + formLabelW + 1
)

// newForm opens the entry form: a new sale, an edit of o, or a void or refund of the sale o.
func newForm(c *common, mode formMode, o *model.Order) (*form, tea.Cmd) {
	f := &form{c: c, id: c.forms, mode: mode}
	if o != nil {
		cp := *o
		f.orig = &cp
	}
	l := f.c.lang
	newText := func(name, group, placeholder string) *field {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = placeholder // ASCII only: a Chinese placeholder gets NUL bytes (bubbles #990)
		// A placeholder is grey and faint: with NO_COLOR, where grey is dropped, faint (and
		// italic) still tell it from a typed value.
		st := textinput.DefaultStyles(true)
		st.Focused.Placeholder = st.Focused.Placeholder.Faint(true).Italic(true)
		st.Blurred.Placeholder = st.Blurred.Placeholder.Faint(true).Italic(true)
		in.SetStyles(st)
		in.SetVirtualCursor(false) // the real cursor, so a Chinese input method's window follows it
		// No field drops what is typed: a value over its length says so (model.MaxLen) and
		// names the limit. This bound only keeps a runaway paste off the form.
		in.CharLimit = maxTyped
		in.SetWidth(formInputW)
		return &field{name: name, group: group, in: in}
	}
	pick := func(name, group string, opts []option) *field {
		return &field{name: name, group: group, pick: true, opts: opts}
	}
	subs := []option{}
	for _, s := range []model.SubType{model.SubSale, model.SubVoid, model.SubRefund} {
		subs = append(subs, option{string(s), s.Label(l), s.Label(otherLang(l))})
	}
	chans := []option{}
	for _, c := range []model.Channel{model.ChannelBankCard, model.ChannelQuickPass} {
		chans = append(chans, option{string(c), c.Label(l), c.Label(otherLang(l))})
	}
	comms := []option{}
	for _, c := range []model.CommType{model.CommNetwork, model.CommPhone} {
		comms = append(comms, option{string(c), c.Label(l), c.Label(otherLang(l))})
	}
	banks := []option{{"", tr(l, "hint.none"), ""}}
	for _, b := range model.Banks() {
		// the abbreviation (ICBC) beside the name, in either language; the full English name
		// is found by the filter too
		abbr, _, _ := strings.Cut(termtext.Clean(b.English), " ")
		banks = append(banks, option{b.Code, strings.TrimSpace(b.Code + " " + termtext.Clean(b.Name) + " " + abbr), termtext.Clean(b.English)})
	}
	const gT, gC, gS = "grp.trade", "grp.card", "grp.store"
	f.fields = []*field{
		// In the order of a bank slip, the same in every form: the fields a form does not let
		// change are shown and skipped, so counting enters lands in the same field everywhere.
		// The generated order number comes last, as it rarely changes.
		pick(model.FieldSubSaleType, gT, subs),
		newText(model.FieldOriginalOrderID, gT, ""),
		pick(model.FieldPaymentChannel, gT, chans),
		newText(model.FieldTradeTime, gT, "HH:mm or now"),
		newText(model.FieldTradeAmount, gT, "0.00"),
		newText(model.FieldPosTraceNo, gT, ""),
		newText(model.FieldTradeRefNo, gT, ""),
		newText(model.FieldCardNo, gC, ""),
		pick(model.FieldBankCode, gC, banks),
		newText(model.FieldTerminalNo, gC, ""),
		newText(model.FieldBankShopNo, gC, ""),
		newText(model.FieldBatchNo, gC, ""),
		newText(model.FieldSequenceNo, gS, ""),
		newText(model.FieldPayTypeNo, gS, ""),
		newText(model.FieldStoreNo, gS, ""),
		pick(model.FieldCommunicateType, gS, comms),
		newText(model.FieldRemark, gS, ""),
		newText(model.FieldExtendParam, gS, ""),
		newText(model.FieldOrderID, gS, ""),
	}
	// A new sale starts from the store's defaults; an edit from the order; a void or refund
	// from model's prefill of its sale.
	commDefault := string(f.c.d.CommType)
	if commDefault == "" {
		commDefault = string(model.CommNetwork)
	}
	d := model.Draft{
		PaymentChannel: string(model.ChannelBankCard), SubSaleType: string(model.SubSale),
		PayTypeNo: "1", StoreNo: f.c.d.StoreNo, TerminalNo: f.c.d.TerminalNo, BankShopNo: f.c.d.BankShopNo,
		CommunicateType: commDefault,
	}
	switch mode {
	case modeEdit:
		d = model.DraftOf(o.Sale)
		d.OperateTime = "" // stamped again at save: this is when the record was (re)entered
		f.cardMasked, f.cardDigest = o.CardNo, o.EncrypteSummary
		if o.Status == model.StatusRejected && o.LastClass != model.ClassGaveUp && o.LastClass != model.ClassDamaged {
			f.refusal = model.ExplainRefusal(o.LastCode, o.LastSubCode, o.LastMessage)
			f.refusedValue = d.Get(f.refusal.Field)
		}
	case modeVoid, modeRefund:
		d = model.VoidDraft(o.Sale)
		if mode == modeRefund {
			d = model.RefundDraft(o.Sale)
		}
		d.PayTypeNo = "1" // the tender line is on the new receipt
		if d.CommunicateType == "" {
			d.CommunicateType = commDefault
		}
		f.cardMasked, f.cardDigest = d.CardNo, d.EncrypteSummary
	}
	for _, fl := range f.fields {
		v := d.Get(fl.name)
		if fl.pick {
			fl.setPick(v)
		} else {
			fl.in.SetValue(v)
		}
	}
	f.focus = f.firstEditable()
	switch mode {
	case modeNew:
		// a sale: first say which channel the slip is from (enter keeps bank card)
		f.focus = f.index(model.FieldPaymentChannel)
	case modeVoid, modeRefund:
		// everything of the original is filled in: the first thing to type is the time
		f.focus = f.index(model.FieldTradeTime)
	case modeEdit:
		// a refusal that names a field: that is the one to correct
		if i := f.index(f.refusal.Field); f.refusal.Field != "" && f.fields[i].name == f.refusal.Field && !f.readonly(i) {
			f.focus = i
		}
	}
	f.initial = f.snapshot()
	cmds := []tea.Cmd{f.setFocus(f.focus)}
	if mode != modeEdit {
		dk, ctx, store, id := f.c.d.Desk, f.c.ctx, d.StoreNo, f.id
		cmds = append(cmds, func() tea.Msg {
			next, err := dk.NextOrderID(ctx, store)
			return orderIDMsg{form: id, orderID: next, err: err}
		})
	}
	cmds = append(cmds, f.changed())
	f.layout()
	return f, tea.Batch(cmds...)
}

func (f *form) index(name string) int {
	for i, fl := range f.fields {
		if fl.name == name {
			return i
		}
	}
	return 0
}

func (f *form) get(name string) *field { return f.fields[f.index(name)] }

func (f *form) firstEditable() int {
	for i := range f.fields {
		if !f.hidden(i) && !f.readonly(i) {
			return i
		}
	}
	return 0
}

// hidden: the original order number only matters for voids and refunds.
func (f *form) hidden(i int) bool {
	if f.fields[i].name == model.FieldOriginalOrderID {
		return model.SubType(f.get(model.FieldSubSaleType).value()) == model.SubSale && f.fields[i].in.Value() == ""
	}
	return false
}

// readonly: what a form does not let change is shown and skipped. An edit keeps its order
// number, which is how the journal and head office know it, and its type; a void or refund
// is of one sale, whose channel it shares.
func (f *form) readonly(i int) bool {
	switch f.fields[i].name {
	case model.FieldOrderID:
		return f.mode == modeEdit
	case model.FieldSubSaleType:
		return f.mode != modeNew
	case model.FieldOriginalOrderID, model.FieldPaymentChannel:
		return f.mode == modeVoid || f.mode == modeRefund
	}
	return false
}

func (f *form) snapshot() string {
	var b strings.Builder
	for _, fl := range f.fields {
		b.WriteString(fl.value())
		b.WriteByte(0)
	}
	return b.String()
}

func (f *form) dirty() bool { return f.snapshot() != f.initial }

func (f *form) subType() model.SubType {
	return model.SubType(f.get(model.FieldSubSaleType).value())
}

func (f *form) draft() model.Draft {
	var d model.Draft
	for _, fl := range f.fields {
		_ = d.Set(fl.name, fl.value())
	}
	if b := f.get(model.FieldBankCode).value(); b != "" {
		d.BankName = model.BankName(b)
	}
	if f.cardMasked != "" && d.CardNo == f.cardMasked {
		d.EncrypteSummary = f.cardDigest
	}
	return d
}

func (f *form) rules() model.Rules {
	r := f.c.d.Rules
	r.Now = f.c.now()
	r.AmountInFen = false
	return r
}

// validate runs every rule that needs no I/O: the single-order rules, then the cross-order
// ones against what the last check command read from the journal.
func (f *form) validate() {
	r := f.rules()
	sale, is := f.draft().Build(r)
	if f.cardMasked != "" && f.get(model.FieldCardNo).value() == f.cardMasked {
		is = append(is, f.cardIssues...)
	}
	for name, hidden := range f.cardHidden {
		if !strings.Contains(f.get(name).value(), hidden) {
			delete(f.cardHidden, name) // removed: its own rules judge the field now
			continue
		}
		is = append(is, model.Issue{Field: name, Severity: model.SevError, Code: "text.card_hidden"})
	}
	if sub := sale.SubSaleType; (sub == model.SubVoid || sub == model.SubRefund) && sale.OriginalOrderID != "" && f.relFor == sale.OriginalOrderID {
		is = append(is, model.ValidateRelated(sale, f.rel, r)...)
	}
	if n := f.refusal.Field; n != "" && f.fields[f.index(n)].name == n && f.get(n).value() == f.refusedValue {
		is = append(is, model.RefusedField(n))
	}
	if f.mode == modeEdit && f.orig != nil {
		// what the bank's statement says otherwise, while the field still holds what was typed
		was := model.DraftOf(f.orig.Sale)
		for _, d := range f.orig.Disagrees {
			if fl := f.fields[f.index(d.Field)]; fl.name == d.Field && fl.value() == was.Get(d.Field) {
				is = append(is, d.Issue(f.orig.StatementLine))
			}
		}
	}
	is = append(is, f.dups...)
	is = append(is, f.saveIss...)
	// A missing card-digest key is the PC's setting, not this slip's: the header says it once,
	// with what to do, and no sale asks to be saved twice for it.
	is = slices.DeleteFunc(is, func(i model.Issue) bool { return i.Code == "card.no_key" })
	f.sale, f.issues = sale, dedupe(is)
}

func dedupe(is model.Issues) model.Issues {
	seen := map[string]bool{}
	out := is[:0:0]
	for _, i := range is {
		k := i.Field + "\x00" + i.Code + "\x00" + strings.Join(i.Args, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, i)
		}
	}
	return out
}

// changed re-validates and asks the journal about the original sale and duplicates.
func (f *form) changed() tea.Cmd {
	f.saveIss = nil
	f.validate()
	return f.check()
}

// check reads what the cross-order rules need. One read at a time: keys typed meanwhile
// are checked together when it answers (each read in flight holds a connection and its cache).
func (f *form) check() tea.Cmd {
	if f.checking {
		f.checkAgain = true
		return nil
	}
	f.checking = true
	f.gen++
	id, gen, sale, j, ctx := f.id, f.gen, f.sale, f.c.d.Journal, f.c.ctx
	orig := ""
	if sale.SubSaleType == model.SubVoid || sale.SubSaleType == model.SubRefund {
		orig = sale.OriginalOrderID
	}
	exclude := ""
	if f.mode == modeEdit && f.orig != nil {
		exclude = f.orig.OrderID
	}
	return func() tea.Msg {
		msg := checkMsg{form: id, gen: gen, relFor: orig}
		if orig != "" {
			msg.rel, msg.relErr = j.Related(ctx, orig, exclude)
		}
		dups, err := j.Duplicates(ctx, sale)
		if err == nil {
			msg.dups = dups
		} else if msg.relErr == nil {
			msg.relErr = err
		}
		return msg
	}
}

// update handles the form's keys, mouse and paste, and the answers of its commands.
func (f *form) update(msg tea.Msg) (tea.Cmd, []action) {
	var cmd tea.Cmd
	var acts []action
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		cmd, acts = f.key(msg)
	case tea.PasteMsg:
		cmd, acts = f.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			f.scrollBy(-3)
		case tea.MouseWheelDown:
			f.scrollBy(3)
		}
	case tea.MouseClickMsg:
		if ms := msg.Mouse(); ms.Button == tea.MouseLeft {
			cmd = f.click(ms.Y)
		}
	case tea.WindowSizeMsg:
		f.ensureVisible()
	case answer:
		if msg.kind == askDiscard && msg.yes {
			acts = []action{actBack{}}
		}
	case orderIDMsg:
		if msg.form == f.id {
			cmd = f.offerOrderID(msg)
		}
	case originalMsg:
		if msg.form != f.id {
			return nil, nil
		}
		if msg.orderID != "" && f.get(model.FieldOriginalOrderID).value() == "" {
			f.get(model.FieldOriginalOrderID).in.SetValue(msg.orderID)
			f.msg, f.msgBad = f.c.t("form.offer.original", termtext.Clean(msg.orderID)), false
			cmd = f.changed()
		} else if msg.orderID == "" && msg.many == 0 {
			f.msg, f.msgBad = f.c.t("form.offer.noorig0"), true
		} else if msg.orderID == "" {
			f.msg, f.msgBad = f.c.t("form.offer.noorig", msg.many), true
		}
	case offersMsg:
		if msg.form != f.id || msg.key != f.offerKey() {
			return nil, nil // an answer for a value no longer typed
		}
		f.offers, f.offerFor = msg.lines, msg.key
	case checkMsg:
		if msg.form != f.id {
			return nil, nil
		}
		before, relFor, refundable := f.issues, f.relFor, f.rel.Refundable()
		if cmd = f.checked(msg); sameIssues(before, f.issues) && relFor == f.relFor && refundable == f.rel.Refundable() {
			return cmd, nil // the journal had nothing new to say: the form looks the same
		}
	case savedMsg:
		if msg.form == f.id {
			f.saving = false
			acts = f.saved(msg)
		}
	default:
		return nil, nil // not the form's: nothing changed
	}
	f.layout()
	return cmd, acts
}

func sameIssues(a, b model.Issues) bool {
	return slices.EqualFunc(a, b, func(x, y model.Issue) bool {
		return x.Field == y.Field && x.Code == y.Code && x.Severity == y.Severity && slices.Equal(x.Args, y.Args)
	})
}

func (f *form) offerOrderID(msg orderIDMsg) tea.Cmd {
	fl := f.get(model.FieldOrderID)
	if msg.err != nil {
		f.c.log.Warn("next order id", "err", msg.err)
		return nil
	}
	if fl.in.Value() != "" {
		return nil
	}
	fl.in.SetValue(msg.orderID)
	// a generated number is not a change the supervisor made
	f.initial = f.snapshot()
	return f.changed()
}

func (f *form) checked(msg checkMsg) tea.Cmd {
	f.checking = false
	if f.checkAgain {
		f.checkAgain = false
		return f.check() // keys came while it read: this answer is already old
	}
	if msg.gen != f.gen {
		return nil
	}
	if msg.relErr != nil {
		f.c.log.Warn("form check", "err", msg.relErr)
	}
	f.rel, f.relFor, f.dups = msg.rel, msg.relFor, msg.dups
	if msg.relErr != nil {
		f.relFor = ""
	}
	f.validate()
	return nil
}

// saved takes the desk's answer: saved, the form closes; refused, it says why and stays.
func (f *form) saved(msg savedMsg) []action {
	var ve *model.ValidationError
	var ce *model.ConflictError
	err := msg.err
	switch {
	case err == nil, errors.Is(err, model.ErrExists):
		text := f.c.t("saved", msg.order.OrderID)
		if err != nil {
			text = f.c.t("form.exists", msg.order.OrderID)
		}
		return []action{actBack{}, actFlash{text, false}, actRefresh{msg.order.OrderID}}
	case errors.As(err, &ve):
		f.saveIss = ve.Issues
		f.tried = true
		f.validate()
		f.msg, f.msgBad = f.c.tn("form.refuse", len(f.issues.Errors()), f.firstProblem()), true
		f.focusFirstError()
	case errors.As(err, &ce):
		f.msg, f.msgBad = f.c.t("form.conflict", termtext.Clean(ce.OrderID)), true
		f.focusField(model.FieldOrderID)
	case errors.Is(err, model.ErrNotEditable):
		f.msg, f.msgBad = f.c.t("not.editable", f.sale.OrderID), true
	case errors.Is(err, model.ErrBusy):
		f.msg, f.msgBad = f.c.t("busy", f.sale.OrderID), true
	case errors.Is(err, model.ErrDiskFull):
		f.msg, f.msgBad = f.c.t("err.disk"), true
	default:
		f.msg, f.msgBad = f.c.t("err", termtext.Clean(err.Error())), true
	}
	return nil
}

func (f *form) keys() helpFor { return f.c.keys.formHelp() }

// focusFirstError moves to the first field with an error and scrolls it, with its problems,
// onto the screen, so the next key typed goes where the supervisor sees it.
func (f *form) focusFirstError() tea.Cmd {
	for i, fl := range f.fields {
		if !f.hidden(i) && !f.readonly(i) && f.fieldIssues(fl).HasErrors() {
			return f.setFocus(i)
		}
	}
	return nil
}

func (f *form) firstProblem() string {
	for _, fl := range f.fields {
		for _, i := range f.issues.For(fl.name) {
			if i.Severity == model.SevError {
				return f.c.label(i.Field) + ": " + i.Message(f.c.lang)
			}
		}
	}
	for _, i := range f.issues.Errors() {
		return f.c.label(i.Field) + ": " + i.Message(f.c.lang)
	}
	return ""
}

func warnSig(is model.Issues) string {
	var b strings.Builder
	for _, i := range is.Warnings() {
		b.WriteString(i.Field + "/" + i.Code + ";")
	}
	return b.String()
}

func (f *form) save() tea.Cmd {
	if f.saving {
		return nil
	}
	f.normalize(f.fields[f.focus]) // what is saved is what the field will show once left
	f.tried = true
	f.validate()
	if f.issues.HasErrors() {
		f.msg, f.msgBad = f.c.tn("form.refuse", len(f.issues.Errors()), f.firstProblem()), true
		return f.focusFirstError()
	}
	if w := f.issues.Warnings(); len(w) > 0 && f.confirmed != warnSig(f.issues) {
		f.confirmed = warnSig(f.issues)
		f.msg, f.msgBad = f.c.tn("form.confirm", len(w)), true
		return nil
	}
	f.saving = true
	f.msg, f.msgBad = f.c.t("form.saving"), false
	save := f.c.d.Desk.SaveNew
	if f.mode == modeEdit {
		save = f.c.d.Desk.SaveEdit
	}
	draft, ctx, id, orderID := f.draft(), f.c.ctx, f.id, f.sale.OrderID
	return func() tea.Msg {
		o, err := save(ctx, draft)
		if o.OrderID == "" {
			o.OrderID = orderID
		}
		return savedMsg{form: id, order: o, err: err}
	}
}

// maskCard replaces a full card number by its masked form the moment the field is left: it
// is never drawn again, and only the digest is kept beside it.
func (f *form) maskCard() {
	fl := f.get(model.FieldCardNo)
	v := fl.in.Value()
	if v == "" || v == f.cardMasked || strings.ContainsAny(v, "*xX") {
		return
	}
	digits := 0
	for _, r := range v {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits < 10 {
		return
	}
	card, is := model.ParseCard(v, f.c.d.Rules.CardKey, model.Channel(f.get(model.FieldPaymentChannel).value()))
	masked := card.Masked
	if masked == "" {
		// Not a valid number, but still too long to leave on screen. Its first six and last
		// four would show nearly all of a 10–12 digit run, so only the last four stay; the
		// shape rules then say what is wrong. Digits are counted as above (full-width too).
		var ds []rune
		for _, r := range v {
			if unicode.IsDigit(r) {
				ds = append(ds, r)
			}
		}
		n := len(ds)
		masked = strings.Repeat("*", n-4) + string(ds[n-4:])
	}
	fl.in.SetValue(masked)
	fl.in.CursorEnd()
	f.cardMasked, f.cardDigest, f.cardIssues = masked, card.Digest, nil
	for _, i := range is {
		if i.Code != "card.invalid" && i.Code != "card.length" && i.Code != "card.unionpay_length" {
			f.cardIssues = append(f.cardIssues, i)
		}
	}
	if card.Masked == "" {
		f.cardDigest = ""
		f.cardIssues = append(f.cardIssues, is...)
	}
}

func (f *form) setFocus(i int) tea.Cmd {
	if i < 0 || i >= len(f.fields) {
		return nil
	}
	old := f.fields[f.focus]
	if f.focus != i {
		old.touched = true
		f.normalize(old)
		f.validate()
	}
	old.in.Blur()
	old.selected = false
	f.pickOpen = false
	f.focus = i
	f.ensureVisible()
	if f.fields[i].pick {
		return nil
	}
	fl := f.fields[i]
	fl.selected = fl.in.Value() != ""
	fl.in.CursorEnd()
	return tea.Batch(fl.in.Focus(), f.findOffers())
}

// normalize writes out what a field means once it is left: a full card number becomes its
// masked form, "now" or "14:05" the time, "1,234.5" the amount, so what is saved is what is shown.
func (f *form) normalize(fl *field) {
	v := fl.in.Value()
	switch fl.name {
	case model.FieldCardNo:
		f.maskCard()
		f.bankFromCard()
	case model.FieldTradeTime:
		if t, err := model.ParseTime(v, f.c.now()); err == nil && strings.TrimSpace(v) != "" {
			fl.in.SetValue(model.FormatTime(t))
		}
	case model.FieldTradeAmount:
		if a, err := model.ParseAmount(v); err == nil && strings.TrimSpace(v) != "" {
			fl.in.SetValue(a.Yuan())
		}
	default:
		// A card number typed into another field is not shown again either: its middle digits
		// are hidden, and the field says to remove it.
		if hidden, found := model.HideCardNumbers(v); found {
			fl.in.SetValue(hidden)
			fl.in.CursorStart()
			if f.cardHidden == nil {
				f.cardHidden = map[string]string{}
			}
			f.cardHidden[fl.name] = hiddenPart(v, hidden)
		}
	}
}

// bankFromCard picks the bank a bank card's first digits name, unless the supervisor picked
// one: the slip's card number says whose card it is.
func (f *form) bankFromCard() {
	bank := f.get(model.FieldBankCode)
	if (bank.value() != "" && !f.bankAuto) || model.Channel(f.get(model.FieldPaymentChannel).value()) != model.ChannelBankCard {
		return
	}
	if b, ok := model.BankOfCard(f.get(model.FieldCardNo).value()); ok {
		bank.setPick(b.Code)
		f.bankAuto = true
	} else if f.bankAuto {
		bank.setPick("") // a new card of no listed bank: the guess from the old one goes
		f.bankAuto = false
	}
}

func (f *form) focusField(name string) { f.setFocus(f.index(name)) }

func (f *form) step(d int) tea.Cmd {
	i := f.focus
	for n := 0; n < len(f.fields); n++ {
		i = (i + d + len(f.fields)) % len(f.fields)
		if !f.hidden(i) && !f.readonly(i) {
			break
		}
	}
	return tea.Batch(f.setFocus(i), f.changed())
}

// pickedByHand notes a choice the supervisor made: a bank picked by hand is not replaced by
// the card's.
func (f *form) pickedByHand(fl *field) {
	if fl.name == model.FieldBankCode {
		f.bankAuto = false
	}
}

// pickByText is the choice typed text names: by its code ("2" or "002") or by a word of its
// label ("q" for QuickPass, "银" for 银行卡), case aside.
func pickByText(opts []option, t string) (int, bool) {
	q := strings.ToLower(strings.TrimSpace(t))
	if q == "" {
		return 0, false
	}
	for i, o := range opts {
		if strings.HasPrefix(o.value, q) || strings.HasPrefix(strings.TrimLeft(o.value, "0"), q) {
			return i, true
		}
	}
	for i, o := range opts {
		if strings.HasPrefix(strings.ToLower(o.label), q) || strings.HasPrefix(strings.ToLower(o.also), q) {
			return i, true
		}
	}
	return 0, false
}

func (f *form) pickOptions() []int {
	fl := f.fields[f.focus]
	var idx []int
	q := strings.ToLower(f.pickFilter)
	for i, o := range fl.opts {
		if q == "" || strings.HasPrefix(o.value, q) || strings.Contains(strings.ToLower(o.label), q) || strings.Contains(strings.ToLower(o.also), q) {
			idx = append(idx, i)
		}
	}
	return idx
}

// offerFields are where typing offers the statement's lines: what a person reads off a slip
// or a statement first.
var offerFields = map[string]bool{model.FieldTradeRefNo: true, model.FieldPosTraceNo: true, model.FieldTradeAmount: true}

// maxOffers is how many statement lines are offered at once.
const maxOffers = 6

// offerKey is the look-up the focused field's value makes ("" when it makes none): a new
// sale's reference or trace number of 4 characters or more, or its amount.
func (f *form) offerKey() string {
	fl := f.fields[f.focus]
	if f.mode != modeNew || !offerFields[fl.name] {
		return ""
	}
	v := strings.TrimSpace(fl.value())
	if fl.name == model.FieldTradeAmount {
		a, err := model.ParseAmount(v)
		if err != nil || a <= 0 {
			return ""
		}
		return fl.name + "=" + strconv.FormatInt(int64(a), 10)
	}
	if utf8.RuneCountInString(v) < 4 {
		return ""
	}
	return fl.name + "=" + v
}

// findOffers asks the journal for the statement lines the focused field's value points at.
func (f *form) findOffers() tea.Cmd {
	k := f.offerKey()
	if k == "" {
		f.offers, f.offerFor = nil, ""
		return nil
	}
	field, value, _ := strings.Cut(k, "=")
	j, ctx, id := f.c.d.Journal, f.c.ctx, f.id
	return func() tea.Msg {
		lines, err := j.StatementFind(ctx, field, value, maxOffers)
		if err != nil {
			return nil
		}
		return offersMsg{form: id, key: k, lines: lines}
	}
}

// takeOffer fills the form from a statement line: everything the bank's record holds. The
// receipt and the tender line are the store's, left to the supervisor, who lands on the first
// of them still empty.
func (f *form) takeOffer(l model.StatementLine) tea.Cmd {
	set := func(name, v string) {
		if fl := f.get(name); fl.pick {
			fl.setPick(v)
		} else {
			fl.in.SetValue(v)
		}
		f.get(name).touched = true
	}
	if sub := l.Kind.SubType(); sub != "" {
		set(model.FieldSubSaleType, string(sub))
	}
	if l.Channel != "" {
		set(model.FieldPaymentChannel, string(l.Channel))
	}
	set(model.FieldTradeAmount, l.Amount.Yuan())
	set(model.FieldTradeTime, model.FormatTime(l.TradeTime))
	for _, p := range []struct{ name, v string }{{model.FieldPosTraceNo, l.Trace}, {model.FieldTradeRefNo, l.Ref},
		{model.FieldTerminalNo, l.Terminal}, {model.FieldBankShopNo, l.Merchant}, {model.FieldBatchNo, l.Batch}} {
		if p.v != "" {
			set(p.name, p.v)
		}
	}
	if l.Card != "" {
		set(model.FieldCardNo, l.Card)
		f.cardMasked, f.cardDigest, f.cardIssues = l.Card, "", nil
		f.bankFromCard()
	}
	f.offers, f.offerFor = nil, ""
	target := f.index(model.FieldSequenceNo)
	for _, name := range []string{model.FieldSequenceNo, model.FieldPayTypeNo} {
		if f.get(name).value() == "" {
			target = f.index(name)
			break
		}
	}
	f.msg, f.msgBad = f.c.t("form.offer.taken", l.Where()), false
	cmds := []tea.Cmd{f.setFocus(target), f.changed()}
	if sub := l.Kind.SubType(); sub == model.SubVoid || sub == model.SubRefund {
		cmds = append(cmds, f.findOriginal(l))
	}
	return tea.Batch(cmds...)
}

// originalMsg is the journal's sale a void or refund line undoes, when one alone fits.
type originalMsg struct {
	form    int
	orderID string
	many    int
}

// findOriginal looks in the journal for the sale a void or refund line undoes: a sale of the
// same terminal and card, of the same amount for a void (in the same batch) or at least the
// refund's, on or before the line's day (a void is the same day's). One fit fills the
// original order number; none or several leave it to the supervisor, saying so.
func (f *form) findOriginal(l model.StatementLine) tea.Cmd {
	j, ctx, id := f.c.d.Journal, f.c.ctx, f.id
	return func() tea.Msg {
		day := time.Date(l.TradeTime.Year(), l.TradeTime.Month(), l.TradeTime.Day(), 0, 0, 0, 0, model.CST)
		from := day
		if l.Kind == model.StatementRefund {
			from = day.AddDate(0, 0, -90) // refunds come later; the rules warn past the refund window anyway
		}
		var fits []string
		flt := model.Filter{SubType: model.SubSale, From: from, To: day.AddDate(0, 0, 1)}
		for cur, read := (model.Cursor{}), 0; read < 5000; {
			page, err := j.List(ctx, flt, cur, 500)
			if err != nil || len(page) == 0 {
				break
			}
			for _, o := range page {
				if o.Status == model.StatusVoided || o.TerminalNo != l.Terminal || (l.Card != "" && o.CardNo != "" && o.CardNo != l.Card) {
					continue
				}
				if l.Kind == model.StatementVoid && (o.TradeAmount != l.Amount || o.BatchNo != l.Batch) {
					continue
				}
				if l.Kind == model.StatementRefund && o.TradeAmount < l.Amount {
					continue
				}
				fits = append(fits, o.OrderID)
			}
			read += len(page)
			cur = model.CursorOf(page[len(page)-1])
		}
		if len(fits) == 1 {
			return originalMsg{form: id, orderID: fits[0]}
		}
		return originalMsg{form: id, many: len(fits)}
	}
}

// key handles a key or a paste: esc (or ctrl+c) leaves, asking first when something was
// typed; anything else edits.
func (f *form) key(msg tea.Msg) (tea.Cmd, []action) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && !f.pickOpen && (key.Matches(kp, f.c.keys.Back) || kp.String() == "ctrl+c") {
		f.msg = ""
		if f.dirty() {
			return nil, []action{actAsk{yesNo(askDiscard, f.c.t("form.discard"))}}
		}
		return nil, []action{actBack{}}
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok && !f.pickOpen && key.Matches(kp, f.c.keys.FormHelp) {
		return nil, []action{actHelp{"form", f.keys()}} // ? is text here: F1 asks
	}
	return f.edit(msg), nil
}

func (f *form) edit(msg tea.Msg) tea.Cmd {
	k := f.c.keys
	fl := f.fields[f.focus]
	kp, isKey := msg.(tea.KeyPressMsg)
	if isKey && f.offerOpen {
		switch kp.String() {
		case "up":
			f.offerCur = max(0, f.offerCur-1)
		case "down":
			f.offerCur = min(len(f.offers)-1, f.offerCur+1)
		case "enter", "space":
			f.offerOpen = false
			if f.offerCur < len(f.offers) {
				return f.takeOffer(f.offers[f.offerCur])
			}
		case "esc":
			f.offerOpen = false
		}
		f.ensureVisible()
		return nil
	}
	if isKey && kp.String() == "ctrl+o" && f.offerFor == f.offerKey() && len(f.offers) > 0 {
		f.offerOpen, f.offerCur = true, 0
		f.ensureVisible()
		return nil
	}
	if isKey && f.pickOpen {
		opts := f.pickOptions()
		switch kp.String() {
		case "up":
			f.pickCur = max(0, f.pickCur-1)
		case "down":
			f.pickCur = min(len(opts)-1, f.pickCur+1)
		case "enter", "space":
			if f.pickCur >= 0 && f.pickCur < len(opts) {
				fl.sel = opts[f.pickCur]
				f.pickedByHand(fl)
			}
			f.pickOpen = false
			fl.touched = true
			return f.changed()
		case "esc":
			f.pickOpen = false
		case "backspace":
			if f.pickFilter != "" {
				r := []rune(f.pickFilter)
				f.pickFilter = string(r[:len(r)-1])
				f.pickCur = 0
			}
		default:
			if t := kp.Key().Text; t != "" {
				f.pickFilter += t
				f.pickCur = 0
			}
		}
		f.ensureVisible()
		return nil
	}
	if isKey {
		f.msg = ""
		switch {
		case key.Matches(kp, k.Save):
			return f.save()
		case key.Matches(kp, k.Prev):
			return f.step(-1)
		case key.Matches(kp, k.Next):
			if kp.String() == "enter" && fl.pick && f.focus == len(f.fields)-1 {
				return f.save()
			}
			return f.step(1)
		}
		if fl.pick {
			switch kp.String() {
			case "left":
				fl.sel = (fl.sel - 1 + len(fl.opts)) % len(fl.opts)
				fl.touched = true
				f.pickedByHand(fl)
				return f.changed()
			case "right":
				fl.sel = (fl.sel + 1) % len(fl.opts)
				fl.touched = true
				f.pickedByHand(fl)
				return f.changed()
			case "space":
				f.pickOpen, f.pickFilter, f.pickCur = true, "", fl.sel
				f.ensureVisible()
				return nil
			}
			if t := kp.Key().Text; t != "" {
				if len(fl.opts) > 4 {
					// a long list: what is typed starts its filter
					f.pickOpen, f.pickFilter, f.pickCur = true, t, 0
					f.ensureVisible()
					return nil
				}
				// a short list: what is typed picks the choice it names
				if i, ok := pickByText(fl.opts, t); ok {
					fl.sel, fl.touched = i, true
					return f.changed()
				}
				f.msg, f.msgBad = f.c.t("form.pick.nomatch", termtext.Clean(t)), true
			}
			return nil
		}
	}
	if fl.pick {
		return nil
	}
	if fl.selected {
		fl.selected = false
		switch m := msg.(type) {
		case tea.PasteMsg:
			fl.in.SetValue("")
		case tea.KeyPressMsg:
			switch {
			case m.Key().Text != "":
				fl.in.SetValue("") // the typed text replaces the selected value
			case m.String() == "backspace" || m.String() == "delete":
				fl.in.SetValue("")
				fl.touched = true
				return f.changed()
			}
		}
	}
	before := fl.in.Value()
	var cmd tea.Cmd
	fl.in, cmd = fl.in.Update(msg)
	if fl.in.Value() != before {
		fl.touched = true
		if fl.name == model.FieldCardNo && f.cardMasked != "" && fl.in.Value() != f.cardMasked {
			// typing over a masked number starts a new card
			f.cardMasked, f.cardDigest, f.cardIssues = "", "", nil
		}
		return tea.Batch(cmd, f.changed(), f.findOffers())
	}
	return cmd
}

func (f *form) fieldIssues(fl *field) model.Issues {
	is := f.issues.For(fl.name)
	if fl.name == model.FieldBankCode {
		is = append(is, f.issues.For(model.FieldBankName)...)
	}
	if fl.name == model.FieldCardNo {
		is = append(is, f.issues.For(model.FieldEncrypteSummary)...)
	}
	return is
}

// otherIssues are problems on fields the supervisor does not type (operate_time, sale_type...).
func (f *form) otherIssues() model.Issues {
	shown := map[string]bool{model.FieldBankName: true, model.FieldEncrypteSummary: true}
	for _, fl := range f.fields {
		shown[fl.name] = true
	}
	var out model.Issues
	for _, i := range f.issues {
		if !shown[i.Field] {
			out = append(out, i)
		}
	}
	return out
}

func (f *form) title() string {
	switch f.mode {
	case modeEdit:
		return f.c.t("form.edit", termtext.Clean(f.orig.OrderID))
	case modeVoid:
		return f.c.t("form.void", termtext.Clean(f.orig.OrderID))
	case modeRefund:
		return f.c.t("form.refund", termtext.Clean(f.orig.OrderID))
	}
	if id := f.get(model.FieldOrderID).value(); id != "" {
		// the generated number stands last on the form: the title shows it from the start
		return f.c.t("form.new") + "  " + termtext.Clean(id)
	}
	return f.c.t("form.new")
}

// maxContextLines bounds the gateway's words above the form, so the fields keep the screen.
const maxContextLines = 4

// contextLines are the lines under the title: the gateway's words in full (wrapped) when an
// edit corrects a refused order, else the one line of context.
func (f *form) contextLines() []string {
	if f.mode == modeEdit && f.orig != nil && f.orig.Status == model.StatusRejected {
		// the gateway's words are what the supervisor has to correct
		e := f.c.lastError(*f.orig)
		if f.orig.LastSubCode != "" {
			e += " [" + termtext.Clean(f.orig.LastSubCode) + "]"
		}
		text := f.c.t("form.rejected", e)
		if n := f.refusal.Field; n != "" {
			text = f.c.t("form.rejected.field", e, f.c.label(n))
		}
		ls := termtext.Wrap(text, f.c.w)
		if len(ls) > maxContextLines {
			ls = ls[:maxContextLines]
			ls[maxContextLines-1] = termtext.Cut(ls[maxContextLines-1]+"…", f.c.w)
		}
		for i := range ls {
			ls[i] = f.c.st.err.Render(ls[i])
		}
		return ls
	}
	return []string{termtext.Cut(f.context(), f.c.w)}
}

// context is the second line: the sale a void or refund undoes, and what is left to refund.
func (f *form) context() string {
	if f.orig == nil || f.mode == modeEdit {
		if f.mode == modeNew {
			return f.c.st.faint.Render(f.c.t("form.howto"))
		}
		return ""
	}
	o := f.orig
	s := f.c.t("form.orig", termtext.Clean(o.OrderID), o.TradeTime.In(model.CST).Format("01-02 15:04"), o.TradeAmount.String()) + " " + o.Status.Label(f.c.lang)
	if f.mode == modeRefund && f.relFor == o.OrderID {
		s = f.c.st.bold.Render(f.c.t("form.refundable", f.rel.Refundable().String())) + "  " + s
	}
	return s
}

// hint is what shows right of a field: the value as the program understood it.
func (f *form) hint(fl *field) string {
	if f.readonly(f.index(fl.name)) {
		return f.c.t("hint.locked")
	}
	v := strings.TrimSpace(fl.value())
	switch fl.name {
	case model.FieldTradeAmount:
		if a, err := model.ParseAmount(v); err == nil && v != "" {
			s := a.String()
			if f.subType() == model.SubRefund && f.relFor != "" {
				s += "  " + f.c.t("form.refundable", f.rel.Refundable().String())
			}
			return s
		}
	case model.FieldTradeTime:
		if v != "" {
			if t, err := model.ParseTime(v, f.c.now()); err == nil {
				return model.FormatTime(t)
			}
		}
		return f.c.t("hint.time")
	case model.FieldCardNo:
		if v == "" {
			return f.c.t("hint.card")
		}
	case model.FieldOrderID:
		if f.mode != modeEdit {
			return f.c.t("hint.order_id")
		}
	case model.FieldSubSaleType, model.FieldPaymentChannel, model.FieldCommunicateType:
		if f.fields[f.focus] == fl {
			return f.c.t("hint.pick")
		}
		if fl.name == model.FieldSubSaleType {
			// sale_type is not typed: it follows from the sub type
			st := model.SaleTypeFor(f.subType(), f.c.d.Rules.VoidSaleType)
			return f.c.label(model.FieldSaleType) + " " + string(st) + " " + st.Label(f.c.lang)
		}
	case model.FieldBankCode:
		if f.bankAuto {
			return f.c.t("hint.bankcard")
		}
		if f.fields[f.focus] == fl {
			return f.c.t("hint.bank")
		}
	}
	return ""
}

// body renders the fields, grouped, with their problems under them, and says on which of its
// lines each field is.
func (f *form) body() (lines []string, lineOf []int) {
	lineOf = make([]int, len(f.fields))
	group := ""
	inputW := formInputW
	for i, fl := range f.fields {
		if f.hidden(i) {
			lineOf[i] = len(lines)
			continue
		}
		if fl.group != group {
			group = fl.group
			lines = append(lines, f.c.st.bold.Render("[ "+f.c.t(group)+" ]"))
		}
		lineOf[i] = len(lines)
		focused := i == f.focus
		mark := "  "
		lab := termtext.Fit(f.c.label(fl.name), formLabelW)
		if focused {
			mark = "> "
			lab = f.c.st.bold.Render(lab)
		}
		var val string
		if fl.pick {
			lbl := ""
			if fl.sel >= 0 && fl.sel < len(fl.opts) {
				lbl = fl.opts[fl.sel].label
			}
			// a choice sits where typed values sit; focused, it shows in reverse video and the
			// hint beside it says how to change it
			val = termtext.Fit(lbl, inputW+1)
			if focused {
				val = f.c.st.sel.Render(lbl) + strings.Repeat(" ", max(0, inputW+1-termtext.Width(lbl)))
			}
		} else {
			// the input draws one cell past its width for the cursor
			val = termtext.Fit(fl.in.View(), inputW+1)
			if focused && fl.selected {
				v := termtext.Cut(fl.in.Value(), inputW)
				val = f.c.st.sel.Render(v) + strings.Repeat(" ", max(0, inputW+1-termtext.Width(v)))
			}
		}
		line := mark + lab + " " + val
		if h := f.hint(fl); h != "" {
			line += " " + f.c.st.faint.Render(termtext.Cut(h, f.c.w-formIndent-inputW-2))
		}
		lines = append(lines, line)
		if focused && f.pickOpen {
			opts := f.pickOptions()
			lines = append(lines, strings.Repeat(" ", formIndent)+f.c.st.faint.Render(f.c.t("form.pick.filter")+": "+f.pickFilter+"_"))
			start := max(0, f.pickCur-5)
			for n, oi := range opts[start:min(len(opts), start+8)] {
				l := termtext.Fit(fl.opts[oi].label, 30)
				if start+n == f.pickCur {
					l = f.c.st.sel.Render("> " + l)
				} else {
					l = "  " + l
				}
				lines = append(lines, strings.Repeat(" ", formIndent)+l)
			}
		}
		if focused && f.offerFor != "" && f.offerFor == f.offerKey() && len(f.offers) > 0 {
			if !f.offerOpen {
				lines = append(lines, strings.Repeat(" ", formIndent)+f.c.st.ok.Render(termtext.Cut(f.c.tn("form.offers", len(f.offers)), f.c.w-formIndent)))
			} else {
				for n, l := range f.offers {
					t := fmt.Sprintf("%s %s %s %s %s %s %s", l.TradeTime.In(model.CST).Format("01-02 15:04"), l.Amount.String(),
						termtext.Clean(l.Terminal), termtext.Clean(l.Batch), termtext.Clean(l.Trace), termtext.Clean(l.Ref), termtext.Clean(l.Card))
					t = termtext.Cut(t, f.c.w-formIndent-2)
					if n == f.offerCur {
						t = f.c.st.sel.Render("> " + t)
					} else {
						t = "  " + t
					}
					lines = append(lines, strings.Repeat(" ", formIndent)+t)
				}
			}
		}
		if fl.touched || f.tried || f.mode == modeEdit {
			shown := map[string]bool{}
			for _, is := range f.fieldIssues(fl) {
				// several matching orders give the same sentence: once is enough
				if k := is.Message(f.c.lang); !shown[k] {
					shown[k] = true
					lines = append(lines, f.issueLines(is, formIndent)...)
				}
			}
		}
	}
	lines = append(lines, f.c.st.bold.Render("[ "+f.c.t("grp.auto")+" ]"))
	auto := fmt.Sprintf("%s %s  %s %s  IP %s  MAC %s", f.c.t("f.cashier"), termtext.Clean(f.sale.Cashier),
		f.c.t("f.operate_time"), f.c.t("auto.atsave"), termtext.Clean(f.sale.IP), termtext.Clean(f.sale.MAC))
	lines = append(lines, "  "+termtext.Cut(auto, f.c.w-2))
	for _, is := range f.otherIssues() {
		lines = append(lines, f.issueLines(is, 2)...)
	}
	return lines, lineOf
}

func (f *form) issueLines(is model.Issue, indent int) []string {
	word, st := f.c.t("lbl.error"), f.c.st.err
	if is.Severity != model.SevError {
		word, st = f.c.t("lbl.warn"), f.c.st.warn
	}
	text := word + ": " + termtext.Clean(is.Message(f.c.lang))
	if indent == 2 {
		text = word + ": " + f.c.label(is.Field) + ": " + termtext.Clean(is.Message(f.c.lang))
	}
	var out []string
	for _, l := range termtext.Wrap(text, f.c.w-indent) {
		out = append(out, strings.Repeat(" ", indent)+st.Render(l))
	}
	if len(out) > 2 {
		out = out[:2]
	}
	return out
}

func (f *form) bodyHeight() int {
	return max(3, f.c.h-3-len(f.contextLines())-len(f.c.messageLines(f.msg, f.msgBad)))
}

// layout places the fields after any change: their lines, where each field is, and a scroll
// that stays within them. view draws what layout placed.
func (f *form) layout() { f.place(false) }

// ensureVisible is layout that also scrolls the focused field, its problems and an open list
// onto the screen.
func (f *form) ensureVisible() { f.place(true) }

func (f *form) place(show bool) {
	f.lines, f.lineOf = f.body()
	bh := f.bodyHeight()
	if show {
		start := f.lineOf[f.focus]
		end := start + 1
		if f.focus+1 < len(f.fields) {
			end = max(end, f.lineOf[f.focus+1])
		} else {
			end = len(f.lines)
		}
		if start > 0 && f.fields[f.focus].group != f.fields[max(0, f.focus-1)].group {
			start-- // keep the group's heading with its first field
		}
		if end-f.scroll > bh {
			f.scroll = end - bh
		}
		if start < f.scroll {
			f.scroll = start
		}
	}
	f.scroll = min(max(0, f.scroll), max(0, len(f.lines)-bh))
}

func (f *form) scrollBy(d int) { f.scroll += d } // layout keeps it within the body

func (f *form) click(y int) tea.Cmd {
	line := y - 1 - len(f.contextLines()) + f.scroll
	for i := len(f.fields) - 1; i >= 0; i-- {
		if !f.hidden(i) && !f.readonly(i) && f.lineOf[i] == line {
			return tea.Batch(f.setFocus(i), f.changed())
		}
	}
	return nil
}

func (f *form) view() ([]string, *tea.Cursor) {
	lines := append([]string{f.c.st.title.Render(f.title())}, f.contextLines()...)
	body := f.lines
	bh := f.bodyHeight()
	vis := body[min(f.scroll, len(body)):min(len(body), f.scroll+bh)]
	for len(vis) < bh {
		vis = append(vis, "")
	}
	lines = append(lines, vis...)
	// the problems line: counts, and the first error in words
	ne, nw := len(f.issues.Errors()), len(f.issues.Warnings())
	var sum string
	switch {
	case ne == 0 && nw == 0:
		sum = f.c.st.ok.Render(f.c.t("form.ok"))
	case ne > 0:
		sum = f.c.st.err.Render(termtext.Cut(f.c.t("form.problems", ne, nw)+"  "+f.firstProblem(), f.c.w))
	default:
		sum = f.c.st.warn.Render(f.c.t("form.problems", ne, nw))
	}
	lines = append(lines, sum)
	lines = append(lines, f.c.messageLines(f.msg, f.msgBad)...)
	lines = append(lines, f.c.help.View(f.keys()))
	var cur *tea.Cursor
	fl := f.fields[f.focus]
	if !fl.pick && !f.pickOpen {
		top := 1 + len(f.contextLines())
		y := top + f.lineOf[f.focus] - f.scroll
		if y >= top && y < top+bh {
			cur = tea.NewCursor(formIndent+inputCursorX(fl.in), y)
			cur.Shape = tea.CursorBar
		}
	}
	return lines, cur
}

// hiddenPart is the stretch of hidden that differs from typed: the masked card number, from its
// first hidden digit's group to its last (both are the same length in runes).
func hiddenPart(typed, hidden string) string {
	a, b := []rune(typed), []rune(hidden)
	i, j := 0, len(b)
	for i < len(b) && a[i] == b[i] {
		i++
	}
	for j > i && a[j-1] == b[j-1] {
		j--
	}
	return string(b[i:j])
}

// otherLang is the language the screen is not in: a pick list finds a choice by its name in
// either.
func otherLang(l model.Lang) model.Lang {
	if l == model.ZH {
		return model.EN
	}
	return model.ZH
}
