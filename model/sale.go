// Package model is banksale's domain: one bank-card or UnionPay QuickPass sale as the
// alibaba.mos.oc.trade.syncbanksale API knows it, its enums, its money and its upload status.
// It imports nothing else of banksale and never touches a database, the network or the screen.
package model

import "time"

// CST is China Standard Time. Every time in banksale is read and written in it, whatever the
// machine's own zone; a fixed zone needs no tzdata, so it works on machines without any.
var CST = time.FixedZone("CST", 8*60*60)

// TimeLayout is the API's time format (trade_time, operate_time, the gateway's timestamp).
const TimeLayout = "2006-01-02 15:04:05"

// Channel is payment_channel.
type Channel string

const (
	ChannelQuickPass Channel = "001" // 云闪付, UnionPay QuickPass
	ChannelBankCard  Channel = "002" // 银行卡, bank card
)

// SubType is sub_sale_type: what the order does.
type SubType string

const (
	SubSale   SubType = "001" // 消费
	SubVoid   SubType = "002" // 撤销: cancels a same-day sale before settlement
	SubRefund SubType = "006" // 退款退货: returns money after settlement
)

// SaleType is sale_type; it follows from SubType (see SaleTypeFor).
type SaleType string

const (
	SaleTypeSale   SaleType = "0" // 销售
	SaleTypeRefund SaleType = "1" // 退款退货
)

// CommType is communicate_type.
type CommType string

const (
	CommNetwork CommType = "001" // 网线
	CommPhone   CommType = "002" // 电话
)

// Status is where an order stands in the journal and on its way to head office.
type Status string

const (
	StatusPending   Status = "pending"   // journaled, not yet tried
	StatusUploading Status = "uploading" // claimed by the uploader, a call may be in flight
	StatusUploaded  Status = "uploaded"  // the gateway accepted it: it has reached head office
	StatusRetrying  Status = "retrying"  // the last try failed in a way worth retrying; waits for next_attempt_at
	StatusRejected  Status = "rejected"  // the gateway refused the content: needs a person
	StatusVoided    Status = "voided"    // cancelled locally before upload, kept for audit
)

// Statuses lists every status in the order the screen shows them.
var Statuses = []Status{StatusPending, StatusUploading, StatusRetrying, StatusRejected, StatusUploaded, StatusVoided}

// Sale is one order: every field of the API's pos_bank_sale_info_dto.
//
// CardNo only ever holds the masked form (first six, last four); the full number typed by a
// person is turned into CardNo and EncrypteSummary by ParseCard and never stored in a Sale.
type Sale struct {
	OrderID         string
	OriginalOrderID string
	SequenceNo      string
	PaymentChannel  Channel
	CardNo          string // masked: 622202******1234
	TradeTime       time.Time
	SaleType        SaleType
	SubSaleType     SubType
	TradeAmount     Amount
	BankCode        string
	BankName        string
	TerminalNo      string
	BankShopNo      string
	PosTraceNo      string
	BatchNo         string
	TradeRefNo      string
	PayTypeNo       int64
	StoreNo         string
	EncrypteSummary string // lower-case hex HMAC-SHA256 of the full card number
	CommunicateType CommType
	OperateTime     time.Time
	Rback           string // absent or "00": the platform sets it, never a person
	Remark          string
	ExtendParam     string
	Cashier         string
	IP              string
	MAC             string
}
