package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Rules are the settings validation depends on.
type Rules struct {
	Now            time.Time // "now" for future-time checks and defaults; zero: the clock
	VoidSaleType   SaleType  // config store.void_sale_type (default "1")
	RefundWarnDays int       // default 30; negative: never warn
	CardKey        []byte    // card.digest_key; empty: no digest, and a warning
	Operator       string    // cashier when the draft has none
	IP, MAC        string    // when the draft has none
	AmountInFen    bool      // Draft.TradeAmount is fen (imports, the API) instead of yuan typed by a person
}

// MaxClockAhead is how far a trade time may be after the PC's clock (or the time it was
// entered) and still be saved, with a warning: a bank terminal's clock often runs a minute or
// two ahead of the PC's, and the slip is what the bank will settle. Further ahead is a typing
// mistake (a wrong day or hour) or a PC clock that is wrong.
const MaxClockAhead = 10 * time.Minute

// DefaultRefundWarnDays is the refund window when Rules.RefundWarnDays is 0.
const DefaultRefundWarnDays = 30

func (r Rules) now() time.Time {
	if r.Now.IsZero() {
		return time.Now().In(CST)
	}
	return r.Now.In(CST)
}

func (r Rules) refundWarnDays() int {
	if r.RefundWarnDays == 0 {
		return DefaultRefundWarnDays
	}
	return r.RefundWarnDays
}

// MaxPayTypeDigits is the most digits a tender line number has: a receipt's payment lines
// are counted in ones, so 4 digits is far beyond any real one.
const MaxPayTypeDigits = 4

// Draft is what a person or a file typed: every API field as text, keyed like the API.
type Draft struct {
	OrderID, OriginalOrderID, SequenceNo, PaymentChannel, CardNo, TradeTime, SaleType, SubSaleType,
	TradeAmount, BankCode, BankName, TerminalNo, BankShopNo, PosTraceNo, BatchNo, TradeRefNo, PayTypeNo, StoreNo,
	EncrypteSummary, CommunicateType, OperateTime, Rback, Remark, ExtendParam, Cashier, IP, MAC string
}

// draftField is the Draft's string for an API field name, in DTOFields order.
var draftFields = []func(*Draft) *string{
	func(d *Draft) *string { return &d.OrderID },
	func(d *Draft) *string { return &d.OriginalOrderID },
	func(d *Draft) *string { return &d.SequenceNo },
	func(d *Draft) *string { return &d.PaymentChannel },
	func(d *Draft) *string { return &d.CardNo },
	func(d *Draft) *string { return &d.TradeTime },
	func(d *Draft) *string { return &d.SaleType },
	func(d *Draft) *string { return &d.SubSaleType },
	func(d *Draft) *string { return &d.TradeAmount },
	func(d *Draft) *string { return &d.BankCode },
	func(d *Draft) *string { return &d.BankName },
	func(d *Draft) *string { return &d.TerminalNo },
	func(d *Draft) *string { return &d.BankShopNo },
	func(d *Draft) *string { return &d.PosTraceNo },
	func(d *Draft) *string { return &d.BatchNo },
	func(d *Draft) *string { return &d.TradeRefNo },
	func(d *Draft) *string { return &d.PayTypeNo },
	func(d *Draft) *string { return &d.StoreNo },
	func(d *Draft) *string { return &d.EncrypteSummary },
	func(d *Draft) *string { return &d.CommunicateType },
	func(d *Draft) *string { return &d.OperateTime },
	func(d *Draft) *string { return &d.Rback },
	func(d *Draft) *string { return &d.Remark },
	func(d *Draft) *string { return &d.ExtendParam },
	func(d *Draft) *string { return &d.Cashier },
	func(d *Draft) *string { return &d.IP },
	func(d *Draft) *string { return &d.MAC },
}

// DraftFromFields makes a Draft from values keyed by API field name (an import row). An
// unknown key is an error naming it, so that a misspelt column is not silently dropped.
func DraftFromFields(fields map[string]string) (Draft, error) {
	var d Draft
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first unknown key reported is the same every time
	for _, k := range keys {
		if err := d.Set(k, fields[k]); err != nil {
			return Draft{}, err
		}
	}
	return d, nil
}

// Set sets one field by its API name; an unknown name is an error.
func (d *Draft) Set(field, value string) error {
	i, ok := fieldIndex[field]
	if !ok {
		return fmt.Errorf("unknown field %q (fields are the API's: %s)", safeArg(field), strings.Join(DTOFields, ", "))
	}
	*draftFields[i](d) = value
	return nil
}

// Get is one field by its API name ("" for an unknown name).
func (d Draft) Get(field string) string {
	if i, ok := fieldIndex[field]; ok {
		return *draftFields[i](&d)
	}
	return ""
}

// Fields is the draft keyed by API field name, empty fields left out.
func (d Draft) Fields() map[string]string {
	m := map[string]string{}
	for i, f := range DTOFields {
		if v := *draftFields[i](&d); v != "" {
			m[f] = v
		}
	}
	return m
}

// DraftOf turns a journaled sale back into text for editing; the amount is in yuan
// (build it with AmountInFen false), the card stays masked with its digest.
func DraftOf(s Sale) Draft {
	d := Draft{
		OrderID: s.OrderID, OriginalOrderID: s.OriginalOrderID, SequenceNo: s.SequenceNo,
		PaymentChannel: string(s.PaymentChannel), CardNo: s.CardNo, TradeTime: FormatTime(s.TradeTime),
		SaleType: string(s.SaleType), SubSaleType: string(s.SubSaleType),
		BankCode: s.BankCode, BankName: s.BankName, TerminalNo: s.TerminalNo, BankShopNo: s.BankShopNo,
		PosTraceNo: s.PosTraceNo, BatchNo: s.BatchNo, TradeRefNo: s.TradeRefNo, StoreNo: s.StoreNo,
		EncrypteSummary: s.EncrypteSummary, CommunicateType: string(s.CommunicateType),
		OperateTime: FormatTime(s.OperateTime), Rback: s.Rback, Remark: s.Remark, ExtendParam: s.ExtendParam,
		Cashier: s.Cashier, IP: s.IP, MAC: s.MAC,
	}
	if s.TradeAmount != 0 {
		d.TradeAmount = s.TradeAmount.Yuan()
	}
	if s.PayTypeNo != 0 {
		d.PayTypeNo = strconv.FormatInt(s.PayTypeNo, 10)
	}
	return d
}

// Build turns typed text into a Sale: it cleans and trims every field, parses amounts, times
// and numbers, turns a full card number into its masked form and digest (the Sale never holds
// the full number), keeps bank code and name in step, fills operate_time, cashier, ip, mac and
// sale_type when missing, and runs the single-order rules (Sale.Validate). The Sale is usable
// only when the Issues hold no errors.
func (d Draft) Build(r Rules) (Sale, Issues) {
	now := r.now()
	var s Sale
	var is Issues
	failed := map[string]bool{}
	add := func(i Issue) {
		is = append(is, i)
		if i.Severity == SevError {
			failed[i.Field] = true
		}
	}
	for i, f := range draftFields {
		p := f(&d)
		// Clean would drop these bytes without a word, and an order_id that lost a byte is
		// another order: a file that holds them is broken or not the text it claims to be.
		switch {
		case !utf8.ValidString(*p):
			add(errorOn(DTOFields[i], "text.not_utf8"))
		case strings.IndexByte(*p, 0) >= 0:
			add(errorOn(DTOFields[i], "text.nul"))
		}
		*p = Clean(*p)
	}

	s.OrderID = d.OrderID
	s.OriginalOrderID = d.OriginalOrderID
	s.SequenceNo = d.SequenceNo
	s.PaymentChannel = Channel(enumCode(d.PaymentChannel, ChannelQuickPass, ChannelBankCard))
	s.SubSaleType = SubType(enumCode(d.SubSaleType, SubSale, SubVoid, SubRefund))
	s.SaleType = SaleType(enumCode(d.SaleType, SaleTypeSale, SaleTypeRefund))
	if s.SaleType == "" && s.SubSaleType.Valid() {
		s.SaleType = SaleTypeFor(s.SubSaleType, r.VoidSaleType)
	}
	s.CommunicateType = CommType(enumCode(d.CommunicateType, CommNetwork, CommPhone))

	card, cardIssues := ParseCard(d.CardNo, r.CardKey, s.PaymentChannel)
	for _, i := range cardIssues {
		add(i)
	}
	s.CardNo, s.EncrypteSummary = card.Masked, card.Digest
	if card.Masked != "" && strings.ContainsAny(toHalfWidth(d.CardNo), "*xX") {
		// Only the masked form was typed (or it is an edit): the digest, if any, came with it.
		// A malformed one is not kept even in a refused Sale: it could be anything, a card number too.
		if dg := strings.ToLower(d.EncrypteSummary); dg == "" || isDigest(dg) {
			s.EncrypteSummary = dg
		} else {
			add(errorOn(FieldEncrypteSummary, "encrypte_summary.invalid"))
		}
	}

	if d.TradeTime != "" {
		t, err := ParseTime(d.TradeTime, now)
		if err != nil {
			add(errorOn(FieldTradeTime, "time.invalid"))
		}
		s.TradeTime = t
	}
	if d.OperateTime != "" {
		t, err := ParseTime(d.OperateTime, now)
		if err != nil {
			add(errorOn(FieldOperateTime, "time.invalid"))
		}
		s.OperateTime = t
	} else {
		s.OperateTime = now.Truncate(time.Second)
	}

	if d.TradeAmount != "" {
		parse := ParseAmount
		if r.AmountInFen {
			parse = ParseFen
		}
		a, err := parse(d.TradeAmount)
		if err != nil {
			if i, ok := err.(Issue); ok {
				add(i)
			} else {
				add(errorOn(FieldTradeAmount, "amount.invalid"))
			}
		}
		s.TradeAmount = a
	}

	if d.PayTypeNo != "" {
		p := strings.TrimLeft(toHalfWidth(d.PayTypeNo), "0")
		n, err := strconv.ParseInt(p, 10, 64)
		switch {
		case err == nil && allDigits(p) && len(p) > MaxPayTypeDigits:
			// a receipt has a handful of payment lines: a long number is another field's,
			// typed one field too far
			add(errorOn(FieldPayTypeNo, "pay_type_no.too_long", strconv.Itoa(MaxPayTypeDigits), strconv.Itoa(len(p))))
		case err != nil || n <= 0 || !allDigits(p):
			add(errorOn(FieldPayTypeNo, "pay_type_no.invalid"))
		default:
			s.PayTypeNo = n
		}
	}

	s.BankCode, s.BankName = d.BankCode, d.BankName
	switch {
	case s.BankCode != "":
		if listed := BankName(s.BankCode); listed != "" {
			s.BankName = listed
		}
	case s.BankName != "":
		if b, ok := bankByName(s.BankName); ok {
			s.BankCode, s.BankName = b.Code, b.Name
		}
	}

	s.TerminalNo = d.TerminalNo
	s.BankShopNo = d.BankShopNo
	s.PosTraceNo = d.PosTraceNo
	s.BatchNo = d.BatchNo
	s.TradeRefNo = d.TradeRefNo
	s.StoreNo = d.StoreNo
	s.Rback = d.Rback
	s.Remark = d.Remark
	s.ExtendParam = d.ExtendParam
	s.Cashier = firstNonEmpty(d.Cashier, Clean(r.Operator))
	s.IP = firstNonEmpty(d.IP, Clean(r.IP))
	s.MAC = firstNonEmpty(d.MAC, Clean(r.MAC))

	for _, i := range s.validate(r, now) {
		if !failed[i.Field] {
			is = append(is, i)
		}
	}
	is.sort()
	return s, is
}

// enumCode reads an enum as its code ("002") or as its label in either language ("银行卡",
// "bank card"), so that a file written by a person imports; anything else is kept as typed
// for validation to refuse.
func enumCode[E interface {
	~string
	Label(Lang) string
}](typed string, values ...E) string {
	s := toHalfWidth(typed)
	for _, v := range values {
		if s == string(v) || strings.EqualFold(s, v.Label(ZH)) || strings.EqualFold(s, v.Label(EN)) {
			return string(v)
		}
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Validate runs the single-order rules of domain.md on a built sale (what Build runs after
// parsing); the rules that need other orders are ValidateRelated's.
func (s Sale) Validate(r Rules) Issues {
	is := s.validate(r, r.now())
	is.sort()
	return is
}

func (s Sale) validate(r Rules, now time.Time) Issues {
	var is Issues
	req := func(field, v string) bool {
		if v == "" {
			is = append(is, errorOn(field, "field.required"))
			return false
		}
		return true
	}
	warnUnless := func(field, v string, ok bool) {
		if v != "" && !ok {
			is = append(is, warnOn(field, field+".format"))
		}
	}

	for _, f := range s.texts() {
		if *f.p != Clean(*f.p) {
			is = append(is, errorOn(f.name, "field.control"))
		}
		if n, most := utf8.RuneCountInString(*f.p), MaxLen(f.name); n > most {
			is = append(is, errorOn(f.name, "text.too_long", strconv.Itoa(most), strconv.Itoa(n)))
		}
	}

	req(FieldOrderID, s.OrderID)
	switch {
	case s.SubSaleType == SubVoid || s.SubSaleType == SubRefund:
		if req(FieldOriginalOrderID, s.OriginalOrderID) && s.OriginalOrderID == s.OrderID {
			is = append(is, errorOn(FieldOriginalOrderID, "original_order_id.self"))
		}
	case s.OriginalOrderID != "" && s.SubSaleType == SubSale:
		is = append(is, warnOn(FieldOriginalOrderID, "original_order_id.unexpected"))
	}
	if req(FieldSequenceNo, s.SequenceNo) {
		warnUnless(FieldSequenceNo, s.SequenceNo, len(s.SequenceNo) == 11 && allDigits(s.SequenceNo))
	}
	if req(FieldPaymentChannel, string(s.PaymentChannel)) && !s.PaymentChannel.Valid() {
		is = append(is, errorOn(FieldPaymentChannel, "payment_channel.invalid"))
	}
	if s.CardNo != "" {
		switch {
		case !IsMaskedCard(s.CardNo) && digitCount(s.CardNo) > 10:
			is = append(is, errorOn(FieldCardNo, "card.unmasked"))
		default:
			is = append(is, checkMasked(s.CardNo)...)
		}
	}
	if s.TradeTime.IsZero() {
		is = append(is, errorOn(FieldTradeTime, "field.required"))
	} else {
		entered := s.OperateTime
		if entered.IsZero() || entered.After(now) {
			entered = now
		}
		switch days := r.refundWarnDays(); {
		case s.TradeTime.After(now.Add(MaxClockAhead)):
			is = append(is, errorOn(FieldTradeTime, "trade_time.future", FormatTime(now)))
		case !s.OperateTime.IsZero() && s.TradeTime.After(s.OperateTime.Add(MaxClockAhead)):
			is = append(is, errorOn(FieldTradeTime, "trade_time.after_operate", FormatTime(s.OperateTime)))
		case s.TradeTime.After(entered):
			is = append(is, warnOn(FieldTradeTime, "trade_time.ahead", FormatTime(entered)))
		case s.SubSaleType == SubSale && days >= 0 && now.Sub(s.TradeTime) > time.Duration(days)*24*time.Hour:
			is = append(is, warnOn(FieldTradeTime, "trade_time.old", strconv.Itoa(days)))
		}
	}
	subOK := false
	if req(FieldSubSaleType, string(s.SubSaleType)) {
		if subOK = s.SubSaleType.Valid(); !subOK {
			is = append(is, errorOn(FieldSubSaleType, "sub_sale_type.invalid"))
		}
	}
	if req(FieldSaleType, string(s.SaleType)) {
		want := SaleTypeFor(s.SubSaleType, r.VoidSaleType)
		switch {
		case !s.SaleType.Valid():
			is = append(is, errorOn(FieldSaleType, "sale_type.invalid"))
		case subOK && s.SaleType != want:
			is = append(is, errorOn(FieldSaleType, "sale_type.mismatch", safeArg(string(s.SaleType)), string(want)))
		}
	}
	switch {
	case s.TradeAmount == 0:
		is = append(is, errorOn(FieldTradeAmount, "amount.required"))
	case s.TradeAmount < 0:
		is = append(is, errorOn(FieldTradeAmount, "amount.negative"))
	case s.TradeAmount > MaxAmount:
		is = append(is, errorOn(FieldTradeAmount, "amount.too_large"))
	}
	if s.BankCode != "" {
		listed := BankName(s.BankCode)
		switch {
		case listed == "":
			is = append(is, warnOn(FieldBankCode, "bank.unknown_code", safeArg(s.BankCode)))
		case s.BankName != listed:
			is = append(is, warnOn(FieldBankName, "bank.name_mismatch", safeArg(s.BankCode), listed))
		}
		if b, ok := BankOfCard(s.CardNo); ok && listed != "" && b.Code != s.BankCode && s.PaymentChannel == ChannelBankCard {
			// a bank card's own digits say whose it is (a QuickPass number may be a payment code, whose
			// digits say nothing of a bank): a bank picked by hand may be the line above
			is = append(is, warnOn(FieldBankCode, "bank.card_mismatch", b.Code, b.Name))
		}
	} else if s.BankName != "" {
		is = append(is, warnOn(FieldBankName, "bank.name_unknown"))
	}
	warnUnless(FieldTerminalNo, s.TerminalNo, utf8.RuneCountInString(s.TerminalNo) == 8)
	warnUnless(FieldBankShopNo, s.BankShopNo, len(s.BankShopNo) == 15 && allDigits(s.BankShopNo))
	if req(FieldPosTraceNo, s.PosTraceNo) {
		n := len(s.PosTraceNo)
		warnUnless(FieldPosTraceNo, s.PosTraceNo, (n == 6 || n == 21) && allDigits(s.PosTraceNo))
	}
	warnUnless(FieldBatchNo, s.BatchNo, len(s.BatchNo) == 6 && allDigits(s.BatchNo))
	if req(FieldTradeRefNo, s.TradeRefNo) {
		warnUnless(FieldTradeRefNo, s.TradeRefNo, len(s.TradeRefNo) == 12 && isAlnum(s.TradeRefNo))
	}
	switch {
	case s.PayTypeNo == 0:
		is = append(is, errorOn(FieldPayTypeNo, "field.required"))
	case s.PayTypeNo < 0:
		is = append(is, errorOn(FieldPayTypeNo, "pay_type_no.invalid"))
	}
	req(FieldStoreNo, s.StoreNo)
	if s.EncrypteSummary != "" && !isDigest(s.EncrypteSummary) {
		is = append(is, errorOn(FieldEncrypteSummary, "encrypte_summary.invalid"))
	}
	if s.CommunicateType != "" && !s.CommunicateType.Valid() {
		is = append(is, errorOn(FieldCommunicateType, "communicate_type.invalid"))
	}
	if s.OperateTime.IsZero() {
		is = append(is, errorOn(FieldOperateTime, "field.required"))
	}
	if s.Rback != "" && s.Rback != "00" {
		is = append(is, errorOn(FieldRback, "rback.invalid"))
	}
	for _, f := range s.CardNumberFields() {
		is = append(is, errorOn(f, "text.card_number"))
	}
	return is
}

// CardNumberFields names the fields other than card_no that hold a plausible full card number
// (see ContainsCardNumber): typed or imported, a card number belongs in card_no alone, where it
// is masked; anywhere else it would be kept whole.
func (s Sale) CardNumberFields() []string {
	var fields []string
	for _, f := range s.texts() {
		if f.name != FieldCardNo && f.name != FieldEncrypteSummary && s.holdsCardNumber(f.name, *f.p) {
			fields = append(fields, f.name)
		}
	}
	return fields
}

// holdsCardNumber reports whether the value of a field other than card_no holds a plausible full
// card number. Two things that look like one are not: a merchant number that is exactly 15
// digits in bank_shop_no (its own shape, which a card of 15 digits shares only for American
// Express), and this store's own generated order numbers, which a digit-only store or desk code
// can make into a long run of digits.
func (s *Sale) holdsCardNumber(field, v string) bool {
	if field == FieldBankShopNo && len(v) == 15 && allDigits(v) {
		return false
	}
	if !ContainsCardNumber(v) {
		return false
	}
	return ContainsCardNumber(withoutOrderNumbers(v, s.StoreNo))
}

// withoutOrderNumbers blanks out of text every order number generated for store (store +
// yyyymmdd + a desk code of up to 4 letters or digits + a 4-digit sequence, or the older form
// without a desk code), as a whole word.
func withoutOrderNumbers(text, store string) string {
	if store == "" {
		return text
	}
	b := []byte(text)
	for from := 0; ; {
		i := strings.Index(text[from:], store)
		if i < 0 {
			break
		}
		p := from + i
		from = p + 1
		if p > 0 && isAlnumByte(text[p-1]) {
			continue
		}
		end := p + len(store)
		for end < len(text) && isAlnumByte(text[end]) {
			end++
		}
		if IsOrderNumberTail(text[p+len(store) : end]) {
			for k := p; k < end; k++ {
				b[k] = ' '
			}
		}
	}
	return string(b)
}

// IsOrderNumberTail reports whether t is what follows the store number in a generated order
// number: a real date as yyyymmdd (years 2000–2099), up to 4 letters or digits of desk code,
// then a 4-digit sequence.
func IsOrderNumberTail(t string) bool {
	if len(t) < 12 || len(t) > 16 || !allDigits(t[:8]) || !allDigits(t[len(t)-4:]) || !isAlnum(t[8:]) {
		return false
	}
	d, err := time.Parse("20060102", t[:8])
	return err == nil && d.Year() >= 2000 && d.Year() <= 2099
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

type textField struct {
	name string
	p    *string
}

// texts are the sale's free string fields (enums and times are checked on their own).
func (s *Sale) texts() [19]textField {
	return [19]textField{
		{FieldOrderID, &s.OrderID}, {FieldOriginalOrderID, &s.OriginalOrderID}, {FieldSequenceNo, &s.SequenceNo},
		{FieldCardNo, &s.CardNo}, {FieldBankCode, &s.BankCode}, {FieldBankName, &s.BankName},
		{FieldTerminalNo, &s.TerminalNo}, {FieldBankShopNo, &s.BankShopNo}, {FieldPosTraceNo, &s.PosTraceNo},
		{FieldBatchNo, &s.BatchNo}, {FieldTradeRefNo, &s.TradeRefNo}, {FieldStoreNo, &s.StoreNo},
		{FieldEncrypteSummary, &s.EncrypteSummary}, {FieldRback, &s.Rback}, {FieldRemark, &s.Remark},
		{FieldExtendParam, &s.ExtendParam}, {FieldCashier, &s.Cashier}, {FieldIP, &s.IP}, {FieldMAC, &s.MAC},
	}
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnumByte(s[i]) {
			return false
		}
	}
	return true
}

func isDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
