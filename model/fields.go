package model

// The API's field names, as the keys of pos_bank_sale_info_dto and of Issue.Field.
const (
	FieldOrderID         = "order_id"
	FieldOriginalOrderID = "original_order_id"
	FieldSequenceNo      = "sequence_no"
	FieldPaymentChannel  = "payment_channel"
	FieldCardNo          = "card_no"
	FieldTradeTime       = "trade_time"
	FieldSaleType        = "sale_type"
	FieldSubSaleType     = "sub_sale_type"
	FieldTradeAmount     = "trade_amount"
	FieldBankCode        = "bank_code"
	FieldBankName        = "bank_name"
	FieldTerminalNo      = "terminal_no"
	FieldBankShopNo      = "bank_shop_no"
	FieldPosTraceNo      = "pos_trace_no"
	FieldBatchNo         = "batch_no"
	FieldTradeRefNo      = "trade_ref_no"
	FieldPayTypeNo       = "pay_type_no"
	FieldStoreNo         = "store_no"
	FieldEncrypteSummary = "encrypte_summary"
	FieldCommunicateType = "communicate_type"
	FieldOperateTime     = "operate_time"
	FieldRback           = "rback"
	FieldRemark          = "remark"
	FieldExtendParam     = "extend_param"
	FieldCashier         = "cashier"
	FieldIP              = "ip"
	FieldMAC             = "mac"
)

// maxLen is the longest value of each text field, in characters. The API's page gives no
// lengths, so these are ours: each several times what the papers hold (an 11-digit receipt, an
// 8-character terminal, a 21-digit query id), so that no honest value is refused, and short
// enough that a broken file cannot put a screenful into one field. order_id is 64, the bound of
// Taobao's other order-number parameters and well over the 24 a generated one can take; remark
// is 200 like a cancel reason; extend_param, which a POS may fill with a small JSON text, 512.
var maxLen = map[string]int{
	FieldOrderID: 64, FieldOriginalOrderID: 64, FieldSequenceNo: 32, FieldCardNo: 19,
	FieldBankCode: 16, FieldBankName: 64, FieldTerminalNo: 16, FieldBankShopNo: 32,
	FieldPosTraceNo: 32, FieldBatchNo: 16, FieldTradeRefNo: 32, FieldStoreNo: 32,
	FieldEncrypteSummary: 64, FieldRback: 2, FieldRemark: 200, FieldExtendParam: 512,
	FieldCashier: 64, FieldIP: 45, FieldMAC: 32,
}

// MaxLen is the longest value a text field takes, in characters (0 for a field that is not
// free text: an enum, a time or a number, which its parser bounds).
func MaxLen(field string) int { return maxLen[field] }

// FieldVoidReason names the reason an order was cancelled here in issues; it is the journal's,
// not an API field, and never sent.
const FieldVoidReason = "void_reason"

// DTOFields are the API's 27 field names in the order of its table, which is the order
// MarshalDTO writes them in.
var DTOFields = []string{
	FieldOrderID, FieldOriginalOrderID, FieldSequenceNo, FieldPaymentChannel, FieldCardNo,
	FieldTradeTime, FieldSaleType, FieldSubSaleType, FieldTradeAmount, FieldBankCode,
	FieldBankName, FieldTerminalNo, FieldBankShopNo, FieldPosTraceNo, FieldBatchNo,
	FieldTradeRefNo, FieldPayTypeNo, FieldStoreNo, FieldEncrypteSummary, FieldCommunicateType,
	FieldOperateTime, FieldRback, FieldRemark, FieldExtendParam, FieldCashier, FieldIP, FieldMAC,
}

var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(DTOFields))
	for i, f := range DTOFields {
		m[f] = i
	}
	return m
}()

var fieldLabels = map[string][2]string{
	FieldOrderID:         {"订单号", "Order no."},
	FieldOriginalOrderID: {"原订单号", "Original order no."},
	FieldSequenceNo:      {"小票号", "Receipt no."},
	FieldPaymentChannel:  {"支付渠道", "Payment channel"},
	FieldCardNo:          {"卡号", "Card no."},
	FieldTradeTime:       {"交易时间", "Trade time"},
	FieldSaleType:        {"销售类型", "Sale type"},
	FieldSubSaleType:     {"交易类型", "Transaction type"},
	FieldTradeAmount:     {"交易金额", "Amount"},
	FieldBankCode:        {"银行编码", "Bank code"},
	FieldBankName:        {"银行名称", "Bank name"},
	FieldTerminalNo:      {"终端号", "Terminal ID"},
	FieldBankShopNo:      {"商户号", "Merchant no."},
	FieldPosTraceNo:      {"凭证号", "Trace no."},
	FieldBatchNo:         {"批次号", "Batch no."},
	FieldTradeRefNo:      {"参考号", "Reference no."},
	FieldPayTypeNo:       {"支付行号", "Tender line no."},
	FieldStoreNo:         {"门店号", "Store no."},
	FieldEncrypteSummary: {"卡号摘要", "Card digest"},
	FieldCommunicateType: {"通讯类型", "Communication"},
	FieldOperateTime:     {"操作时间", "Entered at"},
	FieldRback:           {"冲正标志", "Reversal flag"},
	FieldRemark:          {"备注", "Remark"},
	FieldExtendParam:     {"扩展字段", "Extra field"},
	FieldCashier:         {"收银员", "Cashier"},
	FieldIP:              {"IP地址", "IP address"},
	FieldMAC:             {"MAC地址", "MAC address"},
	FieldVoidReason:      {"作废原因", "Cancel reason"},
}

// FieldLabel is an API field's name for a person ("trade_amount" → 交易金额 / Amount); an
// unknown field is shown as itself.
func FieldLabel(field string, l Lang) string {
	if w, ok := fieldLabels[field]; ok {
		return l.Pick(w[0], w[1])
	}
	return field
}
