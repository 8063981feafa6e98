// Package demo sets up `banksale --demo`: a fake TOP gateway on loopback with mild faults and
// a fresh journal with two dozen sample orders, so a newcomer sees every state of an order
// (pending, uploading, uploaded, retrying, rejected, voided) within a minute, without an account.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	gosync "sync"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/sync/top/toptest"
)

// The demo's gateway credentials and store; the card digest key is the one main uses for the demo.
const (
	AppKey  = "demo-app-key"
	Secret  = "demo-app-secret"
	StoreNo = "HZ01"
	CardKey = "demo-card-digest-key"
	// TerminalNo and BankShopNo are the sample store's bank terminal and merchant number, so a
	// sale typed in the demo matches the samples instead of starting with empty fields.
	TerminalNo = "10290001"
	BankShopNo = "102330159410001"
	// Operator is who the sample orders are entered by.
	Operator = "demo"
)

// Demo is a running demo: the gateway's address and credentials, and the journal to open.
type Demo struct {
	GatewayURL, AppKey, Secret, JournalPath string
	// Flaky are the sample orders that fail with a transient error on their first four tries.
	Flaky []string
	// Rejected are the sample orders whose content head office refuses (isv.invalid-parameter,
	// naming the field): one has a store number head office does not know, one a reference
	// number of the wrong length. Resending one unchanged is refused again; correcting the
	// named field on the form uploads it, so the supervisor practises the real lesson.
	Rejected []string

	srv   *toptest.Server
	proxy *http.Server
	ln    net.Listener
	once  gosync.Once

	mu      gosync.Mutex
	calls   int  // requests through the proxy
	outaged bool // the network's outage has happened
}

// outageAfter and outageFor: after this many calls the store's network goes down for a while
// (the proxy stops listening), so the screen shows head office unreachable, probes, and
// carries on by itself when the network is back.
const (
	outageAfter = 26
	outageFor   = 8 * time.Second
)

// Start starts the gateway (behind a small proxy that makes every call take 100–400 ms, so
// uploading is visible) and writes a fresh journal in dir with the sample orders. The journal
// is closed again before Start returns: main opens it like any other.
func Start(ctx context.Context, dir string, log *slog.Logger) (*Demo, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Demo{AppKey: AppKey, Secret: Secret, JournalPath: filepath.Join(dir, "banksale.db")}

	j, err := storage.Open(ctx, d.JournalPath, log)
	if err != nil {
		return nil, fmt.Errorf("demo: opening the journal: %w", err)
	}
	ids, err := seed(ctx, j, time.Now().In(model.CST))
	if cerr := j.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: closing the journal: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	d.Rejected, d.Flaky = ids.rejected, ids.flaky

	d.srv = toptest.NewServer(toptest.Options{
		AppKey: AppKey, Secret: Secret, Seed: 1,
		Script: script(ids.flaky), BanSeconds: 6, Logger: log, Refuse: refuse,
		// A re-sent order the gateway holds is answered as a real gateway may: in Chinese.
		ChineseDuplicates: true,
	})
	if err := d.startProxy(log); err != nil {
		d.srv.Close()
		return nil, err
	}
	log.Info("demo started", "gateway", d.GatewayURL, "journal", d.JournalPath)
	return d, nil
}

// refuse is head office's judgement of an order's content, as the demo's gateway gives it: a
// store it does not know, or a bank card's reference number that is not 12 characters, is
// refused in the gateway's words (Chinese, as a real gateway answers), naming the field.
func refuse(dto []byte) string {
	var s struct {
		StoreNo        string `json:"store_no"`
		PaymentChannel string `json:"payment_channel"`
		TradeRefNo     string `json:"trade_ref_no"`
	}
	if err := json.Unmarshal(dto, &s); err != nil {
		return "" // the gateway's own checks answer a broken payload
	}
	switch {
	case s.StoreNo != StoreNo:
		return "门店编号不存在: store_no=" + s.StoreNo
	case s.PaymentChannel == string(model.ChannelBankCard) && len(s.TradeRefNo) != 12:
		return "参考号长度应为12位: trade_ref_no"
	}
	return ""
}

// script is the gateway's mild bad day: a few transient failures early on and one short ban.
func script(flaky []string) func(n int, orderID string) toptest.Fault {
	var mu gosync.Mutex
	seen := map[string]int{}
	shaky := map[string]bool{}
	for _, id := range flaky {
		shaky[id] = true
	}
	const banSeconds = 6
	var banUntil time.Time
	banned := false
	return func(n int, orderID string) toptest.Fault {
		mu.Lock()
		defer mu.Unlock()
		if time.Now().Before(banUntil) {
			// the gateway answers the ban itself; this request must not use up a fault below
			return toptest.Fault{}
		}
		seen[orderID]++
		switch {
		case shaky[orderID] && seen[orderID] <= 4:
			// a service that stays down for a while: the order waits and retries by itself
			return toptest.Fault{Kind: toptest.FaultISP}
		case n >= 14 && !banned:
			banned = true
			banUntil = time.Now().Add(banSeconds*time.Second + time.Second)
			return toptest.Fault{Kind: toptest.FaultBan, BanSeconds: banSeconds}
		}
		switch n {
		case 3, 11:
			return toptest.Fault{Kind: toptest.FaultISP}
		case 5:
			return toptest.Fault{Kind: toptest.FaultHTTP503}
		case 8:
			return toptest.Fault{Kind: toptest.FaultResetBefore}
		case 9:
			// Recorded, then the connection drops: the re-send is answered 订单号已存在, which
			// confirms the upload (its detail shows both attempts).
			return toptest.Fault{Kind: toptest.FaultResetAfter}
		}
		return toptest.Fault{}
	}
}

func (d *Demo) startProxy(log *slog.Logger) error {
	target, err := url.Parse(d.srv.URL())
	if err != nil {
		return fmt.Errorf("demo: gateway address: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	var mu gosync.Mutex
	rng := rand.New(rand.NewPCG(7, 11))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		delay := 100*time.Millisecond + time.Duration(rng.IntN(300))*time.Millisecond
		mu.Unlock()
		d.mu.Lock()
		d.calls++
		if d.calls == outageAfter && !d.outaged {
			d.outaged = true
			go d.outage(log)
		}
		d.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listening: %w", err)
	}
	d.ln = ln
	d.proxy = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	d.GatewayURL = "http://" + ln.Addr().String() + target.Path
	go func() {
		if err := d.proxy.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("demo proxy", "err", err)
		}
	}()
	return nil
}

// outage takes the store's network down for outageFor: nothing listens where banksale calls
// (connections are refused), then the proxy listens there again.
func (d *Demo) outage(log *slog.Logger) {
	addr := d.ln.Addr().String()
	d.proxy.SetKeepAlivesEnabled(false) // pooled connections close: new calls must dial, and fail
	_ = d.ln.Close()
	log.Info("demo: the network is down", "for", outageFor)
	time.Sleep(outageFor)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Warn("demo: the network could not come back", "err", err)
		return
	}
	d.mu.Lock()
	d.ln = ln
	d.mu.Unlock()
	d.proxy.SetKeepAlivesEnabled(true)
	log.Info("demo: the network is back")
	go func() {
		if err := d.proxy.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("demo proxy", "err", err)
		}
	}()
}

// Server is the fake gateway (tests look at what it received).
func (d *Demo) Server() *toptest.Server { return d.srv }

// Close stops the proxy and the gateway.
func (d *Demo) Close() {
	d.once.Do(func() {
		if d.proxy != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = d.proxy.Shutdown(ctx)
			cancel()
		}
		if d.srv != nil {
			d.srv.Close()
		}
	})
}

type seeded struct{ rejected, flaky []string }

// StatementFile is the name of the demo's bank statement for the day (its lines are in the
// journal, as `statement import` keeps them): every sample the bank settled, so the reconcile
// screen (b) has something to say. The sample with a digit left out of its reference differs
// from its line (the line has the whole number), and one sale the POS did not send and nobody
// keyed is only on the statement, to be keyed in from its line.
const StatementFile = "demo-allinpay.csv"

// unkeyed is the statement's sale that is not in the journal.
var unkeyed = struct {
	ago  time.Duration
	yuan string
	bank string
}{time.Hour + 20*time.Minute, "520.00", "102"}

// sample is one order of the demo, in the words of a bank slip.
type sample struct {
	ago    time.Duration
	sub    model.SubType
	ch     model.Channel
	yuan   string
	bank   string
	of     int // index of the sale a void or refund undoes
	cancel string
	reject string // what head office refuses in it: "store" (an unknown store) or "ref" (a short reference)
	flaky  bool
	noCard bool
}

func seed(ctx context.Context, j *storage.Journal, now time.Time) (seeded, error) {
	rules := model.Rules{Now: now, VoidSaleType: model.SaleTypeRefund, CardKey: []byte(CardKey), Operator: Operator, IP: "127.0.0.1", MAC: "00:00:00:00:00:00"}
	j.SetRules(rules)
	samples := []sample{
		{ago: 7 * time.Hour, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "1288.00", bank: "102"},
		{ago: 6*time.Hour + 40*time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "59.90", noCard: true, flaky: true},
		{ago: 6*time.Hour + 10*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "3560.00", bank: "308"},
		{ago: 5*time.Hour + 55*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "899.00", bank: "105"},
		{ago: 5*time.Hour + 30*time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "128.50", bank: "103"},
		{ago: 5 * time.Hour, sub: model.SubVoid, ch: model.ChannelBankCard, yuan: "899.00", of: 3},
		{ago: 4*time.Hour + 45*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "26800.00", bank: "104", reject: "store"},
		{ago: 4*time.Hour + 20*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "450.00", bank: "301"},
		{ago: 4 * time.Hour, sub: model.SubRefund, ch: model.ChannelBankCard, yuan: "300.00", of: 0},
		{ago: 3*time.Hour + 50*time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "18.00", noCard: true},
		{ago: 3*time.Hour + 30*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "2399.00", bank: "309"},
		{ago: 3*time.Hour + 5*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "75.00", bank: "308", cancel: "收银员重复录入 / entered twice"},
		{ago: 2*time.Hour + 50*time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "666.00", bank: "403"},
		{ago: 2*time.Hour + 30*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "1999.00", bank: "310"},
		{ago: 2*time.Hour + 10*time.Minute, sub: model.SubRefund, ch: model.ChannelQuickPass, yuan: "66.00", of: 12},
		{ago: 2 * time.Hour, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "320.00", bank: "305"},
		{ago: time.Hour + 45*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "4800.00", bank: "302", reject: "ref"},
		{ago: time.Hour + 30*time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "39.00", noCard: true},
		{ago: time.Hour + 10*time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "158.00", bank: "303"},
		{ago: 55 * time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "780.00", bank: "306"},
		{ago: 40 * time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "88.80", bank: "307", flaky: true},
		{ago: 25 * time.Minute, sub: model.SubRefund, ch: model.ChannelBankCard, yuan: "199.00", of: 13},
		{ago: 15 * time.Minute, sub: model.SubSale, ch: model.ChannelBankCard, yuan: "1050.00", bank: "316"},
		{ago: 5 * time.Minute, sub: model.SubSale, ch: model.ChannelQuickPass, yuan: "22.50", noCard: true},
	}
	var out seeded
	sales := make([]model.Sale, len(samples))
	refs := make([]string, len(samples)) // the reference numbers as the bank has them
	rng := rand.New(rand.NewPCG(2026, 11))
	day := now
	for i, s := range samples {
		id, err := j.NextOrderID(ctx, StoreNo, j.DeskCode(), day)
		if err != nil {
			return out, fmt.Errorf("demo: order id: %w", err)
		}
		tt := now.Add(-s.ago).Truncate(time.Second)
		d := model.Draft{
			OrderID: id, SubSaleType: string(s.sub), PaymentChannel: string(s.ch),
			TradeTime: model.FormatTime(tt), TradeAmount: s.yuan,
			SequenceNo: fmt.Sprintf("%011d", 30000000000+rng.Int64N(9999999999)),
			PayTypeNo:  "1", StoreNo: StoreNo, CommunicateType: string(model.CommNetwork),
			TerminalNo: TerminalNo, BankShopNo: BankShopNo, BatchNo: "000127",
			PosTraceNo: fmt.Sprintf("%06d", 1000+i*7), TradeRefNo: fmt.Sprintf("%012d", 331000000000+rng.Int64N(999999999)),
			BankCode: s.bank,
		}
		refs[i] = d.TradeRefNo
		switch s.reject {
		case "store":
			d.StoreNo = "HZ10" // a slip of the finger: head office has no store HZ10
		case "ref":
			d.TradeRefNo = d.TradeRefNo[1:] // a digit left out
		}
		if s.ch == model.ChannelQuickPass {
			d.PosTraceNo = fmt.Sprintf("%021d", 202611000000000000+rng.Int64N(999999999999))
			d.TerminalNo = "10290002"
		}
		if !s.noCard {
			d.CardNo = cardNumber(rng, s.bank)
		}
		if s.sub != model.SubSale {
			o := sales[s.of]
			d.OriginalOrderID = o.OrderID
			d.CardNo = o.CardNo
			d.EncrypteSummary = o.EncrypteSummary
			d.BankCode = o.BankCode
			d.PaymentChannel = string(o.PaymentChannel)
			d.TerminalNo, d.BankShopNo, d.BatchNo = o.TerminalNo, o.BankShopNo, o.BatchNo
		}
		r := rules
		r.Now = now
		sale, is := d.Build(r)
		if is.HasErrors() {
			return out, fmt.Errorf("demo: sample %d (%s): %v", i, id, is.Errors())
		}
		if _, err := j.Insert(ctx, sale, Operator); err != nil {
			return out, fmt.Errorf("demo: inserting sample %s: %w", id, err)
		}
		sales[i] = sale
		if s.cancel != "" {
			if _, err := j.Void(ctx, id, s.cancel, Operator); err != nil {
				return out, fmt.Errorf("demo: cancelling sample %s: %w", id, err)
			}
		}
		if s.reject != "" {
			out.rejected = append(out.rejected, id)
		}
		if s.flaky {
			out.flaky = append(out.flaky, id)
		}
	}
	if err := seedStatement(ctx, j, samples, sales, refs, now, rng); err != nil {
		return out, err
	}
	return out, nil
}

// seedStatement keeps the bank's statement of the samples in the journal: a line for each
// one not cancelled here (a cancelled order never reached the bank), with the reference number
// as the bank has it, and the one sale nobody keyed.
func seedStatement(ctx context.Context, j *storage.Journal, samples []sample, sales []model.Sale, refs []string, now time.Time, rng *rand.Rand) error {
	kinds := map[model.SubType]model.StatementKind{model.SubSale: model.StatementSale, model.SubVoid: model.StatementVoid, model.SubRefund: model.StatementRefund}
	var lines []model.StatementLine
	for i, o := range sales {
		if samples[i].cancel != "" {
			continue
		}
		lines = append(lines, model.StatementLine{File: StatementFile, Row: len(lines) + 2, Kind: kinds[o.SubSaleType],
			TradeTime: o.TradeTime, Amount: o.TradeAmount, Channel: o.PaymentChannel, Merchant: o.BankShopNo,
			Terminal: o.TerminalNo, Batch: o.BatchNo, Trace: o.PosTraceNo, Ref: refs[i], Card: o.CardNo})
	}
	amount, err := model.ParseAmount(unkeyed.yuan)
	if err != nil {
		return fmt.Errorf("demo: the statement's unkeyed sale: %w", err)
	}
	card, _ := model.ParseCard(cardNumber(rng, unkeyed.bank), nil, model.ChannelBankCard)
	lines = append(lines, model.StatementLine{File: StatementFile, Row: len(lines) + 2, Kind: model.StatementSale,
		TradeTime: now.Add(-unkeyed.ago).Truncate(time.Second), Amount: amount, Channel: model.ChannelBankCard,
		Merchant: BankShopNo, Terminal: TerminalNo, Batch: "000127", Trace: fmt.Sprintf("%06d", 1000+len(samples)*7),
		Ref: fmt.Sprintf("%012d", 331000000000+rng.Int64N(999999999)), Card: card.Masked})
	if _, err := j.ImportStatement(ctx, lines, Operator); err != nil {
		return fmt.Errorf("demo: keeping the bank statement: %w", err)
	}
	return nil
}

// cardNumber makes a 16-digit UnionPay number that passes Luhn (never a real card: the
// demo's journal keeps only its masked form and digest anyway), of the bank's own prefix when
// the bank list has one, so the samples agree with the form's card-to-bank check.
func cardNumber(rng *rand.Rand, bank string) string {
	prefix := "621483" // no listed bank's: nothing to compare
	for _, b := range model.Banks() {
		if b.Code == bank && len(b.Prefixes) > 0 && len(b.Prefixes[0]) == 6 {
			prefix = b.Prefixes[0]
		}
	}
	b := []byte(prefix)
	for len(b) < 15 {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	sum := 0
	for i := 0; i < 15; i++ {
		v := int(b[14-i] - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return string(b) + strconv.Itoa((10-sum%10)%10)
}
