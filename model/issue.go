package model

import (
	"slices"
	"strconv"
	"strings"
)

// Severity says whether an Issue blocks saving.
type Severity int

const (
	SevError   Severity = 1 // a standard or the API requires it: the order cannot be saved
	SevWarning Severity = 2 // a convention that varies by acquirer: the supervisor may confirm
)

// String is "error" or "warning".
func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// Issue is one finding about one field. Code is stable (tests, logs and scripts may rely on it);
// Args are the values the message quotes and never hold a full card number.
type Issue struct {
	Field    string // API field name, e.g. "trade_amount"
	Severity Severity
	Code     string // stable, e.g. "amount.zero"
	Args     []string
}

// Error makes an Issue usable as an error (ParseAmount, ParseTime return one): the English message.
func (i Issue) Error() string { return i.Message(EN) }

// Message is a sentence a supervisor understands, saying what to do.
func (i Issue) Message(l Lang) string {
	w, ok := messages[i.Code]
	if !ok {
		if i.Severity == SevWarning {
			w = [2]string{"{f}：请核对（{code}）。", "{f}: check it ({code})."}
		} else {
			w = [2]string{"{f}有误，请改正（{code}）。", "{f} is not right: correct it ({code})."}
		}
	}
	label := FieldLabel(i.Field, l)
	if i.Field == "" { // ParseTime's issue before a caller names the field
		label = l.Pick("该项", "This value")
	}
	pairs := []string{"{f}", label, "{code}", i.Code}
	for n := 0; n < 4; n++ {
		arg := ""
		if n < len(i.Args) {
			arg = i.Args[n]
		}
		pairs = append(pairs, "{"+strconv.Itoa(n)+"}", arg)
	}
	return strings.NewReplacer(pairs...).Replace(l.Pick(w[0], w[1]))
}

// Issues is every finding about an order, in the API's field order, errors before warnings.
type Issues []Issue

// HasErrors reports whether anything blocks saving.
func (is Issues) HasErrors() bool {
	return slices.ContainsFunc(is, func(i Issue) bool { return i.Severity == SevError })
}

// Errors are the issues that block saving.
func (is Issues) Errors() Issues {
	return is.filter(func(i Issue) bool { return i.Severity == SevError })
}

// Warnings are the issues the supervisor may confirm.
func (is Issues) Warnings() Issues {
	return is.filter(func(i Issue) bool { return i.Severity == SevWarning })
}

// For are the issues about one field.
func (is Issues) For(field string) Issues {
	return is.filter(func(i Issue) bool { return i.Field == field })
}

// Has reports whether an issue with this code is present.
func (is Issues) Has(code string) bool {
	return slices.ContainsFunc(is, func(i Issue) bool { return i.Code == code })
}

func (is Issues) filter(keep func(Issue) bool) Issues {
	var out Issues
	for _, i := range is {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}

// sort puts issues in the form's order (the API's field order), errors first within a field,
// so that screens and reports list them the same way every time.
func (is Issues) sort() {
	rank := func(f string) int {
		if n, ok := fieldIndex[f]; ok {
			return n
		}
		return len(DTOFields)
	}
	slices.SortStableFunc(is, func(a, b Issue) int {
		if d := rank(a.Field) - rank(b.Field); d != 0 {
			return d
		}
		return int(a.Severity) - int(b.Severity)
	})
}

func errorOn(field, code string, args ...string) Issue {
	return Issue{Field: field, Severity: SevError, Code: code, Args: args}
}

func warnOn(field, code string, args ...string) Issue {
	return Issue{Field: field, Severity: SevWarning, Code: code, Args: args}
}

// messages: code → {Chinese, English}. {f} is the field's label, {0}… the Args.
var messages = map[string][2]string{
	// Duplicate warnings come from the journal (storage.Duplicates); {0} is the other order's order_id.
	"duplicate.trace":    {"凭证号与订单 {0} 相同（同一商户号、终端号、批次号）：请核对是否重复录入。", "Same trace number as order {0} (same merchant, terminal and batch): check this is not entered twice."},
	"duplicate.ref":      {"参考号与订单 {0} 当天的参考号相同：请核对是否重复录入。", "Same reference number as order {0} on the same day: check this is not entered twice."},
	"duplicate.sequence": {"小票号、支付行号和交易类型与订单 {0} 相同：请核对是否重复录入。", "Same receipt number, tender line and type as order {0}: check this is not entered twice."},

	"field.required": {"请填写{f}（见签购单或小票）。", "{f} is required: copy it from the bank slip or the receipt."},
	"field.control":  {"{f}含有不可打印的字符，请重新输入。", "{f} contains unprintable characters: type it again."},

	"amount.required":    {"请填写交易金额（元），例如 12.50。", "Enter the amount in yuan, e.g. 12.50."},
	"amount.invalid":     {"交易金额只能是数字，例如 1234.56 或 1,234.56，请改正。", "The amount must be a number such as 1234.56 or 1,234.56: correct it."},
	"amount.grouping":    {"交易金额中的逗号只能用作千位分隔（如 1,234.56），小数点请用“.”。", "Commas in the amount may only separate thousands (1,234.56); use \".\" for the decimal point."},
	"amount.decimals":    {"交易金额最多两位小数（到分），请改正。", "The amount has more than two decimals (fen is the smallest unit): correct it."},
	"amount.zero":        {"交易金额不能为 0，请按签购单填写金额。", "The amount cannot be zero: enter the amount on the slip."},
	"amount.negative":    {"交易金额请填正数；撤销或退款请选交易类型，不要用负号。", "Enter the amount as a positive number; for a void or refund choose the transaction type instead of a minus sign."},
	"amount.too_large":   {"交易金额超过上限 ¥9,999,999,999.99，请核对。", "The amount is above the limit of ¥9,999,999,999.99: check it."},
	"amount.fen_invalid": {"交易金额（分）必须是整数，例如 1250 表示 12.50 元。", "The amount in fen must be a whole number, e.g. 1250 for ¥12.50."},

	"time.invalid":             {"{f}格式不对，请按 2026-11-26 14:30:00 或 14:30 填写。", "{f} is not a time: type it as 2026-11-26 14:30:00 or 14:30."},
	"trade_time.future":        {"交易时间比本机时钟（{0}）晚 10 分钟以上：请按签购单核对日期和时间，或校准本机时钟。", "The trade time is more than 10 minutes after this PC's clock ({0}): check the date and time on the slip, or the PC's clock."},
	"trade_time.ahead":         {"交易时间晚于本机时钟（{0}）：签购单上就是这样的话可以保存（银行终端时钟偏快）。", "Later than this PC's clock ({0}): keep it if the slip says so (the terminal runs ahead)."},
	"trade_time.old":           {"这笔消费已超过 {0} 天：请按签购单核对日期。", "This sale is more than {0} days old: check the date on the slip."},
	"trade_time.after_operate": {"交易时间比操作时间 {0} 晚 10 分钟以上，请核对。", "The trade time is more than 10 minutes after the entry time {0}: check it."},

	"original_order_id.required":   {"撤销和退款必须填写原订单号（被撤销或退款的那笔消费）。", "A void or refund needs the order no. of the sale it undoes."},
	"original_order_id.self":       {"原订单号不能与本订单号相同，请填写原消费的订单号。", "The original order no. cannot be this order's own number: enter the sale's order no."},
	"original_order_id.unexpected": {"消费交易一般不填原订单号；如是撤销或退款，请改交易类型。", "A sale normally has no original order no.; if this is a void or refund, change the transaction type."},

	"payment_channel.invalid":  {"支付渠道只能是 001 云闪付 或 002 银行卡，请重新选择。", "The payment channel must be 001 QuickPass or 002 bank card: pick one."},
	"sub_sale_type.invalid":    {"交易类型只能是 001 消费、002 撤销 或 006 退款，请重新选择。", "The transaction type must be 001 sale, 002 void or 006 refund: pick one."},
	"sale_type.invalid":        {"销售类型只能是 0 销售 或 1 退款退货；清空即可自动填写。", "The sale type must be 0 sale or 1 refund; clear it and it is filled in for you."},
	"sale_type.mismatch":       {"销售类型 {0} 与交易类型不符，应为 {1}；清空即可自动填写。", "Sale type {0} does not match the transaction type, it should be {1}: clear it and it is filled in for you."},
	"communicate_type.invalid": {"通讯类型只能是 001 网线 或 002 电话，请重新选择。", "The communication type must be 001 network or 002 phone line: pick one."},
	"rback.invalid":            {"冲正标志由平台设置，请留空（或 00）。", "The reversal flag is set by the platform: leave it empty (or 00)."},
	"pay_type_no.too_long":     {"支付行号最多 {0} 位，现在是 {1} 位：它是小票上的支付行序号（如 1），是否填到了别的栏？", "The tender line no. has at most {0} digits, this one has {1}: it is the payment line on the receipt (e.g. 1); was another field typed here?"},
	"pay_type_no.invalid":      {"支付行号必须是正整数（小票上的支付行序号，如 1）。", "The tender line no. must be a positive whole number (the payment line on the receipt, e.g. 1)."},
	"encrypte_summary.invalid": {"卡号摘要由系统根据卡号计算，不能手工填写，请清空。", "The card digest is computed from the card number, not typed: clear it."},
	"text.not_utf8":            {"{f}不是 UTF-8 文字（GBK 文件？）：请把文件另存为 UTF-8。", "{f} is not UTF-8 text (a GBK file?): save the file as UTF-8."},
	"text.nul":                 {"{f}里有空字符（NUL），文件可能损坏或不是文本：请检查文件。", "{f} holds a NUL character: the file may be damaged or not text; check it."},
	"text.too_long":            {"{f}最多 {0} 个字，现在是 {1} 个，请缩短。", "{f} may be at most {0} characters, this one has {1}: shorten it."},
	"void_reason.required":     {"请写明作废原因。", "Give the reason the order is cancelled."},
	"text.card_number":         {"{f}里像是有完整卡号，请删掉（卡号只填“卡号”一栏）。", "{f} holds what looks like a full card number: remove it."},
	"text.card_hidden":         {"{f}里输入了卡号，已隐去中间几位：请删掉。", "{f} had a card number typed into it, now hidden: remove it."},

	"sequence_no.format":  {"小票号通常是 11 位数字，请核对小票；无误可确认保存。", "Receipt numbers are usually 11 digits: check the receipt, and confirm if it is right."},
	"terminal_no.format":  {"终端号通常是 8 位，请核对签购单；无误可确认保存。", "Terminal IDs are usually 8 characters: check the slip, and confirm if it is right."},
	"bank_shop_no.format": {"商户号通常是 15 位数字，请核对签购单；无误可确认保存。", "Merchant numbers are usually 15 digits: check the slip, and confirm if it is right."},
	"pos_trace_no.format": {"凭证号通常是 6 位数字（云闪付查询流水号为 21 位），请核对；无误可确认保存。", "Trace numbers are usually 6 digits (a QuickPass query id has 21): check the slip, and confirm if it is right."},
	"batch_no.format":     {"批次号通常是 6 位数字，请核对签购单；无误可确认保存。", "Batch numbers are usually 6 digits: check the slip, and confirm if it is right."},
	"trade_ref_no.format": {"参考号通常是 12 位字母或数字，请核对签购单；无误可确认保存。", "Reference numbers are usually 12 letters or digits: check the slip, and confirm if it is right."},

	"card.invalid":         {"卡号只能包含数字（空格和横线可忽略）；只知道遮盖卡号时，请按 622202******1234 的样子输入。", "A card number has digits only (spaces and dashes are ignored); if you only have the masked number, type it like 622202******1234."},
	"card.length":          {"卡号应为 13–19 位数字，现在是 {0} 位，请核对。", "A card number has 13–19 digits, this one has {0}: check it."},
	"card.unionpay_length": {"62 开头的银联卡号应为 16–19 位，现在是 {0} 位，请核对。", "A UnionPay card number (starting 62) has 16–19 digits, this one has {0}: check it."},
	"card.masked_shape":    {"遮盖卡号应为前 6 位、若干 *、后 4 位，如 622202******1234，共 13–19 位，请核对。", "A masked card number is the first 6 digits, stars and the last 4, like 622202******1234, 13–19 long in all: check it."},
	"card.unmasked":        {"卡号没有遮盖，不能保存；请重新输入卡号。", "The card number is not masked and cannot be kept: type the card number again."},
	"card.luhn":            {"卡号校验位不符（部分银联卡如此），请核对签购单；无误可确认保存。", "The card number fails its check digit (some UnionPay cards do): check the slip, and confirm if it is right."},
	"card.payment_code":    {"19 位 62 开头的号码可能是云闪付付款码而不是卡号，请按签购单上的卡号填写。", "A 19-digit number starting 62 may be the QuickPass payment code rather than the card: enter the card number from the slip."},
	"statement.differs":    {"银行对账单 {1} 上此项是 {0}：请照签购单核对，上传前改正。", "The bank's statement ({1}) has {0} here: check it against the slip and correct it before it is uploaded."},
	"gateway.refused":      {"总部拒收了这一项：请照签购单改正；原样保存会再被拒收。", "Head office refused this value: correct it from the slip; unchanged, it is refused again."},
	"card.no_key":          {"未设置卡号摘要密钥，本单不带卡号摘要；请联系管理员设置 card.digest_key。", "No card-digest key is set, so this order carries no card digest: ask the administrator to set card.digest_key."},

	"bank.unknown_code":  {"银行编码 {0} 不在银行列表中，请核对或从列表中选择。", "Bank code {0} is not in the bank list: check it or pick the bank from the list."},
	"bank.name_mismatch": {"银行名称与编码 {0}（{1}）不一致，请从列表中重新选择银行。", "The bank name does not match code {0} ({1}): pick the bank from the list again."},
	"bank.card_mismatch": {"卡号开头几位是 {0} {1} 的卡，与所选银行不一致：请照签购单核对银行。", "The card's first digits are those of {0} {1}, not of the bank picked: check the bank on the slip."},
	"bank.name_unknown":  {"银行名称不在银行列表中，没有编码；请从列表中选择银行。", "The bank name is not in the bank list, so there is no code: pick the bank from the list."},

	"void.original_unknown":  {"原消费 {0} 不在本机记录中，无法核对：请确认金额、卡号、终端号、商户号、批次号与原签购单一致，且在同一清算日（23:00 切日）。", "The sale {0} is not in this journal, so nothing can be checked: make sure amount, card, terminal, merchant no. and batch match its slip and that it is the same clearing day (the day turns at 23:00)."},
	"void.original_not_sale": {"只能撤销消费（001）交易，原订单 {0} 不是消费。", "Only a sale (001) can be voided, and {0} is not a sale."},
	"void.original_voided":   {"原消费 {0} 已作废，不能撤销。", "The sale {0} has been cancelled in this journal and cannot be voided."},
	"void.already_voided":    {"原消费 {0} 已有撤销 {1}，一笔消费只能撤销一次。", "The sale {0} already has the void {1}; a sale can be voided only once."},
	"void.original_refunded": {"原消费 {0} 已有退款，不能再撤销；请改做退款。", "The sale {0} has already been refunded and cannot be voided: make a refund instead."},
	"void.amount_mismatch":   {"撤销金额必须等于原消费金额 {0}。", "A void must be for the sale's full amount, {0}."},
	"void.card_mismatch":     {"撤销的卡号必须与原消费相同（{0}）。", "A void must be on the sale's card ({0})."},
	"void.terminal_mismatch": {"撤销的终端号必须与原消费相同（{0}）。", "A void must be on the sale's terminal ({0})."},
	"void.shop_mismatch":     {"撤销的商户号必须与原消费相同（{0}）。", "A void must have the sale's merchant no. ({0})."},
	"void.batch_mismatch":    {"撤销的批次号必须与原消费相同（{0}）；已结算的交易请做退款。", "A void must be in the sale's batch ({0}); once the batch has settled, make a refund."},
	"void.day_mismatch":      {"撤销只能在原消费的同一清算日（{0}，23:00 切日）；跨日请做退款。", "A void must be on the sale's clearing day ({0}, the day turns at 23:00): after that, make a refund."},
	"void.before_sale":       {"撤销时间不能早于原消费时间 {0}，请核对。", "A void cannot be earlier than its sale ({0}): check the time."},

	"refund.original_unknown":  {"原消费 {0} 不在本机记录中，无法核对退款总额：请确认所有退款合计不超过原消费金额，且原消费未撤销。", "The sale {0} is not in this journal, so nothing can be checked: make sure all its refunds together do not exceed it and that it was not voided."},
	"refund.original_not_sale": {"只能对消费（001）交易退款，原订单 {0} 不是消费。", "Only a sale (001) can be refunded, and {0} is not a sale."},
	"refund.original_voided":   {"原消费 {0} 已撤销或作废，不能退款。", "The sale {0} has been voided or cancelled and cannot be refunded."},
	"refund.exceeds":           {"退款合计不能超过原消费金额 {0}：最多还能退 {1}。", "Refunds together cannot exceed the sale's {0}: at most {1} is left to refund."},
	"refund.before_sale":       {"退款时间不能早于原消费时间 {0}，请核对。", "A refund cannot be earlier than its sale ({0}): check the time."},
	"refund.old":               {"原消费已超过 {0} 天，请核对是否应当退款。", "The sale is more than {0} days old: check that this refund is right."},
	"refund.remark_required":   {"超过 {0} 天的退款必须在备注中写明原因。", "A refund of a sale more than {0} days old needs the reason in the remark."},
}
